"""The international route in the chat: the "ready for the UN" checklist for the family and
for staff, the family's consent, the English translations, the submission, and marking a
case as submitted.

The family reaches it with /un (or /un NUMBER) and the button under its case; staff with
/un NUMBER or the dossier's button. Buttons: un:<action>:<case id>[:value]
(``handlers.views.un``). Each calls a use case of ``bot.services.un``.
"""

from __future__ import annotations

from datetime import date

from telegram import Update, User

from bot.domain.inputs import OtherInput, TextInput
from bot.domain.models import Case
from bot.i18n import Translator, pick_locale
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.staff import MANAGERS, Actor
from bot.services.un import (
    Form,
    FormAnswered,
    Overview,
    Person,
    Recipient,
    StaffPage,
    Submission,
    Tapped,
)
from bot.un.translation import Pending
from handlers.common import Context, chat_id, drop_buttons, parse_id, say, services
from handlers.views import un as views
from handlers.views.notices import send_notices
from handlers.views.un import (
    PREFIX,
)

__all__ = ["PREFIX", "ask_again", "form_command", "handle_form", "on_un_button", "un_command"]


async def actor_and_t(update: Update, context: Context) -> tuple[Actor, Translator]:
    """The sender's role and language (a staff member's own, else the family's, else
    Telegram's)."""
    s = services(context)
    tg_user = update.effective_user
    assert tg_user is not None
    person = await s.un.who(s.user_key(tg_user.id), _shown_name(tg_user))
    return person.actor, _translator(context, person, tg_user)


def _shown_name(tg_user: User) -> str:
    return (tg_user.full_name or "").strip() or (
        f"@{tg_user.username}" if tg_user.username else ""
    )


def _translator(context: Context, person: Person, tg_user: User) -> Translator:
    return services(context).catalogs.get(person.locale or pick_locale(tg_user.language_code))


async def not_available(update: Update, context: Context, t: Translator) -> None:
    await say(update, context, t("This is not available."))


# --- the family ---------------------------------------------------------------------
async def un_command(update: Update, context: Context) -> None:
    """/un [NUMBER]: the family's checklist, or for staff the case's UN page."""
    actor, t = await actor_and_t(update, context)
    number = (context.args or [""])[0].strip().upper()[:40]
    try:
        opened = await services(context).un.open_page(actor, number, t.locale)
    except (NotFound, NotAllowed):
        await not_available(update, context, t)
        return
    if opened.missing == "number":
        await say(
            update,
            context,
            t("Send the case number after the command, for example /un KZ-2026-0042."),
        )
    elif opened.missing == "cases":
        await say(
            update, context, t("You have no cases yet. Send /start to report a missing person.")
        )
    elif opened.missing == "this":
        await say(update, context, t("You have no case with the number {number}.", number=number))
    elif opened.case is not None and opened.page is not None:
        await show_staff(update, context, actor, t, opened.case, opened.page)
    elif opened.case is not None and opened.overview is not None:
        await show_family(update, context, t, opened.case, opened.overview)


async def show_family(
    update: Update, context: Context, t: Translator, case: Case, view: Overview
) -> None:
    markup = views.family_buttons(t, case, view)
    await say(update, context, views.checklist_text(t, case, view), markup)
    await say(update, context, views.ced_text(t, view))


# --- staff --------------------------------------------------------------------------
async def show_staff(
    update: Update, context: Context, actor: Actor, t: Translator, case: Case, page: StaffPage
) -> None:
    markup = views.staff_buttons(t, case, page, actor.role in MANAGERS)
    await say(update, context, views.staff_text(t, case, page), markup)
    await say(update, context, views.ced_text(t, page.overview))


async def on_un_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    parts = query.data.split(":")
    action, args = (parts[1] if len(parts) > 1 else ""), parts[2:]
    actor, t = await actor_and_t(update, context)
    case_id = parse_id(args[0]) if args else None
    value = args[1] if len(args) > 1 else None
    try:
        tapped = await services(context).un.tap(
            actor, case_id or 0, action, value, t.locale, update.update_id
        )
    except (NotFound, NotAllowed, ValueError):
        await not_available(update, context, t)
        return
    await _show_tapped(update, context, actor, t, tapped)


async def _show_tapped(
    update: Update, context: Context, actor: Actor, t: Translator, tapped: Tapped
) -> None:
    """What a button did: the family's checklist (after a consent answer, with a word
    that it is saved), the staff page, the text to translate, the submission or why it
    cannot be made, the question of its date."""
    case = tapped.case
    if tapped.overview is not None:
        if tapped.saved:
            await drop_buttons(update)
            await say(update, context, t("Saved. You can change this at any time with /un."))
        await show_family(update, context, t, case, tapped.overview)
    elif tapped.page is not None:
        await show_staff(update, context, actor, t, case, tapped.page)
    elif tapped.pending is not None:
        await say(update, context, _translation_prompt(t, tapped.pending))
    elif tapped.not_ready is not None:
        await say(update, context, views.not_ready_text(t, case, tapped.not_ready))
    elif tapped.submission is not None:
        await _send_submission(update, context, t, tapped.submission)
    elif tapped.asked_date:
        await say(update, context, views.ask_submission_date_text(t, case))


async def _send_submission(
    update: Update, context: Context, t: Translator, made: Submission
) -> None:
    target = chat_id(update)
    assert target is not None
    await say(
        update,
        context,
        t(
            "The submission to the UN Working Group, in English. Check it, "
            "have the author sign it, and send it."
        )
        + "\n\n"
        + views.procedure_text(t),
    )
    await context.bot.send_document(target, made.pdf, filename=made.pdf_name)
    await context.bot.send_document(target, made.docx, filename=made.docx_name)


# --- typed answers of the staff forms -------------------------------------------------
async def handle_form(update: Update, context: Context, form: Form) -> None:
    """A translation, or the date and reference of a submission: the form engine checks
    it, the UN use case acts on the complete form."""
    actor, t = await actor_and_t(update, context)
    message = update.effective_message
    given = (
        TextInput(message.text) if message is not None and message.text else OtherInput("other")
    )
    try:
        answered = await services(context).un.answer_form(
            actor, form, given, update.update_id, t.locale
        )
    except (NotFound, NotAllowed, ValueError):
        await not_available(update, context, t)
        return
    await _answered(update, context, actor, t, answered)


async def ask_again(update: Update, context: Context, form: Form) -> None:
    """The open form's question once more (after a restart cut its reply off): the text
    to translate, or the submission's date or reference; nothing when the case is out of
    reach (the form is closed)."""
    actor, t = await actor_and_t(update, context)
    try:
        asked = await services(context).un.form_question(actor, form)
    except (NotFound, NotAllowed, Invalid):
        return
    if asked.pending is not None:
        await say(update, context, _translation_prompt(t, asked.pending))
    else:
        await _answered(update, context, actor, t, FormAnswered(form.name, asked.case, asked.step))


def _translation_prompt(t: Translator, pending: Pending) -> str:
    return (
        t("Write the English translation of «{field}». The family's text:", field=t(pending.label))
        + "\n\n"
        + pending.original
        + "\n\n"
        + t("Send - to leave this text out of the submission. /cancel stops.")
    )


async def form_command(update: Update, context: Context, op: str) -> bool:
    """/back or /skip while a form of the UN route is open; False when none is."""
    s = services(context)
    tg_user = update.effective_user
    if tg_user is None:
        return False
    moved = await s.un.move_open_form(
        s.user_key(tg_user.id),
        _shown_name(tg_user),
        op,
        update.update_id,
        pick_locale(tg_user.language_code),
    )
    if moved is None:
        return False
    t = _translator(context, moved.person, tg_user)
    if moved.answered is None:
        await not_available(update, context, t)
        return True
    await _answered(update, context, moved.person.actor, t, moved.answered)
    return True


async def _answered(
    update: Update, context: Context, actor: Actor, t: Translator, answered: FormAnswered
) -> None:
    """The refusal (the form stays at its step), the next question, or the result."""
    case = answered.case
    if answered.error is not None:
        await say(update, context, views.form_error_text(t, answered.error))
    elif answered.step == "date":
        await say(update, context, views.ask_submission_date_text(t, case))
    elif answered.step == "ref":
        await say(update, context, views.ask_reference_text(t))
    elif answered.submitted_on is not None:
        await _submitted(update, context, t, case, answered.submitted_on, answered.family)
    elif answered.step is None:  # a translation saved
        await say(
            update,
            context,
            t("The translation is saved.")
            + " "
            + t("Still to translate: {n}.", n=len(answered.missing)),
        )
        if answered.page is not None:
            await show_staff(update, context, actor, t, case, answered.page)


async def _submitted(
    update: Update,
    context: Context,
    t: Translator,
    case: Case,
    on: date,
    family: Recipient | None,
) -> None:
    """Marked as submitted: the caseworker, and the family in its language."""
    await say(
        update,
        context,
        t(
            "Case {number} is marked as submitted to the UN on {date}.",
            number=case.number,
            date=t.date(on, "long"),
        ),
    )
    if family is not None:  # its notice was written with the submission
        await send_notices(context.bot, services(context))
