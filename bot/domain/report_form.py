"""The guided report as a form of the one engine (``bot.domain.forms``).

Its steps are built from the questions (``bot.domain.questions``): kinds, sections,
conditions, the doubts that ask once more (a one-word name, an identity number that
encodes another birth date or gender), and the two loops with the steps of one item.
It uses the engine's options for a review card with sections, keeping or clearing an
earlier answer, and explained refusals. A family's report in progress is a ``Draft``:
this form, plus whether it was paused and when it last moved.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain import forms
from bot.domain import questions as q
from bot.domain.files import DESCRIPTION_MAX, MAX_ACTIONS, MAX_EVIDENCE_ITEMS, REPLY_MAX
from bot.domain.forms import Form, FormSpec, Step, StepKind
from bot.domain.forms.spec import Doubt
from bot.domain.questions import Kind, Question, Section
from bot.domain.validators import InvalidInput, id_number_doubt, name_words

NAME = "report"


def _codes(choices: tuple[q.Choice, ...]) -> Callable[[], Collection[str]]:
    codes = frozenset(c.code for c in choices)
    return lambda: codes


def _one_word_name(value: Any, answers: Mapping[str, Any]) -> InvalidInput | None:
    """A one-word "full name" is usually a surname alone, which official letters
    cannot use."""
    if name_words(str(value)) < 2:
        return InvalidInput("name_one_word", name=value)
    return None


def _id_of_missing(value: Any, answers: Mapping[str, Any]) -> InvalidInput | None:
    """An identity number that encodes another birth date or gender than the report is
    usually a typo in one of them."""
    born = answers.get("m_birth")
    born_on = date.fromisoformat(born) if born else None
    return id_number_doubt(str(value), born_on, answers.get("m_gender"))


def _id_of_reporter(value: Any, answers: Mapping[str, Any]) -> InvalidInput | None:
    return id_number_doubt(str(value), None, answers.get("r_gender"))


def _is_other(item: Mapping[str, Any]) -> bool:
    return item.get("body") == "other"


def _answered(item: Mapping[str, Any]) -> bool:
    return item.get("outcome") != q.NO_ANSWER


# The steps of one item of each loop: what the family adds about a file, about a body.
EVIDENCE_ITEM = (
    Step(
        q.EVIDENCE_DESC,
        StepKind.TEXT,
        optional=True,
        max_len=DESCRIPTION_MAX,
        truncate=True,
        field="description",
        default="",
        tell_cut=False,
    ),
)
ACTION_ITEM = (
    Step(q.ACTION_OTHER, StepKind.TEXT, max_len=150, field="body_text", applies=_is_other),
    Step(q.ACTION_DATE, StepKind.DATE, optional=True, field="date"),
    Step(q.ACTION_OUTCOME, StepKind.CHOICE, choices=_codes(q.ACTION_OUTCOMES), field="outcome"),
    Step(
        q.ACTION_REPLY,
        StepKind.TEXT,
        optional=True,
        max_len=REPLY_MAX,
        truncate=True,
        field="reply",
        default="",
        applies=_answered,
    ),
)


def _doubt(question: Question) -> Doubt | None:
    if question.kind is Kind.NAME:
        return _one_word_name
    if question.kind is Kind.ID_NUMBER:
        return _id_of_missing if question.section is Section.MISSING else _id_of_reporter
    return None


def _step(question: Question) -> Step:
    """The engine's step for a question: how it is answered, not how it is shown."""
    missing = question.section is Section.MISSING
    loop: dict[str, Any] = {}
    if question.kind is Kind.EVIDENCE:
        loop = {"sub_steps": EVIDENCE_ITEM, "item_max": MAX_EVIDENCE_ITEMS}
    elif question.kind is Kind.ACTIONS:
        loop = {"sub_steps": ACTION_ITEM, "item_max": MAX_ACTIONS, "field": "body"}
    return Step(
        question.key,
        question.kind,
        optional=question.optional,
        max_len=question.max_len,
        truncate=question.truncate,
        choices=_codes(question.choices) if question.choices else None,
        born_key="m_birth" if question.kind is Kind.DATE else None,
        applies=question.condition,
        citizenship_key="m_cit" if missing and question.kind is Kind.ID_NUMBER else None,
        section=question.section,
        doubt=_doubt(question),
        **loop,
    )


REPORT = forms.register(
    FormSpec(
        NAME,
        tuple(_step(question) for question in q.QUESTIONS),
        review=True,
        keep_answers=True,
        explain_refusals=True,
    )
)


@dataclass
class Draft:
    """A report in progress: the form (its step is a question key, a step of a loop
    item, or the review card), whether the family paused it (/cancel) and when it last
    moved."""

    form: Form
    paused: bool = False
    updated_at: datetime | None = None

    @property
    def step(self) -> str:
        return self.form.step

    @property
    def answers(self) -> dict[str, Any]:
        return forms.values(self.form)

    @property
    def history(self) -> list[str]:
        return forms.history_of(self.form)

    @property
    def pending(self) -> dict[str, Any] | None:
        return forms.pending_of(self.form)

    @property
    def review_return(self) -> bool:
        return forms.returning(self.form)

    def moved(self, form: Form) -> Draft:
        """The same report at ``form``, active again (answering means the family is back)."""
        return Draft(form, paused=False, updated_at=self.updated_at)


def new_draft() -> Draft:
    return Draft(forms.begin(REPORT, {}))


def draft_at(
    step: str,
    answers: Mapping[str, Any] | None = None,
    history: list[str] | None = None,
    *,
    pending: Mapping[str, Any] | None = None,
    review_return: bool = False,
    paused: bool = False,
    updated_at: datetime | None = None,
) -> Draft:
    """A report at ``step`` with these answers, way back and pending item: how the
    storage layer reads a stored draft (its columns hold exactly these)."""
    form = forms.assemble(NAME, step, answers or {}, history or [], pending, review_return)
    return Draft(form, paused=paused, updated_at=updated_at)


def applicable_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The report's answers without those of questions that no longer apply."""
    return forms.applicable_answers(REPORT, answers)
