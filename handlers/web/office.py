"""The desk's office pages: due this week, statistics, exports, the audit log, staff.

Each handler reads the request, calls one use case of ``bot.services.weboffice`` (or of
the staff service for invitations and roles) and renders the result through
``handlers.web.office_views``. Addresses carry no personal data: a page number, a due
date with a letter id, or a staff member's keyed id at most; whatever is changed goes
by POST with the session's CSRF token, and the browser is sent back (POST, redirect, GET).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from datetime import date
from pathlib import Path

from aiohttp import web

from bot.i18n import N_
from bot.services.errors import Invalid
from bot.services.weboffice import DueCursor
from bot.vocabulary import ROLE_NAMES
from handlers.web import office_views as views
from handlers.web.desk import desk_of, render, session_of, translator_of

routes = web.RouteTableDef()

# The answers to an action on the staff page.
DONE = {
    "revoked": N_("The invitation is revoked."),
    "removed": N_("The role is removed; that person's desk session has ended."),
    "gone": N_("This is not available."),
}
MAX_ID_DIGITS = 20


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= MAX_ID_DIGITS else None


def _due_cursor(query: web.Request) -> DueCursor | None:
    """``after=2026-05-04.12`` or ``before=...``: a deadline and a letter id."""
    for key, forward in (("after", True), ("before", False)):
        day, _, letter = query.query.get(key, "").partition(".")
        with contextlib.suppress(ValueError):
            if _id(letter) is not None:
                return DueCursor(date.fromisoformat(day).isoformat(), int(letter), forward)
    return None


@routes.get("/due", name="due")
async def due_page(request: web.Request) -> web.Response:
    session = session_of(request)
    t = translator_of(request)
    office = desk_of(request).services.office
    volunteers = await office.volunteers(session.actor)
    chosen = _id(request.query.get("volunteer", "")) if volunteers else None
    week = await office.due_this_week(session.actor, chosen, _due_cursor(request))
    return render(
        request,
        "web/due.html.j2",
        title=t("Due this week"),
        week=week,
        rows=views.due_rows(t, week),
        volunteers=volunteers,
        chosen=chosen,
        pages=views.due_pages(week),
    )


@routes.get("/statistics", name="statistics")
async def statistics_page(request: web.Request) -> web.Response:
    t = translator_of(request)
    session = session_of(request)
    s = desk_of(request).services
    counted = await s.office.statistics(session.actor)
    tz = await s.staff.timezone_of(session.actor.user_id)
    return render(
        request,
        "web/statistics.html.j2",
        title=t("Statistics"),
        stats=counted.stats,
        counted_at=t.datetime(counted.at, "short", tz=tz),
        charts=views.charts(t, counted.stats),
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
    session = session_of(request)
    t = translator_of(request)
    form = await request.post()
    fmt = str(form.get("format", ""))
    full = form.get("full") == "1" and fmt != "stats"
    s = desk_of(request).services
    tz = await s.staff.timezone_of(session.actor.user_id)
    folder = Path(tempfile.mkdtemp(prefix="izdeu-desk-export-"))
    try:
        made = await s.office.export(session.actor, fmt, folder, full=full, locale=t.locale, tz=tz)
        response = web.StreamResponse(
            headers={
                "Content-Type": made.media_type,
                "Content-Disposition": f'attachment; filename="{made.filename}"',
                "Content-Length": str(made.path.stat().st_size),
            }
        )
        await response.prepare(request)
        with made.path.open("rb") as fh:
            while chunk := fh.read(1 << 16):
                await response.write(chunk)
        await response.write_eof()
        return response
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@routes.get("/audit", name="audit")
async def audit_page(request: web.Request) -> web.Response:
    session = session_of(request)
    t = translator_of(request)
    page = _id(request.query.get("page", "")) or 0
    s = desk_of(request).services
    log = await s.office.audit_log(session.actor, page)
    tz = await s.staff.timezone_of(session.actor.user_id)
    return render(
        request,
        "web/audit.html.j2",
        title=t("Audit log"),
        log=log,
        lines=views.audit_lines(t, log, tz),
    )


@routes.get("/staff", name="staff")
async def staff_page(request: web.Request) -> web.Response:
    return await _show_staff(request)


async def _show_staff(request: web.Request, link: str = "", role: str = "") -> web.Response:
    session = session_of(request)
    t = translator_of(request)
    s = desk_of(request).services
    overview = await s.office.staff_overview(session.actor)
    tz = await s.staff.timezone_of(session.actor.user_id)
    done = request.query.get("done", "")
    return render(
        request,
        "web/staff.html.j2",
        title=t("Staff and invitations"),
        overview=overview,
        members=views.member_rows(t, overview, tz),
        invitations=views.invitation_rows(t, overview, tz),
        may_invite=[(r, t(ROLE_NAMES[r])) for r in overview.may_invite],
        link=link,
        link_role=t(ROLE_NAMES[role]) if role in ROLE_NAMES else "",
        notice=t(DONE[done]) if done in DONE else "",
    )


@routes.post("/staff/invite", name="staff_invite")
async def invite(request: web.Request) -> web.Response:
    """A one-time invitation; its link is shown once, on this answer only."""
    role = str((await request.post()).get("role", ""))
    desk = desk_of(request)
    invitation = await desk.services.staff.invite(session_of(request).actor, role)
    link = f"https://t.me/{desk.bot.username}?start=inv_{invitation.code}"
    return await _show_staff(request, link, role)


@routes.post("/staff/revoke", name="staff_revoke")
async def revoke(request: web.Request) -> web.Response:
    code = str((await request.post()).get("code", ""))[:64]
    done = await desk_of(request).services.staff.revoke(session_of(request).actor, code)
    raise _back(request, "revoked" if done else "gone")


@routes.post("/staff/remove", name="staff_remove")
async def remove(request: web.Request) -> web.Response:
    user_id = _id(str((await request.post()).get("member", "")))
    if user_id is None:
        raise Invalid("member", N_("This is not available."))
    done = await desk_of(request).services.staff.remove_role(session_of(request).actor, user_id)
    raise _back(request, "removed" if done else "gone")


def _back(request: web.Request, done: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(request.app.router["staff"].url_for().with_query(done=done))
