"""Commands that work at any moment: help, language, cases, cancel, delete, back, skip."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.domain.models import User, parse_case_number
from bot.i18n import N_
from bot.services.errors import NotFound
from handlers import keyboards as kb
from handlers import texts
from handlers.common import (
    Context,
    current_user,
    drop_buttons,
    say,
    services,
    translator,
    user_key,
)
from handlers.views import report as report_views

HELP_TEXT = N_(
    "Izdeu helps families find a relative who went missing in Russia.\n\n"
    "You answer questions about yourself, the missing person and what happened. From your "
    "answers a case is created; the organisation's caseworkers and volunteers follow it up "
    "with you.\n\n"
    "Commands:\n"
    "/start: begin or continue the report\n"
    "/new: report another person\n"
    "/mycases: your cases and their status\n"
    "/case NUMBER: one case in full\n"
    "/letters: the letters for your case\n"
    "/track: letters sent, deadlines, replies\n"
    "/timeline: everything that happened in your case\n"
    "/settings: reminders and time zone\n"
    "/back: go back one question\n"
    "/skip: skip an optional question\n"
    "/cancel: pause the report (everything entered is kept)\n"
    "/language: change the language\n"
    "/delete: delete all your data\n"
    "/help: this message"
)

# (command, description msgid) shown in Telegram's command menu.
COMMANDS = (
    ("start", N_("Begin or continue the report")),
    ("new", N_("Report another person")),
    ("mycases", N_("Your cases")),
    ("case", N_("Show one case")),
    ("letters", N_("Letters for your case")),
    ("track", N_("Letters sent, deadlines, replies")),
    ("timeline", N_("The history of your case")),
    ("un", N_("Ready for the UN: checklist and consent")),
    ("settings", N_("Reminders and time zone")),
    ("back", N_("Go back one question")),
    ("skip", N_("Skip an optional question")),
    ("cancel", N_("Pause the report")),
    ("language", N_("Change the language")),
    ("delete", N_("Delete your data")),
    ("help", N_("How the bot works")),
)


REPORT_WAITING = N_("Your report is saved. Send /start to continue it.")


async def waiting_note(update: Update, context: Context, user: User | None) -> None:
    """After a side command mid-report, remind where the report is, without re-asking."""
    if user is None:
        return
    draft = await services(context).report.draft(user.user_id)
    if draft is not None and not draft.paused:
        t = translator(update, context, user)
        await say(update, context, t(REPORT_WAITING))


async def ask_language(update: Update, context: Context) -> None:
    tg_user = update.effective_user
    code = tg_user.language_code if tg_user else None
    await say(update, context, *report_views.language_question(services(context).catalogs, code))


async def language_command(update: Update, context: Context) -> None:
    user = await current_user(update, context)
    if user is None:
        await ask_language(update, context)
        return
    t = translator(update, context, user)
    await say(
        update,
        context,
        t("Choose your language:"),
        kb.language_picker(user.locale, kb.PICK_LANGUAGE),
    )


async def mycases_command(update: Update, context: Context) -> None:
    user = await current_user(update, context)
    t = translator(update, context, user)
    mine = await services(context).followup.my_cases(user)
    if not mine.cases:
        await say(
            update, context, t("You have no cases yet. Send /start to report a missing person.")
        )
    else:
        lines = [t("Your cases:")] + [texts.case_line(t, c) for c in mine.cases]
        lines.append(t("Send /case and the number to see one case."))
        await say(update, context, "\n".join(lines))
    if mine.report_waiting:
        await say(update, context, t(REPORT_WAITING))


async def case_command(update: Update, context: Context) -> None:
    user = await current_user(update, context)
    t = translator(update, context, user)
    args = context.args or []
    if not args:
        await say(
            update,
            context,
            t("Send the case number after the command, for example /case KZ-2026-0042."),
        )
        return
    number = parse_case_number(" ".join(args)[:40])
    try:
        mine = await services(context).followup.my_cases(user, number)
    except NotFound:  # a case that is not yours looks exactly like one that does not exist
        await say(update, context, t("You have no case with the number {number}.", number=number))
        return
    await say(
        update,
        context,
        texts.case_card(t, mine.cases[0]),
        InlineKeyboardMarkup(
            [[kb.button(t("Ready for the UN?"), "un", "family", mine.cases[0].id)]]
        ),
    )
    if mine.report_waiting:
        await say(update, context, t(REPORT_WAITING))


# What /cancel answers, by what it closed.
CANCELLED = {
    "form": N_("Cancelled. Nothing was changed."),
    "nothing": N_("Nothing to cancel."),
    "report": N_(
        "The report is paused. Everything you entered is saved; send /start to continue."
    ),
}


async def cancel_command(update: Update, context: Context) -> None:
    user = await current_user(update, context)
    t = translator(update, context, user)
    key = user_key(update, context)  # a staff member's form, even with no family record
    if key is None:
        await say(update, context, t(CANCELLED["nothing"]), ReplyKeyboardRemove())
        return
    cancelled = await services(context).report.cancel(key, user, update.update_id)
    await say(update, context, t(CANCELLED[cancelled.what]), ReplyKeyboardRemove())


async def delete_command(update: Update, context: Context) -> None:
    user = await current_user(update, context)
    t = translator(update, context, user)
    if user is None:
        await say(update, context, t("Nothing about you is stored."))
        return
    await say(
        update,
        context,
        t(
            "This deletes everything you entered: your details, all your "
            "cases and files. It cannot be undone. Delete?"
        ),
        kb.delete_confirm(t),
    )


async def on_delete_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await drop_buttons(update)
    user = await current_user(update, context)
    t = translator(update, context, user)
    if user is None:
        await say(update, context, t("Nothing about you is stored."))
        return
    if query.data != f"{kb.DELETE}:y":
        await say(update, context, t("Nothing was deleted."))
        return
    try:
        await services(context).privacy.delete_everything(user)
    except NotFound:  # deleted meanwhile (a second tap on another copy of the question)
        await say(update, context, t("Nothing about you is stored."))
        return
    # The bot cannot remove what it already sent from the family's own chat (letters,
    # exports of their case): they must know that, and that they can remove it themselves.
    await say(
        update,
        context,
        t(
            "All your data has been deleted. Thank you for using the "
            "bot; send /start if you ever need it again."
        )
        + "\n\n"
        + t("Letters already sent in this chat stay in it: delete them in Telegram if you wish."),
        ReplyKeyboardRemove(),
    )


async def unknown_command(update: Update, context: Context) -> None:
    user = await current_user(update, context)
    t = translator(update, context, user)
    await say(update, context, t("I do not know this command. /help lists what I can do."))
    if user is not None:
        draft = await services(context).report.draft(user.user_id)
        if draft is not None and not draft.paused:
            await say(update, context, *report_views.step(t, draft))
