"""The letter review queue in the chat: /review, reading, correcting, approving, sending back.

Each step parses the update, calls one use case of ``bot.services.review`` and renders its
result with ``handlers.views.review``. What goes to the family (the approved letter, the
note) is the bot's own message in the family's chat, sent with the bot's own priority.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.domain.inputs import OtherInput, TextInput
from bot.i18n import Translator, pick_locale
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.review import Form, FormAnswered, ReviewLetter
from bot.services.staff import Actor
from handlers.common import (
    Context,
    chat_id,
    drop_buttons,
    flush_replies,
    parse_id,
    say,
    services,
)
from handlers.views import review as view

__all__ = [
    "PREFIX",
    "ask_again",
    "form_command",
    "handle_form",
    "on_review_button",
    "review_command",
]

log = logging.getLogger(__name__)

PREFIX = view.PREFIX


async def _actor_and_t(update: Update, context: Context) -> tuple[Actor, Translator, str]:
    """The sender's role, language and time zone (a staff member's own, else Telegram's)."""
    s = services(context)
    tg_user = update.effective_user
    assert tg_user is not None
    key = s.user_key(tg_user.id)
    actor = await s.staff.actor(key)
    member = await s.staff.staff.get(key)
    user = await s.store.get_user(key)
    locale = (
        (member.locale if member else None)
        or (user.locale if user else None)
        or pick_locale(tg_user.language_code)
    )
    return actor, s.catalogs.get(locale), await s.staff.timezone_of(key)


async def review_command(update: Update, context: Context) -> None:
    """/review: the letters waiting for a caseworker, oldest first."""
    s = services(context)
    actor, t, _zone = await _actor_and_t(update, context)
    try:
        entries = await s.review.queue(actor)
    except NotAllowed:
        await say(update, context, t("This is not available."))
        return
    names = {e.addressee_id: s.letters.directory[e.addressee_id].name(t.locale) for e in entries}
    text, markup = view.queue_view(t, entries, names, s.review.enabled)
    await say(update, context, text, markup)


async def on_review_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    parts = query.data.split(":")
    letter_id = parse_id(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    handler = {"read": _read, "fix": _ask_correction, "approve": _approve, "back": _ask_note}.get(
        parts[1]
    )
    if handler is None or letter_id is None:
        return
    actor, t, zone = await _actor_and_t(update, context)
    await drop_buttons(update)
    try:
        await handler(update, context, actor, t, zone, letter_id, ":".join(parts[3:]))
    except (NotAllowed, NotFound):
        await say(update, context, t("This is not available."))
    except Invalid as err:
        await say(update, context, view.invalid_text(t, err))


async def _read(
    update: Update,
    context: Context,
    actor: Actor,
    t: Translator,
    zone: str,
    letter_id: int,
    _value: str,
) -> None:
    letter = await services(context).review.read(actor, letter_id)
    await _show(update, context, t, zone, letter)


async def _show(
    update: Update,
    context: Context,
    t: Translator,
    zone: str,
    letter: ReviewLetter,
    saved: bool = False,
) -> None:
    """The letter's text, its PDF and DOCX, then what can be done with it."""
    produced = letter.produced
    await say(update, context, produced.letter.text)
    await flush_replies()  # the letter alone, then its files
    target = chat_id(update)
    assert target is not None
    await context.bot.send_document(target, produced.pdf, filename=produced.pdf_name)
    await context.bot.send_document(target, produced.docx, filename=produced.docx_name)
    text, markup = view.letter_card(t, letter, zone, saved)
    await say(update, context, text, markup)


async def _ask_correction(
    update: Update,
    context: Context,
    actor: Actor,
    t: Translator,
    zone: str,
    letter_id: int,
    field: str,
) -> None:
    item = await services(context).review.ask_correction(actor, letter_id, field, update.update_id)
    await say(update, context, view.ask_correction_text(t, item))


async def _ask_note(
    update: Update,
    context: Context,
    actor: Actor,
    t: Translator,
    zone: str,
    letter_id: int,
    _value: str,
) -> None:
    await services(context).review.ask_note(actor, letter_id, update.update_id)
    await say(update, context, view.ask_note_text(t))


async def _approve(
    update: Update,
    context: Context,
    actor: Actor,
    t: Translator,
    zone: str,
    letter_id: int,
    _value: str,
) -> None:
    s = services(context)
    released = await s.review.approve_and_release(actor, letter_id, view.release(context.bot, s))
    await say(update, context, view.approved_text(t, released.reached))


# --- typed text: a correction, a note -----------------------------------------------------
async def handle_form(update: Update, context: Context, form: Form) -> None:
    """The caseworker's typed correction or note: the form engine checks it, the review use
    case acts on it (a restart in between loses nothing: the form is stored)."""
    s = services(context)
    actor, t, zone = await _actor_and_t(update, context)
    message = update.effective_message
    given = (
        TextInput(message.text) if message is not None and message.text else OtherInput("other")
    )
    try:
        answered = await s.review.answer_form(actor, form, given, update.update_id)
    except (NotAllowed, NotFound):
        await say(update, context, t("This is not available."))
        return
    except Invalid as err:
        await say(update, context, view.invalid_text(t, err))
        return
    await _answered(update, context, t, zone, answered)


async def ask_again(update: Update, context: Context, form: Form) -> None:
    """The open correction or note form's question once more (after a restart cut its
    reply off); nothing when the letter is no longer in review."""
    actor, t, _zone = await _actor_and_t(update, context)
    try:
        item = await services(context).review.form_question(actor, form)
    except (NotAllowed, NotFound, Invalid):
        return
    text = view.ask_note_text(t) if item is None else view.ask_correction_text(t, item)
    await say(update, context, text)


async def form_command(update: Update, context: Context, op: str) -> bool:
    """/back or /skip while a review form is open; False when none is."""
    if update.effective_user is None:
        return False
    # Reads only (who acts, in which language and zone); the use case itself says
    # whether a review form is open (None: the command is for another form or the report).
    actor, t, zone = await _actor_and_t(update, context)
    answered = await services(context).review.move(actor, op, update.update_id)
    if answered is None:
        return False
    await _answered(update, context, t, zone, answered)
    return True


async def _answered(
    update: Update, context: Context, t: Translator, zone: str, answered: FormAnswered
) -> None:
    if answered.error is not None:  # the form stays open: write it again
        await say(update, context, view.form_error_text(t, answered.error))
    elif answered.letter is not None:
        await _show(update, context, t, zone, answered.letter, saved=True)
    elif answered.returned is not None:
        reached = await view.tell_returned(context.bot, services(context), answered.returned)
        await say(update, context, view.returned_done_text(t, reached))


# --- the reminder after a working day (handlers.jobs) -------------------------------------
