"""The desk's case pages: the list with its filters, the dossier and its actions.

Each handler reads the request, calls the chat's use cases (``bot.services.staff``: the
same permission checks, the same audit entries) and renders the result; after an action
the browser is sent back to the dossier (POST, redirect, GET), so a reload never repeats
it. Case numbers are the only data in addresses; the forms carry the case's row id.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy
from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from bot import regions
from bot.domain.models import STATUS_CODES, CaseStatus, parse_case_number
from bot.domain.validators import InvalidInput
from bot.i18n import N_
from bot.services.dossier import DeskDossier, RefusedOnPage
from bot.services.staff import (
    NOTE_LIMIT,
    STATUS_CHANGED,
    VOLUNTEER_STATUSES,
    CaseFilter,
    Cursor,
    Recipient,
    Role,
)
from handlers import texts
from handlers.keyboards import button
from handlers.views import staff as staff_views
from handlers.views.notices import send_notices
from handlers.web import views
from handlers.web.desk import desk_of, refused, render, session_of, translator_of

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

NUMBER = r"[A-Z]{2,5}-\d{4}-\d{1,7}"
CITIZENSHIPS = ("KZ", "KG", "other")
# The answers to an action, shown on the dossier it returns to.
DONE = {
    "note": N_("The note is saved."),
    "message": N_("The message is sent to the family."),
    "status": N_("The status is changed; the family is told."),
    "status_untold": N_(
        "The status is changed; the family could not be told (it may have blocked the bot)."
    ),
    "assign": N_("The volunteers of the case are changed."),
    "verified": N_("The check with the family is recorded."),
    "details": N_("What volunteers may see of this case is changed."),
    "copy": N_("Your review of the form reply is recorded."),
    "undelivered": N_("The bot could not deliver the message (the person may have blocked it)."),
}
# The chat's button under a message from the organisation: the family's way to answer
# (handlers/staff.py, "staff:answer:<case>:<writer>"; a test presses it).
ANSWER = ("staff", "answer")


def parse_filter(query: MultiDictProxy[str]) -> CaseFilter:
    """The list's filters from the address; anything unknown is ignored, not an error."""
    status = query.get("status", "")
    citizenship = query.get("citizenship", "")
    region = query.get("region", "")
    volunteer = query.get("volunteer", "")
    verified = query.get("verified", "")
    return CaseFilter(
        status=status if status in STATUS_CODES else None,
        citizenship=citizenship if citizenship in CITIZENSHIPS else None,
        overdue=query.get("overdue") == "1",
        unassigned=query.get("unassigned") == "1",
        verified={"1": True, "0": False}.get(verified),
        volunteer_id=int(volunteer) if volunteer.isdigit() and len(volunteer) < 16 else None,
        region=region if regions.get(region) else None,
        oldest_first=query.get("sort") == "oldest",
    )


def filter_query(flt: CaseFilter) -> dict[str, str]:
    """The filters as query parameters again (for the arrows of the pages)."""
    found = {
        "status": flt.status or "",
        "citizenship": flt.citizenship or "",
        "region": flt.region or "",
        "overdue": "1" if flt.overdue else "",
        "unassigned": "1" if flt.unassigned else "",
        "verified": {True: "1", False: "0", None: ""}[flt.verified],
        "volunteer": str(flt.volunteer_id) if flt.volunteer_id is not None else "",
        "sort": "oldest" if flt.oldest_first else "",
    }
    return {k: v for k, v in found.items() if v}


def _cursor(query: MultiDictProxy[str]) -> Cursor | None:
    for key, forward in (("after", True), ("before", False)):
        value = query.get(key, "")
        if value.isdigit() and len(value) < 16:
            return Cursor(int(value), forward)
    return None


@routes.get("/cases", name="case_list")
async def case_list(request: web.Request) -> web.Response:
    session = session_of(request)
    t = translator_of(request)
    staff = desk_of(request).services.staff
    flt = parse_filter(request.query)
    cursor = _cursor(request.query)
    # A volunteer's list holds only their own cases whatever the filter says (the core).
    listed = await staff.case_list(session.actor, flt, cursor)
    page = listed.page
    volunteers = [(m.user_id, m.name or "") for m in listed.volunteers]
    base = filter_query(flt)
    newer = older = None
    if page.cases and cursor is not None:
        newer = "?" + urlencode({**base, "before": page.cases[0].id})
    if page.cases and len(page.cases) >= page.page_size:
        older = "?" + urlencode({**base, "after": page.cases[-1].id})
    citizenship_names = {
        "KZ": t("Kazakhstan"),
        "KG": t("Kyrgyzstan"),
        "other": t("Other country"),
    }
    return render(
        request,
        "web/cases.html.j2",
        title=t("Cases"),
        page=page,
        flt=flt,
        volunteers=volunteers,
        statuses=[(s.value, views.status_name(t, s.value)) for s in CaseStatus],
        citizenships=list(citizenship_names.items()),
        citizenship_names=citizenship_names,
        regions=sorted(
            ((r.code, regions.name(r.code, t.locale)) for r in regions.all_regions()),
            key=lambda pair: pair[1],
        ),
        status_name=lambda code: views.status_name(t, code),
        newer=newer,
        older=older,
        manager=session.actor.role is not Role.VOLUNTEER,
    )


@routes.post("/cases/find", name="case_find")
async def find_case(request: web.Request) -> web.Response:
    """Open a case by its number, typed in any usual form ("kz-2026-1"). A POST: whatever
    is typed (a name, by mistake) stays out of addresses, history and logs."""
    wanted = str((await request.post()).get("number", "")).strip()
    number = parse_case_number(wanted)
    if not re.fullmatch(NUMBER, number):
        t = translator_of(request)
        return refused(request, 400, t("Write a case number, like KZ-2026-0001."))
    raise web.HTTPSeeOther(request.app.router["case"].url_for(number=number))


def _number(request: web.Request) -> str:
    number = request.match_info["number"]
    if not re.fullmatch(NUMBER, number):
        raise web.HTTPNotFound()
    return number


async def show_dossier(
    request: web.Request,
    number: str,
    status: int = 200,
    error: str = "",
    kept: str = "",
    kept_for: str = "",
) -> web.Response:
    """The dossier (its view audited by the core); after a refused form, with the reason
    and the text kept for a retry."""
    screen = await desk_of(request).services.dossiers.desk(session_of(request).actor, number)
    return _dossier_page(request, screen, status, error, kept, kept_for)


def _dossier_page(
    request: web.Request,
    screen: DeskDossier,
    status: int = 200,
    error: str = "",
    kept: str = "",
    kept_for: str = "",
) -> web.Response:
    session = session_of(request)
    t = translator_of(request)
    services = desk_of(request).services
    dossier, choices = screen.dossier, screen.volunteers
    by_id = {letter.id: letter for letter in dossier.letters}
    done = request.query.get("done", "")
    manager = session.actor.role is not Role.VOLUNTEER
    in_review = [
        (e.letter_id, views.letter_title(t, e.addressee_id, e.kind), e.state)
        for e in screen.in_review
    ]
    return render(
        request,
        "web/case.html.j2",
        status=status,
        title=t("Case {number}", number=dossier.case.number),
        d=dossier,
        today=services.clock.now().date(),
        statuses=list(CaseStatus) if manager else list(VOLUNTEER_STATUSES),
        sections=views.report_sections(t, dossier.answers),
        letters=[
            (views.letter_title(t, row.addressee_id, row.kind), row) for row in dossier.letters
        ],
        replies=[
            (views.letter_title(t, by_id[r.letter_id].addressee_id, by_id[r.letter_id].kind), r)
            for r in dossier.replies
            if r.letter_id in by_id
        ],
        events=views.timeline(t, dossier.case, session.timezone),
        status_name=lambda code: views.status_name(t, code),
        outcome_name=lambda code: views.outcome_name(t, code),
        copy_mark=lambda reply: staff_views.copy_mark(t, reply).strip(),
        choices=choices,
        in_review=in_review,
        notice=t(DONE[done]) if done in DONE else "",
        error=error,
        kept=kept,
        kept_for=kept_for,
        text_limit=NOTE_LIMIT,
    )


@routes.get(r"/cases/{number}", name="case")
async def case_page(request: web.Request) -> web.Response:
    return await show_dossier(request, _number(request))


def _back(request: web.Request, number: str, done: str) -> web.HTTPSeeOther:
    url = request.app.router["case"].url_for(number=number).with_query(done=done)
    return web.HTTPSeeOther(url)


def _refused_text(request: web.Request, err: RefusedOnPage, text: str, form: str) -> web.Response:
    """The dossier again with the reason, and the text as typed: nothing is lost."""
    t = translator_of(request)
    message = texts.error(t, InvalidInput(err.reason, max_len=NOTE_LIMIT, length=len(text)))
    return _dossier_page(request, err.page, 400, message, text, form)


async def _form(request: web.Request) -> tuple[int, MultiDictProxy[str | bytes | web.FileField]]:
    """The posted form and the case's row id it is about (a forged id is refused by the
    core like any case one may not see)."""
    form = await request.post()
    case_id = str(form.get("case", ""))
    if not case_id.isdigit() or len(case_id) > 16:
        raise web.HTTPNotFound()
    return int(case_id), form


@routes.post(r"/cases/{number}/note", name="case_note")
async def add_note(request: web.Request) -> web.Response:
    number = _number(request)
    case_id, form = await _form(request)
    text = str(form.get("text", ""))
    try:
        added = await desk_of(request).services.dossiers.add_note(
            session_of(request).actor, case_id, number, text
        )
    except RefusedOnPage as err:
        return _refused_text(request, err, text, "note")
    raise _back(request, added.case_number, "note")


@routes.post(r"/cases/{number}/message", name="case_message")
async def message_family(request: web.Request) -> web.Response:
    number = _number(request)
    case_id, form = await _form(request)
    text = str(form.get("text", ""))
    services = desk_of(request).services
    try:
        relay = await services.dossiers.message_family(
            session_of(request).actor, case_id, number, text
        )
    except RefusedOnPage as err:
        return _refused_text(request, err, text, "message")
    t = services.catalogs.get(relay.recipient.locale)  # the family's language
    sent = await _send(
        request,
        relay.recipient,
        relay.case_number,
        t("A message from the organisation about case {number}:", number=relay.case_number)
        + "\n\n"
        + relay.text,
        InlineKeyboardMarkup([[button(t("Answer"), *ANSWER, relay.case_id, relay.sender_id)]]),
    )
    raise _back(request, relay.case_number, "message" if sent else "undelivered")


@routes.post(r"/cases/{number}/status", name="case_status")
async def change_status(request: web.Request) -> web.Response:
    _number(request)
    case_id, form = await _form(request)
    code = str(form.get("status", ""))
    if code not in STATUS_CODES:
        raise web.HTTPNotFound()
    services = desk_of(request).services
    changed = await services.staff.set_status(session_of(request).actor, case_id, CaseStatus(code))
    told = False
    if changed.family is not None:  # its notice was written with the change
        taken = await send_notices(desk_of(request).bot, services)
        told = any(n.kind == STATUS_CHANGED for n in taken)
    raise _back(request, changed.case_number, "status" if told else "status_untold")


@routes.post(r"/cases/{number}/assign", name="case_assign")
async def assign(request: web.Request) -> web.Response:
    _number(request)
    case_id, form = await _form(request)
    volunteer = str(form.get("volunteer", ""))
    if not volunteer.isdigit() or len(volunteer) > 16:
        raise web.HTTPNotFound()
    services = desk_of(request).services
    result = await services.staff.assign(
        session_of(request).actor, case_id, int(volunteer), form.get("assigned") == "1"
    )
    if result.volunteer is not None:  # its notice was written with the assignment
        await send_notices(desk_of(request).bot, services)
    raise _back(request, result.case_number, "assign")


@routes.post(r"/cases/{number}/verified", name="case_verified")
async def verified(request: web.Request) -> web.Response:
    return await _set_flag(request, "verified")


@routes.post(r"/cases/{number}/details", name="case_details")
async def details(request: web.Request) -> web.Response:
    """Let the case's volunteers see identity numbers and the account, or not (as the chat)."""
    return await _set_flag(request, "details")


async def _set_flag(request: web.Request, name: str) -> web.Response:
    """A yes/no switch of the case (its form field is named as the flag)."""
    _number(request)
    case_id, form = await _form(request)
    flag = await desk_of(request).services.staff.set_flag(
        session_of(request).actor, case_id, name, form.get(name) == "1"
    )
    raise _back(request, flag.case_number, name)


@routes.post(r"/cases/{number}/copy", name="case_copy")
async def review_copy(request: web.Request) -> web.Response:
    """Confirm or reject that a reply is the body's form reply (its text matched others)."""
    _number(request)
    case_id, form = await _form(request)
    reply = str(form.get("reply", ""))
    if not reply.isdigit() or len(reply) > 16:
        raise web.HTTPNotFound()
    reviewed = await desk_of(request).services.staff.review_copy(
        session_of(request).actor, case_id, int(reply), form.get("confirmed") == "1"
    )
    raise _back(request, reviewed.case_number, "copy")


async def _send(
    request: web.Request,
    to: Recipient,
    number: str,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Through the bot; a person who blocked it is logged (by case number only)."""
    try:
        await desk_of(request).bot.send_message(to.chat_id, text, reply_markup=markup)
    except TelegramError as err:
        log.warning("desk: a message about case %s failed (%s)", number, type(err).__name__)
        return False
    return True
