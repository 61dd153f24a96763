"""Use cases of the international route: the checklist, the family's consent, the English
translations, the submission, and marking a case as submitted to the UN.

Who may do what: the family (the case's reporter) sees its checklist and gives or changes
its consent; staff who may see the case see the checklist and write translations;
caseworkers and administrators make the submission and mark it sent. Every step by staff
is in the audit log, and consent and submission enter the case's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.clock import Clock, local_today
from bot.domain import forms
from bot.domain.forms import Form
from bot.domain.inputs import Input
from bot.domain.models import Case
from bot.domain.un_forms import SUBMISSION, TRANSLATION, UN_FORMS
from bot.domain.validators import InvalidInput
from bot.letters.directory import load_directory, regional_offices
from bot.letters.worker import WORKER
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.forms import Asked, FormRunner
from bot.services.staff import MANAGERS, STAFF_ROLES, Actor, StaffService
from bot.storage.followup import FollowupStore
from bot.storage.notices import NewNotice
from bot.storage.store import FormClosing, LetterStore
from bot.storage.un import UnRecord, UnStore
from bot.un import ladder, translation
from bot.un.checklist import Checklist, Consent, SentLetter
from bot.un.procedures import CedStatus, ced_status
from bot.un.submission import (
    NotReady,
    Organisation,
    SubmissionInput,
    checklist_of,
    file_name,
    make_submission,
)
from bot.un.translation import Pending

__all__ = [
    "UN_SUBMITTED",
    "Form",
    "FormAnswered",
    "FormQuestion",
    "Moved",
    "NotReady",
    "Opened",
    "Overview",
    "Person",
    "Recipient",
    "StaffPage",
    "Submission",
    "Tapped",
    "UnService",
]

TIMEZONES = {"KZ": "Asia/Almaty", "KG": "Asia/Bishkek"}
MAX_REFERENCE = 100


@dataclass(frozen=True)
class Overview:
    """A case as the international route sees it."""

    checklist: Checklist
    consent: Consent
    record: UnRecord
    untranslated: list[Pending]
    ced: CedStatus
    organisation_known: bool


@dataclass(frozen=True)
class Submission:
    pdf: bytes
    docx: bytes
    pdf_name: str
    docx_name: str
    text: str
    urgent: bool


@dataclass(frozen=True)
class Person:
    """Who acts on the UN route, and the language they chose (None: not chosen yet)."""

    actor: Actor
    locale: str | None


@dataclass(frozen=True)
class StaffPage:
    """The case's UN page for staff: the overview and the family's texts this person may
    read, each to be translated into English."""

    overview: Overview
    texts: tuple[Pending, ...]


@dataclass(frozen=True)
class Recipient:
    """Where and in which language the family is told of a step of its case."""

    chat_id: int
    locale: str


@dataclass(frozen=True)
class FormAnswered:
    """A text typed into a form of the UN route. ``step``: the step to ask now (the same
    one when ``error`` refused the text), None once the form is complete and acted on:
    a translation saved (``missing``: the texts still untranslated) or the case marked as
    submitted on ``submitted_on`` (``family``: whom to tell, None when no one)."""

    name: str
    case: Case
    step: str | None = None
    error: InvalidInput | None = None
    missing: tuple[Pending, ...] = ()
    submitted_on: date | None = None
    family: Recipient | None = None
    page: StaffPage | None = None  # after a translation: the case's page, to show again


@dataclass(frozen=True)
class Moved:
    """/back or /skip in an open form of the route: who moved (their language for the
    reply), and what the form asks now (None: the case is out of this person's reach,
    the form is closed)."""

    person: Person
    answered: FormAnswered | None


@dataclass(frozen=True)
class Opened:
    """What /un [NUMBER] shows: a staff member's page of the case, the family's
    checklist of its case, or why there is nothing to show (``missing``: "number" when
    a staff member gave none, "cases" when the family has none, "this" when none of its
    cases has the number)."""

    case: Case | None = None
    overview: Overview | None = None
    page: StaffPage | None = None
    missing: Literal["number", "cases", "this"] | None = None


# The buttons of the route (``un:<action>:<case id>[:value]``): the family's checklist,
# its two consent answers, and staff's page, translation, submission and its date.
FAMILY, NAME, BEHALF = "family", "name", "behalf"
STAFF, TRANSLATE, PRODUCE, MARK = "staff", "translate", "produce", "mark"


@dataclass(frozen=True)
class Tapped:
    """What a button of the route did to ``case``, and what to show next: the family's
    checklist (``overview``; ``saved`` after a consent answer), the staff page, the text
    to translate (``pending``), the submission made or why it cannot be made yet
    (``not_ready``), or the question of the submission's date (``asked_date``)."""

    case: Case
    overview: Overview | None = None
    saved: bool = False
    page: StaffPage | None = None
    pending: Pending | None = None
    submission: Submission | None = None
    not_ready: NotReady | None = None
    asked_date: bool = False


# The kind of the family's notice that its case was submitted to the Working Group.
UN_SUBMITTED = "un_submitted"


@dataclass(frozen=True)
class FormQuestion:
    """The question of an open form of the route: ``pending`` is the text to translate
    (the translation form), else ``step`` of the submission is asked."""

    case: Case
    step: str
    pending: Pending | None = None


class UnService:
    def __init__(
        self,
        store: UnStore,
        letters: LetterStore,
        followups: FollowupStore,
        staff: StaffService,
        clock: Clock,
        organisation: Organisation,
    ) -> None:
        self.store = store
        self.letters = letters
        self.followups = followups
        self.forms = FormRunner(followups, clock)  # the route's forms, one engine for all
        self.staff = staff
        self.clock = clock
        self.organisation = organisation

    # --- reading ----------------------------------------------------------------------
    async def _input(self, case: Case, record: UnRecord, locale: str) -> SubmissionInput:
        replies = await self.followups.replies_of_case(case.id)
        by_letter: dict[int, list[tuple[date, str]]] = {}
        for r in sorted(replies, key=lambda r: r.received_on):
            by_letter.setdefault(r.letter_id, []).append((r.received_on, r.outcome))
        sent = [
            SentLetter(
                row.addressee_id,
                row.kind,
                row.sent_on,
                row.reference or "",
                row.due_on,
                tuple(by_letter.get(row.id, ())),
            )
            for row in await self.letters.letters_of(case.id)
            if row.sent_on is not None and row.channel != "forwarded"
        ]
        consent = Consent(
            record.may_name,
            record.on_behalf,
            record.consent_at.date() if record.consent_at else None,
        )
        bodies = (*load_directory().values(), *regional_offices().values())
        kinds = {a.id: (a.kind, a.country) for a in bodies}
        return SubmissionInput(
            case.number,
            dict(case.answers),
            tuple(sent),
            consent,
            dict(record.translations),
            self.organisation,
            locale,
            local_today(self.clock, TIMEZONES.get(case.citizenship)),
            kinds,
        )

    async def overview(self, actor: Actor, case: Case, locale: str = "ru") -> Overview:
        """The checklist and everything around it, for the family or for staff."""
        await self._may_see(actor, case)
        record = await self.store.get(case.id)
        data = await self._input(case, record, locale)
        return Overview(
            checklist_of(data),
            data.consent,
            record,
            translation.missing(case.answers, record.translations),
            ced_status(case.citizenship),
            self.organisation.known,
        )

    async def offer_at_once(self, case: Case) -> bool:
        """Right after the report: is the UN route to be offered now (urgent, held by State)?"""
        data = await self._input(case, UnRecord(case.id), "ru")
        return ladder.offer_at_once(checklist_of(data))

    # --- the family -------------------------------------------------------------------
    async def set_consent(
        self,
        actor: Actor,
        case: Case,
        *,
        may_name: bool | None = None,
        on_behalf: bool | None = None,
    ) -> Consent:
        """The family answers one of the two questions; the other answer is kept."""
        if case.reporter_id != actor.user_id:
            raise NotAllowed("only the family decides")
        record = await self.store.get(case.id)
        new_name = record.may_name if may_name is None else may_name
        new_behalf = record.on_behalf if on_behalf is None else on_behalf
        await self.store.set_consent(
            case.id,
            may_name=new_name,
            on_behalf=new_behalf,
            actor_id=actor.user_id,
            now=self.clock.now(),
        )
        return Consent(new_name, new_behalf, self.clock.now().date())

    # --- staff ------------------------------------------------------------------------
    async def translate(
        self,
        actor: Actor,
        case: Case,
        key: str,
        text: str,
        closing: FormClosing | None = None,
    ) -> list[Pending]:
        """Store the English text of one free-text answer (and close the form that asked
        for it, ``closing``, in the same transaction); returns what is still missing."""
        if actor.role not in STAFF_ROLES or not await self.staff.may_see(actor, case):
            raise NotAllowed("translate")
        keys = {p.key for p in translation.texts_to_translate(case.answers)}
        if key not in keys:
            raise ValueError(key)
        await self._may_read(actor, case, key)
        cleaned = translation.clean(text)[: translation.MAX_LEN]
        if not cleaned and key in translation.REQUIRED:
            raise ValueError("required")
        now = self.clock.now()
        await self.store.set_translation(case.id, key, cleaned, actor.user_id, now, closing)
        record = await self.store.get(case.id)
        return translation.missing(case.answers, record.translations)

    async def produce(self, actor: Actor, case: Case, family_locale: str) -> Submission:
        """The submission as PDF and DOCX; raises NotReady with what is missing."""
        self._require(actor)
        record = await self.store.get(case.id)
        data = await self._input(case, record, family_locale)
        checklist = checklist_of(data)
        untranslated = translation.missing(data.answers, data.translations)
        if not checklist.complete or untranslated:
            raise NotReady([e.code for e in checklist.missing], [p.key for p in untranslated])
        letter, pdf, docx = await WORKER.run(make_submission, data)
        await self.store.record_produced(case.id, actor.user_id, self.clock.now())
        return Submission(
            pdf,
            docx,
            file_name(case.number, "pdf"),
            file_name(case.number, "docx"),
            letter.text,
            checklist.urgent.open,
        )

    async def mark_submitted(
        self,
        actor: Actor,
        case: Case,
        on: date,
        reference: str,
        closing: FormClosing | None = None,
        notice: NewNotice | None = None,
    ) -> None:
        """The case went to the Working Group on ``on``: timeline, statistics, audit (and
        the form that asked for it closed, ``closing``, and the family's ``notice``
        written, in the same transaction)."""
        self._require(actor)
        record = await self.store.get(case.id)
        data = await self._input(case, record, "ru")
        window = checklist_of(data).urgent
        urgent = (
            window.start is not None
            and window.closes is not None
            and window.start <= on <= window.closes
        )
        await self.store.mark_submitted(
            case.id,
            on,
            reference.strip()[:MAX_REFERENCE],
            urgent,
            actor.user_id,
            self.clock.now(),
            closing,
            notice,
        )

    # --- the chat's use cases (the acting person by user key) ----------------------------
    async def who(self, user_key: int, shown_name: str) -> Person:
        """The acting person's role and language (a staff member's own, else the family's);
        a staff member's shown name is kept up to date on the way."""
        actor = await self.staff.actor(user_key)
        await self.staff.remember_name(actor, shown_name)
        member = await self.staff.staff.get(user_key)
        user = await self.staff.store.get_user(user_key)
        return Person(
            actor, (member.locale if member else None) or (user.locale if user else None)
        )

    async def case_for(
        self, actor: Actor, *, number: str | None = None, case_id: int | None = None
    ) -> Case:
        """The case if this person may see it (a view by staff is audited)."""
        case = await self.staff.open_case(actor, number=number, case_id=case_id)
        if case is None:
            raise NotFound("case")
        return case

    async def family_cases(self, actor: Actor) -> list[Case]:
        """The cases this person reported, oldest first."""
        return await self.staff.store.cases_of(actor.user_id)

    async def staff_page(self, actor: Actor, case: Case, locale: str) -> StaffPage:
        """The checklist with the texts to translate that this person may read (a volunteer
        reads the family's account only if a caseworker allowed it)."""
        if actor.role not in STAFF_ROLES:
            raise NotAllowed(actor.role)
        view = await self.overview(actor, case, locale)
        visible = await self.staff.visible_answers(actor, case)
        texts = tuple(
            p
            for p in translation.texts_to_translate(case.answers)
            if p.key.split(".")[0] in visible
        )
        return StaffPage(view, texts)

    async def make_submission(self, actor: Actor, case: Case) -> Submission:
        """The submission, its dates written for the family's language."""
        family = await self.staff.store.get_user(case.reporter_id)
        return await self.produce(actor, case, family.locale if family else "ru")

    async def record_submission(
        self,
        actor: Actor,
        case: Case,
        on: date,
        reference: str,
        closing: FormClosing | None = None,
    ) -> Recipient | None:
        """Mark the case as submitted (closing the form that asked for it, ``closing``)
        and write the family's notice with it (``UN_SUBMITTED``: a crash before it is sent
        loses nothing); returns whom it goes to (None when the family deleted its data or
        blocked the bot)."""
        family = await self.staff.store.get_user(case.reporter_id)
        if family is None or family.blocked_at is not None:
            await self.mark_submitted(actor, case, on, reference, closing)
            return None
        values = {"case_number": case.number, "on": on.isoformat()}
        notice = NewNotice(family.user_id, family.chat_id, family.locale, UN_SUBMITTED, values)
        await self.mark_submitted(actor, case, on, reference, closing, notice)
        return Recipient(family.chat_id, family.locale)

    # --- the staff forms (a restart in the middle loses nothing) -------------------------
    async def ask_translation(
        self, actor: Actor, case: Case, key: str, update_id: int | None = None
    ) -> Pending:
        """Open the form for the English text of ``key``; returns the text to translate."""
        found = [p for p in translation.texts_to_translate(case.answers) if p.key == key]
        if not found or actor.role not in STAFF_ROLES:
            raise ValueError(key)
        await self._may_read(actor, case, key)
        data = {"case_id": case.id, "key": key}
        await self.forms.begin(actor.user_id, TRANSLATION, data, update_id=update_id)
        return found[0]

    async def ask_submission_date(
        self, actor: Actor, case: Case, update_id: int | None = None
    ) -> None:
        self._require(actor)
        await self.forms.begin(
            actor.user_id, SUBMISSION, {"case_id": case.id}, update_id=update_id
        )

    async def answer_form(
        self,
        actor: Actor,
        form: Form,
        value: Input,
        update_id: int | None = None,
        locale: str = "ru",
    ) -> FormAnswered:
        """A text typed into an open form of the route (``UN_FORMS``), checked by the form
        engine. The action closes the form in its own transaction, with the update that
        completed it: a crash before it keeps the form, one after it leaves the update
        handled. A refused text keeps the form at its step; a case this person may no
        longer see or act on closes it and raises."""
        case = await self._form_case(actor, form)
        today = local_today(self.clock, await self.staff.timezone_of(actor.user_id))
        asked = await self.forms.answer(actor.user_id, form, value, today, update_id, close=False)
        return await self._after(actor, case, form, asked, update_id, locale)

    async def move(
        self, actor: Actor, op: str, update_id: int | None = None, locale: str = "ru"
    ) -> FormAnswered | None:
        """/back or /skip in an open form of the route; None when none is open."""
        form = await self.forms.current(actor.user_id)
        if form is None or form.name not in UN_FORMS:
            return None
        case = await self._form_case(actor, form)
        if op == "back":
            asked = await self.forms.back(actor.user_id, form, update_id)
        else:
            asked = await self.forms.skip(actor.user_id, form, update_id, close=False)
        return await self._after(actor, case, form, asked, update_id, locale)

    async def move_open_form(
        self,
        user_key: int,
        shown_name: str,
        op: str,
        update_id: int | None = None,
        locale: str = "ru",
    ) -> Moved | None:
        """/back or /skip: None at once when no form of the route is open (the common
        case: the command is for another form or the report, and nobody is looked up);
        else ``move`` for the person (``who``). ``locale``: the language of a person who
        has not chosen one, for the page shown after a translation."""
        form = await self.forms.current(user_key)
        if form is None or form.name not in UN_FORMS:
            return None
        person = await self.who(user_key, shown_name)
        try:
            answered = await self.move(person.actor, op, update_id, person.locale or locale)
        except (NotFound, NotAllowed, ValueError):
            return Moved(person, None)
        return None if answered is None else Moved(person, answered)

    async def open_page(self, actor: Actor, number: str, locale: str) -> Opened:
        """/un [NUMBER]: for staff with a number, the case's page (a case out of reach
        raises ``NotFound`` or ``NotAllowed``); else the checklist of the family's case
        with that number, or of its latest case."""
        if actor.role in STAFF_ROLES and number:
            case = await self.case_for(actor, number=number)
            return Opened(case, page=await self.staff_page(actor, case, locale))
        cases = await self.family_cases(actor)
        if not cases:
            return Opened(missing="number" if actor.role in STAFF_ROLES else "cases")
        if number:
            cases = [c for c in cases if c.number == number]
        if not cases:
            return Opened(missing="this")
        case = cases[-1]
        return Opened(case, overview=await self.overview(actor, case, locale))

    async def tap(
        self,
        actor: Actor,
        case_id: int,
        action: str,
        value: str | None,
        locale: str,
        update_id: int | None = None,
    ) -> Tapped:
        """A button of the route on a case this person may see (``case_for``): the
        action, then what to show. A family's button pressed by someone else, a staff
        button pressed by the family, or a bad value raise (``NotAllowed``,
        ``ValueError``)."""
        case = await self.case_for(actor, case_id=case_id)
        if action == FAMILY and case.reporter_id == actor.user_id:
            return Tapped(case, overview=await self.overview(actor, case, locale))
        if action in (NAME, BEHALF) and value is not None:
            if value not in ("0", "1"):
                raise Invalid("consent", value)
            if action == NAME:
                await self.set_consent(actor, case, may_name=value == "1")
            else:
                await self.set_consent(actor, case, on_behalf=value == "1")
            return Tapped(case, overview=await self.overview(actor, case, locale), saved=True)
        if actor.role not in STAFF_ROLES:
            raise NotAllowed(action)
        if action == STAFF:
            return Tapped(case, page=await self.staff_page(actor, case, locale))
        if action == TRANSLATE and value is not None:
            pending = await self.ask_translation(actor, case, value, update_id)
            return Tapped(case, pending=pending)
        if action == PRODUCE:
            try:
                return Tapped(case, submission=await self.make_submission(actor, case))
            except NotReady as err:
                return Tapped(case, not_ready=err)
        if action == MARK:
            await self.ask_submission_date(actor, case, update_id)
            return Tapped(case, asked_date=True)
        raise NotAllowed(action)

    async def form_question(self, actor: Actor, form: Form) -> FormQuestion:
        """What an open form of the route asks, to ask it again after a restart: the text
        to translate, or the step of the submission (its date or its reference)."""
        case = await self._form_case(actor, form)
        if form.name != TRANSLATION.name:
            return FormQuestion(case, form.step)
        key = str(form.data.get("key"))
        found = [p for p in translation.texts_to_translate(case.answers) if p.key == key]
        if not found:
            raise NotFound(key)
        await self._may_read(actor, case, key)
        return FormQuestion(case, form.step, found[0])

    async def close_form(self, actor: Actor) -> None:
        await self.forms.cancel(actor.user_id)

    async def _form_case(self, actor: Actor, form: Form) -> Case:
        """The form's case, if this staff member may still see it; else the form is closed."""
        if form.name not in UN_FORMS:
            raise Invalid("form", "unknown")
        try:
            if actor.role not in STAFF_ROLES:
                raise NotAllowed(actor.role)
            return await self.case_for(actor, case_id=int(form.data.get("case_id") or 0))
        except (NotFound, NotAllowed):
            await self.close_form(actor)
            raise

    async def _after(
        self,
        actor: Actor,
        case: Case,
        form: Form,
        asked: Asked,
        update_id: int | None,
        locale: str = "ru",
    ) -> FormAnswered:
        """The form's next step, or its action done; after a translation, the case's
        page in ``locale`` (the translator sees what is still to translate)."""
        if asked.error is not None or not asked.done:
            return FormAnswered(form.name, case, asked.form.step, asked.error)
        data = forms.values(asked.form)
        closing = FormClosing(actor.user_id, update_id)
        try:
            if form.name == TRANSLATION.name:
                key, text = str(data.get("key")), str(data["text"])
                missing = await self.translate(actor, case, key, text, closing)
                page = await self.staff_page(actor, case, locale)
                return FormAnswered(form.name, case, missing=tuple(missing), page=page)
            # A form left open by an earlier version of the bot kept the date under "on".
            on = date.fromisoformat(str(data.get("date") or data.get("on")))
            reference = str(data.get("ref") or "")
            family = await self.record_submission(actor, case, on, reference, closing)
        except (NotAllowed, NotFound, ValueError):
            await self.close_form(actor)
            raise
        return FormAnswered(form.name, case, submitted_on=on, family=family)

    async def counts(self, actor: Actor) -> tuple[int, int]:
        self._require(actor)
        return await self.store.counts()

    async def _may_read(self, actor: Actor, case: Case, key: str) -> None:
        """A volunteer translates the family's account only if a caseworker let them read it."""
        visible = await self.staff.visible_answers(actor, case)
        if key.split(".")[0] not in visible:
            raise NotAllowed(key)

    async def _may_see(self, actor: Actor, case: Case) -> None:
        if not await self.staff.may_see(actor, case):
            raise NotAllowed("case")

    @staticmethod
    def _require(actor: Actor) -> None:
        if actor.role not in MANAGERS:
            raise NotAllowed(actor.role)
