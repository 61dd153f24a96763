"""Where a typed message goes, stated once: the table ``ROUTES``.

A person has at most one open form (``forms``, one row per person); which form it is
decides who takes the message, in the order of the table; with no form open, the
message answers the report. This is also the one place where the features meet: a
feature handler hands over to another one (a letter to produce, an invitation to
redeem) through the functions below, never by importing it.

Feature modules are imported as modules and used only when a message arrives, so
that they may import this module in turn.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update

from bot.domain import letter_forms
from bot.domain.forms import Form
from bot.domain.models import User
from bot.domain.review_forms import REVIEW_FORMS
from bot.domain.un_forms import UN_FORMS
from bot.i18n import Translator
from bot.services.letters import Delivery
from bot.services.letters import Step as LetterStep
from bot.services.staff import STAFF_ROLES
from handlers import commands, followup, letters, report, review, staff, un
from handlers.common import Context, current_user, drop_buttons, say, services

Run = Callable[[Update, Context, User | None, Form], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    what: str  # for the reader of this table
    takes: Callable[[Form], bool]
    run: Run
    needs_user: bool  # only a registered family has such a form
    ask: Run  # the form's current question again (after a restart cut the reply off)


async def _staff_form(update: Update, context: Context, _user: User | None, form: Form) -> None:
    await staff.handle_staff_form(update, context, form)


async def _review_form(update: Update, context: Context, _user: User | None, form: Form) -> None:
    await review.handle_form(update, context, form)


async def _un_form(update: Update, context: Context, _user: User | None, form: Form) -> None:
    await un.handle_form(update, context, form)


async def _letter_form(update: Update, context: Context, user: User | None, form: Form) -> None:
    assert user is not None
    await letters.on_form_message(update, context, user, form)


async def _followup_form(update: Update, context: Context, user: User | None, form: Form) -> None:
    assert user is not None
    await followup.handle_form_message(update, context, user, form)


async def _staff_ask(update: Update, context: Context, _user: User | None, form: Form) -> None:
    await staff.ask_again(update, context, form)


async def _review_ask(update: Update, context: Context, _user: User | None, form: Form) -> None:
    await review.ask_again(update, context, form)


async def _un_ask(update: Update, context: Context, _user: User | None, form: Form) -> None:
    await un.ask_again(update, context, form)


async def _letter_ask(update: Update, context: Context, user: User | None, form: Form) -> None:
    assert user is not None
    await letters.ask_again(update, context, user, form)


async def _followup_ask(update: Update, context: Context, user: User | None, form: Form) -> None:
    assert user is not None
    await followup.ask_again(update, context, user, form)


ROUTES: tuple[Route, ...] = (
    Route(
        "a staff member's form: a note, a message to or from the family, a translation",
        lambda form: form.name in staff.STAFF_FORMS,
        _staff_form,
        needs_user=False,
        ask=_staff_ask,
    ),
    Route(
        "a caseworker's correction of a letter in review, or the note sending it back",
        lambda form: form.name in REVIEW_FORMS,
        _review_form,
        needs_user=False,
        ask=_review_ask,
    ),
    Route(
        "the questions before a submission to the UN",
        lambda form: form.name in UN_FORMS,
        _un_form,
        needs_user=False,
        ask=_un_ask,
    ),
    Route(
        "the applicant's IIN, asked before letters to Kazakh bodies",
        lambda form: form.name == letter_forms.IIN.name,
        _letter_form,
        needs_user=True,
        ask=_letter_ask,
    ),
    Route(
        "a text of the report written again in a letter's language",
        lambda form: form.name == letter_forms.TRANSLATE.name,
        _letter_form,
        needs_user=True,
        ask=_letter_ask,
    ),
    Route(
        "a follow-up form: letters sent, registration number, delivery date, a reply",
        lambda form: form.name in followup.FORMS,
        _followup_form,
        needs_user=True,
        ask=_followup_ask,
    ),
)


async def route_message(update: Update, context: Context) -> None:
    """Any message in a private chat: to the open form's route, in the order of the
    table, else to the report. Who writes and which form is open are one read of the
    core (``report.incoming``); the handler it goes to calls its own use case."""
    if update.effective_message is None or update.effective_user is None:
        return
    s = services(context)
    incoming = await s.report.incoming(s.user_key(update.effective_user.id))
    form, user = incoming.form, incoming.user
    for route in ROUTES:
        if route.needs_user and user is None:
            break
        if form is not None and route.takes(form):
            await route.run(update, context, user, form)
            return
    if user is None:  # a stranger: asked for a language first
        await report.ask_language(update, context)
        return
    await report.answer_message(update, context, user)


async def ask_again(update: Update, context: Context, form: Form) -> None:
    """The open form's current question, asked by its route's feature in its own words:
    after a restart, for an update whose answer was stored but whose reply may never have
    gone out. One way for every form; a form of no route is left as it is."""
    for route in ROUTES:
        if route.takes(form):
            user = await current_user(update, context) if route.needs_user else None
            if route.needs_user and user is None:
                return
            await route.ask(update, context, user, form)
            return


# --- hand-overs between features -----------------------------------------------------
def letter_delivery(update: Update, context: Context, t: Translator) -> Delivery:
    """How letters made in another feature's use case reach the chat (the letters' way)."""
    return letters.delivery(update, context, t)


async def show_letter_step(
    update: Update, context: Context, user: User, t: Translator, step: LetterStep
) -> None:
    """What a letters step made in another feature's use case calls for (the letters' way)."""
    await letters.go_on(update, context, user, t, step)


async def redeem_invitation(update: Update, context: Context, code: str) -> None:
    await staff.redeem_invitation(update, context, code)


async def settings_command(update: Update, context: Context) -> None:
    """/settings: a staff member's time zone, else the family's reminders and zone."""
    if not await staff.staff_settings(update, context):
        await followup.settings_command(update, context)


# --- commands and buttons that more than one feature answers ---------------------------
async def help_command(update: Update, context: Context) -> None:
    """/help: the family's commands, and the staff's too for a staff member."""
    user = await current_user(update, context)
    actor, t = await staff.actor_and_t(update, context)
    text = t(commands.HELP_TEXT)
    if actor.role in STAFF_ROLES:
        text += "\n\n" + t(staff.STAFF_HELP)
    await say(update, context, text)
    await commands.waiting_note(update, context, user)


async def case_command(update: Update, context: Context) -> None:
    """/case NUMBER: the dossier for staff, else the family's own case."""
    args = context.args or []
    if args and await staff.staff_case_command(update, context, " ".join(args)[:40]):
        return
    await commands.case_command(update, context)


async def back_command(update: Update, context: Context) -> None:
    """/back: one step back in the open follow-up, letters, review or UN form, else in the
    report."""
    await _form_command(update, context, "back")


async def skip_command(update: Update, context: Context) -> None:
    """/skip: leave the open follow-up, letters, review or UN form's step empty, else the
    report's question."""
    await _form_command(update, context, "skip")


async def _form_command(update: Update, context: Context, op: str) -> None:
    for takes in (
        followup.form_command,
        letters.form_command,
        review.form_command,
        un.form_command,
    ):
        if await takes(update, context, op):
            return
    await report.nav_command(update, context, op)


async def on_menu_button(update: Update, context: Context) -> None:
    """The main menu: report someone, continue the report, the family's cases, help."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    user = await current_user(update, context)
    if user is None:
        await report.ask_language(update, context)
        return
    await drop_buttons(update)
    choice = query.data.split(":", 1)[1]
    if choice == "new":
        await report.new_report(update, context, user)
    elif choice == "resume":
        await report.resume_or_menu(update, context, user)
    elif choice == "cases":
        await commands.mycases_command(update, context)
    else:
        await help_command(update, context)
