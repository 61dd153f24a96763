"""The periodic jobs: send the reminders the database says are due, and the upkeep
(retention, regions, checkpoints, handled update ids).

Reminders are rows, not scheduler jobs: a restart neither loses nor repeats
them. What each says and what follows is decided by ``bot.services.reminders``;
here it is rendered and sent. Each is marked sent right after Telegram accepted it;
a failure is counted and retried later with back-off, a blocked user's reminders stop.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ContextTypes

from bot.app import Services
from bot.i18n import Translator
from bot.services.reminders import (
    DIGEST,
    OVERDUE,
    PREPARE,
    FamilyReminder,
    LetterRow,
    Reminder,
    VolunteerDigest,
)
from bot.un import ladder as un_ladder
from bot.vocabulary import KIND_NAMES
from handlers.views import review as review_view
from handlers.views.followup import PREFIX, deadline_text, letter_state, letter_title
from handlers.views.letters import language_name

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
# So the chats wait in turn to have their reminder composed (reads, rendering, a next
# letter made), a few at a time; sending, paced by the rate limiter (one message a second
# per chat), is not gated: a gate held across a chat's pauses slowed the whole run down.
COMPOSED_AT_ONCE = 8
# Reminders are composed no faster than Telegram takes messages (the rate limiter's
# overall limit): composing faster only queues them in the limiter, while their reads,
# rendering and writes take the loop from families (a burst of 2,000 composed at full
# speed put families' p99 at 36 times its value without it). A run of a few reminders
# starts at once (``PACE_CREDIT``).
COMPOSED_PER_SECOND = 28.0
PACE_CREDIT = 28


class Pace:
    """Turns handed out ``per_second``, after a first ``credit`` handed out at once."""

    def __init__(self, per_second: float, credit: int) -> None:
        self.interval = 1.0 / per_second
        self.credit = credit
        self.next_at = 0.0

    async def turn(self) -> None:
        """Wait for this caller's turn (callers are served in the order they ask)."""
        if self.credit > 0:
            self.credit -= 1
            return
        now = asyncio.get_running_loop().time()
        self.next_at = max(self.next_at, now) + self.interval
        await asyncio.sleep(self.next_at - now)


async def send_due_reminders(app: Application) -> int:
    """Send every reminder due now; returns how many were sent.

    Chats are served concurrently, each chat's reminders in order: one family's
    three reminders (one a second, by the rate limiter) must not hold up everyone else.
    """
    services: Services = app.bot_data["services"]
    sent = 0
    turns = asyncio.Semaphore(COMPOSED_AT_ONCE)
    pace = Pace(COMPOSED_PER_SECOND, PACE_CREDIT)
    for _ in range(MAX_ROUNDS):
        due = await services.reminders.due(BATCH)
        if not due:
            break
        by_user: dict[int, list[Reminder]] = {}
        for reminder in due:
            by_user.setdefault(reminder.user_id, []).append(reminder)
        counts = await asyncio.gather(
            *(_deliver_all(app.bot, services, items, turns, pace) for items in by_user.values())
        )
        sent += sum(counts)
        if len(due) < BATCH:
            break
    return sent


async def _deliver_all(
    bot: Bot, services: Services, reminders: list[Reminder], turns: asyncio.Semaphore, pace: Pace
) -> int:
    return sum([await _deliver(bot, services, r, turns, pace) for r in reminders])


async def _deliver(
    bot: Bot, s: Services, reminder: Reminder, turns: asyncio.Semaphore, pace: Pace
) -> bool:
    """Send one reminder as composed by the core; True when something was sent (a family's
    empty digest counts as sent: it was handled)."""
    await pace.turn()
    if reminder.kind == "review":  # letters waiting for a caseworker (handlers.review)
        return await _review_reminder(bot, s, reminder)
    async with turns:
        item = await s.reminders.compose(reminder)
    if item is None:
        return False
    t = s.catalogs.get(item.locale)
    try:
        if isinstance(item, VolunteerDigest):
            await _volunteer_digest(bot, t, item)
        else:
            await _family(bot, t, item)
    except Forbidden:
        log.info("reminder %s: user blocked the bot; reminders stopped", reminder.id)
        await s.reminders.blocked(item)
        return False
    except (RetryAfter, TimedOut, NetworkError) as exc:
        retry = await s.reminders.retry(item, type(exc).__name__)
        log.warning("reminder %s failed (%s); retry at %s", reminder.id, type(exc).__name__, retry)
        return False
    except TelegramError as exc:
        log.warning("reminder %s failed (%s); given up", reminder.id, type(exc).__name__)
        await s.reminders.give_up(item, type(exc).__name__)
        return False
    await s.reminders.sent(item)
    return bool(item.items) if isinstance(item, VolunteerDigest) else True


async def _family(bot: Bot, t: Translator, item: FamilyReminder) -> None:
    if item.kind == DIGEST:
        await _digest(bot, t, item)
    elif item.kind == PREPARE:
        await _prepare(bot, t, item)
    elif item.kind == OVERDUE:
        await _overdue(bot, t, item)


def _card_button(t: Translator, row: LetterRow) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("Log a reply"), callback_data=f"{PREFIX}:reply:{row.id}")]]
    )


async def _prepare(bot: Bot, t: Translator, item: FamilyReminder) -> None:
    assert item.case is not None and item.letter is not None
    text = "\n".join(
        [
            t("Reminder for case {number}.", number=item.case.number),
            t("The answer from {body} is due soon.", body=letter_title(t, item.letter)),
            deadline_text(t, item.deadline),
            t(
                "If a reply came, log it. If nothing comes by the deadline, the bot will "
                "prepare the "
                "next letter for you."
            ),
        ]
    )
    await bot.send_message(item.chat_id, text, reply_markup=_card_button(t, item.letter))


async def _overdue(bot: Bot, t: Translator, item: FamilyReminder) -> None:
    """The term passed without a reply: the next letter of the ladder, ready to send."""
    case, row, follow = item.case, item.letter, item.next_letter
    assert case is not None and row is not None
    lines = [
        t(
            "Case {number}: no answer yet from {body}; the deadline passed on {date}.",
            number=case.number,
            body=letter_title(t, row),
            date=t.date(row.due_on or item.today, "long"),
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
        if item.offer_un:
            lines.append(t(un_ladder.OFFER, number=case.number))
        await bot.send_message(item.chat_id, "\n".join(lines), reply_markup=_card_button(t, row))
        return
    if item.held is not None:
        lines.append(review_view.held_text(t, item.held))
        await bot.send_message(item.chat_id, "\n".join(lines), reply_markup=_card_button(t, row))
        return
    produced = item.produced
    if produced is None:
        lines.append(
            t(
                "The next letter is {kind} to {body}. Some of your answers must first "
                "be given in the letter's language: open it and press Prepare this "
                "letter.",
                kind=t(KIND_NAMES.get(follow.kind, follow.kind)),
                body=item.next_addressee.name(t.locale) if item.next_addressee else "",
            )
        )
        open_it = InlineKeyboardButton(
            t("Open the letter"), callback_data=f"{PREFIX}:letter:{follow.id}"
        )
        await bot.send_message(
            item.chat_id, "\n".join(lines), reply_markup=InlineKeyboardMarkup([[open_it]])
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
    await bot.send_message(item.chat_id, "\n".join(lines), reply_markup=_card_button(t, row))
    await bot.send_document(item.chat_id, produced.pdf, filename=produced.pdf_name)
    await bot.send_document(item.chat_id, produced.docx, filename=produced.docx_name)


async def _digest(bot: Bot, t: Translator, item: FamilyReminder) -> None:
    if not item.open_letters:
        return
    lines = [t("Weekly summary: letters waiting for an answer.")]
    for row in item.open_letters:
        lines.append(f"• {letter_title(t, row)}: {letter_state(t, row, item.today)}")
    lines.append(t("/track shows the details."))
    await bot.send_message(item.chat_id, "\n".join(lines))


async def _volunteer_digest(bot: Bot, t: Translator, item: VolunteerDigest) -> None:
    """A volunteer's daily list of overdue and soon-due letters, while they have any."""
    if not item.items:
        return
    lines = [t("Daily summary: letters overdue or due this week.")]
    lines += [
        f"{number} · {letter_title(t, row)}: {letter_state(t, row, item.today)}"
        for number, row in item.items
    ]
    lines.append(t("/due shows the list, /my your cases."))
    await bot.send_message(item.chat_id, "\n".join(lines))


async def _review_reminder(bot: Bot, s: Services, reminder: Reminder) -> bool:
    """Remind every caseworker and administrator of a case's letters nobody has decided
    on for a working day; with the bot's own priority, like every reminder."""
    found = await s.review.reminder(reminder)
    if found is None:
        return False
    for chat, locale, zone in found.recipients:
        t = s.catalogs.get(locale)
        try:
            await bot.send_message(chat, review_view.reminder_text(t, found, zone))
        except Forbidden:
            continue  # a colleague who left the bot; the others still get it
        except (RetryAfter, TimedOut, NetworkError) as exc:
            await s.review.reminder_later(reminder, type(exc).__name__)
            return False
        except TelegramError as exc:
            log.warning("review reminder to one recipient failed (%s)", type(exc).__name__)
    await s.review.reminded(reminder)
    return True
