"""The desk's office pages: due this week, statistics, exports, the audit log, staff.

Each handler reads the request, calls the use cases the chat's commands call (the
staff and export services; the statistics through ``bot.services.weboffice``, which
keeps them a few minutes) and renders the result through ``handlers.web.office_views``.
Addresses carry no personal data: a page number, a due date with a letter id, or a
staff member's keyed id at most; whatever is changed goes by POST with the session's
CSRF token, and the browser is sent back (POST, redirect, GET).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from datetime import date
from pathlib import Path

from aiohttp import web

from bot.clock import local_today
from bot.exports import ExportFilter
from bot.i18n import N_
from bot.services.errors import Invalid, NotFound
from bot.services.staff import MAY_INVITE, DueCursor, StaffScreen
from handlers.web import office_views as views
from handlers.web.desk import desk_of, render, session_of, translator_of

routes = web.RouteTableDef()

# The answers to an action on the staff page.
DONE = {
    "revoked": N_("The invitation is revoked."),
    "removed": N_("The role is removed; that person's desk session has ended."),
    "gone": N_("This is not available."),
}
AUDIT_PAGE = 50  # entries on one page of the audit log
MAX_PAGE = 100_000
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "json": "application/json",
    "pdf": "application/pdf",
}


def _number(value: str, limit: int) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 20 and int(value) <= limit else None


def _id(value: str) -> int | None:
    return _number(value, 2**63)


def _due_cursor(request: web.Request) -> DueCursor | None:
    """``after=2026-05-04.12`` or ``before=...``: a deadline and a letter id."""
    for key, forward in (("after", True), ("before", False)):
        day, _, letter = request.query.get(key, "").partition(".")
        with contextlib.suppress(ValueError):
            if _id(letter) is not None:
                return DueCursor(date.fromisoformat(day).isoformat(), int(letter), forward)
    return None


@routes.get("/due", name="due")
async def due_page(request: web.Request) -> web.Response:
    session = session_of(request)
    t = translator_of(request)
    s = desk_of(request).services
    cursor = _due_cursor(request)
    page_no = (_number(request.query.get("n", ""), MAX_PAGE) or 0) if cursor else 0
    screen = await s.staff.due_screen(
        session.actor, cursor, _id(request.query.get("volunteer", ""))
    )
    due, chosen = screen.page, screen.chosen
    volunteers = {m.user_id: m.name or views.unnamed(t) for m in screen.volunteers}
    tz = await s.staff.timezone_of(session.actor.user_id)
    return render(
        request,
        "web/due.html.j2",
        title=t("Due this week"),
        due=due,
        rows=views.due_rows(t, due, local_today(s.clock, tz)),
        volunteers=volunteers,
        chosen=chosen,
        pages=views.due_pages(due, chosen, page_no),
    )


@routes.get("/statistics", name="statistics")
async def statistics_page(request: web.Request) -> web.Response:
    session = session_of(request)
    t = translator_of(request)
    s = desk_of(request).services
    counted = await s.office.statistics(session.actor)
    tz = await s.staff.timezone_of(session.actor.user_id)
    return render(
        request,
        "web/statistics.html.j2",
        title=t("Statistics"),
        figures=counted.figures,
        stats=counted.figures.statistics,
        counted_at=t.datetime(counted.at, "short", tz=tz),
        charts=views.charts(t, counted.figures.statistics),
    )


@routes.get("/exports", name="exports")
async def exports_page(request: web.Request) -> web.Response:
    t = translator_of(request)
    formats = desk_of(request).services.office.export_formats(session_of(request).actor)
    return render(
        request,
        "web/exports.html.j2",
        title=t("Exports"),
        formats=[(code, views.export_name(t, code)) for code in formats],
    )


@routes.post("/exports", name="export_download")
async def export_download(request: web.Request) -> web.StreamResponse:
    """The file, made as the chat's /export makes it, sent as a download and removed."""
    actor = session_of(request).actor
    t = translator_of(request)
    form = await request.post()
    fmt = str(form.get("format", ""))
    exports = desk_of(request).services.exports
    if fmt == "stats":
        document = await exports.statistics_pdf(actor, ExportFilter(), t.locale)
        return web.Response(
            body=document.data,
            headers={
                "Content-Type": MEDIA_TYPES["pdf"],
                "Content-Disposition": f'attachment; filename="{document.filename}"',
            },
        )
    folder = Path(tempfile.mkdtemp(prefix="izdeu-desk-export-"))
    try:
        made = await exports.export(
            actor,
            fmt,
            ExportFilter(),
            full=form.get("full") == "1",
            locale=t.locale,
            folder=folder,
        )
        return await _send_file(request, made.path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _send_file(request: web.Request, path: Path) -> web.StreamResponse:
    """Streamed in pieces: an export of every case is tens of MB."""
    response = web.StreamResponse(
        headers={
            "Content-Type": MEDIA_TYPES.get(path.suffix[1:], "application/octet-stream"),
            "Content-Disposition": f'attachment; filename="{path.name}"',
            "Content-Length": str(path.stat().st_size),
        }
    )
    await response.prepare(request)
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 16):
            await response.write(chunk)
    await response.write_eof()
    return response


@routes.get("/audit", name="audit")
async def audit_page(request: web.Request) -> web.Response:
    session = session_of(request)
    t = translator_of(request)
    page = _number(request.query.get("page", ""), MAX_PAGE) or 0
    s = desk_of(request).services
    log = await s.staff.audit_log(session.actor, AUDIT_PAGE + 1, page * AUDIT_PAGE)
    tz = await s.staff.timezone_of(session.actor.user_id)
    return render(
        request,
        "web/audit.html.j2",
        title=t("Audit log"),
        lines=views.audit_lines(t, log, tz)[:AUDIT_PAGE],
        page=page,
        more=len(log.entries) > AUDIT_PAGE,
    )


@routes.get("/staff", name="staff")
async def staff_page(request: web.Request) -> web.Response:
    return await _show_staff(request)


async def _show_staff(request: web.Request) -> web.Response:
    screen = await desk_of(request).services.staff.staff_screen(session_of(request).actor)
    return await _staff_page(request, screen)


async def _staff_page(
    request: web.Request, screen: StaffScreen, link: str = "", role: str = ""
) -> web.Response:
    session = session_of(request)
    t = translator_of(request)
    s = desk_of(request).services
    members, invitations = screen.members, screen.invitations
    tz = await s.staff.timezone_of(session.actor.user_id)
    done = request.query.get("done", "")
    return render(
        request,
        "web/staff.html.j2",
        title=t("Staff and invitations"),
        members=views.member_rows(t, members),
        invitations=views.invitation_rows(t, invitations, tz),
        may_invite=[(r, views.role_name(t, r)) for r in MAY_INVITE.get(session.actor.role, ())],
        link=link,
        link_role=views.role_name(t, role) if role else "",
        notice=t(DONE[done]) if done in DONE else "",
    )


@routes.post("/staff/invite", name="staff_invite")
async def invite(request: web.Request) -> web.Response:
    """A one-time invitation; its link is shown once, on this answer only."""
    role = str((await request.post()).get("role", ""))[:20]
    desk = desk_of(request)
    invited = await desk.services.staff.invite_on_page(session_of(request).actor, role)
    link = f"https://t.me/{desk.bot.username}?start=inv_{invited.invitation.code}"
    return await _staff_page(request, invited.screen, link, role)


@routes.post("/staff/revoke", name="staff_revoke")
async def revoke(request: web.Request) -> web.Response:
    code = str((await request.post()).get("code", ""))[:64]
    try:
        await desk_of(request).services.staff.revoke(session_of(request).actor, code)
    except NotFound:
        raise _back(request, "gone") from None
    raise _back(request, "revoked")


@routes.post("/staff/remove", name="staff_remove")
async def remove(request: web.Request) -> web.Response:
    user_id = _id(str((await request.post()).get("member", "")))
    if user_id is None:
        raise Invalid("member", N_("This is not available."))
    try:
        await desk_of(request).services.staff.remove_role(session_of(request).actor, user_id)
    except NotFound:
        raise _back(request, "gone") from None
    raise _back(request, "removed")


def _back(request: web.Request, done: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(request.app.router["staff"].url_for().with_query(done=done))
