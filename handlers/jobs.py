"""The periodic job: send the reminders the database says are due.

Reminders are rows, not scheduler jobs: a restart neither loses nor repeats
them. Each is marked sent right after Telegram accepted it; a failure is
counted and retried later with back-off, a blocked user's reminders stop.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ContextTypes

from bot.app import Services
from bot.clock import local_today
from bot.domain.models import Case, User
from bot.i18n import Translator
from bot.letters.translations import ForeignText
from bot.services.followup import at_local, quiet_until, user_timezone
from bot.storage.followup import NewReminder, Reminder
from bot.storage.staff import CaseFilter
from bot.storage.store import LetterRow
from bot.un import ladder as un_ladder
from bot.vocabulary import KIND_NAMES
from handlers.letters import language_name
from handlers.views.followup import PREFIX, deadline_text, letter_state, letter_title

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60


PURGE_INTERVAL_SECONDS = 6 * 3600
REGIONS_INTERVAL_SECONDS = 600
CHECKPOINT_SECONDS = 30


def schedule(app: Application) -> None:
    """One repeating job for all reminders, one for the retention purge, one for the
    regions of new cases, one that checkpoints the database's log, one that forgets old
    handled update ids (job-queue extra)."""
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            reminder_job, interval=INTERVAL_SECONDS, first=5, name="reminders"
        )
        app.job_queue.run_repeating(
            purge_job, interval=PURGE_INTERVAL_SECONDS, first=60, name="retention"
        )
        app.job_queue.run_repeating(
            regions_job, interval=REGIONS_INTERVAL_SECONDS, first=20, name="regions"
        )
        app.job_queue.run_repeating(
            checkpoint_job,
            interval=CHECKPOINT_SECONDS,
            first=CHECKPOINT_SECONDS,
            name="checkpoint",
        )
        app.bot_data["services"].checkpoint_by_job()
        app.job_queue.run_repeating(
            prune_updates_job, interval=PURGE_INTERVAL_SECONDS, first=30, name="handled-updates"
        )


async def purge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: Services = context.application.bot_data["services"]
    purged = await services.purge_expired()
    if purged:
        log.info("retention: personal data of %s closed case(s) removed", purged)


async def checkpoint_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The database's log copied into its file in a thread (see Services.checkpoint_by_job)."""
    services: Services = context.application.bot_data["services"]
    await services.checkpoint()


async def regions_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The region of new cases, in small batches, so that statistics count it in SQL;
    and the name search's index of cases reported before it (or before a new key)."""
    services: Services = context.application.bot_data["services"]
    await services.fill_regions()
    await services.fill_name_index()


async def prune_updates_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handled update ids are kept a week (re-deliveries come within a day), not forever."""
    services: Services = context.application.bot_data["services"]
    pruned = await services.delivery.prune()
    if pruned:
        log.info("%s handled update id(s) older than a week forgotten", pruned)


async def reminder_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_due_reminders(context.application)


BATCH = 500
MAX_ROUNDS = 20  # a backlog drains at up to BATCH x MAX_ROUNDS reminders per run
# Chats served at once. Telegram takes 30 messages a second, so more gains nothing; 500 at
# once put 500 reads ahead of every family's on the bot's one reader connection.


async def send_due_reminders(app: Application) -> int:
    """Send every reminder due now; returns how many were sent.

    Chats are served concurrently, each chat's reminders in order: one family's
    three reminders (one a second, by the rate limiter) must not hold up everyone else.
    """
    services: Services = app.bot_data["services"]
    sent = 0
    for _ in range(MAX_ROUNDS):
        due = await services.followup.due(BATCH)
        if not due:
            break
        by_user: dict[int, list[Reminder]] = {}
        for reminder in due:
            by_user.setdefault(reminder.user_id, []).append(reminder)
        counts = await asyncio.gather(
            *(_deliver_all(app.bot, services, items) for items in by_user.values())
        )
        sent += sum(counts)
        if len(due) < BATCH:
            break
    return sent


async def _deliver_all(bot: Bot, services: Services, reminders: list[Reminder]) -> int:
    return sum([await _deliver(bot, services, r) for r in reminders])


async def _deliver(bot: Bot, s: Services, reminder: Reminder) -> bool:
    store = s.followup.store
    now = s.clock.now()
    if reminder.kind == "volunteer_digest":
        return await _volunteer_digest(bot, s, reminder)
    user = await s.store.get_user(reminder.user_id)
    case = await s.store.get_case_by_id(reminder.case_id) if reminder.case_id else None
    row = await s.letters.store.get_letter(reminder.letter_id) if reminder.letter_id else None
    if (
        user is None
        or user.blocked_at
        or not user.reminders_on
        or (reminder.letter_id and (row is None or row.closed))
    ):
        await store.reminder_failed(reminder.id, "not needed", None, now)
        return False
    morning = quiet_until(now, user_timezone(user, case))
    if morning is not None:
        await store.postpone(reminder.id, morning)
        return False
    t = s.catalogs.get(user.locale)
    try:
        if reminder.kind == "digest":
            await _digest(bot, s, user, t)
        elif reminder.kind == "prepare" and case and row:
            await _prepare(bot, s, user, t, case, row)
        elif reminder.kind == "overdue" and case and row:
            await _overdue(bot, s, user, t, case, row, reminder)
    except Forbidden:
        log.info("reminder %s: user blocked the bot; reminders stopped", reminder.id)
        await store.user_blocked(user.user_id, now)
        return False
    except (RetryAfter, TimedOut, NetworkError) as exc:
        retry = s.followup.retry_at(reminder)
        log.warning("reminder %s failed (%s); retry at %s", reminder.id, type(exc).__name__, retry)
        await store.reminder_failed(reminder.id, type(exc).__name__, retry, now)
        return False
    except TelegramError as exc:
        log.warning("reminder %s failed (%s); given up", reminder.id, type(exc).__name__)
        await store.reminder_failed(reminder.id, type(exc).__name__, None, now)
        return False
    await store.reminder_sent(reminder.id, s.clock.now())
    return True


def _card_button(t: Translator, row: LetterRow) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("Log a reply"), callback_data=f"{PREFIX}:a:{row.id}")]]
    )


async def _prepare(
    bot: Bot, s: Services, user: User, t: Translator, case: Case, row: LetterRow
) -> None:
    text = "\n".join(
        [
            t("Reminder for case {number}.", number=case.number),
            t("The answer from {body} is due soon.", body=letter_title(t, row)),
            deadline_text(t, s.followup.deadline(row)),
            t(
                "If a reply came, log it. If nothing comes by the deadline, the bot will "
                "prepare the "
                "next letter for you."
            ),
        ]
    )
    await bot.send_message(user.chat_id, text, reply_markup=_card_button(t, row))


async def _overdue(
    bot: Bot,
    s: Services,
    user: User,
    t: Translator,
    case: Case,
    row: LetterRow,
    reminder: Reminder,
) -> None:
    """The term passed without a reply: the next letter of the ladder, ready to send."""
    follow = (
        await s.letters.store.get_letter(reminder.followup_id) if reminder.followup_id else None
    )
    if follow is None:
        suggestion = await s.followup.escalate(row, s.followup.silence_trigger(row))
        follow = suggestion.letter
        if follow is not None:
            await s.followup.store.remember_followup(reminder.id, follow.id)
    lines = [
        t(
            "Case {number}: no answer yet from {body}; the deadline passed on {date}.",
            number=case.number,
            body=letter_title(t, row),
            date=t.date(row.due_on or date.today(), "long"),
        )
    ]
    if follow is None:
        lines.append(
            t(
                "The bot has no further letter for this body. Ask the organisation's "
                "caseworker or a lawyer what to do next; your case and all letters are "
                "kept."
            )
        )
        if un_ladder.offer_after(None):
            lines.append(t(un_ladder.OFFER, number=case.number))
        await bot.send_message(user.chat_id, "\n".join(lines), reply_markup=_card_button(t, row))
        return
    try:
        produced = await s.letters.produce(case, follow, user.user_id)
    except ForeignText:
        # Some of the family's words are not in the letter's language yet: the letter's
        # card asks for them when the family prepares it.
        lines.append(
            t(
                "The next letter is {kind} to {body}. Some of your answers must first "
                "be given in the letter's language: open it and press Prepare this "
                "letter.",
                kind=t(KIND_NAMES.get(follow.kind, follow.kind)),
                body=s.letters.directory[follow.addressee_id].name(t.locale),
            )
        )
        open_it = InlineKeyboardButton(
            t("Open the letter"), callback_data=f"{PREFIX}:c:{follow.id}"
        )
        await bot.send_message(
            user.chat_id, "\n".join(lines), reply_markup=InlineKeyboardMarkup([[open_it]])
        )
        return
    lines.append(
        t(
            "Here is the next letter: {kind} to {body} ({language}). Print, sign and "
            "send it, then mark it as sent in /track.",
            kind=t(KIND_NAMES.get(follow.kind, follow.kind)),
            body=produced.addressee.name(t.locale),
            language=language_name(produced.letter.language, t.locale),
        )
    )
    await bot.send_message(user.chat_id, "\n".join(lines), reply_markup=_card_button(t, row))
    await bot.send_document(user.chat_id, produced.pdf, filename=produced.pdf_name)
    await bot.send_document(user.chat_id, produced.docx, filename=produced.docx_name)


async def _digest(bot: Bot, s: Services, user: User, t: Translator) -> None:
    rows = await s.followup.store.open_letters_of_user(user.user_id)
    if not rows:
        return
    today = local_today(s.clock, user_timezone(user))
    lines = [t("Weekly summary: letters waiting for an answer.")]
    for row in rows:
        lines.append(f"• {letter_title(t, row)}: {letter_state(t, row, today)}")
    lines.append(t("/track shows the details."))
    await bot.send_message(user.chat_id, "\n".join(lines))
    await s.followup.schedule_next_digest(user)


async def _volunteer_digest(bot: Bot, s: Services, reminder: Reminder) -> bool:
    """A volunteer's daily list of overdue and soon-due letters, while they have any."""
    store = s.followup.store
    now = s.clock.now()
    member = await s.staff.staff.get(reminder.user_id)
    if member is None or member.role != "volunteer":
        await store.reminder_failed(reminder.id, "not a volunteer", None, now)
        return False
    tz = await s.staff.timezone_of(member.user_id)  # the volunteer's own, or the organisation's
    morning = quiet_until(now, tz)
    if morning is not None:
        await store.postpone(reminder.id, morning)
        return False
    today = now.astimezone(ZoneInfo(tz)).date()
    items = await s.staff.staff.due_letters(
        member.user_id, (today + timedelta(days=7)).isoformat()
    )
    assigned, _ = await s.staff.staff.list_cases(
        CaseFilter(volunteer_id=member.user_id), today.isoformat(), 1, 0
    )
    try:
        if items:
            t = s.catalogs.get(member.locale)
            lines = [t("Daily summary: letters overdue or due this week.")]
            lines += [
                f"{number} · {letter_title(t, row)}: {letter_state(t, row, today)}"
                for number, row in items
            ]
            lines.append(t("/due shows the list, /my your cases."))
            await bot.send_message(member.chat_id, "\n".join(lines))
    except Forbidden:
        await store.reminder_failed(reminder.id, "blocked", None, now)
        return False
    except (RetryAfter, TimedOut, NetworkError) as exc:
        await store.reminder_failed(
            reminder.id, type(exc).__name__, s.followup.retry_at(reminder), now
        )
        return False
    await store.reminder_sent(reminder.id, now)
    if assigned:  # tomorrow again, while the volunteer has cases
        await store.schedule(
            [
                NewReminder(
                    member.user_id,
                    None,
                    None,
                    "volunteer_digest",
                    at_local(today + timedelta(days=1), tz),
                )
            ],
            now,
        )
    return bool(items)
