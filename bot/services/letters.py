"""The letters of a case: which bodies, which language, what was produced.

Joins the letters core (``bot.letters``: directory, recommendations,
templates, PDF/DOCX) with storage. Rendering a PDF takes a good part of a
second of CPU, so a letter is made in a worker process (``bot.letters.worker``),
never on the event loop that serves every family.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from bot.clock import Clock, local_today
from bot.domain.models import Case, CaseStatus
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
from bot.letters.worker import WORKER, make_letter
from bot.replies.evidence import FormEvidence
from bot.storage.followup import FollowupStore
from bot.storage.store import LetterRow, LetterStore

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


class LetterService:
    def __init__(
        self,
        store: LetterStore,
        clock: Clock,
        followups: FollowupStore | None = None,
        cite_form_copies: bool = False,
    ) -> None:
        self.store = store
        self.cite_form_copies = cite_form_copies
        self.clock = clock
        self.followups = followups
        self.directory = load_directory()

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
        options = await self.store.letter_options(case.id)
        options.update(values)
        await self.store.set_letter_options(case.id, options, self.clock.now())
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

    async def set_applicant_iin(self, case: Case, iin: str, actor_id: int) -> None:
        await self.store.set_answer(case.id, "r_id", iin, self.clock.now(), actor_id)

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

    async def leave_to_organisation(self, case: Case, item: Needed) -> None:
        options = await self.store.letter_options(case.id)
        wanted = sorted(self.left_to_organisation(options) | {(item.field, item.language)})
        await self.set_option(case, translate_by_org=[list(x) for x in wanted])

    async def set_translation(
        self, case: Case, field: str, language: str, text: str, actor_id: int
    ) -> None:
        """Store ``text`` as the ``language`` version of the report's ``field`` (written by
        the family or by a caseworker in the dossier)."""
        await self.store.set_translation(
            case.id, field, language, text, self.clock.now(), actor_id
        )
        options = await self.store.letter_options(case.id)
        left = self.left_to_organisation(options) - {(field, language)}
        if "translate_by_org" in options:
            await self.set_option(case, translate_by_org=[list(x) for x in sorted(left)])

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
