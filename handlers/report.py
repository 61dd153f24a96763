"""The guided report in the chat: language, consent, questions, review, confirmation."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from bot import regions
from bot.domain import questions as q
from bot.domain.inputs import ChoiceInput, ContactInput, FileInput, Input, OtherInput, TextInput
from bot.domain.models import User
from bot.domain.questions import Kind, Section
from bot.domain.report_form import Draft
from bot.i18n import LOCALES, N_, Translator
from bot.services.report import Begun, Move, Outcome
from bot.un.ladder import OFFER_AT_ONCE
from handlers import keyboards as kb
from handlers import routing, texts
from handlers.common import (
    Context,
    chat_id,
    current_user,
    drop_buttons,
    remove_reply_keyboard,
    say,
    services,
    translator,
    user_key,
)
from handlers.views import letters as letter_views
from handlers.views import report as report_views

CONSENT_TEXT = N_(
    "Before we start, please read this.\n\n"
    "What is stored: your answers about you and the missing person, and the files you send. "
    "They are used only to prepare letters and follow up on the case.\n\n"
    "Who can see it: the organisation's caseworkers and the volunteer assigned to your case. "
    "Nobody else.\n\n"
    "How to delete it: send /delete at any time and everything you entered is removed.\n\n"
    "Nothing is stored until you agree."
)


# --- entry points -------------------------------------------------------------
async def start(update: Update, context: Context) -> None:
    """/start: language and consent for newcomers; otherwise resume or the menu.

    ``/start inv_CODE`` (an invitation link) grants a role instead.
    """
    payload = (context.args or [""])[0]
    if payload.startswith("inv_"):
        await routing.redeem_invitation(update, context, payload[4:64])
        return
    user = await current_user(update, context)
    if user is None:
        await ask_language(update, context)
        return
    await resume_or_menu(update, context, user)


async def ask_language(update: Update, context: Context) -> None:
    tg_user = update.effective_user
    code = tg_user.language_code if tg_user else None
    await say(update, context, *report_views.language_question(services(context).catalogs, code))


async def resume_or_menu(update: Update, context: Context, user: User) -> None:
    draft = await services(context).report.resume(user, update.update_id)
    await show_resumed(update, context, user, draft)


async def show_resumed(update: Update, context: Context, user: User, draft: Draft | None) -> None:
    """The report where it stopped, else the menu."""
    t = services(context).catalogs.get(user.locale)
    if draft is None:
        await say(update, context, t("What would you like to do?"), kb.main_menu(t, False))
        return
    await say(update, context, t("Welcome back. Here is where we stopped:"))
    await show_step(update, context, t, draft)


async def new_report(update: Update, context: Context, user: User) -> None:
    begun = await services(context).report.begin(user, update.update_id)
    await show_begun(update, context, services(context).catalogs.get(user.locale), begun)


async def show_begun(update: Update, context: Context, t: Translator, begun: Begun) -> None:
    """The first question of a new report, or the one where the report in progress is."""
    if begun.resumed:
        await say(update, context, t("You have a report in progress. Let us finish it first:"))
    else:
        await say(
            update,
            context,
            t(
                "Let us begin. Answer one question at a time; you can go "
                "back, skip optional questions and stop at any moment: "
                "everything is saved as you go."
            ),
        )
    await show_step(update, context, t, begun.draft)


# --- callbacks before consent ---------------------------------------------------
async def on_language_picked(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    # PTB hands a query without data (a modified client can send one) to the first
    # callback handler, this one: it must not fail on it.
    parts = (query.data or "").split(":")
    locale = parts[1] if len(parts) > 1 else ""
    if locale not in LOCALES:
        return
    user = await current_user(update, context)
    s = services(context)
    key = user_key(update, context)
    member = await s.staff.staff.get(key) if key is not None else None
    if user is None and member is not None:  # staff without a report of their own
        await s.staff.staff.set_locale(member.user_id, locale)
        await drop_buttons(update)
        t = s.catalogs.get(locale)
        await say(update, context, t("The language is changed."))
        return
    if user is not None:  # already registered: this is a language change
        changed = await s.report.switch_language(user, locale, update.update_id)
        await drop_buttons(update)
        t = s.catalogs.get(locale)
        await say(update, context, t("The language is changed."))
        await show_resumed(update, context, changed.user, changed.draft)
        return
    t = s.catalogs.get(locale)
    await drop_buttons(update)
    await say(update, context, t(CONSENT_TEXT), kb.consent(t, locale))


async def on_consent(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    _, locale, answer = (query.data.split(":") + ["", ""])[:3]
    if locale not in LOCALES:
        return
    s = services(context)
    t = s.catalogs.get(locale)
    await drop_buttons(update)
    if answer != "y":
        await say(update, context, t("Nothing was stored. If you change your mind, send /start."))
        return
    tg_user, target = update.effective_user, chat_id(update)  # the query may carry no message
    assert tg_user is not None and target is not None
    key = s.user_key(tg_user.id)
    agreed = await s.report.agree_and_begin(key, target, locale, update.update_id)
    await say(update, context, t("Thank you."))
    await show_begun(update, context, s.catalogs.get(agreed.user.locale), agreed.begun)


# --- answers ------------------------------------------------------------------
async def answer_message(update: Update, context: Context, user: User) -> None:
    """A message of a registered family with no form open: an answer to the current
    question of the report, if there is one."""
    message = update.effective_message
    assert message is not None
    s = services(context)
    t = s.catalogs.get(user.locale)
    replied = await s.report.reply(
        user, lambda draft: message_input(message, t, draft), update.update_id
    )
    if replied.before is None:
        await say(update, context, t("What would you like to do?"), kb.main_menu(t, False))
    elif replied.outcome is None:
        await say(update, context, t("Welcome back. Here is where we stopped:"))
        await show_step(update, context, t, replied.before)
    else:
        await show_outcome(update, context, t, replied.before, replied.outcome)


def message_input(message: Message, t: Translator, draft: Draft) -> Input:
    """Turn a Telegram message into an engine input."""
    if message.contact is not None:
        return ContactInput(message.contact.phone_number)
    if message.text is not None:
        return _text_or_choice(message.text, t, draft)
    caption = message.caption
    if message.animation is not None:
        return OtherInput("animation")
    if message.photo:
        photo = message.photo[-1]
        return FileInput(
            "photo",
            photo.file_id,
            photo.file_unique_id,
            "image/jpeg",
            photo.file_size,
            None,
            caption,
        )
    for kind in ("document", "video", "voice", "audio", "video_note"):
        media = getattr(message, kind)
        if media is not None:
            return FileInput(
                kind,
                media.file_id,
                media.file_unique_id,
                getattr(media, "mime_type", None),
                media.file_size,
                getattr(media, "file_name", None),
                caption,
            )
    for kind in ("sticker", "location", "venue", "poll", "dice", "game", "story"):
        if getattr(message, kind, None) is not None:
            return OtherInput(kind)
    return OtherInput("unknown")


def _text_or_choice(text: str, t: Translator, draft: Draft) -> Input:
    """A typed button label counts as pressing the button."""
    choices: tuple[q.Choice, ...] = ()
    question = q.BY_KEY.get(draft.step)
    typed = text.strip().casefold()
    if question is not None and question.kind is Kind.REGION:
        for code in (draft.pending or {}).get("matches", ()):
            if regions.name(code, t.locale).casefold() == typed:
                return ChoiceInput(code)
        return TextInput(text)
    if question is not None and question.kind in (Kind.CHOICE, Kind.ACTIONS, Kind.MULTI):
        choices = question.choices
    elif draft.step == q.ACTION_OUTCOME:
        choices = q.ACTION_OUTCOMES
    for choice in choices:
        if t(choice.label).casefold() == typed:
            return ChoiceInput(choice.code)
    return TextInput(text)


async def on_answer_button(update: Update, context: Context) -> None:
    """answer:<step>:<code>: a choice, a loop button or the final confirmation."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, step, code = (query.data.split(":", 2) + ["", ""])[:3]
    await _press(update, context, step, ChoiceInput(code))


async def on_nav_button(update: Update, context: Context) -> None:
    """nav:<step>:back|skip|keep|clear."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, step, op = (query.data.split(":", 2) + ["", ""])[:3]
    await _press(update, context, step, NAV_MOVES.get(op), drop=True)


NAV_MOVES: dict[str, Move] = {"back": "back", "skip": "skip", "keep": "keep", "clear": "clear"}


async def on_edit_button(update: Update, context: Context) -> None:
    """edit:<section>: edit one section from the review card."""
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.split(":", 1)[1]
    try:
        section: Section | None = Section(code)
    except ValueError:
        section = None  # an unknown section: the review card is shown again
    await _press(update, context, q.REVIEW, section)


async def _press(
    update: Update, context: Context, step: str, move: Move | None, drop: bool = False
) -> None:
    """A button of the question ``step``. Buttons of old messages (another step, a
    finished report) are refused and the current question is shown again. With no
    ``move`` (an unknown one) the buttons are dropped (``drop``) or the question is
    shown again."""
    query = update.callback_query
    assert query is not None
    user = await current_user(update, context)
    t = translator(update, context, user)
    if user is None:
        await query.answer()
        await ask_language(update, context)
        return
    pressed = await services(context).report.press(user, step, move, update.update_id)
    if pressed.draft is None:
        await query.answer(t("This report is already finished."))
        await drop_buttons(update)
        return
    if pressed.stale:
        await query.answer(t("That button belongs to an earlier message."))
        await drop_buttons(update)
        await show_step(update, context, t, pressed.draft)
        return
    await query.answer()
    if pressed.outcome is None:
        if drop:
            await drop_buttons(update)
        else:
            await show_step(update, context, t, pressed.draft)
        return
    await drop_buttons(update)
    await show_outcome(update, context, t, pressed.draft, pressed.outcome)


# --- replies ------------------------------------------------------------------
async def show_outcome(
    update: Update, context: Context, t: Translator, before: Draft, outcome: Outcome
) -> None:
    if outcome.case is not None:
        await _leave_phone_step(update, context, t, before, outcome.draft, force=True)
        await say(update, context, created_text(t, outcome.case.number))
        if outcome.letters is not None:
            await say(update, context, *letter_views.letter_set(t, outcome.letters))
        if outcome.offer_un:
            await say(update, context, t(OFFER_AT_ONCE, number=outcome.case.number))
        return
    if outcome.error is not None:
        await say(update, context, texts.error(t, outcome.error))
        await show_step(update, context, t, outcome.draft)
        return
    if outcome.truncated_to is not None:
        await say(
            update,
            context,
            t(
                "Your text was longer than {max_len} characters; only the "
                "first {max_len} were kept. You can correct it from the "
                "review card.",
                max_len=t.number(outcome.truncated_to),
            ),
        )
    await _leave_phone_step(update, context, t, before, outcome.draft)
    await show_step(update, context, t, outcome.draft)


async def _leave_phone_step(
    update: Update,
    context: Context,
    t: Translator,
    before: Draft,
    after: Draft,
    force: bool = False,
) -> None:
    """The share-contact keyboard stays on screen until it is removed explicitly."""
    was_phone = before.step == "r_phone"
    if (was_phone and after.step != "r_phone") or (force and was_phone):
        phone = after.answers.get("r_phone", "")
        await remove_reply_keyboard(update, context, t("Phone saved: {phone}", phone=phone))


async def show_step(update: Update, context: Context, t: Translator, draft: Draft) -> None:
    await say(update, context, *report_views.step(t, draft))


def created_text(t: Translator, number: str) -> str:
    return t(
        "Your case is registered under number {number}.\n\n"
        "What happens next: below are the letters recommended for your case. Choose the "
        "bodies, and the bot prepares each letter as a PDF to print and sign, a DOCX to edit "
        "and text for online forms. The organisation's caseworkers can now see the case and "
        "may contact you through this chat.\n\n"
        "/mycases shows your cases, /case {number} shows this one, /letters the letters.",
        number=number,
    )


async def stop_if_no_user(update: Update, context: Context) -> User:
    user = await current_user(update, context)
    if user is None:
        await ask_language(update, context)
        raise ApplicationHandlerStop
    return user


async def new_command(update: Update, context: Context) -> None:
    """/new: report another person (or finish the report in progress first)."""
    user = await current_user(update, context)
    if user is None:
        await ask_language(update, context)
        return
    await new_report(update, context, user)


async def nav_command(update: Update, context: Context, op: str) -> None:
    """/back and /skip in the report (``handlers.routing`` sends them here when no form
    is open)."""
    user = await current_user(update, context)
    if user is None:
        await ask_language(update, context)
        return
    t = translator(update, context, user)
    move = NAV_MOVES.get(op)
    pressed = await services(context).report.press(user, None, move, update.update_id)
    if pressed.draft is None:
        await say(update, context, t("There is no report in progress. Send /start to begin."))
        return
    if pressed.outcome is not None:
        await show_outcome(update, context, t, pressed.draft, pressed.outcome)
