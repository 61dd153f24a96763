"""Use cases of the reminders job: which reminders are due, what each one is to say (plain
data), and what follows once it was sent or could not be.

Reminders are rows, not scheduler jobs: a restart neither loses nor repeats them. The job
(``handlers.jobs``) asks ``compose`` for each due reminder, renders and sends what it
gets, and reports back with ``sent``, ``blocked``, ``retry`` or ``give_up``; every rule
about when and what (quiet hours, a blocked user, the next letter of the ladder, the
volunteer's next digest) lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock, local_today
from bot.domain.deadlines import Deadline
from bot.domain.models import Case, User
from bot.letters.directory import Addressee
from bot.letters.translations import ForeignText
from bot.services.followup import FollowupService, at_local, quiet_until, user_timezone
from bot.services.letters import LetterService, Produced
from bot.services.review import Held, ReviewService
from bot.services.staff import StaffService
from bot.storage.followup import NewReminder, Reminder
from bot.storage.staff import CaseFilter, StaffMember
from bot.storage.store import LetterRow, Store
from bot.un import ladder as un_ladder

__all__ = [
    "FamilyReminder",
    "LetterRow",
    "Reminder",
    "Reminders",
    "VolunteerDigest",
]

DIGEST = "digest"  # the family's weekly summary of letters waiting for an answer
PREPARE = "prepare"  # an answer is due soon
OVERDUE = "overdue"  # the term passed: the next letter of the ladder
VOLUNTEER_DIGEST = "volunteer_digest"  # a volunteer's daily list of letters due


@dataclass(frozen=True)
class FamilyReminder:
    """What one reminder tells a family. ``kind`` says which fields are filled:
    a digest has ``open_letters``; "prepare" has ``case``, ``letter`` and ``deadline``;
    "overdue" has ``case``, ``letter`` and the ladder's ``next_letter`` (None: no further
    letter, ``offer_un`` then says whether to point to the UN route), made as ``produced``
    unless some of the family's text must first be given in its language."""

    reminder: Reminder
    kind: str
    user: User
    today: date
    case: Case | None = None
    letter: LetterRow | None = None
    deadline: Deadline | None = None
    open_letters: tuple[LetterRow, ...] = ()
    next_letter: LetterRow | None = None
    next_addressee: Addressee | None = None
    produced: Produced | None = None
    offer_un: bool = False
    held: Held | None = None  # the next letter waits for a caseworker's review

    @property
    def chat_id(self) -> int:
        return self.user.chat_id

    @property
    def locale(self) -> str:
        return self.user.locale


@dataclass(frozen=True)
class VolunteerDigest:
    """A volunteer's daily list: (case number, letter) overdue or due within a week;
    ``tomorrow`` is when the next one is due (None once no case is assigned)."""

    reminder: Reminder
    member: StaffMember
    today: date
    items: tuple[tuple[str, LetterRow], ...]
    tomorrow: datetime | None

    @property
    def chat_id(self) -> int:
        return self.member.chat_id

    @property
    def locale(self) -> str:
        return self.member.locale


Composed = FamilyReminder | VolunteerDigest


class Reminders:
    def __init__(
        self,
        followup: FollowupService,
        letters: LetterService,
        staff: StaffService,
        store: Store,
        clock: Clock,
        review: ReviewService | None = None,
    ) -> None:
        self.review = review
        self.followup = followup
        self.letters = letters
        self.staff = staff
        self.store = store
        self.clock = clock

    async def due(self, limit: int) -> list[Reminder]:
        """Reminders due now, oldest first."""
        return await self.followup.due(limit)

    async def compose(self, reminder: Reminder) -> Composed | None:
        """What to send for ``reminder``; None when nothing is to be sent now (no longer
        needed: recorded; in the reader's night: moved to the morning)."""
        if reminder.kind == VOLUNTEER_DIGEST:
            return await self._volunteer_digest(reminder)
        now = self.clock.now()
        store = self.followup.store
        user = await self.store.get_user(reminder.user_id)
        case = await self.store.get_case_by_id(reminder.case_id) if reminder.case_id else None
        row = (
            await self.letters.store.get_letter(reminder.letter_id) if reminder.letter_id else None
        )
        if (
            user is None
            or user.blocked_at
            or not user.reminders_on
            or (reminder.letter_id and (row is None or row.closed))
        ):
            await store.reminder_failed(reminder.id, "not needed", None, now)
            return None
        morning = quiet_until(now, user_timezone(user, case))
        if morning is not None:
            await store.postpone(reminder.id, morning)
            return None
        today = local_today(self.clock, None)
        if reminder.kind == DIGEST:
            rows = await store.open_letters_of_user(user.user_id)
            local = local_today(self.clock, user_timezone(user))
            return FamilyReminder(reminder, DIGEST, user, local, open_letters=tuple(rows))
        if reminder.kind == PREPARE and case and row:
            deadline = self.followup.deadline(row)
            return FamilyReminder(reminder, PREPARE, user, today, case, row, deadline)
        if reminder.kind == OVERDUE and case and row:
            return await self._overdue(reminder, user, case, row)
        # A kind this version does not know, or its case or letter is gone: marked sent,
        # nothing said.
        return FamilyReminder(reminder, "", user, today)

    async def _overdue(
        self, reminder: Reminder, user: User, case: Case, row: LetterRow
    ) -> FamilyReminder:
        """The term passed without a reply: the next letter of the ladder, made now (once:
        a retry finds the letter already created)."""
        follow = (
            await self.letters.store.get_letter(reminder.followup_id)
            if reminder.followup_id
            else None
        )
        if follow is None:
            suggestion = await self.followup.escalate(row, self.followup.silence_trigger(row))
            follow = suggestion.letter
            if follow is not None:
                await self.followup.store.remember_followup(reminder.id, follow.id)
        today = local_today(self.clock, None)
        if follow is None:
            return FamilyReminder(
                reminder, OVERDUE, user, today, case, row, offer_un=un_ladder.offer_after(None)
            )
        # Letter review (IZDEU_LETTER_REVIEW): the next letter, once it can be made, waits
        # for a caseworker instead of being made now.
        held = None
        if self.review is not None and not self.letters.blocked(
            case, follow, await self.letters.options(case)
        ):
            held = await self.review.hold(user.user_id, case, [follow])
        produced = None
        if held is None:
            try:
                produced = await self.letters.produce(case, follow, user.user_id)
            except ForeignText:
                # Some of the family's words are not in the letter's language yet: the
                # letter's card asks for them when the family prepares it.
                pass
        return FamilyReminder(
            reminder,
            OVERDUE,
            user,
            today,
            case,
            row,
            next_letter=follow,
            next_addressee=self.letters.directory[follow.addressee_id],
            produced=produced,
            held=held,
        )

    async def _volunteer_digest(self, reminder: Reminder) -> VolunteerDigest | None:
        store = self.followup.store
        now = self.clock.now()
        member = await self.staff.staff.get(reminder.user_id)
        if member is None or member.role != "volunteer":
            await store.reminder_failed(reminder.id, "not a volunteer", None, now)
            return None
        tz = await self.staff.timezone_of(member.user_id)  # their own, or the organisation's
        morning = quiet_until(now, tz)
        if morning is not None:
            await store.postpone(reminder.id, morning)
            return None
        today = now.astimezone(ZoneInfo(tz)).date()
        items = await self.staff.staff.due_letters(
            member.user_id, (today + timedelta(days=7)).isoformat()
        )
        assigned, _ = await self.staff.staff.list_cases(
            CaseFilter(volunteer_id=member.user_id), today.isoformat(), 1, 0
        )
        tomorrow = at_local(today + timedelta(days=1), tz) if assigned else None
        return VolunteerDigest(reminder, member, today, tuple(items), tomorrow)

    async def sent(self, item: Composed) -> None:
        """The reminder went out: recorded, and the next digest planned."""
        store = self.followup.store
        if isinstance(item, VolunteerDigest):
            await store.reminder_sent(item.reminder.id, self.clock.now())
            if item.tomorrow is not None:  # tomorrow again, while the volunteer has cases
                new = NewReminder(item.member.user_id, None, None, VOLUNTEER_DIGEST, item.tomorrow)
                await store.schedule([new], self.clock.now())
            return
        if item.kind == DIGEST and item.open_letters:
            await self.followup.schedule_next_digest(item.user)
        await store.reminder_sent(item.reminder.id, self.clock.now())

    async def blocked(self, item: Composed) -> None:
        """The person blocked the bot: a family's reminders stop, a volunteer's digest is
        given up."""
        now = self.clock.now()
        if isinstance(item, VolunteerDigest):
            await self.followup.store.reminder_failed(item.reminder.id, "blocked", None, now)
        else:
            await self.followup.store.user_blocked(item.user.user_id, now)

    async def retry(self, item: Composed, reason: str) -> datetime | None:
        """A passing failure (network, rate limit): tried again later with back-off, given up
        after the last attempt; returns when (None: given up)."""
        at = self.followup.retry_at(item.reminder)
        await self.followup.store.reminder_failed(item.reminder.id, reason, at, self.clock.now())
        return at

    async def give_up(self, item: Composed, reason: str) -> None:
        """A failure that trying again will not mend."""
        await self.followup.store.reminder_failed(item.reminder.id, reason, None, self.clock.now())
