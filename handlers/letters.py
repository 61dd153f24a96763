"""Letters in the chat: the recommended set, the family's choices, the documents.

Each button and typed answer calls one use case of ``bot.services.letters`` (which checks
that the case is the family's) and renders what comes next through
``handlers.views.letters``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.domain.inputs import Input, OtherInput, TextInput
from bot.domain.models import Case, User
from bot.i18n import N_, Translator
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.letters import Delivery, Form, LetterRow, OnlineText, Produced, Step
from bot.services.review import Held
from handlers.common import (
    Context,
    current_user,
    drop_buttons,
    parse_id,
    say,
    services,
    translator,
)
from handlers.views import letters as views
from handlers.views import review as review_view
from handlers.views.letters import (
    send_produced,
)


async def letters_command(update: Update, context: Context) -> None:
    """/letters: the letter set of the user's case (asks which case when there are several)."""
    user = await current_user(update, context)
    t = translator(update, context, user)
    if user is None:
        cases: list[Case] = []
    else:
        mine = await services(context).letters.family_letters(user.user_id)
        if mine.shown is not None:
            await say(update, context, *views.letter_set(t, mine.shown))
            return
        cases = list(mine.cases)
    if not cases:
        await say(
            update, context, t("You have no cases yet. Send /start to report a missing person.")
        )
        return
    await say(update, context, *views.which_case(t, cases))


# --- buttons -------------------------------------------------------------------
Action = Callable[[Update, Context, User, Translator, int, str], Awaitable[None]]


async def on_letters_button(update: Update, context: Context) -> None:
    """letters:<action>:<id>[:<value>]; a case or letter that is not the user's gets
    the same plain refusal as one that does not exist."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    parts = query.data.split(":")
    action = ACTIONS.get(parts[1] if len(parts) > 1 else "")
    target = parse_id(parts[2]) if len(parts) > 2 else None
    if action is None or target is None:
        return
    user = await current_user(update, context)
    t = translator(update, context, user)
    try:
        if user is None:
            raise NotAllowed("not registered")
        await action(update, context, user, t, target, parts[3] if len(parts) > 3 else "")
    except (NotFound, NotAllowed):
        await say(update, context, t("This is not available."))
    except Invalid:
        return  # a value no button of ours carries


async def _on_show(
    update: Update, context: Context, user: User, t: Translator, case_id: int, _value: str
) -> None:
    shown = await services(context).letters.show(user.user_id, case_id)
    await drop_buttons(update)
    await say(update, context, *views.letter_set(t, shown))


async def _on_toggle(
    update: Update, context: Context, user: User, t: Translator, letter_id: int, _value: str
) -> None:
    shown = await services(context).letters.toggle_body(user.user_id, letter_id)
    await drop_buttons(update)
    await say(update, context, *views.letter_set(t, shown))


async def _on_prepare(
    update: Update, context: Context, user: User, t: Translator, case_id: int, _value: str
) -> None:
    """Ask what is still undecided (details to leave out, language), then produce."""
    step = await services(context).letters.prepare(
        user.user_id, case_id, delivery(update, context, t)
    )
    await go_on(update, context, user, t, step)


async def _on_risk(
    update: Update, context: Context, user: User, t: Translator, case_id: int, value: str
) -> None:
    step = await services(context).letters.choose_risk(
        user.user_id, case_id, value, delivery(update, context, t)
    )
    await drop_buttons(update)
    await go_on(update, context, user, t, step)


async def _on_language(
    update: Update, context: Context, user: User, t: Translator, case_id: int, value: str
) -> None:
    step = await services(context).letters.choose_language(
        user.user_id, case_id, value, delivery(update, context, t)
    )
    await drop_buttons(update)
    await go_on(update, context, user, t, step)


async def _on_no_iin(
    update: Update, context: Context, user: User, t: Translator, case_id: int, _value: str
) -> None:
    step = await services(context).letters.no_iin(
        user.user_id, case_id, update.update_id, delivery(update, context, t)
    )
    await drop_buttons(update)
    await go_on(update, context, user, t, step)


async def _on_leave_to_org(
    update: Update, context: Context, user: User, t: Translator, case_id: int, value: str
) -> None:
    """letters:org:<case>:<field>.<language>; a button from before that carried no text
    leaves the one asked now."""
    step = await services(context).letters.leave_translation(
        user.user_id, case_id, update.update_id, asked=value, out=delivery(update, context, t)
    )
    await drop_buttons(update)
    await go_on(update, context, user, t, step)


async def _on_text(
    update: Update, context: Context, user: User, t: Translator, letter_id: int, _value: str
) -> None:
    """The letter as text for the body's online form, in parts that fit its limit."""
    online = await services(context).letters.online_text(
        user.user_id, letter_id, delivery(update, context, t)
    )
    if not isinstance(online, OnlineText):
        # Some text is not in the letter's language yet: ask for it (or say who writes it).
        await go_on(update, context, user, t, online)
        return
    await say(update, context, views.online_text_intro(t, online))
    for chunk in online.chunks:
        await say(update, context, chunk)


ACTIONS: dict[str, Action] = {
    views.SHOW: _on_show,
    views.TOGGLE: _on_toggle,
    views.PREPARE: _on_prepare,
    views.RISK: _on_risk,
    views.LANGUAGE: _on_language,
    views.ONLINE_TEXT: _on_text,
    views.LEAVE_TO_ORGANISATION: _on_leave_to_org,
    views.NO_IIN: _on_no_iin,
}


# --- the IIN and translation forms (``handlers.routing`` sends their messages here) ------
async def on_form_message(update: Update, context: Context, user: User, form: Form) -> None:
    """A message while the IIN or translation form is open: the engine takes it; stored,
    the letters go on, refused, the reason and the same question again."""
    message = update.effective_message
    if message is None:
        return
    value: Input = TextInput(message.text) if message.text is not None else OtherInput("other")
    await _form_step(update, context, user, form, value)


async def ask_again(update: Update, context: Context, user: User, form: Form) -> None:
    """The open IIN or translation form's question once more (after a restart cut its
    reply off); nothing when the case is no longer the family's (the form is closed)."""
    t = translator(update, context, user)
    try:
        step = await services(context).letters.form_question(user.user_id, form)
    except (NotFound, NotAllowed, Invalid):
        return
    await go_on(update, context, user, t, step)


async def form_command(update: Update, context: Context, op: str) -> bool:
    """/back or /skip while the IIN or translation form is open; False when none is.
    Skipping means "I have no IIN" or "leave it to the organisation"."""
    user = await current_user(update, context)
    if user is None:
        return False
    t = translator(update, context, user)
    try:
        step = await services(context).letters.move_form(
            user.user_id, op, update.update_id, delivery(update, context, t)
        )
    except (NotFound, NotAllowed):
        await say(update, context, t("This is not available."))
        return True
    if step is None:
        return False
    await _show_step(update, context, user, t, step, op)
    return True


async def _form_step(
    update: Update, context: Context, user: User, form: Form, value: Input
) -> None:
    t = translator(update, context, user)
    try:
        step = await services(context).letters.answer_form(
            user.user_id, form, value, update.update_id, delivery(update, context, t, THANKS)
        )
    except (NotFound, NotAllowed):
        await say(update, context, t("This is not available."))
        return
    await _show_step(update, context, user, t, step, "answer")


async def _show_step(
    update: Update, context: Context, user: User, t: Translator, step: Step, op: str
) -> None:
    """A form's answer, /back or /skip done: the refusal or the thanks, then what comes
    next."""
    if step.error is not None:
        await say(update, context, views.error_text(t, step.error))
    elif op == "answer" and step.kind != Step.PRODUCE:  # else said before the letters
        await say(update, context, t(THANKS))
    await go_on(update, context, user, t, step)


# --- what comes next ------------------------------------------------------------
DROPS_BUTTONS = frozenset({Step.RISK, Step.LANGUAGE, Step.IIN, Step.TRANSLATE, Step.PRODUCE})


async def go_on(update: Update, context: Context, user: User, t: Translator, step: Step) -> None:
    """Render the next step: a question, the letters made (already handed over, each as
    it was made, through ``delivery``), or who writes the rest.

    On the way to the whole set the tapped message loses its buttons; a follow-up letter's
    card (``step.letter_id``) keeps them."""
    case = step.case
    if step.letter_id is None and step.kind in DROPS_BUTTONS:
        await drop_buttons(update)
    if step.kind == Step.NOTHING_CHOSEN:
        await say(update, context, t("No letters are chosen yet."))
    elif step.kind == Step.STALE:
        await say(update, context, t("That button belongs to an earlier message."))
    elif step.kind == Step.RISK:
        await say(update, context, *views.risk_question(t, case))
    elif step.kind == Step.LANGUAGE:
        await say(update, context, *views.language_question(t, case, step.languages))
    elif step.kind == Step.IIN:
        await say(update, context, *views.iin_question(t, case))
    elif step.kind == Step.TRANSLATE and step.needed is not None:
        await say(update, context, *views.translation_question(t, case, step.needed))
    elif step.kind == Step.WAITING:
        await say(update, context, views.waiting_text(t, step.waiting))
    elif step.kind == Step.PRODUCE:
        if isinstance(step.made, Held):  # letter review: they wait for a caseworker
            await say(update, context, review_view.held_text(t, step.made))
        elif step.made is not None and step.letter_id is None:
            await say(update, context, views.all_ready_text(t))
        if step.waiting:
            await say(update, context, views.waiting_text(t, step.waiting))


THANKS = N_("Thank you, saved.")


def delivery(
    update: Update, context: Context, t: Translator, first: str | None = None
) -> Delivery:
    """How letters made in a use case reach the chat: before them, ``first`` (the
    thanks for the answer that led to them), the tapped message loses its buttons and,
    for the whole set (without letter review), the family reads how many are being
    prepared; then each letter as soon as it is made."""

    async def starting(step: Step) -> None:
        if first is not None:
            await say(update, context, t(first))
        whole_set = step.letter_id is None
        if whole_set:
            await drop_buttons(update)
        if step.ready and whole_set and not services(context).config.letter_review:
            await say(update, context, views.preparing_text(t, len(step.ready)))

    async def hand_over(produced: Produced, i: int, total: int) -> None:
        await send_produced(update, context, t, produced, i, total)

    return Delivery(starting, hand_over)


async def produce_one(
    update: Update, context: Context, user: User, t: Translator, case: Case, row: LetterRow
) -> bool:
    """Make one letter (a follow-up) and send it; if some text is not in its language yet,
    ask for it (or say the organisation is writing it). True when the letter was sent."""
    step = await services(context).letters.prepare_letter(
        user.user_id, row.id, delivery(update, context, t)
    )
    await go_on(update, context, user, t, step)
    return step.kind == Step.PRODUCE
