"""The letters of a case: which bodies, which language, what was produced.

Joins the letters core (``bot.letters``: directory, recommendations,
templates, PDF/DOCX) with storage. Rendering a PDF takes a good part of a
second of CPU, so a letter is made in a worker process (``bot.letters.worker``),
never on the event loop that serves every family.

The family's actions (see the use cases at the end of ``LetterService``) take the
acting person's user key and check in one place that the case is theirs; each returns
what comes next as plain data (``Step``), so the chat only renders it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from bot.clock import Clock, local_today
from bot.domain import forms
from bot.domain.forms import Form
from bot.domain.inputs import Input
from bot.domain.letter_forms import IIN, LETTER_FORMS, TRANSLATE, check_in_language, digest
from bot.domain.models import Case, CaseStatus, Report
from bot.domain.validators import InvalidInput
from bot.letters.directory import Addressee, load_directory
from bot.letters.model import EarlierLetter, Letter, RenderOptions
from bot.letters.recommend import military_involved, reason_for, recommend
from bot.letters.render import (
    TemplateMissing,
    available_languages,
    file_name,
    form_chunks,
    render_letter,
)
from bot.letters.translations import ForeignText, Needed, needed
from bot.letters.translations import texts as free_texts
from bot.letters.worker import WORKER, make_letter
from bot.replies.evidence import FormEvidence
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.forms import FormRunner
from bot.services.staff import STAFF_ROLES, Actor, StaffService
from bot.storage.followup import FollowupStore
from bot.storage.store import FormClosing, LetterRow, LetterStore, Store

if TYPE_CHECKING:
    from bot.services.review import Held

# The rows and forms the use cases return, named here so the chat needs no storage import.
__all__ = [
    "Form",
    "LetterChoice",
    "LetterRow",
    "LetterService",
    "LetterSet",
    "OnlineText",
    "Produced",
    "Step",
]

# Bodies whose online form limit is unknown: one Telegram message of text at most.
DEFAULT_TEXT_LIMIT = 4000
TIMEZONES = {"KZ": "Asia/Almaty", "KG": "Asia/Bishkek"}
# States that prosecute their citizens for taking part in a foreign armed conflict.
HOME_STATES = ("KZ", "KG")
# How a reply is cited in a later letter (codes of EarlierLetter.outcome).
CITED_OUTCOME = {
    "answered": "answered",
    "found": "answered",
    "form": "form",
    "refused": "refused",
    "forwarded": "forwarded",
    "extension": "none",
}
# What each answer to the legal-risk note keeps in the letters (``RenderOptions``).
RISK_OPTIONS: dict[str, dict[str, bool]] = {
    "protect": {"include_perpetrator": True, "include_story": True, "home_details": False},
    "all": {"include_perpetrator": True, "include_story": True, "home_details": True},
    "nonames": {"include_perpetrator": False, "include_story": True, "home_details": False},
    "minimal": {"include_perpetrator": False, "include_story": False, "home_details": False},
}
LETTER_LANGUAGES = ("kk", "ky", "ru")


@dataclass(frozen=True)
class Produced:
    """One letter, ready to hand to the family in three forms."""

    row: LetterRow
    addressee: Addressee
    letter: Letter
    pdf: bytes
    docx: bytes
    pdf_name: str
    docx_name: str
    chunks: list[str]
    form_limit: int | None


@dataclass(frozen=True)
class LetterChoice:
    """One body of a case's letter set: chosen or not, and why it is recommended."""

    letter_id: int
    addressee: Addressee
    selected: bool
    reason: str  # a code of bot.letters.recommend.REASONS, or ""


@dataclass(frozen=True)
class LetterSet:
    case: Case
    choices: tuple[LetterChoice, ...]

    @property
    def chosen(self) -> tuple[LetterChoice, ...]:
        return tuple(c for c in self.choices if c.selected)


@dataclass(frozen=True)
class FamilyLetters:
    """/letters: the family's cases, and the letter set of the only one (None when there
    are none or several to choose from)."""

    cases: tuple[Case, ...]
    shown: LetterSet | None


@dataclass(frozen=True)
class Step:
    """What comes next on the way to the letters: a question for the family, or the
    letters that can be made now (``PRODUCE``). ``letter_id`` is set when the family
    asked for one letter (a follow-up) rather than the whole set."""

    NOTHING_CHOSEN = "nothing_chosen"
    RISK = "risk"  # the legal-risk note and its choices
    LANGUAGE = "language"  # state language or Russian, for the national bodies
    IIN = "iin"  # the applicant's IIN (the IIN form is open)
    TRANSLATE = "translate"  # one text in the letter's language (the form is open)
    PRODUCE = "produce"  # ``ready`` can be made; ``waiting`` waits for the organisation
    WAITING = "waiting"  # nothing to make now: the organisation writes the translations
    STALE = "stale"  # the button belonged to a question no longer asked
    NOTHING = "nothing"  # nothing to say (the letter asked for is no longer the case's)

    case: Case
    kind: str
    letter_id: int | None = None
    languages: tuple[str, ...] = ()
    needed: Needed | None = None
    ready: tuple[LetterRow, ...] = ()
    waiting: tuple[Addressee, ...] = ()
    # A typed answer refused (``IIN``/``TRANSLATE`` asked again): say why first.
    error: InvalidInput | None = None
    # ``PRODUCE`` with a ``Delivery``: how many letters were made and handed over, or
    # what waits for a caseworker (letter review); None when none was to be made.
    made: int | Held | None = None


@dataclass(frozen=True)
class OnlineText:
    """A letter as text for the body's online form, in parts that fit its limit."""

    chunks: tuple[str, ...]
    limit: int | None


# Where a made letter goes: the front end hands it to the family (letter i of total).
HandOver = Callable[[Produced, int, int], Awaitable[None]]


@dataclass(frozen=True)
class Delivery:
    """How the front end shows letters made in a use case: ``starting`` before any is
    made (the step that makes them), ``hand_over`` each one as soon as it is made."""

    starting: Callable[[Step], Awaitable[None]]
    hand_over: HandOver


# Letter review (IZDEU_LETTER_REVIEW): the application sets ``LetterService.review_gate`` to
# ``ReviewService.hold``; letters it takes wait for a caseworker instead of going to the
# family (it answers None when review is off).
ReviewGate = Callable[[int, Case, list[LetterRow]], Awaitable["Held | None"]]


class LetterService:
    def __init__(
        self,
        store: LetterStore,
        clock: Clock,
        followups: FollowupStore | None = None,
        cite_form_copies: bool = False,
        staff: StaffService | None = None,
    ) -> None:
        self.store = store
        self.staff = staff
        self.cite_form_copies = cite_form_copies
        self.clock = clock
        self.followups = followups
        # The IIN and translation forms (``bot.domain.letter_forms``), one engine for all.
        self.forms = FormRunner(followups or FollowupStore(store.db), clock)
        self.directory = load_directory()
        self.cases = Store(store.db)
        self.review_gate: ReviewGate | None = None

    async def warm_up(self) -> None:
        """Start the letter worker now (it parses the fonts), so the first family waits less."""
        await WORKER.warm_up()

    async def worker_alive(self) -> bool:
        """Whether the letter worker answers (for the health check)."""
        return await WORKER.alive()

    def stop_worker(self) -> None:
        """Stop the letter worker (when the bot stops)."""
        WORKER.close()

    async def letter_set(self, case: Case) -> list[LetterRow]:
        """The case's letters; made from the recommendations the first time.

        Every body of the directory gets a row, unselected unless recommended, so
        the family can add any body with the same button that removes one.
        """
        rows = [r for r in await self.store.letters_of(case.id) if r.parent_id is None]
        if rows:
            return rows
        picks = recommend(case.report)
        chosen = {p.addressee_id for p in picks}
        new = [(p.addressee_id, p.kind, p.reason_code, True) for p in picks]
        new += [
            (a.id, a.letter_kind, reason_for(a.id), False)
            for a in self.directory.values()
            if a.id not in chosen and a.country in (case.citizenship, "RU", "INT")
        ]
        await self.store.add_letters(case.id, new, self.clock.now())
        return [r for r in await self.store.letters_of(case.id) if r.parent_id is None]

    async def toggle(self, row: LetterRow) -> LetterRow:
        await self.store.set_selected(row.id, not row.selected, self.clock.now())
        updated = await self.store.get_letter(row.id)
        assert updated is not None
        return updated

    async def options(self, case: Case) -> dict[str, Any]:
        return await self.store.letter_options(case.id)

    async def set_option(self, case: Case, **values: Any) -> dict[str, Any]:
        return await self._set_options(case, values)

    async def _set_options(
        self,
        case: Case,
        values: dict[str, Any],
        *,
        closing: FormClosing | None = None,
    ) -> dict[str, Any]:
        """Change some of the case's letter options; when a form's answer changed them,
        that form is closed and its update recorded in the same write (``closing``)."""
        options = await self.store.letter_options(case.id)
        options.update(values)
        await self.store.set_letter_options(case.id, options, self.clock.now(), closing=closing)
        return options

    def needs_risk_choice(self, case: Case, options: dict[str, Any]) -> bool:
        """Names of recruiters, units or companies, or military facts about a Kazakh or Kyrgyz
        citizen, are in the report: the family decides what goes where first."""
        report = case.report
        risky = report.names_perpetrator or (
            case.citizenship in HOME_STATES and military_involved(report)
        )
        return risky and "include_perpetrator" not in options

    def national_languages(self, rows: list[LetterRow]) -> set[str]:
        """Languages other than Russian that some selected body accepts (kk, ky)."""
        found: set[str] = set()
        for row in rows:
            if row.selected:
                found.update(x for x in self.languages_for(row) if x != "ru")
        return found

    def languages_for(self, row: LetterRow) -> list[str]:
        return available_languages(row.kind, self.directory[row.addressee_id])

    def language_for(self, row: LetterRow, options: dict[str, Any]) -> str:
        """Russian for Russian bodies; for national bodies the family's choice."""
        offered = self.languages_for(row)
        wanted = options.get("national_language")
        if wanted in offered:
            return str(wanted)
        return "ru" if "ru" in offered else offered[0]

    def render_options(
        self, options: dict[str, Any], case: Case | None = None, row: LetterRow | None = None
    ) -> RenderOptions:
        """The family's choices for one letter. A letter to the missing person's own state
        protects him by default (``RenderOptions.protect``) unless the family chose, after
        the risk note, to keep every detail in those letters too (``home_details``)."""
        home = (
            case is not None
            and row is not None
            and case.citizenship in HOME_STATES
            and self.directory[row.addressee_id].country == case.citizenship
        )
        return RenderOptions(
            include_perpetrator=bool(options.get("include_perpetrator", True)),
            include_story=bool(options.get("include_story", True)),
            protect=home and not options.get("home_details", False),
        )

    # --- identity numbers the law requires ----------------------------------------------
    def needs_iin(self, case: Case, rows: list[LetterRow], options: dict[str, Any]) -> bool:
        """A letter to a Kazakh body must give the applicant's IIN if there is one (APPK
        art. 63): ask for it when the report skipped it and the family did not say there
        is none."""
        return (
            not case.report.reporter_id_number
            and not options.get("no_iin")
            and any(r.selected and self.directory[r.addressee_id].country == "KZ" for r in rows)
        )

    async def set_applicant_iin(
        self,
        case: Case,
        iin: str,
        actor_id: int,
        *,
        closing: FormClosing | None = None,
    ) -> None:
        await self.store.set_answer(
            case.id, "r_id", iin, self.clock.now(), actor_id, closing=closing
        )

    # --- the family's words in each letter's language --------------------------------
    def translations_needed(
        self, case: Case, rows: list[LetterRow], options: dict[str, Any]
    ) -> list[Needed]:
        """Texts of the report that some of ``rows`` would print in another language than
        its own, without a translation yet; each (text, language) once, in report order."""
        seen: dict[tuple[str, str], Needed] = {}
        for row in rows:
            language = self.language_for(row, options)
            for item in needed(case.report, language, self.render_options(options, case, row)):
                seen.setdefault((item.field, item.language), item)
        return list(seen.values())

    @staticmethod
    def left_to_organisation(options: dict[str, Any]) -> set[tuple[str, str]]:
        """(field, language) pairs the family asked the organisation to translate."""
        return {(str(f), str(lang)) for f, lang in options.get("translate_by_org", [])}

    async def leave_to_organisation(
        self,
        case: Case,
        item: Needed,
        *,
        closing: FormClosing | None = None,
    ) -> None:
        options = await self.store.letter_options(case.id)
        wanted = sorted(self.left_to_organisation(options) | {(item.field, item.language)})
        await self._set_options(
            case,
            {"translate_by_org": [list(x) for x in wanted]},
            closing=closing,
        )

    async def set_translation(
        self,
        case: Case,
        field: str,
        language: str,
        text: str,
        actor_id: int,
        *,
        audited: bool = False,
        closing: FormClosing | None = None,
    ) -> None:
        """Store ``text`` as the ``language`` version of the report's ``field`` (written by
        the family or by a caseworker in the dossier), and take it off the texts left to
        the organisation, in one transaction (with the audit entry when staff wrote it,
        and the closing of the form that asked for it)."""
        options = await self.store.letter_options(case.id)
        new_options: dict[str, Any] | None = None
        if "translate_by_org" in options:
            left = self.left_to_organisation(options) - {(field, language)}
            new_options = {**options, "translate_by_org": [list(x) for x in sorted(left)]}
        await self.store.set_translation(
            case.id,
            field,
            language,
            text,
            self.clock.now(),
            actor_id,
            options=new_options,
            audit=(actor_id, case.reporter_id) if audited else None,
            closing=closing,
        )

    def blocked(self, case: Case, row: LetterRow, options: dict[str, Any]) -> bool:
        """The letter still has text in another language than its own."""
        return bool(
            needed(
                case.report,
                self.language_for(row, options),
                self.render_options(options, case, row),
            )
        )

    async def _letter_call(self, case: Case, row: LetterRow) -> partial[Letter]:
        """``render_letter`` with this letter's arguments: called here for text alone, or
        in the letter worker along with the PDF and DOCX. Raises ForeignText when some of
        the family's text is not yet in the letter's language: the letter is not made."""
        options = await self.store.letter_options(case.id)
        render_options = self.render_options(options, case, row)
        language = self.language_for(row, options)
        missing = needed(case.report, language, render_options)
        if missing:
            raise ForeignText(language, [n.field for n in missing])
        today = local_today(self.clock, TIMEZONES.get(case.citizenship))
        return partial(
            render_letter,
            row.kind,
            row.addressee_id,
            case.report,
            language,
            case_number=case.number,
            today=today,
            options=render_options,
            earlier=await self.earlier(row),
            form_evidence=await self.form_evidence(case, row, language, today),
        )

    async def form_evidence(
        self, case: Case, row: LetterRow, language: str, today: date
    ) -> FormEvidence | None:
        """After a form reply: what the first letter asked (its requests, quoted), and in
        how many other cases the body sent the same text (only with the organisation's
        agreement, ``cite_form_copies``; never which cases)."""
        if row.trigger != "form_reply" or row.parent_id is None:
            return None
        root = await self.store.get_letter(row.parent_id)
        if root is None:
            return None
        try:
            asked = render_letter(
                root.kind,
                root.addressee_id,
                case.report,
                language,
                case_number=case.number,
                today=today,
            ).requests
        except (TemplateMissing, ForeignText):  # no such template, or text to translate
            asked = ()
        copies = 0
        if self.cite_form_copies and self.followups is not None:
            chain = {root.id} | {
                r.id for r in await self.store.letters_of(case.id) if r.parent_id == root.id
            }
            copies = max(
                (
                    r.copies
                    for r in await self.followups.replies_of_case(case.id)
                    if r.letter_id in chain and r.copy_review != "rejected"
                ),
                default=0,
            )
        return FormEvidence(tuple(asked), copies)

    async def earlier(self, row: LetterRow) -> list[EarlierLetter]:
        """For a follow-up: every letter sent before it in its chain, with the answer got."""
        if row.parent_id is None:
            return []
        chain = [
            r
            for r in await self.store.letters_of(row.case_id)
            if (r.id == row.parent_id or r.parent_id == row.parent_id)
            and r.id != row.id
            and r.sent
        ]
        replies = await self.followups.replies_of_case(row.case_id) if self.followups else []
        last = {r.letter_id: r.outcome for r in replies}
        return [
            EarlierLetter(
                r.addressee_id,
                r.sent_on,
                r.reference or "",
                CITED_OUTCOME.get(last.get(r.id, ""), "none"),
                r.kind,
            )
            for r in chain
        ]

    async def form_text(self, case: Case, row: LetterRow) -> tuple[list[str], int | None]:
        """The letter as text parts for an online form (rendering text alone is fast)."""
        letter = (await self._letter_call(case, row))()
        limit = self.directory[row.addressee_id].online_form_limit
        return form_chunks(letter, limit or DEFAULT_TEXT_LIMIT), limit

    async def produce(self, case: Case, row: LetterRow, actor_id: int) -> Produced:
        call = await self._letter_call(case, row)
        letter, pdf, docx = await WORKER.run(make_letter, call.args, call.keywords)
        language = letter.language
        addressee = self.directory[row.addressee_id]
        follow_up = row.kind if row.parent_id is not None else None
        await self.store.record_generated(row, language, letter.text, self.clock.now(), actor_id)
        limit = addressee.online_form_limit
        return Produced(
            row=row,
            addressee=addressee,
            letter=letter,
            pdf=pdf,
            docx=docx,
            pdf_name=file_name(case.number, row.addressee_id, language, "pdf", kind=follow_up),
            docx_name=file_name(case.number, row.addressee_id, language, "docx", kind=follow_up),
            chunks=form_chunks(letter, limit or DEFAULT_TEXT_LIMIT),
            form_limit=limit,
        )

    async def mark_ready(self, case: Case, actor_id: int) -> None:
        if case.status == CaseStatus.REPORTED:
            await self.store.set_status(
                case.id, CaseStatus.LETTERS_READY, self.clock.now(), actor_id
            )

    # --- the family's use cases -----------------------------------------------------
    # Each takes the acting person's user key, checks through ``own_case`` that the case
    # is theirs, and returns what comes next (``Step``) or what was asked for.

    async def own_case(self, user_key: int, case_id: int) -> Case:
        """The one place that decides whether a family may act on a case's letters."""
        case = await self.cases.get_case_by_id(case_id)
        if case is None:
            raise NotFound("case")
        if case.reporter_id != user_key:
            raise NotAllowed("case")
        return case

    async def own_letter(self, user_key: int, letter_id: int) -> tuple[Case, LetterRow]:
        row = await self.store.get_letter(letter_id)
        if row is None:
            raise NotFound("letter")
        return await self.own_case(user_key, row.case_id), row

    async def cases_of(self, user_key: int) -> list[Case]:
        """The family's cases, for choosing whose letters to show."""
        return await self.cases.cases_of(user_key)

    async def family_letters(self, user_key: int) -> FamilyLetters:
        """/letters: the family's cases; with one case, its letter set too."""
        cases = tuple(await self.cases_of(user_key))
        shown = await self.show(user_key, cases[0].id) if len(cases) == 1 else None
        return FamilyLetters(cases, shown)

    async def show(self, user_key: int, case_id: int) -> LetterSet:
        """The case's letter set (made from the recommendations the first time)."""
        return await self._set_of(await self.own_case(user_key, case_id))

    async def toggle_body(self, user_key: int, letter_id: int) -> LetterSet:
        """Add a body to the set or take it out."""
        case, row = await self.own_letter(user_key, letter_id)
        await self.toggle(row)
        return await self._set_of(case)

    async def prepare(self, user_key: int, case_id: int, out: Delivery | None = None) -> Step:
        """Press "Prepare the letters": what is still to decide, or what can be made."""
        return await self._go(
            user_key, await self._next(await self.own_case(user_key, case_id)), out
        )

    async def choose_risk(
        self, user_key: int, case_id: int, choice: str, out: Delivery | None = None
    ) -> Step:
        """The family's answer to the legal-risk note: what the letters leave out."""
        case = await self.own_case(user_key, case_id)
        if choice not in RISK_OPTIONS:
            raise Invalid("risk", choice)
        await self.set_option(case, **RISK_OPTIONS[choice])
        return await self._go(user_key, await self._next(case), out)

    async def choose_language(
        self, user_key: int, case_id: int, language: str, out: Delivery | None = None
    ) -> Step:
        """State language or Russian for the letters to the family's own state."""
        case = await self.own_case(user_key, case_id)
        if language not in LETTER_LANGUAGES:
            raise Invalid("language", language)
        await self.set_option(case, national_language=language)
        return await self._go(user_key, await self._next(case), out)

    async def answer_form(
        self,
        user_key: int,
        form: Form,
        value: Input,
        update_id: int | None = None,
        out: Delivery | None = None,
    ) -> Step:
        """A message to the open IIN or translation form (``bot.domain.letter_forms``),
        taken through the form engine. The IIN or the text is stored, and the form
        closed, in one transaction that also records ``update_id``: a crash before it
        keeps the form open, and an update replayed after it is known as done (it neither
        stores twice nor reaches the report). A refused answer keeps the form open and
        comes back as the same question with ``error``."""
        case = await self._form_case(user_key, form)
        if form.name == TRANSLATE.name and "original" not in form.data:
            # Opened by an earlier version of the bot, which kept no fingerprint.
            form = forms.note(form, "original", digest(self._item(case, form).original))
        today = self.clock.now().date()
        asked = await self.forms.answer(user_key, form, value, today, update_id, close=False)
        if asked.error is not None:
            return replace(await self._question(case, form), error=asked.error)
        return await self._go(
            user_key, await self._act(user_key, case, asked.form, update_id), out
        )

    async def skip_form(
        self, user_key: int, form: Form, update_id: int | None = None, out: Delivery | None = None
    ) -> Step:
        """/skip in an open letters form: no IIN, or the text left to the organisation."""
        case = await self._form_case(user_key, form)
        asked = await self.forms.skip(user_key, form, update_id, close=False)
        if asked.error is not None:
            return replace(await self._question(case, form), error=asked.error)
        return await self._go(
            user_key, await self._act(user_key, case, asked.form, update_id), out
        )

    async def back_form(self, user_key: int, form: Form, update_id: int | None = None) -> Step:
        """/back in an open letters form: its one question is the first, as the engine
        says; the question comes back with that answer."""
        case = await self._form_case(user_key, form)
        asked = await self.forms.back(user_key, form, update_id)
        return replace(await self._question(case, asked.form), error=asked.error)

    async def form_question(self, user_key: int, form: Form) -> Step:
        """The question of the family's open IIN or translation form, to ask it again after
        a restart (the answer before it may have been stored and its reply never sent)."""
        return await self._question(await self._form_case(user_key, form), form)

    async def no_iin(
        self,
        user_key: int,
        case_id: int,
        update_id: int | None = None,
        out: Delivery | None = None,
    ) -> Step:
        """The applicant has no IIN ("I have no IIN"): the letters are made without it.
        The open IIN form of the case is skipped; a button left from before still counts."""
        case = await self.own_case(user_key, case_id)
        form = await self.forms.current(user_key)
        if form is not None and form.name == IIN.name and form.data.get("case_id") == case.id:
            return await self.skip_form(user_key, form, update_id, out)
        await self._set_options(case, {"no_iin": True})  # idempotent: no update to claim
        return await self._go(user_key, await self._next(case), out)

    async def leave_translation(
        self,
        user_key: int,
        case_id: int,
        update_id: int | None = None,
        asked: str = "",
        out: Delivery | None = None,
    ) -> Step:
        """The family leaves the text asked for to the organisation's caseworkers (the
        button under the question; only while that question is open). ``asked``
        ("field.language") names the text the button was under: a button under an
        earlier question is stale (an empty one, from before it was named, is not)."""
        case = await self.own_case(user_key, case_id)
        form = await self.forms.current(user_key)
        if form is None or form.name != TRANSLATE.name or form.data.get("case_id") != case.id:
            return Step(case, Step.STALE)
        if asked and asked != f"{form.data.get('field')}.{form.data.get('language')}":
            return Step(case, Step.STALE)
        return await self.skip_form(user_key, form, update_id, out)

    async def prepare_letter(
        self, user_key: int, letter_id: int, out: Delivery | None = None
    ) -> Step:
        """One letter (a follow-up): ask for a text it lacks, or say it can be made."""
        case, row = await self.own_letter(user_key, letter_id)
        return await self._go(user_key, await self._next_for_letter(case, row), out)

    async def online_text(
        self, user_key: int, letter_id: int, out: Delivery | None = None
    ) -> OnlineText | Step:
        """The letter as text for the body's online form; a ``Step`` instead when some of
        the family's text is not in the letter's language yet."""
        case, row = await self.own_letter(user_key, letter_id)
        if self.blocked(case, row, await self.options(case)):
            return await self._go(user_key, await self._next_for_letter(case, row), out)
        chunks, limit = await self.form_text(case, row)
        return OnlineText(tuple(chunks), limit)

    async def move_form(
        self, user_key: int, op: str, update_id: int | None = None, out: Delivery | None = None
    ) -> Step | None:
        """/back or /skip while the IIN or translation form is open (skipping means "I
        have no IIN" or "leave it to the organisation"); None when none is open."""
        form = await self.forms.current(user_key)
        if form is None or form.name not in LETTER_FORMS:
            return None
        if op == "back":
            return await self.back_form(user_key, form, update_id)
        return await self.skip_form(user_key, form, update_id, out)

    async def _go(self, user_key: int, step: Step, out: Delivery | None) -> Step:
        """Where a family's step leads to letters that can be made now (``PRODUCE``),
        they are made in the same call and handed over one by one through ``out`` (the
        chat shows each as soon as it is made); ``made`` says what came of it."""
        if out is None or step.kind != Step.PRODUCE:
            return step
        await out.starting(step)
        if not step.ready:
            return step
        made = await self.produce_letters(
            user_key,
            step.case.id,
            [r.id for r in step.ready],
            out.hand_over,
            whole_set=step.letter_id is None,
        )
        return replace(step, made=made)

    async def produce_letters(
        self,
        user_key: int,
        case_id: int,
        letter_ids: Sequence[int],
        hand_over: HandOver,
        *,
        whole_set: bool,
    ) -> int | Held:
        """Make the letters of ``step.ready`` one by one and hand each to the family as
        soon as it is made; after the whole set the case's letters are ready. Returns how
        many were made (a letter that is no longer the case's is left out), or, with letter
        review on, what waits for a caseworker (nothing is made now)."""
        case = await self.own_case(user_key, case_id)
        rows = [await self.store.get_letter(i) for i in letter_ids]
        mine = [r for r in rows if r is not None and r.case_id == case.id]
        if self.review_gate is not None and mine:
            held = await self.review_gate(user_key, case, mine)
            if held is not None:
                return held
        for i, row in enumerate(mine, 1):
            await self.deliver(await self.produce(case, row, user_key), i, len(mine), hand_over)
        if whole_set:
            await self.mark_ready(case, user_key)
        return len(mine)

    async def deliver(self, produced: Produced, i: int, total: int, hand_over: HandOver) -> None:
        """The one place where a made letter goes to the family (letter ``i`` of ``total``):
        a check before the family gets a letter belongs here."""
        await hand_over(produced, i, total)

    # --- the organisation's use cases --------------------------------------------------
    async def texts_left(self, actor: Actor, case_id: int) -> tuple[Case, list[Needed]]:
        """The texts the family left to the organisation to give in a letter's language,
        those this staff member may read (a volunteer reads the address and the account
        only when a caseworker allowed it)."""
        case = await self._staff_case(actor, case_id)
        return case, await self._left_for(actor, case)

    async def write_translation(
        self,
        actor: Actor,
        case_id: int,
        field: str,
        language: str,
        text: str,
        *,
        closing: FormClosing | None = None,
    ) -> list[Needed]:
        """A staff member writes one text the family left to the organisation; returns the
        texts still left. The text, the letter options, the audit entry and the closing of
        the form that asked for it are written in one transaction. Raises ``InvalidInput``
        when the text is in another language."""
        case = await self._staff_case(actor, case_id)
        waiting = {(n.field, n.language): n for n in await self._left_for(actor, case)}
        item = waiting.get((field, language))
        if item is None:
            raise NotAllowed("translation")
        # The family's rule for a text in a letter's language (``letter_forms``), one for both.
        check_in_language(text, {"language": language, "original": digest(item.original)})
        await self.set_translation(
            case, field, language, text, actor.user_id, audited=True, closing=closing
        )
        return await self._left_for(actor, await self._fresh(case))

    async def _staff_case(self, actor: Actor, case_id: int) -> Case:
        """The one place that decides whether a staff member may act on a case's letters."""
        case = await self.cases.get_case_by_id(case_id)
        if case is None:
            raise NotFound("case")
        if self.staff is None or actor.role not in STAFF_ROLES:
            raise NotAllowed(actor.role)
        if not await self.staff.may_see(actor, case):
            raise NotAllowed("case")
        return case

    async def _left_for(self, actor: Actor, case: Case) -> list[Needed]:
        left = self.left_to_organisation(await self.options(case))
        if not left or self.staff is None:
            return []
        visible = free_texts(Report.from_answers(await self.staff.visible_answers(actor, case)))
        return [Needed(f, lang, visible[f]) for f, lang in sorted(left) if f in visible]

    # --- helpers of the use cases ------------------------------------------------------
    async def _set_of(self, case: Case) -> LetterSet:
        rows = await self.letter_set(case)
        return LetterSet(
            case,
            tuple(
                LetterChoice(r.id, self.directory[r.addressee_id], r.selected, r.reason)
                for r in rows
            ),
        )

    async def _form_case(self, user_key: int, form: Form) -> Case:
        """The case a letters form is about; a form about another's case is closed."""
        if form.name not in LETTER_FORMS:
            raise Invalid("form", form.name)
        try:
            return await self.own_case(user_key, int(form.data.get("case_id") or 0))
        except (NotFound, NotAllowed):
            await self.forms.cancel(user_key)
            raise

    async def _fresh(self, case: Case) -> Case:
        """The case as stored now: an answer or translation just written is in it."""
        return await self.cases.get_case_by_id(case.id) or case

    async def _act(self, user_key: int, case: Case, form: Form, update_id: int | None) -> Step:
        """Act on a complete letters form: its answer stored (or, skipped, "no IIN" /
        "left to the organisation") and the form closed in the same transaction."""
        text = forms.values(form).get("text")
        closing = await self._opening_next(case, form, FormClosing(user_key, update_id))
        if form.name == IIN.name:
            if text is None:
                await self._set_options(case, {"no_iin": True}, closing=closing)
            else:
                await self.set_applicant_iin(case, str(text), user_key, closing=closing)
            step = await self._next(await self._fresh(case))
        else:
            item = self._item(case, form)
            if text is None:
                await self.leave_to_organisation(case, item, closing=closing)
            else:
                await self.set_translation(
                    case,
                    item.field,
                    item.language,
                    str(text),
                    user_key,
                    closing=closing,
                )
            step = await self._after_translation(case, form)
        if closing.then is not None and step.kind != Step.TRANSLATE:
            await self.forms.cancel(user_key)  # the case changed meanwhile: nothing to ask
        return step

    async def _opening_next(self, case: Case, form: Form, closing: FormClosing) -> FormClosing:
        """``closing`` that also opens the form of the next text to ask for, when one will
        be left after this answer: written in the answer's own transaction, so a crash
        before the question goes out leaves it open, to be asked again at start-up."""
        letter_id = form.data.get("letter_id") if form.name == TRANSLATE.name else None
        if isinstance(letter_id, int):
            row = await self.store.get_letter(letter_id)
            rows = [row] if row is not None and row.case_id == case.id else []
        else:
            letter_id = None
            rows = [r for r in await self.letter_set(case) if r.selected]
        answered = (form.data.get("field"), form.data.get("language"))
        pending = self._pending(case, rows, await self.options(case))
        later = [n for n in pending if (n.field, n.language) != answered]
        if form.name == TRANSLATE.name and len(later) == len(pending):
            return closing  # not among the texts asked for: let the next step decide
        if not later:
            return closing
        data = self._translation_data(case, later[0], letter_id)
        return self.forms.closing_then(closing, TRANSLATE, data)

    async def _question(self, case: Case, form: Form) -> Step:
        """The question of an open letters form, to ask again."""
        if form.name == IIN.name:
            return Step(case, Step.IIN)
        letter_id = form.data.get("letter_id")
        return Step(
            case,
            Step.TRANSLATE,
            letter_id=letter_id if isinstance(letter_id, int) else None,
            needed=self._item(case, form),
        )

    @staticmethod
    def _item(case: Case, form: Form) -> Needed:
        """The text a translation form asks for, with the report's own words."""
        field, language = str(form.data.get("field")), str(form.data.get("language"))
        return Needed(field, language, free_texts(case.report).get(field, ""))

    async def _after_translation(self, case: Case, form: Form) -> Step:
        """After a text was given or left: the one letter asked for, or the whole set."""
        case = await self._fresh(case)
        letter_id = form.data.get("letter_id")
        if not isinstance(letter_id, int):
            return await self._next(case)
        row = await self.store.get_letter(letter_id)
        if row is None or row.case_id != case.id:
            return Step(case, Step.NOTHING)
        return await self._next_for_letter(case, row)

    async def _ask_translation(
        self, case: Case, item: Needed, letter_id: int | None = None
    ) -> Step:
        data = self._translation_data(case, item, letter_id)
        await self.forms.begin(case.reporter_id, TRANSLATE, data)
        return Step(case, Step.TRANSLATE, letter_id=letter_id, needed=item)

    @staticmethod
    def _translation_data(case: Case, item: Needed, letter_id: int | None) -> dict[str, Any]:
        """What the translation form keeps: the text's place, and a fingerprint of it."""
        return {
            "case_id": case.id,
            "field": item.field,
            "language": item.language,
            "letter_id": letter_id,
            "original": digest(item.original),
        }

    async def _next(self, case: Case) -> Step:
        """The next thing to decide before the set's letters, or the letters to make."""
        rows = [r for r in await self.letter_set(case) if r.selected]
        if not rows:
            return Step(case, Step.NOTHING_CHOSEN)
        options = await self.options(case)
        if self.needs_risk_choice(case, options):
            return Step(case, Step.RISK)
        national = sorted(self.national_languages(rows))
        if national and "national_language" not in options:
            return Step(case, Step.LANGUAGE, languages=(*national, "ru"))
        if self.needs_iin(case, rows, options):
            await self.forms.begin(case.reporter_id, IIN, {"case_id": case.id})
            return Step(case, Step.IIN)
        pending = self._pending(case, rows, options)
        if pending:
            return await self._ask_translation(case, pending[0])
        ready = tuple(r for r in rows if not self.blocked(case, r, options))
        waiting = tuple(self.directory[r.addressee_id] for r in rows if r not in ready)
        return Step(case, Step.PRODUCE, ready=ready, waiting=waiting)

    async def _next_for_letter(self, case: Case, row: LetterRow) -> Step:
        options = await self.options(case)
        pending = self._pending(case, [row], options)
        if pending:
            return await self._ask_translation(case, pending[0], row.id)
        if self.blocked(case, row, options):
            waiting = (self.directory[row.addressee_id],)
            return Step(case, Step.WAITING, letter_id=row.id, waiting=waiting)
        return Step(case, Step.PRODUCE, letter_id=row.id, ready=(row,))

    def _pending(self, case: Case, rows: list[LetterRow], options: dict[str, Any]) -> list[Needed]:
        """Texts to ask the family for: needed, and not left to the organisation."""
        left = self.left_to_organisation(options)
        return [
            n
            for n in self.translations_needed(case, rows, options)
            if (n.field, n.language) not in left
        ]
