"""Follow-up of letters: deadlines, replies, what to do next, reminders.

The rules themselves are data (``bot/data/deadline_rules.json`` and
``escalation.json``, read by ``bot.domain.deadlines``); this module applies
them to a case's letters and keeps the reminders table in step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import phonenumbers

from bot.clock import Clock, local_today
from bot.domain import deadlines
from bot.domain.deadlines import Deadline, Extension, NextStep
from bot.domain.followup_forms import CHANNELS, DELIVERY, OUTCOMES, REGISTRATION, REPLY, SEND
from bot.domain.forms import Form, FormSpec, Step, spec_of
from bot.domain.inputs import Input
from bot.domain.models import Case, CaseStatus, User
from bot.domain.validators import InvalidInput
from bot.letters.directory import load_directory
from bot.replies.matching import signature
from bot.services.errors import Invalid, NotFound
from bot.services.forms import Asked, FormRunner
from bot.storage.followup import (
    FollowupStore,
    NewDeadline,
    NewFollowUp,
    NewReminder,
    NewReply,
    Reminder,
    Reply,
)
from bot.storage.store import FormClosing, LetterRow, LetterStore, Store

if TYPE_CHECKING:
    from bot.replies.reading import Reading
    from bot.services.letters import Delivery
    from bot.services.letters import Step as LetterStep

# The family's follow-up forms (``bot.domain.followup_forms``).
FORMS = frozenset(spec.name for spec in (SEND, REGISTRATION, DELIVERY, REPLY))
# A reply of these kinds calls for the next rung of the ladder.
TRIGGER_FOR_OUTCOME: Mapping[str, str] = {"form": "form_reply", "refused": "refusal"}
# Reply outcomes closing the letter: nothing more is awaited from that body.
CLOSING_OUTCOMES = frozenset({"answered", "form", "refused", "found", "forwarded"})
TIMEZONES = {"KZ": "Asia/Almaty", "KG": "Asia/Bishkek"}
DEFAULT_TZ = "Asia/Almaty"
SEND_HOUR = 10  # reminders go out at 10:00 in the family's time zone
QUIET_START, QUIET_END = 21, 9  # never between 21:00 and 09:00 there
PREPARE_DAYS = 3  # working days before a deadline
DIGEST_EVERY = timedelta(days=7)
MAX_ATTEMPTS = 5


# Where the family's phone number is registered says where they most likely live.
PHONE_TIMEZONES = {"KZ": "Asia/Almaty", "KG": "Asia/Bishkek", "RU": "Europe/Moscow"}


def default_timezone(answers: Mapping[str, object]) -> str:
    """The zone a family lives in by default: the country of their phone number, else the
    missing person's citizenship (a Kyrgyz family is on Bishkek time, not Almaty's)."""
    phone = str(answers.get("r_phone") or "")
    if phone:
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(phone, None))
        except phonenumbers.NumberParseException:
            region = None
        if region in PHONE_TIMEZONES:
            return PHONE_TIMEZONES[region]
    return TIMEZONES.get(str(answers.get("m_cit")), DEFAULT_TZ)


def user_timezone(user: User, case: Case | None = None) -> str:
    if user.timezone:
        return user.timezone
    if case is not None:
        return default_timezone({**case.answers, "m_cit": case.citizenship})
    return DEFAULT_TZ


def at_local(day: date, tz: str, hour: int = SEND_HOUR) -> datetime:
    """The UTC instant of ``hour``:00 on ``day`` in the time zone ``tz``."""
    return datetime.combine(day, time(hour), ZoneInfo(tz)).astimezone(ZoneInfo("UTC"))


def quiet_until(moment: datetime, tz: str) -> datetime | None:
    """If ``moment`` falls in the night where the family lives, when the night ends."""
    local = moment.astimezone(ZoneInfo(tz))
    if QUIET_END <= local.hour < QUIET_START:
        return None
    morning = local.date() if local.hour < QUIET_END else local.date() + timedelta(days=1)
    return at_local(morning, tz, QUIET_END)


@dataclass(frozen=True)
class FamilyCases:
    """The family's cases (newest last) for /mycases and /case, and whether a report in
    progress waits for them (the answer reminds them of it)."""

    cases: tuple[Case, ...]
    report_waiting: bool


@dataclass(frozen=True)
class Suggestion:
    """What the family should do after a reply or a missed deadline."""

    step: NextStep | None  # None: the ladder has nothing further
    letter: LetterRow | None  # the follow-up letter, ready to be produced


# A case still waiting for answers has one once a reply is logged.
_WAITING_STATUSES = frozenset(
    {
        CaseStatus.LETTERS_SENT,
        CaseStatus.WAITING,
        CaseStatus.LETTERS_READY,
        CaseStatus.REPORTED,
    }
)


def _status_after_reply(case: Case, outcome: str) -> tuple[int, CaseStatus] | None:
    """The case's new status once a reply with ``outcome`` is logged (None: it stays)."""
    if outcome == "found":
        return case.id, CaseStatus.LOCATED
    if case.status in _WAITING_STATUSES:
        return case.id, CaseStatus.ANSWER_RECEIVED
    return None


def case_names(case: Case) -> list[str]:
    """The names a case holds (of the missing person and the family): removed from a
    reply's text before comparing it, even where they open a sentence."""
    return [str(v) for k, v in case.answers.items() if k.endswith("name") and v]


class FollowupService:
    def __init__(
        self,
        store: FollowupStore,
        letters: LetterStore,
        clock: Clock,
        overrides: Mapping[str, int] | None = None,
        cases: Store | None = None,
    ) -> None:
        self.store = store
        self.letters = letters
        self.clock = clock
        self.overrides = dict(overrides or {})
        self.directory = load_directory()
        self.cases = cases
        self.forms = FormRunner(store, clock)
        # Makes one follow-up letter of the family's case (the letters' ``prepare_letter``),
        # so that a logged reply makes the letter it calls for in the same call; set by
        # the application (without it a reply only suggests the letter).
        self.make_letter: MakeLetter | None = None

    # --- deadlines -------------------------------------------------------------
    def rule_for(self, row: LetterRow) -> str:
        """The legal rule that sets this letter's answer term: it depends on the body and on
        the kind of letter (``bot/data/escalation.json``, ``rules`` and ``purposes``)."""
        return deadlines.rule_for_letter(row.addressee_id, row.kind)

    def deadline(
        self,
        row: LetterRow,
        *,
        sent_on: date | None = None,
        channel: str | None = None,
        registered_on: date | None = None,
        delivered_on: date | None = None,
        extended_until: date | None = None,
    ) -> Deadline | None:
        sent = sent_on or row.sent_on
        if sent is None:
            return None
        registered = registered_on or row.registered_on
        delivered = delivered_on or row.delivered_on
        if delivered and delivered < sent:
            delivered = None
        until = extended_until or row.extended_until
        return deadlines.answer_due(
            self.rule_for(row),
            sent,
            delivered_on=delivered,
            registered_on=(
                registered if registered and registered >= (delivered or sent) else None
            ),
            extension=Extension(until=until) if until else None,
            overrides=self.overrides or None,
            channel=_rule_channel(channel or row.channel),
        )

    def reminders_for(
        self, user: User, case: Case, row: LetterRow, deadline: Deadline | None
    ) -> list[NewReminder]:
        """'Prepare' a few working days before the deadline, 'overdue' the morning after."""
        if deadline is None or not user.reminders_on:
            return []
        tz = user_timezone(user, case)
        now = self.clock.now()
        prepare_day, due_day = deadline.reminders(PREPARE_DAYS)
        out = []
        prepare_at = at_local(prepare_day, tz)
        if prepare_at > now:
            out.append(NewReminder(user.user_id, case.id, row.id, "prepare", prepare_at))
        overdue_at = at_local(due_day + timedelta(days=1), tz)
        out.append(NewReminder(user.user_id, case.id, row.id, "overdue", max(overdue_at, now)))
        return out

    # --- the family's actions ----------------------------------------------------
    async def mark_sent(
        self,
        user: User,
        case: Case,
        rows: list[LetterRow],
        sent_on: date,
        channel: str,
        tracking: str | None,
        *,
        closing: FormClosing | None = None,
    ) -> list[tuple[LetterRow, Deadline | None]]:
        if channel not in CHANNELS:
            raise ValueError(channel)
        results = []
        reminders: list[NewReminder] = []
        for row in rows:
            due = self.deadline(row, sent_on=sent_on, channel=channel)
            results.append((row, due))
            reminders += self.reminders_for(user, case, row, due)
        if await self._no_digest(user):
            reminders.append(self._digest(user, case))
        await self.store.mark_sent(
            [(r, d.due if d else None) for r, d in results],
            sent_on,
            channel,
            tracking,
            reminders,
            self.clock.now(),
            user.user_id,
            case_status=await self._status_after_sending(case, {r.id for r in rows}),
            closing=closing,
        )
        return results

    async def set_reference(
        self,
        user: User,
        case: Case,
        row: LetterRow,
        reference: str,
        registered_on: date | None,
        *,
        closing: FormClosing | None = None,
    ) -> Deadline | None:
        due = self.deadline(row, registered_on=registered_on)
        await self.store.update_deadline(
            row,
            {"reference": reference, "registered_on": registered_on},
            due.due if due else None,
            self.reminders_for(user, case, row, due),
            self.clock.now(),
            user.user_id,
            ("reference", {"letter_id": row.id, "addressee": row.addressee_id}),
            closing=closing,
            audit="letter_reference",
        )
        return due

    async def set_delivered(
        self,
        user: User,
        case: Case,
        row: LetterRow,
        delivered_on: date,
        tracking: str | None = None,
        *,
        closing: FormClosing | None = None,
    ) -> Deadline | None:
        """The day the body received the letter (from the post's tracking or a receipt): the
        term runs from it where the law counts from receipt, and registration is counted
        from it where the law counts from registration."""
        if row.sent_on is not None and delivered_on < row.sent_on:
            raise ValueError("delivered before sent")
        changes: dict[str, object] = {"delivered_on": delivered_on}
        if tracking:
            changes["tracking"] = tracking
        due = self.deadline(row, delivered_on=delivered_on)
        await self.store.update_deadline(
            row,
            changes,
            due.due if due else None,
            self.reminders_for(user, case, row, due),
            self.clock.now(),
            user.user_id,
            ("delivered", {"letter_id": row.id, "addressee": row.addressee_id}),
            closing=closing,
            audit="letter_delivered",
        )
        return due

    async def log_reply(
        self,
        user: User,
        case: Case,
        row: LetterRow,
        *,
        outcome: str,
        received_on: date,
        summary: str = "",
        file: dict[str, Any] | None = None,
        forwarded_to: str | None = None,
        extended_until: date | None = None,
        text: str = "",
        closing: FormClosing | None = None,
    ) -> Suggestion | Deadline | None:
        """Store the reply; return the next step, the moved deadline, or None.

        The reply's ``text``, when given, is compared with the earlier replies of the same
        body in every case (``bot.replies.matching``); the count of copies is stored with it.
        ``closing``: the family's reply form is closed in the same transaction."""
        if outcome not in OUTCOMES:
            raise ValueError(outcome)
        sig = signature(text, case_names(case)) if text else None
        close = outcome in CLOSING_OUTCOMES
        reply = NewReply(row, received_on, outcome, forwarded_to, summary, file, close, text)
        if outcome == "extension" and extended_until is not None:
            due = self.deadline(row, extended_until=extended_until)
            moved = NewDeadline(
                {"extended_until": extended_until},
                due.due if due else None,
                tuple(self.reminders_for(user, case, row, due)),
            )
            await self.store.log_reply(
                reply,
                self.clock.now(),
                user.user_id,
                signature=sig,
                deadline=moved,
                closing=closing,
            )
            return due
        follow_up: NewFollowUp | None = None
        if outcome == "forwarded" and forwarded_to is not None and forwarded_to in self.directory:
            follow_up = await self._forwarded(user, case, row, forwarded_to, received_on)
        trigger = TRIGGER_FOR_OUTCOME.get(outcome)
        step = await self._next_step(row, trigger) if trigger else None
        if trigger and step is not None:
            root = await self._root(row)
            follow_up = NewFollowUp(root, step.addressee(root.addressee_id), step.letter, trigger)
        added = await self.store.log_reply(
            reply,
            self.clock.now(),
            user.user_id,
            signature=sig,
            follow_up=follow_up,
            case_status=_status_after_reply(case, outcome),
            closing=closing,
        )
        if not trigger:
            return None
        return Suggestion(step, added) if step is not None else Suggestion(None, None)

    async def _forwarded(
        self, user: User, case: Case, row: LetterRow, to: str, on: date
    ) -> NewFollowUp:
        """A body forwarded the letter: the other body's own deadline starts that day (the
        letter to it is written with the reply)."""
        root = await self._root(row)
        kind = self.directory[to].letter_kind
        follow = LetterRow(0, root.case_id, to, kind, "", True, None, None, None, root.id)
        due = self.deadline(follow, sent_on=on, channel="in_person")
        return NewFollowUp(
            root,
            to,
            kind,
            "forwarded",
            sent_on=on,
            channel="forwarded",
            due=due.due if due else None,
            reminders=tuple(self.reminders_for(user, case, follow, due)),
        )

    async def escalate(self, row: LetterRow, trigger: str) -> Suggestion:
        """Create the follow-up letter the ladder prescribes (repeat or complaint)."""
        step = await self._next_step(row, trigger)
        if step is None:
            return Suggestion(None, None)
        root = await self._root(row)
        letter = await self.letters.add_follow_up(
            root, step.addressee(root.addressee_id), step.letter, trigger, self.clock.now()
        )
        return Suggestion(step, letter)

    async def _next_step(self, row: LetterRow, trigger: str) -> NextStep | None:
        """The ladder's next letter after ``trigger`` on ``row``'s chain, if any is left."""
        root = await self._root(row)
        chain = await self.chain(root)
        group = _TRIGGER_GROUPS.get((root.kind, trigger), {trigger})
        attempts = sum(1 for x in chain if x.trigger in group)
        return deadlines.next_step(root.addressee_id, trigger, attempts)

    def silence_trigger(self, row: LetterRow) -> str:
        """Silence on a crime report, or on a complaint about one, is "no decision": the next
        step is the UPK art. 124 complaint, never a repeat request to the Committee."""
        crime = deadlines.letter_purpose(row.kind) in ("crime_report", "procedural_complaint")
        return "no_decision" if crime else "silence"

    async def _root(self, row: LetterRow) -> LetterRow:
        if row.parent_id is None:
            return row
        root = await self.letters.get_letter(row.parent_id)
        assert root is not None
        return root

    async def chain(self, root: LetterRow) -> list[LetterRow]:
        """The first letter and every follow-up of it, in order."""
        rows = await self.letters.letters_of(root.case_id)
        return [r for r in rows if r.id == root.id or r.parent_id == root.id]

    async def _status_after_sending(
        self, case: Case, sending: set[int]
    ) -> tuple[int, CaseStatus] | None:
        """The case's new status once ``sending`` are sent (all first letters sent: waiting
        for answers), written with the letters in one transaction; None: it stays."""
        rows = [
            r for r in await self.letters.letters_of(case.id) if r.selected and r.parent_id is None
        ]
        all_sent = bool(rows) and all(r.sent or r.id in sending for r in rows)
        target = CaseStatus.WAITING if all_sent else CaseStatus.LETTERS_SENT
        order = list(CaseStatus)
        if order.index(case.status) < order.index(target):
            return case.id, target
        return None

    # --- what a family does: one check that the case is theirs ------------------------
    async def own_case(self, user: User, case_id: int | None) -> Case:
        """The case if it is this family's. Another family's case raises ``NotFound``,
        exactly like one that does not exist: it must not be told apart."""
        assert self.cases is not None
        case = await self.cases.get_case_by_id(case_id) if case_id is not None else None
        if case is None or case.reporter_id != user.user_id:
            raise NotFound("case")
        return case

    async def own_case_by_number(self, user: User | None, number: str) -> Case:
        """The family's case numbered ``number`` (``NotFound`` for anyone else's)."""
        assert self.cases is not None
        case = await self.cases.get_case(number)
        if user is None or case is None or case.reporter_id != user.user_id:
            raise NotFound("case")
        return case

    async def own_letter(self, user: User, letter_id: int | None) -> tuple[Case, LetterRow]:
        """The letter and its case, if the case is this family's (else ``NotFound``)."""
        row = await self.letters.get_letter(letter_id) if letter_id is not None else None
        if row is None:
            raise NotFound("letter")
        return await self.own_case(user, row.case_id), row

    async def my_cases(self, user: User | None, number: str | None = None) -> FamilyCases:
        """/mycases (every case of the family) or /case (the one numbered ``number``,
        ``NotFound`` for anyone else's), with the report in progress noted."""
        if number is None:
            cases = tuple(await self.cases_of(user))
        else:
            cases = (await self.own_case_by_number(user, number),)
        return FamilyCases(cases, await self._report_waiting(user))

    async def _report_waiting(self, user: User | None) -> bool:
        assert self.cases is not None
        draft = await self.cases.get_draft(user.user_id) if user is not None else None
        return draft is not None and not draft.paused

    async def cases_of(self, user: User | None) -> list[Case]:
        """The family's cases, newest last (nothing for someone never registered)."""
        assert self.cases is not None
        return await self.cases.cases_of(user.user_id) if user is not None else []

    async def timelines(self, user: User | None, number: str = "") -> list[Case]:
        """The family's cases with their events: all, or the one numbered ``number``."""
        assert self.cases is not None
        chosen = [c for c in await self.cases_of(user) if not number or c.number == number]
        full = [await self.cases.get_case(c.number) for c in chosen]
        return [c for c in full if c is not None]

    async def tracking(self, user: User | None) -> FamilyTracking:
        """/track: the family's cases; with one case, its letters worth following."""
        cases = tuple(await self.cases_of(user))
        if user is None or len(cases) != 1:
            return FamilyTracking(cases, None)
        return FamilyTracking(cases, await self.tracked_letters(user, cases[0].id))

    async def tracked_letters(self, user: User, case_id: int | None) -> Tracked:
        """The letters of the family's case worth following: prepared or sent ones, and
        every follow-up letter."""
        case = await self.own_case(user, case_id)
        return Tracked(case, await self._tracked_rows(case))

    async def letter_card(self, user: User, letter_id: int | None) -> LetterCard:
        """One letter of the family's case with its deadline and replies."""
        case, row = await self.own_letter(user, letter_id)
        replies = [r for r in await self.store.replies_of_case(case.id) if r.letter_id == row.id]
        due = self.deadline(row) if row.sent_on and not row.closed else None
        return LetterCard(case, row, due, replies)

    async def open_form(
        self, user: User, button: str, ref: int | None, update_id: int | None = None
    ) -> FormShown | None:
        """A button that opens a follow-up form: "sent" on a case (pick the letters
        sent), "sent1", "regno", "delivered" or "reply" on one letter. The case must be the
        family's (else ``NotFound``); the form starts from what the button is about and
        comes with what its first question shows. None: no delivery to record for a letter
        not sent yet (an old button)."""
        spec: FormSpec
        if button == "sent":
            case = await self.own_case(user, ref)
            spec, first, data = SEND, "pick", {"case_id": case.id, "picked": []}
        else:
            case, row = await self.own_letter(user, ref)
            base: dict[str, object] = {"case_id": case.id, "letter_id": row.id}
            if button == "sent1":
                spec, first, data = SEND, "date", {"case_id": case.id, "picked": [row.id]}
            elif button == "regno":
                spec, first, data = REGISTRATION, "reference", base
            elif button == "reply":
                spec, first, data = REPLY, "outcome", base
            elif button == "delivered" and row.sent_on:
                spec, data = (
                    DELIVERY,
                    base
                    | {
                        "sent": row.sent_on.isoformat(),
                        "has_tracking": bool(row.tracking),
                    },
                )
                first = "delivered" if row.tracking else "tracking"
            else:
                return None
        form = await self.forms.begin(user.user_id, spec, data, first, update_id)
        return await self._shown(user, form)

    async def form_question(self, user: User, form: Form) -> FormShown:
        """The open form's question to ask again (after a restart cut its reply off)."""
        return await self._shown(user, form)

    async def _shown(self, user: User, form: Form) -> FormShown:
        """The form with the letters to pick from at its "pick" step (those not sent)."""
        if form.step != "pick":
            return FormShown(form, None)
        tracked = await self.tracked_letters(user, _int(form.data.get("case_id")))
        return FormShown(form, [r for r in tracked.letters if not r.sent_on])

    async def answer_form(
        self,
        user: User,
        form: Form,
        value: Input,
        update_id: int | None = None,
        out: ReplyOut | None = None,
    ) -> FormStep:
        """The family's input at the open form's step (``form``, as just read), on the
        family's own calendar; what to show next comes with it (and, through ``out``, a
        logged reply is announced and the letter it calls for made)."""
        today = local_today(self.clock, user_timezone(user))
        asked = await self.forms.answer(user.user_id, form, value, today, update_id, close=False)
        return await self._step(user, asked, update_id, out)

    async def take_reply_file(
        self,
        user: User,
        form: Form,
        file: Input,
        read: Callable[[], Awaitable[Reading]],
        update_id: int | None = None,
        out: ReplyOut | None = None,
    ) -> ReplyFile:
        """A photo or PDF of the reply at the ``file`` step: taken as the answer, then its
        text (``read``: the front end downloads and reads the file, only once the file is
        accepted) is kept with the form, for the family to check at the next step. One
        call, so the text belongs to the answer it was read from."""
        step = await self.answer_form(user, form, file, update_id, out)
        if step.error is not None or step.complete:
            return ReplyFile(step, None)
        got = await read()
        noted = await self.forms.note(user.user_id, step.shown.form, "read", got.text)
        return ReplyFile(replace(step, shown=FormShown(noted, step.shown.unsent)), got)

    async def move_form(
        self, user: User, op: str, update_id: int | None = None, out: ReplyOut | None = None
    ) -> FormStep | None:
        """/back (``op`` "back") or /skip in the open follow-up form; None when none is."""
        form = await self.forms.current(user.user_id)
        if form is None or form.name not in FORMS:
            return None
        if op == "back":
            asked = await self.forms.back(user.user_id, form, update_id)
        else:
            asked = await self.forms.skip(user.user_id, form, update_id, close=False)
        return await self._step(user, asked, update_id, out)

    async def press(
        self,
        user: User,
        fits: Callable[[Step], bool],
        given: Input | None,
        update_id: int | None = None,
        out: ReplyOut | None = None,
    ) -> FormStep | None:
        """A button of the open form's current step (``fits``): ``given`` answers it,
        None skips it. None: no follow-up form is at a step the button belongs to (a
        button of an earlier message). A choice the step does not offer raises
        ``forms.UnknownChoice`` (a forged button)."""
        form = await self.forms.current(user.user_id)
        spec = spec_of(form) if form is not None else None
        if (
            form is None
            or spec is None
            or form.name not in FORMS
            or not fits(spec.step(form.step))
        ):
            return None
        if given is not None:
            return await self.answer_form(user, form, given, update_id, out)
        asked = await self.forms.skip(user.user_id, form, update_id, close=False)
        return await self._step(user, asked, update_id, out)

    async def _step(
        self, user: User, asked: Asked, update_id: int | None, out: ReplyOut | None = None
    ) -> FormStep:
        """The refusal or the next question, or the complete form acted on (``complete``
        in ``done``, None when the case went away meanwhile: nothing to say)."""
        if asked.error is not None or not asked.done:
            return FormStep(await self._shown(user, asked.form), asked.error)
        done: FormDone | None
        try:
            done = await self.complete(user, asked.form.name, asked.form.data, update_id)
        except NotFound:
            done = None
        if isinstance(done, ReplyLogged) and out is not None:
            done = await self._after_reply(user, done, out)
        return FormStep(FormShown(asked.form, None), None, True, done)

    async def _after_reply(self, user: User, done: ReplyLogged, out: ReplyOut) -> ReplyLogged:
        """Announce the logged reply (``out.announce``: what it leads to, before any
        letter), then make the next letter it calls for, handed over through
        ``out.delivery`` as it is made. The reply is already stored in its own
        transaction: a failure here loses nothing of it."""
        await out.announce(done)
        suggestion = done.next
        if (
            not isinstance(suggestion, Suggestion)
            or suggestion.letter is None
            or self.make_letter is None
        ):
            return replace(done, announced=True)
        made = await self.make_letter(user.user_id, suggestion.letter.id, out.delivery)
        return replace(done, announced=True, made=made)

    async def complete(
        self, user: User, name: str, data: Mapping[str, object], update_id: int | None = None
    ) -> FormDone:
        """Act on a complete follow-up form (``bot.domain.followup_forms``). The form is
        closed in the action's own transaction, which claims ``update_id`` (the update of
        the last answer), so a crash before it keeps the answers (the last one is asked
        again) and a replay after it is skipped instead of reaching the report; an action
        refused closes it on its own."""
        try:
            return await self._act_on_form(user, name, data, FormClosing(user.user_id, update_id))
        except (NotFound, ValueError):  # Invalid is a ValueError too
            await self.store.drop_form(user.user_id)
            raise

    async def _act_on_form(
        self, user: User, name: str, data: Mapping[str, object], closing: FormClosing
    ) -> FormDone:
        case = await self.own_case(user, _int(data.get("case_id")))
        if name == "send":
            picked = data.get("picked")
            ids = [i for i in picked if isinstance(i, int)] if isinstance(picked, list) else []
            rows = [r for r in [await self.letters.get_letter(i) for i in ids] if r is not None]
            own = [r for r in rows if r.case_id == case.id]
            results = await self.mark_sent(
                user,
                case,
                own,
                _day(data["date"]),
                str(data["channel"]),
                _text(data.get("tracking")),
                closing=closing,
            )
            return SentLetters(case, results)
        row = await self.letters.get_letter(_int(data.get("letter_id")) or 0)
        if row is None or row.case_id != case.id:
            raise NotFound("letter")
        if name == "delivered":
            due = await self.set_delivered(
                user,
                case,
                row,
                _day(data["delivered"]),
                _text(data.get("tracking")),
                closing=closing,
            )
            return DeadlineMoved(case, row, due)
        if name == "regno":
            registered = _day(data["regdate"]) if data.get("regdate") else None
            due = await self.set_reference(
                user, case, row, str(data["reference"]), registered, closing=closing
            )
            return DeadlineMoved(case, row, due)
        if name != "reply":
            raise Invalid("form", name)
        outcome = str(data["outcome"])
        file = data.get("file")
        result = await self.log_reply(
            user,
            case,
            row,
            outcome=outcome,
            received_on=_day(data["received"]),
            summary=_text(data.get("summary")) or "",
            file=file if isinstance(file, dict) else None,
            forwarded_to=_text(data.get("forward_to")),
            extended_until=_day(data["until"]) if data.get("until") else None,
            text=_text(data.get("text")) or "",
            closing=closing,
        )
        replies = await self.store.replies_of_case(case.id)
        newest = max(replies, key=lambda r: r.id, default=None)
        return ReplyLogged(case, row, outcome, result, newest.copies if newest else 0)

    async def change_settings(
        self, user: User, *, reminders_on: bool | None = None, timezone: str | None = None
    ) -> None:
        """Reminders on or off (off also stops those already planned), or the time zone
        the family's dates and reminders are in. One transaction: the settings, the
        planned reminders cancelled (when off) and the audit entry."""
        if timezone is not None and timezone not in TIMEZONE_CHOICES:
            raise Invalid("timezone", timezone)
        await self.store.set_preferences(
            user.user_id, reminders_on=reminders_on, timezone_name=timezone, now=self.clock.now()
        )

    async def user_returned(self, user: User) -> None:
        """A family that had blocked the bot writes again: messages may reach it again."""
        await self.store.user_back(user.user_id)

    async def _tracked_rows(self, case: Case) -> list[LetterRow]:
        rows = await self.letters.letters_of(case.id)
        return [r for r in rows if (r.selected and (r.generated_at or r.sent_on)) or r.parent_id]

    # --- reminders ----------------------------------------------------------------
    async def _no_digest(self, user: User) -> bool:
        pending = await self.store.pending_reminders(user.user_id)
        return user.reminders_on and not any(r.kind == "digest" for r in pending)

    def _digest(self, user: User, case: Case | None) -> NewReminder:
        tz = user_timezone(user, case)
        day = (self.clock.now() + DIGEST_EVERY).astimezone(ZoneInfo(tz)).date()
        return NewReminder(user.user_id, None, None, "digest", at_local(day, tz))

    async def schedule_next_digest(self, user: User) -> bool:
        """Another digest in a week while the user has letters waiting for answers."""
        if not await self.store.open_letters_of_user(user.user_id) or not user.reminders_on:
            return False
        await self.store.schedule([self._digest(user, None)], self.clock.now())
        return True

    async def due(self, limit: int = 200) -> list[Reminder]:
        return await self.store.due_reminders(self.clock.now(), limit)

    def retry_at(self, reminder: Reminder) -> datetime | None:
        """Back off 1, 2, 4, 8 minutes...; give up after MAX_ATTEMPTS."""
        if reminder.attempts + 1 >= MAX_ATTEMPTS:
            return None
        return self.clock.now() + timedelta(minutes=2**reminder.attempts)


TIMEZONE_CHOICES = ("Asia/Almaty", "Asia/Bishkek", "Europe/Moscow")


@dataclass(frozen=True)
class Tracked:
    case: Case
    letters: list[LetterRow]


@dataclass(frozen=True)
class FamilyTracking:
    """/track: the family's cases, and the letters of the only one (None when there are
    none or several to choose from)."""

    cases: tuple[Case, ...]
    tracked: Tracked | None


@dataclass(frozen=True)
class FormShown:
    """A follow-up form at its current step, and at the "pick" step the case's letters
    not marked sent yet (None elsewhere), for the question's buttons."""

    form: Form
    unsent: list[LetterRow] | None


@dataclass(frozen=True)
class FormStep:
    """Where a follow-up form stands after an input, with what to show: refused
    (``error``: the same question again), the next question, or ``complete`` and acted on
    (``done``; None when the case went away meanwhile)."""

    shown: FormShown
    error: InvalidInput | None = None
    complete: bool = False
    done: FormDone | None = None


@dataclass(frozen=True)
class LetterCard:
    case: Case
    letter: LetterRow
    deadline: Deadline | None  # while an answer is awaited
    replies: list[Reply]


@dataclass(frozen=True)
class SentLetters:
    case: Case
    letters: list[tuple[LetterRow, Deadline | None]]


@dataclass(frozen=True)
class DeadlineMoved:
    case: Case
    letter: LetterRow
    deadline: Deadline | None


@dataclass(frozen=True)
class ReplyLogged:
    case: Case
    letter: LetterRow
    outcome: str
    next: Suggestion | Deadline | None  # the next letter, the moved deadline, or nothing
    copies: int  # other cases that got the same text from this body
    announced: bool = False  # already said through ``ReplyOut.announce``
    made: LetterStep | None = None  # the next letter's step, when it was made in the call


FormDone = SentLetters | DeadlineMoved | ReplyLogged
# (family's user key, letter id, how to hand letters over) -> the letters' step.
MakeLetter = Callable[[int, int, "Delivery | None"], Awaitable["LetterStep"]]


@dataclass(frozen=True)
class ReplyOut:
    """How the front end shows a reply logged in a form's use case: ``announce`` what it
    leads to before the next letter is made, ``delivery`` for that letter."""

    announce: Callable[[ReplyLogged], Awaitable[None]]
    delivery: Delivery


@dataclass(frozen=True)
class ReplyFile:
    """A reply's file taken at the ``file`` step: where the form stands, and the text read
    from the file (None when the file was refused or the form completed)."""

    step: FormStep
    read: Reading | None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _text(value: object) -> str | None:
    return str(value) if value else None


def _day(value: object) -> date:
    return date.fromisoformat(str(value))


# On a crime report a form reply and silence both mean "no decision": they climb one ladder,
# so a complaint already made for one is not made again for the other.
_TRIGGER_GROUPS: Mapping[tuple[str, str], set[str]] = {
    ("crime_report", "form_reply"): {"form_reply", "no_decision"},
    ("crime_report", "no_decision"): {"form_reply", "no_decision"},
}


def _rule_channel(channel: str | None) -> str:
    """Channels the deadline rules know; a forwarded letter counts as handed over."""
    if channel in (None, "forwarded"):
        return "in_person" if channel == "forwarded" else "post"
    return channel
