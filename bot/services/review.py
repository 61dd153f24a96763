"""Caseworker review before release, the practice of legal-aid hotlines.

With ``IZDEU_LETTER_REVIEW=on`` the letters a family prepares wait in a queue instead of
going out: a caseworker or administrator reads each one (text, PDF, DOCX), may correct the
family's free text as it appears in the letter's language (stored like every translation,
so the letter is made again with it), and approves it, after which the family receives it
exactly as it would have without review, or sends it back with a note. A letter nobody
looked at reminds the caseworkers after a working day. Who read, corrected, approved or
returned which letter, and when, is in the audit log, written with the change itself.

Volunteers and families never decide: they are not the organisation's accountable staff.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import forms
from bot.domain.forms import Form, FormSpec
from bot.domain.inputs import Input, TextInput
from bot.domain.models import Case, CaseStatus
from bot.domain.review_forms import (
    CORRECTION,
    CORRECTION_MAX,
    NOTE_MAX,
    RETURN_NOTE,
    REVIEW_FORMS,
)
from bot.domain.validators import InvalidInput
from bot.letters.translations import ForeignText, texts
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.followup import QUIET_END, at_local, quiet_until
from bot.services.forms import FormRunner
from bot.services.letters import LetterService, Produced
from bot.services.staff import MANAGERS, Actor, Role, StaffService
from bot.storage.followup import FollowupStore, Reminder
from bot.storage.notices import NewNotice
from bot.storage.review import ReviewEntry, ReviewStore
from bot.storage.store import FormClosing, LetterRow, Store

__all__ = [
    "Approved",
    "Editable",
    "FormAnswered",
    "Held",
    "Reminder",
    "RefusedOnPage",
    "Returned",
    "ReviewEntry",
    "ReviewLetter",
    "ReviewQueue",
    "ReviewReminder",
    "ReviewService",
    "after_a_working_day",
    "working_hours_from",
]

MAX_TEXT = CORRECTION_MAX  # a correction (the desk's text area is as long)
MAX_NOTE = NOTE_MAX
WEEKEND = (5, 6)  # Saturday, Sunday
RETRY = timedelta(minutes=10)


def after_a_working_day(at: datetime, timezone: str) -> datetime:
    """The same time of day one working day (Monday to Friday in ``timezone``) later: a
    letter queued on Friday afternoon reminds on Monday afternoon, one queued at the
    weekend on Monday."""
    local = at.astimezone(ZoneInfo(timezone)) + timedelta(days=1)
    while local.weekday() in WEEKEND:
        local += timedelta(days=1)
    # Arithmetic on the wall clock, so that a change of the clocks keeps the hour.
    return local.replace(tzinfo=None).replace(tzinfo=ZoneInfo(timezone))


def working_hours_from(now: datetime, timezone: str) -> datetime | None:
    """None on a working day's daytime in ``timezone``; otherwise when the next one begins
    (a caseworker is not woken at night nor called at the weekend)."""
    later = quiet_until(now, timezone)
    local = (later or now).astimezone(ZoneInfo(timezone))
    if local.weekday() not in WEEKEND:
        return later
    monday = local.date() + timedelta(days=7 - local.weekday())
    return at_local(monday, timezone, QUIET_END)


@dataclass(frozen=True)
class Held:
    """The family's letters went to the queue instead of the family."""

    case_number: str
    waiting: int


@dataclass(frozen=True)
class Editable:
    """One text of the family's in a letter, as the letter prints it now."""

    field: str
    language: str
    text: str


@dataclass(frozen=True)
class ReviewLetter:
    """A letter as the caseworker reads it."""

    entry: ReviewEntry
    produced: Produced
    fields: tuple[Editable, ...]


@dataclass(frozen=True)
class ReviewQueue:
    """The desk's queue: the letters waiting, oldest first, and the language each is
    written in by letter id (so a caseworker picks the letters they can read)."""

    entries: tuple[ReviewEntry, ...]
    languages: dict[int, str]


@dataclass(frozen=True)
class Approved:
    """What goes to the family now, and where."""

    entry: ReviewEntry
    produced: Produced
    family_chat: int | None  # None: the family deleted its data meanwhile
    family_locale: str | None
    still_waiting: int  # letters of the same case a caseworker has not decided yet


@dataclass(frozen=True)
class Release:
    """How the front end hands an approved letter to the family (``deliver``) and, after
    the case's first set, tells it the letters are ready (``all_ready``): each True when
    the family was reached. Sending only: they call no use case."""

    deliver: Callable[[Approved], Awaitable[bool]]
    all_ready: Callable[[Approved], Awaitable[bool]]


@dataclass(frozen=True)
class Released:
    approved: Approved
    reached: bool  # False: the family was not reached; the letter stays approved, to send


@dataclass(frozen=True)
class Returned:
    entry: ReviewEntry
    note: str
    family_chat: int | None
    family_locale: str | None


# The kind of the family's notice that a letter comes back with the caseworker's note.
RETURNED = "review_returned"


@dataclass(frozen=True)
class FormAnswered:
    """A text typed into a review form: refused (``error``, the form stays open at its
    step), or acted on: the letter made again with the correction (``letter``), or the
    letter sent back (``returned``)."""

    name: str
    error: InvalidInput | None = None
    letter: ReviewLetter | None = None
    returned: Returned | None = None


@dataclass(frozen=True)
class ReviewReminder:
    """The reminder about one case's letters, and who receives it."""

    case_number: str
    waiting: int
    since: datetime
    recipients: tuple[tuple[int, str | None, str], ...]  # (chat id, language, time zone)


class RefusedOnPage(Invalid):
    """A desk action on a letter was refused (nothing changed); it carries the letter as
    it reads now (the reading audited), so the desk shows it again with the reason in one
    call."""

    def __init__(self, err: Invalid, letter: ReviewLetter) -> None:
        super().__init__(err.field, err.reason, **err.params)
        self.letter = letter


class ReviewService:
    def __init__(
        self,
        store: ReviewStore,
        cases: Store,
        letters: LetterService,
        staff: StaffService,
        forms: FollowupStore,
        clock: Clock,
        *,
        enabled: bool,
        timezone: str,
    ) -> None:
        self.store = store
        self.cases = cases
        self.letters = letters
        self.staff = staff
        self.forms = forms
        self.runner = FormRunner(forms, clock)  # the review forms, one engine for all
        self.clock = clock
        self.enabled = enabled
        self.timezone = timezone

    # --- the family's side -------------------------------------------------------------
    async def hold(self, family_id: int, case: Case, rows: list[LetterRow]) -> Held | None:
        """Queue letters the family is about to receive; None when review is off (they go
        straight to the family)."""
        if not self.enabled:
            return None
        if case.reporter_id != family_id:
            raise NotAllowed("case")
        now = self.clock.now()
        waiting = await self.store.hold(
            case.id,
            [r.id for r in rows],
            family_id,
            now,
            after_a_working_day(now, self.timezone),
        )
        return Held(case.number, waiting)

    # --- the caseworker's side ---------------------------------------------------------
    async def queue(self, actor: Actor) -> list[ReviewEntry]:
        self._require(actor)
        return await self.store.queue()

    async def of_case(self, actor: Actor, case_id: int) -> list[ReviewEntry]:
        """One case's letters in the queue (the desk's dossier links each to its page)."""
        self._require(actor)
        return await self.store.open_of_case(case_id)

    async def queue_screen(self, actor: Actor) -> ReviewQueue:
        """The desk's queue page: the letters waiting and their languages."""
        entries = await self.queue(actor)
        return ReviewQueue(tuple(entries), await self._languages(entries))

    async def _languages(self, entries: list[ReviewEntry]) -> dict[int, str]:
        found: dict[int, str] = {}
        options: dict[int, dict[str, Any]] = {}
        for entry in entries:
            row = await self.letters.store.get_letter(entry.letter_id)
            if row is None:
                continue
            if entry.case_id not in options:
                options[entry.case_id] = await self.letters.store.letter_options(entry.case_id)
            found[entry.letter_id] = self.letters.language_for(row, options[entry.case_id])
        return found

    async def waiting_count(self, actor: Actor) -> int:
        self._require(actor)
        return await self.store.count()

    async def read(self, actor: Actor, letter_id: int) -> ReviewLetter:
        """The letter made as the family would get it now; the reading is audited."""
        entry, case, row = await self._open(actor, letter_id)
        produced = await self._produce(case, row, actor)
        fields = await self._editable(case, row)
        await self.store.audit(actor.user_id, "review_read", entry, self.clock.now())
        return ReviewLetter(entry, produced, fields)

    async def ask_correction(
        self, actor: Actor, letter_id: int, field: str, update_id: int | None = None
    ) -> Editable:
        """Open the form for a new text of ``field``; returns the text the letter has now."""
        entry, case, row = await self._open(actor, letter_id)
        item = await self._field(case, row, field)
        data = {"letter_id": entry.letter_id, "field": field, "language": item.language}
        await self.runner.begin(actor.user_id, CORRECTION, data, update_id=update_id)
        return item

    async def correct(self, actor: Actor, letter_id: int, field: str, text: str) -> Editable:
        """Store the caseworker's text of ``field`` in the letter's language (the desk,
        where it is typed at once; the chat's form comes through ``answer_form``). A review
        form the person left open in the chat is closed with it: the letter has moved on."""
        return await self._correct(actor, letter_id, field, text, FormClosing(actor.user_id))

    async def correct_on_page(
        self, actor: Actor, letter_id: int, field: str, text: str
    ) -> Editable:
        """The desk's correction (``correct``; an empty text is refused too); refused:
        ``RefusedOnPage`` with the letter to show again."""
        try:
            if not text.strip():
                raise Invalid("text", "need_text")
            return await self.correct(actor, letter_id, field, text)
        except Invalid as err:
            raise RefusedOnPage(err, await self.read(actor, letter_id)) from err

    async def ask_note(
        self, actor: Actor, letter_id: int, update_id: int | None = None
    ) -> ReviewEntry:
        entry, _case, _row = await self._open(actor, letter_id)
        await self.runner.begin(
            actor.user_id, RETURN_NOTE, {"letter_id": entry.letter_id}, update_id=update_id
        )
        return entry

    async def answer_form(
        self, actor: Actor, form: Form, value: Input, update_id: int | None = None
    ) -> FormAnswered:
        """The text of an open review form (``REVIEW_FORMS``), checked by the form engine. The
        action closes the form in its own transaction, with the update that completed it:
        a crash before it keeps the form, one after it leaves the update handled. A refused
        text keeps the form open; a letter no longer open (or a person no longer allowed)
        closes it and raises."""
        if form.name not in REVIEW_FORMS:
            raise Invalid("form", "unknown")
        if actor.role not in MANAGERS:  # no longer a caseworker: the form goes too
            await self.runner.cancel(actor.user_id)
            raise NotAllowed(actor.role)
        today = self.clock.now().date()
        asked = await self.runner.answer(actor.user_id, form, value, today, update_id, close=False)
        if asked.error is not None:
            return FormAnswered(form.name, error=asked.error)
        return await self._act(actor, asked.form, FormClosing(actor.user_id, update_id))

    async def move(
        self, actor: Actor, op: str, update_id: int | None = None
    ) -> FormAnswered | None:
        """/back or /skip in an open review form (one text each: there is no step before
        it, and it cannot be left empty); None when none is open."""
        form = await self.runner.current(actor.user_id)
        if form is None or form.name not in REVIEW_FORMS:
            return None
        if op == "back":
            asked = await self.runner.back(actor.user_id, form, update_id)
        else:
            asked = await self.runner.skip(actor.user_id, form, update_id, close=False)
        if asked.error is not None or not asked.done:
            return FormAnswered(form.name, error=asked.error)
        return await self._act(actor, asked.form, FormClosing(actor.user_id, update_id))

    async def form_question(self, actor: Actor, form: Form) -> Editable | None:
        """What an open review form asks, to ask it again after a restart: the text of the
        field being corrected, or None for the note sending the letter back."""
        if form.name not in REVIEW_FORMS or actor.role not in MANAGERS:
            raise NotAllowed(actor.role)
        _entry, case, row = await self._open(actor, int(form.data.get("letter_id") or 0))
        if form.name == CORRECTION.name:
            return await self._field(case, row, str(form.data.get("field")))
        return None

    async def close_form(self, actor: Actor) -> None:
        await self.runner.cancel(actor.user_id)

    async def _act(self, actor: Actor, form: Form, closing: FormClosing) -> FormAnswered:
        data = forms.values(form)
        letter_id = int(data.get("letter_id") or 0)
        try:
            if form.name == CORRECTION.name:
                field = str(data.get("field"))
                await self._correct(actor, letter_id, field, str(data["text"]), closing)
            else:
                returned = await self._send_back(actor, letter_id, str(data["text"]), closing)
                return FormAnswered(form.name, returned=returned)
        except Invalid as err:
            if err.field in ("text", "note"):  # the text is refused after all: type it again
                return FormAnswered(form.name, error=InvalidInput(err.reason, **err.params))
            await self.runner.cancel(actor.user_id)
            raise
        except (NotAllowed, NotFound):
            await self.runner.cancel(actor.user_id)
            raise
        return FormAnswered(form.name, letter=await self.read(actor, letter_id))

    async def _correct(
        self, actor: Actor, letter_id: int, field: str, text: str, closing: FormClosing
    ) -> Editable:
        entry, case, row = await self._open(actor, letter_id)
        item = await self._field(case, row, field)
        cleaned = self._checked(CORRECTION, text, {"language": item.language}, "text")
        await self.store.correct(
            entry, field, item.language, cleaned, actor.user_id, self.clock.now(), closing
        )
        return Editable(field, item.language, cleaned)

    def _checked(self, spec: FormSpec, text: str, data: dict[str, Any], name: str) -> str:
        """``text`` as the form's one step takes it, with the same rules as in the chat
        (length, the letter's language); refused: ``Invalid(name, code)``."""
        try:
            filled = forms.apply(
                spec, forms.begin(spec, data), TextInput(text), self.clock.now().date()
            )
        except InvalidInput as err:
            raise Invalid(name, err.code, **err.params) from err
        return str(filled.form.data[spec.steps[0].key])

    async def approve(self, actor: Actor, letter_id: int) -> Approved:
        """Approve the letter; it is made again with every correction, for the family."""
        entry, case, row = await self._open(actor, letter_id)
        produced = await self._produce(case, row, actor)  # outside the transaction
        if not await self.store.decide(entry, "approved", actor.user_id, self.clock.now()):
            raise NotFound("decided meanwhile")
        chat, locale = await self._family(case)
        waiting = [e for e in await self.store.open_of_case(case.id) if e.state == "waiting"]
        return Approved(entry, produced, chat, locale, len(waiting))

    async def approve_and_release(self, actor: Actor, letter_id: int, out: Release) -> Released:
        """Approve the letter and hand it to the family (``out``), then record that it was
        received, which may complete the case's first set of letters (the family is then
        told, as without review). Not reached: the letter stays approved in the queue."""
        approved = await self.approve(actor, letter_id)
        if not await out.deliver(approved):
            return Released(approved, False)
        reached = True
        if await self.delivered(actor, approved):
            reached = await out.all_ready(approved)
        return Released(approved, reached)

    async def approve_on_page(self, actor: Actor, letter_id: int, out: Release) -> Released:
        """The desk's approval (``approve_and_release``); refused: ``RefusedOnPage`` with
        the letter to show again."""
        try:
            return await self.approve_and_release(actor, letter_id, out)
        except Invalid as err:
            raise RefusedOnPage(err, await self.read(actor, letter_id)) from err

    async def delivered(self, actor: Actor, approved: Approved) -> bool:
        """The family received the approved letter. True when that completed the case's
        first set of letters: the case's letters are then ready, and the family is told
        so, as without review (a later single letter comes alone)."""
        self._require(actor)
        await self.store.delivered(approved.entry.letter_id, self.clock.now())
        if await self.store.open_of_case(approved.entry.case_id):
            return False
        case = await self.cases.get_case_by_id(approved.entry.case_id)
        if case is None or case.status != CaseStatus.REPORTED:
            return False
        await self.letters.mark_ready(case, actor.user_id)
        return True

    async def send_back(self, actor: Actor, letter_id: int, note: str) -> Returned:
        """The letter goes back to the family with the caseworker's note (sent, not kept:
        the audit keeps that it was returned, never what the note said). A review form the
        person left open in the chat is closed with it."""
        return await self._send_back(actor, letter_id, note, FormClosing(actor.user_id))

    async def send_back_on_page(self, actor: Actor, letter_id: int, note: str) -> Returned:
        """The desk's return (``send_back``; an empty note is refused too); refused:
        ``RefusedOnPage`` with the letter to show again."""
        try:
            if not note.strip():
                raise Invalid("note", "need_text")
            return await self.send_back(actor, letter_id, note)
        except Invalid as err:
            raise RefusedOnPage(err, await self.read(actor, letter_id)) from err

    async def _send_back(
        self, actor: Actor, letter_id: int, note: str, closing: FormClosing
    ) -> Returned:
        """The decision and the family's notice (the note, in the family's language when
        sent) are one transaction: a crash before the send loses no note."""
        entry, case, _row = await self._open(actor, letter_id)
        cleaned = self._checked(RETURN_NOTE, note, {}, "note")
        now = self.clock.now()
        chat, locale = await self._family(case)
        notice = None
        if chat is not None:
            values = {
                "addressee": entry.addressee_id,
                "case_number": entry.case_number,
                "note": cleaned,
            }
            notice = NewNotice(entry.reporter_id, chat, locale or "", RETURNED, values)
        if not await self.store.decide(entry, "returned", actor.user_id, now, closing, notice):
            raise NotFound("decided meanwhile")
        return Returned(entry, cleaned, chat, locale)

    # --- the reminder (handlers.jobs) --------------------------------------------------
    async def reminder(self, reminder: Reminder) -> ReviewReminder | None:
        """The reminder to send now; None when the case's letters were all decided, or
        at night or at the weekend (then it is moved to the next working morning)."""
        later = working_hours_from(self.clock.now(), self.timezone)
        if later is not None:
            await self.forms.postpone(reminder.id, later)
            return None
        waiting = [
            e for e in await self.store.open_of_case(reminder.case_id or 0) if e.state == "waiting"
        ]
        if not waiting:
            await self.forms.reminder_failed(reminder.id, "not needed", None, self.clock.now())
            return None
        recipients: list[tuple[int, str | None, str]] = []
        for member in await self.staff.staff.members(Role.CASEWORKER.value):
            zone = await self.staff.timezone_of(member.user_id)
            recipients.append((member.chat_id, member.locale, zone))
        for admin in sorted(self.staff.admin_ids):
            user = await self.cases.get_user(admin)
            zone = await self.staff.timezone_of(admin)
            recipients.append((self.staff.admin_chat(admin), user.locale if user else None, zone))
        since = min(e.queued_at for e in waiting)
        return ReviewReminder(waiting[0].case_number, len(waiting), since, tuple(recipients))

    async def reminded(self, reminder: Reminder) -> None:
        """Sent: marked so, and the next one a working day later while letters wait."""
        now = self.clock.now()
        await self.forms.reminder_sent(reminder.id, now)
        await self.store.remind_again(
            reminder.case_id or 0, after_a_working_day(now, self.timezone), now
        )

    async def reminder_later(self, reminder: Reminder, error: str) -> None:
        """Telegram did not take it now (a pause it asked for, the network): again later."""
        now = self.clock.now()
        await self.forms.reminder_failed(reminder.id, error, now + RETRY, now)

    # --- one place for who may do what -------------------------------------------------
    async def _open(self, actor: Actor, letter_id: int) -> tuple[ReviewEntry, Case, LetterRow]:
        self._require(actor)
        entry = await self.store.entry(letter_id)
        if entry is None:
            raise NotFound("letter")
        case = await self.cases.get_case_by_id(entry.case_id)
        row = await self.letters.store.get_letter(letter_id)
        if case is None or row is None:
            raise NotFound("letter")
        return entry, case, row

    async def _produce(self, case: Case, row: LetterRow, actor: Actor) -> Produced:
        try:
            return await self.letters.produce(case, row, actor.user_id)
        except ForeignText as err:  # a translation left to the organisation is missing
            raise Invalid("letter", "untranslated") from err

    async def _editable(self, case: Case, row: LetterRow) -> tuple[Editable, ...]:
        options = await self.letters.options(case)
        language = self.letters.language_for(row, options)
        report = case.report
        shown = texts(report, self.letters.render_options(options, case, row))
        return tuple(
            Editable(
                key, language, str((report.translations.get(key) or {}).get(language) or text)
            )
            for key, text in shown.items()
        )

    async def _field(self, case: Case, row: LetterRow, field: str) -> Editable:
        for item in await self._editable(case, row):
            if item.field == field:
                return item
        raise Invalid("field", "unknown")

    async def _family(self, case: Case) -> tuple[int | None, str | None]:
        user = await self.cases.get_user(case.reporter_id)
        return (user.chat_id, user.locale) if user else (None, None)

    @staticmethod
    def _require(actor: Actor) -> None:
        if actor.role not in MANAGERS:
            raise NotAllowed(actor.role)
