"""Follow-up in the chat: sent letters, deadlines, replies, next letters, timeline, settings.

Multi-step entries (mark letters as sent, add a registration number, the delivery date,
log a reply) are forms of ``bot.domain.followup_forms``, run by the one form engine and
stored after every step like the report itself. Every action is one use case of
``bot.services.followup``, which checks that the case is the family's; what is shown is
made in ``handlers.views.followup``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from telegram import Message, Update

from bot.clock import local_today
from bot.domain.deadlines import Deadline
from bot.domain.forms import KEEP, NEXT, Form, Step, StepKind, UnknownChoice
from bot.domain.inputs import ChoiceInput, FileInput, Input, OtherInput, TextInput
from bot.domain.models import CaseStatus, User
from bot.i18n import Translator
from bot.letters.directory import load_directory
from bot.replies import reading
from bot.services.errors import NotAllowed, NotFound
from bot.services.followup import (
    FORMS,
    DeadlineMoved,
    FormShown,
    FormStep,
    ReplyLogged,
    ReplyOut,
    SentLetters,
    Suggestion,
    user_timezone,
)
from bot.services.letters import Delivery
from bot.services.letters import Step as LetterStep
from bot.un import ladder as un_ladder
from bot.vocabulary import KIND_NAMES
from handlers import routing, texts
from handlers.common import (
    Context,
    current_user,
    drop_buttons,
    parse_id,
    say,
    services,
    translator,
)
from handlers.views import followup as views
from handlers.views.followup import deadline_text, letter_title, timeline_text


def _today(context: Context, user: User) -> date:
    return local_today(services(context).clock, user_timezone(user))


# --- /track: the letters of a case and their state ---------------------------------
async def track_command(update: Update, context: Context) -> None:
    user = await current_user(update, context)
    t = translator(update, context, user)
    mine = await services(context).followup.tracking(user)
    if user is None or not mine.cases:
        await say(
            update, context, t("You have no cases yet. Send /start to report a missing person.")
        )
        return
    if mine.tracked is not None:
        text, markup = views.tracking(t, mine.tracked, _today(context, user))
        await say(update, context, text, markup)
        return
    await say(update, context, t("Which case?"), views.which_case(list(mine.cases)))


async def show_tracking(
    update: Update, context: Context, user: User, t: Translator, case_id: int | None
) -> None:
    tracked = await services(context).followup.tracked_letters(user, case_id)
    text, markup = views.tracking(t, tracked, _today(context, user))
    await say(update, context, text, markup)


# --- forms ---------------------------------------------------------------------
async def _show_form(update: Update, context: Context, t: Translator, shown: FormShown) -> None:
    form = shown.form
    await say(
        update, context, views.form_prompt(t, form), views.form_keyboard(t, form, shown.unsent)
    )


async def ask_again(update: Update, context: Context, user: User, form: Form) -> None:
    """The open follow-up form's question once more (after a restart cut its reply off)."""
    shown = await services(context).followup.form_question(user, form)
    await _show_form(update, context, translator(update, context, user), shown)


async def handle_form_message(
    update: Update, context: Context, user: User, form: Form | None
) -> bool:
    """A message while a follow-up form is open (``form``, as the caller has just read it)
    answers its current step. False: no follow-up form is open."""
    message = update.effective_message
    if form is None or message is None or form.name not in FORMS:
        return False
    t = translator(update, context, user)
    value = form_input(message)
    if (
        form.step == "file"
        and isinstance(value, FileInput)
        and value.kind in ("photo", "document")
    ):
        await _take_reply(update, context, user, t, form, message, value)
        return True
    await _answer(update, context, user, t, form, value)
    return True


def form_input(message: Message) -> Input:
    """A message as a form's input: text, a photo or a document, or something else."""
    if message.text is not None:
        return TextInput(message.text)
    if message.photo:
        p = message.photo[-1]
        return FileInput("photo", p.file_id, p.file_unique_id, "image/jpeg", p.file_size)
    if message.document is not None:
        d = message.document
        return FileInput(
            "document", d.file_id, d.file_unique_id, d.mime_type, d.file_size, d.file_name
        )
    return OtherInput("other")


async def _answer(
    update: Update, context: Context, user: User, t: Translator, form: Form, value: Input
) -> None:
    step = await services(context).followup.answer_form(
        user, form, value, update.update_id, reply_out(update, context, t)
    )
    await _after(update, context, user, t, step)


def reply_out(update: Update, context: Context, t: Translator) -> ReplyOut:
    """How a reply logged by a form's use case reaches the chat: what it leads to is said
    before the next letter is made, and that letter is handed over as it is made."""

    async def announce(done: ReplyLogged) -> None:
        await _announce(update, context, t, done)

    return ReplyOut(announce, routing.letter_delivery(update, context, t))


async def _after(
    update: Update, context: Context, user: User, t: Translator, step: FormStep
) -> None:
    """Say what the form's new position calls for: the refusal, the next question, or
    the result of the complete form."""
    if step.error is not None:
        await say(update, context, texts.error(t, step.error))
        await _show_form(update, context, t, step.shown)
        return
    if not step.complete:
        await _show_form(update, context, t, step.shown)
        return
    if step.done is not None:  # None: the case went away meanwhile
        await _finished(update, context, user, t, step.done)


async def _finished(
    update: Update,
    context: Context,
    user: User,
    t: Translator,
    done: SentLetters | DeadlineMoved | ReplyLogged,
) -> None:
    if isinstance(done, SentLetters):
        lines = [t("Saved. The bot will remind you before each deadline and when one passes.")]
        for row, due in done.letters:
            lines.append(f"• {letter_title(t, row)}: {deadline_text(t, due)}")
        await say(update, context, "\n".join(lines))
        return
    if isinstance(done, DeadlineMoved):
        await say(update, context, t("Saved.") + " " + deadline_text(t, done.deadline))
        return
    if not done.announced:
        await _announce(update, context, t, done)
    if done.made is not None:
        await routing.show_letter_step(update, context, user, t, done.made)
    elif isinstance(done.next, Deadline):
        await say(update, context, deadline_text(t, done.next))
    elif done.outcome == "found":
        await say(
            update,
            context,
            t(
                "We are glad there is news. The case status is now: "
                "{status}. A caseworker will contact you.",
                status=texts.status_name(t, CaseStatus.LOCATED),
            ),
        )


async def _take_reply(
    update: Update,
    context: Context,
    user: User,
    t: Translator,
    form: Form,
    message: Message,
    file: FileInput,
) -> None:
    """A photo or PDF of the reply at the ``file`` step: its text (a PDF's own, or read
    from the picture) is shown to the family to check and correct."""

    async def read_it() -> reading.Reading:
        """Downloaded and read only once the file is taken as the answer."""
        if (file.size or 0) > reading.MAX_DOWNLOAD:
            return reading.Reading("")
        is_pdf = file.kind == "document" and (
            file.mime == "application/pdf" or (file.file_name or "").lower().endswith(".pdf")
        )
        await say(update, context, t("Reading the text of the reply, please wait…"))
        data = bytes(await (await context.bot.get_file(file.file_id)).download_as_bytearray())
        return await reading.read_file(data, is_pdf)

    taken = await services(context).followup.take_reply_file(
        user, form, file, read_it, update.update_id, reply_out(update, context, t)
    )
    read = taken.read
    if read is None:
        await _after(update, context, user, t, taken.step)
        return
    form = taken.step.shown.form
    if read.text:
        await say(
            update,
            context,
            t(
                "This is the text the bot read from the reply. If it is "
                "right, press the button; if not, send the corrected "
                "text."
            )
            + "\n\n"
            + views.shorten(read.text, 3500),
        )
        await say(
            update, context, t("Is this the text of the reply?"), views.form_keyboard(t, form)
        )
        return
    if read.no_engine:
        reason = t(
            "This server cannot read text from photos: no text recognition program is installed."
        )
    else:
        reason = t("The bot could not read any text in this file.")
    await say(
        update, context, reason + " " + views.form_prompt(t, form), views.form_keyboard(t, form)
    )


async def _announce(update: Update, context: Context, t: Translator, done: ReplyLogged) -> None:
    """The reply is saved, and what it leads to: the repeat request or complaint the
    ladder calls for (made right after, in the same use case), or none."""
    await say(update, context, views.reply_saved(t))
    if done.copies:
        body = load_directory()[done.letter.addressee_id].name(t.locale)
        await say(update, context, views.copies_text(t, body, done.copies))
    if isinstance(done.next, Suggestion):
        await _offer_next_letter(update, context, t, done.case.number, done.next)


async def _offer_next_letter(
    update: Update, context: Context, t: Translator, number: str, suggestion: Suggestion
) -> None:
    """Say which letter comes next (the use case makes it right after)."""
    if un_ladder.offer_after(suggestion.step):
        await say(update, context, t(un_ladder.OFFER, number=number))
    if suggestion.letter is None:
        await say(
            update,
            context,
            t(
                "The bot has no further letter for this body. Ask the "
                "organisation's caseworker or a lawyer what to do next; "
                "your case and all letters are kept."
            ),
        )
        return
    kind = KIND_NAMES.get(suggestion.letter.kind)
    await say(
        update,
        context,
        t(
            "Next step: {kind} to {body}.",
            kind=t(kind) if kind else suggestion.letter.kind,
            body=load_directory()[suggestion.letter.addressee_id].name(t.locale),
        ),
    )


async def form_command(update: Update, context: Context, op: str) -> bool:
    """/back or /skip while a follow-up form is open; False when none is."""
    user = await current_user(update, context)
    if user is None:
        return False
    t = translator(update, context, user)
    step = await services(context).followup.move_form(
        user, op, update.update_id, reply_out(update, context, t)
    )
    if step is None:
        return False
    await _after(update, context, user, t, step)
    return True


# --- buttons -----------------------------------------------------------------------
Button = Callable[[Update, Context, User, Translator, str], Awaitable[None]]


async def on_followup_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    parts = query.data.split(":")
    op, arg = (parts + ["", ""])[1:3]
    user = await current_user(update, context)
    t = translator(update, context, user)
    if user is None:
        return
    handler = BUTTONS.get(op)
    if handler is None:
        return
    try:
        await handler(update, context, user, t, arg)
    except NotFound:
        await say(update, context, t("This is not available."))


async def _b_view(update: Update, context: Context, user: User, t: Translator, arg: str) -> None:
    tracked = await services(context).followup.tracked_letters(user, parse_id(arg))
    await drop_buttons(update)
    text, markup = views.tracking(t, tracked, _today(context, user))
    await say(update, context, text, markup)


async def _b_card(update: Update, context: Context, user: User, t: Translator, arg: str) -> None:
    card = await services(context).followup.letter_card(user, parse_id(arg))
    text, markup = views.letter_card(t, card, _today(context, user))
    await say(update, context, text, markup)


async def _b_prepare(
    update: Update, context: Context, user: User, t: Translator, arg: str
) -> None:
    """Make the follow-up letter of a card: the tapped card loses its buttons once the
    letter is known to be the family's (before it is handed over, or before the
    question it needs first)."""
    letter_id = parse_id(arg)
    if letter_id is None:
        raise NotFound("letter")
    dropped = False

    async def drop() -> None:
        nonlocal dropped
        if not dropped:
            dropped = True
            await drop_buttons(update)

    base = routing.letter_delivery(update, context, t)

    async def starting(step: LetterStep) -> None:
        await drop()
        await base.starting(step)

    try:
        step = await services(context).letters.prepare_letter(
            user.user_id, letter_id, Delivery(starting, base.hand_over)
        )
    except NotAllowed:  # another family's letter: the same answer as a missing one
        raise NotFound("letter") from None
    await drop()
    await routing.show_letter_step(update, context, user, t, step)


def _form_opener(button: str) -> Button:
    """A button that opens a form on a case or one of its letters (mark sent, the
    registration number, the delivery, a reply): opened and asked in one call."""

    async def opener(
        update: Update, context: Context, user: User, t: Translator, arg: str
    ) -> None:
        shown = await services(context).followup.open_form(
            user, button, parse_id(arg), update.update_id
        )
        if shown is None:
            return
        await drop_buttons(update)
        await _show_form(update, context, t, shown)

    return opener


def _form_button(fits: Callable[[Step], bool], value: Callable[[str], Input | None]) -> Button:
    """A button that answers the open form's current step (``value`` None: Skip). A button
    of another step (an earlier message) is refused; a forged one is ignored."""

    async def handler(
        update: Update, context: Context, user: User, t: Translator, arg: str
    ) -> None:
        try:
            step = await services(context).followup.press(
                user, fits, value(arg), update.update_id, reply_out(update, context, t)
            )
        except UnknownChoice:
            return
        if step is None:
            await say(update, context, t("That button belongs to an earlier message."))
            return
        if step.error is None:
            await drop_buttons(update)
        await _after(update, context, user, t, step)

    return handler


def _kind(kind: StepKind) -> Callable[[Step], bool]:
    return lambda step: step.kind is kind


def _key(key: str) -> Callable[[Step], bool]:
    return lambda step: step.key == key


def _choice(arg: str) -> Input:
    return ChoiceInput(arg)


async def _b_cancel(update: Update, context: Context, user: User, t: Translator, arg: str) -> None:
    await drop_buttons(update)
    await services(context).followup.forms.cancel(user.user_id)
    await say(update, context, t("Cancelled. Nothing was changed."))


async def _b_settings(
    update: Update, context: Context, user: User, t: Translator, arg: str
) -> None:
    s = services(context)
    await drop_buttons(update)
    if arg in ("on", "off"):
        await s.followup.change_settings(user, reminders_on=arg == "on")
    elif arg in views.TIMEZONE_CHOICES:
        await s.followup.change_settings(user, timezone=arg)
    refreshed = await current_user(update, context)
    assert refreshed is not None
    await show_settings(update, context, refreshed, t)


BUTTONS: dict[str, Button] = {
    "case": _b_view,
    "letter": _b_card,
    "prepare": _b_prepare,
    "sent": _form_opener("sent"),
    "sent1": _form_opener("sent1"),
    "regno": _form_opener("regno"),
    "reply": _form_opener("reply"),
    "delivered": _form_opener("delivered"),
    "pick": _form_button(_kind(StepKind.PICK), _choice),
    "next": _form_button(_kind(StepKind.PICK), lambda _arg: ChoiceInput(NEXT)),
    "day": _form_button(lambda step: step.quick_days, _choice),
    "channel": _form_button(_key("channel"), _choice),
    "outcome": _form_button(_key("outcome"), _choice),
    "body": _form_button(_key("forward_to"), _choice),
    "skip": _form_button(lambda step: step.optional, lambda _arg: None),
    "keep": _form_button(lambda step: step.keep_key is not None, lambda _arg: ChoiceInput(KEEP)),
    "cancel": _b_cancel,
    "settings": _b_settings,
}


# --- /timeline and /settings ---------------------------------------------------------
async def timeline_command(update: Update, context: Context) -> None:
    user = await current_user(update, context)
    t = translator(update, context, user)
    wanted = (context.args or [""])[0].strip().upper()
    chosen = await services(context).followup.timelines(user, wanted)
    if user is None or not chosen:
        await say(
            update,
            context,
            t("You have no cases yet. Send /start to report a missing person.")
            if not wanted
            else t("You have no case with the number {number}.", number=wanted[:40]),
        )
        return
    for case in chosen:
        await say(update, context, timeline_text(t, case, user))


async def settings_command(update: Update, context: Context) -> None:
    """/settings of a family: reminders and time zone (staff have their own, see routing)."""
    user = await current_user(update, context)
    t = translator(update, context, user)
    if user is None:
        await say(update, context, t("Nothing about you is stored."))
        return
    await show_settings(update, context, user, t)


async def show_settings(update: Update, context: Context, user: User, t: Translator) -> None:
    text, markup = views.settings(t, user)
    await say(update, context, text, markup)
