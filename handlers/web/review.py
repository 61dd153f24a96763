"""The desk's "Letters to check": the letter review queue (``IZDEU_LETTER_REVIEW=on``).

The same use cases as the chat's /review (``bot.services.review``: who may, what is
audited), and the family receives a decision through the same functions
(``handlers.views.review.release`` and ``tell_returned``), so an approval at the desk
delivers exactly what one in the chat does. Addresses carry a letter's row id only; a
correction and a note go by POST, and the browser is sent back (POST, redirect, GET).
"""

from __future__ import annotations

import logging

from aiohttp import web
from telegram.error import TelegramError

from bot.i18n import N_
from bot.services.errors import Invalid
from bot.services.review import MAX_NOTE, MAX_TEXT, RefusedOnPage, ReviewLetter
from handlers.views import review as view
from handlers.web.desk import desk_of, render, session_of, translator_of

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

# The answers to an action, shown on the page it returns to.
DONE = {
    "saved": N_("Saved. The letter is made again with your text."),
    "approved": N_("Approved. The family has received the letter."),
    "approved_unreached": N_(
        "Approved. The family could not be reached: it deleted its data or left the bot."
    ),
    "returned": N_("The letter is sent back; the family has received your note."),
    "returned_unreached": N_(
        "The letter is sent back. The family could not be reached: it deleted its data or "
        "left the bot."
    ),
}
FILES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _letter_id(request: web.Request) -> int:
    value = request.match_info["letter"]
    if not value.isdigit() or len(value) > 16:
        raise web.HTTPNotFound()
    return int(value)


@routes.get("/review", name="review_queue")
async def queue_page(request: web.Request) -> web.Response:
    """The letters waiting, oldest first; times in the staff member's zone."""
    session = session_of(request)
    t = translator_of(request)
    s = desk_of(request).services
    queue = await s.review.queue_screen(session.actor)
    languages = queue.languages
    done = request.query.get("done", "")
    return render(
        request,
        "web/review.html.j2",
        title=t("Letters to check"),
        enabled=s.review.enabled,
        rows=[
            (
                e,
                s.letters.directory[e.addressee_id].name(t.locale),
                view.language_name(languages[e.letter_id], t.locale)
                if e.letter_id in languages
                else "—",
                t.datetime(e.queued_at, "short", tz=session.timezone),
            )
            for e in queue.entries
        ],
        notice=t(DONE[done]) if done in DONE and not done.startswith("saved") else "",
    )


async def show_letter(
    request: web.Request, status: int = 200, error: str = "", kept: str = "", kept_for: str = ""
) -> web.Response:
    """The letter as the family would get it now (its reading audited by the core)."""
    letter = await desk_of(request).services.review.read(
        session_of(request).actor, _letter_id(request)
    )
    return _letter_page(request, letter, status, error, kept, kept_for)


def _letter_page(
    request: web.Request,
    letter: ReviewLetter,
    status: int = 200,
    error: str = "",
    kept: str = "",
    kept_for: str = "",
) -> web.Response:
    """The letter's page; after a refused form, with the reason and the text as typed."""
    session = session_of(request)
    t = translator_of(request)
    produced = letter.produced
    done = request.query.get("done", "")
    return render(
        request,
        "web/review_letter.html.j2",
        status=status,
        title=t("Letter of case {number}", number=letter.entry.case_number),
        letter=letter,
        body=produced.addressee.name(t.locale),
        language=view.language_name(produced.letter.language, t.locale),
        since=t.datetime(letter.entry.queued_at, "short", tz=session.timezone),
        fields=[(view.field_name(t, f.field), f) for f in letter.fields],
        notice=t(DONE[done]) if done == "saved" else "",
        error=error,
        kept=kept,
        kept_for=kept_for,
        text_limit=MAX_TEXT,
        note_limit=MAX_NOTE,
    )


@routes.get(r"/review/{letter:\d+}", name="review_letter")
async def letter_page(request: web.Request) -> web.Response:
    try:
        return await show_letter(request)
    except Invalid as err:  # a translation left to the organisation is missing
        t = translator_of(request)
        return render(
            request,
            "web/message.html.j2",
            status=400,
            title=t("Letters to check"),
            message=view.invalid_text(t, err),
        )


@routes.get(r"/review/{letter:\d+}/{kind:pdf|docx}", name="review_file")
async def letter_file(request: web.Request) -> web.Response:
    """The letter's PDF or DOCX, as the chat sends them after its text (audited as a
    reading, like the chat's)."""
    session = session_of(request)
    letter = await desk_of(request).services.review.read(session.actor, _letter_id(request))
    kind = request.match_info["kind"]
    produced = letter.produced
    data, name = (
        (produced.pdf, produced.pdf_name) if kind == "pdf" else (produced.docx, produced.docx_name)
    )
    return web.Response(
        body=data,
        content_type=FILES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _to_letter(request: web.Request, done: str) -> web.HTTPSeeOther:
    url = request.app.router["review_letter"].url_for(letter=request.match_info["letter"])
    return web.HTTPSeeOther(url.with_query(done=done))


def _to_queue(request: web.Request, done: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(request.app.router["review_queue"].url_for().with_query(done=done))


@routes.post(r"/review/{letter:\d+}/correct", name="review_correct")
async def correct(request: web.Request) -> web.Response:
    """A new text of one of the family's free texts, in the letter's language; a refused
    one is shown again with the reason, as typed."""
    form = await request.post()
    field = str(form.get("field", ""))
    text = str(form.get("text", ""))
    s = desk_of(request).services
    try:
        await s.review.correct_on_page(session_of(request).actor, _letter_id(request), field, text)
    except RefusedOnPage as err:
        t = translator_of(request)
        return _letter_page(request, err.letter, 400, view.invalid_text(t, err), text, field)
    raise _to_letter(request, "saved")


@routes.post(r"/review/{letter:\d+}/approve", name="review_approve")
async def approve(request: web.Request) -> web.Response:
    """Approve: the family receives the letter exactly as after an approval in the chat."""
    desk = desk_of(request)
    actor = session_of(request).actor
    out = view.release(desk.bot, desk.services)
    try:
        reached = (
            await desk.services.review.approve_on_page(actor, _letter_id(request), out)
        ).reached
    except RefusedOnPage as err:
        t = translator_of(request)
        return _letter_page(request, err.letter, 400, view.invalid_text(t, err))
    except TelegramError as err:  # the network, a pause Telegram asked for: send it again
        log.warning("desk: an approved letter failed (%s)", type(err).__name__)
        reached = False
    raise _to_queue(request, "approved" if reached else "approved_unreached")


@routes.post(r"/review/{letter:\d+}/back", name="review_back")
async def send_back(request: web.Request) -> web.Response:
    """Send the letter back to the family with the caseworker's note."""
    desk = desk_of(request)
    text = str((await request.post()).get("note", ""))
    try:
        returned = await desk.services.review.send_back_on_page(
            session_of(request).actor, _letter_id(request), text
        )
    except RefusedOnPage as err:
        t = translator_of(request)
        return _letter_page(request, err.letter, 400, view.invalid_text(t, err), text, "note")
    try:
        reached = await view.tell_returned(desk.bot, desk.services, returned)
    except TelegramError as err:
        log.warning(
            "desk: a returned letter's note of case %s failed (%s)",
            returned.entry.case_number,
            type(err).__name__,
        )
        reached = False
    raise _to_queue(request, "returned" if reached else "returned_unreached")
