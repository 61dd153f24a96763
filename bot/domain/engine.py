"""The guided report as a state machine over a ``Draft``.

Everything here is pure: a function takes the draft and one input and returns
the next draft, or raises ``InvalidInput`` with a code the chat translates.
The storage layer writes the returned draft (answers *and* position) in one
transaction, so a reply that fails to reach the user can never make the next
answer land in the wrong field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot import regions
from bot.domain import questions as q
from bot.domain.files import (
    DESCRIPTION_MAX,
    MAX_ACTIONS,
    MAX_EVIDENCE_ITEMS,
    REPLY_MAX,
    check_evidence_file,
)
from bot.domain.files import check_size as _check_size
from bot.domain.files import file_json as _file_json
from bot.domain.inputs import (
    ChoiceInput,
    ContactInput,
    FileInput,
    Input,
    OtherInput,
    TextInput,
)
from bot.domain.questions import Kind, Question, Section
from bot.domain.validators import (
    InvalidInput,
    check_past_date,
    clean_text,
    id_number_doubt,
    name_words,
    normalize_phone,
    parse_birth_date,
    parse_date,
    validate_email,
    validate_id_number,
    validate_latin_name,
    validate_name,
    validate_passport,
)

# Codes of the loop buttons.
DONE = "done"
UNDO = "undo"
CONFIRM = "confirm"
ACCEPT = "accept"  # "this is the whole name", "the number is correct": keep the doubted value


@dataclass
class Draft:
    """A report in progress. ``step`` is a question key, a loop sub-step, or REVIEW."""

    step: str
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    review_return: bool = False
    pending: dict[str, Any] | None = None
    paused: bool = False
    updated_at: datetime | None = None

    def copy(self) -> Draft:
        """An independent copy, made for every answer: answers are JSON-like data (they
        are stored as JSON), which a plain walk copies several times faster than
        ``copy.deepcopy``."""
        return Draft(
            step=self.step,
            answers=_copied(self.answers),
            history=list(self.history),
            review_return=self.review_return,
            pending=_copied(self.pending),
            paused=self.paused,
            updated_at=self.updated_at,
        )


def _copied(value: Any) -> Any:
    """A deep copy of JSON-like data: dicts and lists are copied, everything else is immutable."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


@dataclass(frozen=True)
class Applied:
    """The result of an accepted input: the next draft and notes for the reply."""

    draft: Draft
    truncated_to: int | None = None  # free text was cut to this many characters
    confirmed: bool = False  # the review card was confirmed: create the case


def new_draft() -> Draft:
    return Draft(step=q.QUESTIONS[0].key)


def _next_after(answers: Mapping[str, Any], key: str, review_return: bool) -> str:
    keys = [x.key for x in q.QUESTIONS]
    section = q.BY_KEY[key].section
    for nxt in q.QUESTIONS[keys.index(key) + 1 :]:
        if not nxt.applies(answers):
            continue
        if review_return and nxt.section != section:
            return q.REVIEW
        return nxt.key
    return q.REVIEW


def _advance(d: Draft, key: str) -> Draft:
    nxt = _next_after(d.answers, key, d.review_return)
    d.history.append(key)
    d.step = nxt
    d.pending = None  # region matches or a doubted value belong to the question left
    if nxt == q.REVIEW:
        d.review_return = False
    return d


def first_of_section(answers: Mapping[str, Any], section: Section) -> str:
    for question in q.QUESTIONS:
        if question.section == section and question.applies(answers):
            return question.key
    raise ValueError(section)


def applicable_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers without those of questions that no longer apply (e.g. citizenship changed)."""
    keep = {x.key for x in q.QUESTIONS if x.applies(answers)}
    return {k: v for k, v in answers.items() if k in keep and v not in (None, "", [])}


# --- navigation -------------------------------------------------------------
def back(draft: Draft) -> Draft:
    d = draft.copy()
    if not d.history:
        raise InvalidInput("at_start")
    d.step = d.history.pop()
    if d.step not in q.SUB_STEPS:  # back within a loop item keeps what was entered for it
        d.pending = None
    if d.step == q.REVIEW:
        d.review_return = False
    return d


def skip(draft: Draft) -> Draft:
    """Leave an optional question (or an optional sub-step) empty.

    A question answered before keeps its answer: when a section is revisited from the
    review card, "Skip" means "nothing to change here", and erasing an answer the family
    gave must be a choice of its own (``clear``)."""
    d = draft.copy()
    step = d.step
    if step == q.EVIDENCE_DESC:
        return _finish_evidence(d, "")
    if step == q.ACTION_DATE:
        assert d.pending is not None
        d.pending["date"] = None
        return _goto(d, q.ACTION_OUTCOME)
    if step == q.ACTION_REPLY:
        return _finish_action(d, "")
    question = q.BY_KEY.get(step)
    if question is not None and step in d.answers:  # an earlier answer stays, even if required
        return _advance(d, step)
    if question is None or not question.optional:
        raise InvalidInput("not_optional")
    return _advance(d, step)


def clear(draft: Draft) -> Draft:
    """Erase the answer of an optional question, on the family's explicit request."""
    d = draft.copy()
    question = q.BY_KEY.get(d.step)
    if question is None or not question.optional or question.kind in (Kind.EVIDENCE, Kind.ACTIONS):
        raise InvalidInput("not_optional")
    if d.step not in d.answers:
        raise InvalidInput("nothing_to_keep")
    del d.answers[d.step]
    return _advance(d, d.step)


def keep(draft: Draft) -> Draft:
    """Keep the answer already given (when revisiting a question)."""
    d = draft.copy()
    if d.step not in q.BY_KEY or d.step not in d.answers:
        raise InvalidInput("nothing_to_keep")
    return _advance(d, d.step)


def edit_section(draft: Draft, section: Section) -> Draft:
    d = draft.copy()
    if d.step != q.REVIEW:
        raise InvalidInput("stale_button")
    d.history.append(q.REVIEW)
    d.step = first_of_section(d.answers, section)
    d.review_return = True
    return d


def _goto(d: Draft, sub_step: str) -> Draft:
    d.history.append(d.step)
    d.step = sub_step
    return d


def _return_to_loop(d: Draft, loop_key: str) -> Draft:
    """Back at the loop's head; sub-steps leave no trace in the history."""
    while d.history and d.history[-1] != loop_key:
        d.history.pop()
    if d.history:
        d.history.pop()
    d.step = loop_key
    d.pending = None
    return d


# --- answering --------------------------------------------------------------
def apply(draft: Draft, value: Input, today: date) -> Applied:
    """Apply one input at the draft's current step; raise InvalidInput if it does not fit."""
    d = draft.copy()
    step = d.step
    if step == q.REVIEW:
        if isinstance(value, ChoiceInput) and value.code == CONFIRM:
            return Applied(d, confirmed=True)
        raise InvalidInput("use_buttons")
    if step in q.SUB_STEPS:
        return _apply_sub_step(d, step, value, today)
    question = q.BY_KEY[step]
    if question.kind is Kind.EVIDENCE:
        return Applied(_apply_evidence(d, value))
    if question.kind is Kind.ACTIONS:
        return Applied(_apply_action_body(d, value, question))
    if question.kind is Kind.REGION:
        return Applied(_apply_region(d, step, value))
    if isinstance(value, ChoiceInput) and value.code == ACCEPT:
        return Applied(_accept_doubted(d, step))
    if question.kind is Kind.MULTI:
        return Applied(_apply_multi(d, value, question))
    stored, truncated = _value_for(question, value, d.answers, today)
    doubt = _doubt(question, stored, d.answers)
    if doubt is not None:  # kept aside until the family confirms or corrects it
        d.pending = {"for": step, "value": stored, "doubt": doubt.code, "params": doubt.params}
        return Applied(d)
    d.answers[step] = stored
    return Applied(_advance(d, step), truncated_to=question.max_len if truncated else None)


def _doubt(question: Question, value: Any, answers: Mapping[str, Any]) -> InvalidInput | None:
    """A valid answer that probably is not what was meant: the family is asked once more.

    A one-word "full name" is usually a surname alone, which official letters cannot
    use; an identity number that encodes another birth date or gender than the report
    is usually a typo in one of them."""
    if question.kind is Kind.NAME and name_words(str(value)) < 2:
        return InvalidInput("name_one_word", name=value)
    if question.kind is Kind.ID_NUMBER:
        if question.section is Section.MISSING:
            born = answers.get("m_birth")
            return id_number_doubt(
                str(value), date.fromisoformat(born) if born else None, answers.get("m_gender")
            )
        return id_number_doubt(str(value), None, answers.get("r_gender"))
    return None


def _accept_doubted(d: Draft, step: str) -> Draft:
    """Store the value the family confirmed after a doubt was explained."""
    pending = d.pending or {}
    if pending.get("for") != step or "value" not in pending:
        raise InvalidInput("stale_button")
    d.answers[step] = pending["value"]
    return _advance(d, step)


def _apply_region(d: Draft, step: str, value: Input) -> Draft:
    """A typed name shows the best matches as buttons; a tap on one stores its code."""
    if isinstance(value, ChoiceInput):
        if regions.get(value.code) is None:
            raise InvalidInput("stale_button")
        d.answers[step] = value.code
        return _advance(d, step)
    text = _short(_require_text(value, Kind.REGION))
    matches = regions.search(text)
    if not matches:
        raise InvalidInput("region_not_found")
    d.pending = {"for": step, "matches": [r.code for r in matches]}
    return d


def _require_text(value: Input, question_kind: Kind) -> str:
    if isinstance(value, TextInput):
        return value.text
    if isinstance(value, ChoiceInput):
        raise InvalidInput("stale_button")
    raise InvalidInput("need_text")


def _value_for(
    question: Question, value: Input, answers: Mapping[str, Any], today: date
) -> tuple[Any, bool]:
    kind = question.kind
    if kind is Kind.CHOICE:
        if isinstance(value, ChoiceInput) and question.choice_label(value.code):
            return value.code, False
        raise InvalidInput("use_buttons")
    if kind is Kind.PHONE and isinstance(value, ContactInput):
        return normalize_phone(value.phone), False
    if kind is Kind.PHOTO:
        return _photo(value), False
    text = _require_text(value, kind)
    if kind is Kind.NAME:
        return validate_name(text, question.max_len), False
    if kind is Kind.LATIN_NAME:
        return validate_latin_name(text, question.max_len), False
    if kind is Kind.TEXT:
        return clean_text(text, question.max_len, truncate=question.truncate)
    if kind is Kind.PHONE:
        return normalize_phone(_short(text)), False
    if kind is Kind.EMAIL:
        return validate_email(_short(text)), False
    if kind is Kind.ID_NUMBER:
        citizenship = answers.get("m_cit") if question.section is Section.MISSING else None
        return validate_id_number(_short(text), citizenship)[1], False
    if kind is Kind.PASSPORT:
        return validate_passport(_short(text)), False
    if kind is Kind.BIRTH_DATE:
        return parse_birth_date(_short(text), today).isoformat(), False
    if kind is Kind.DATE:
        born = answers.get("m_birth")
        parsed = check_past_date(
            parse_date(_short(text)), today, date.fromisoformat(born) if born else None
        )
        return parsed.isoformat(), False
    raise AssertionError(kind)


def _short(text: str, limit: int = 100) -> str:
    """Identifiers and dates are short: refuse a pasted essay before parsing it."""
    text = text.strip()
    if len(text) > limit:
        raise InvalidInput("text_too_long", max_len=limit, length=len(text))
    return text


def _photo(value: Input) -> dict[str, Any]:
    if isinstance(value, FileInput) and (
        value.kind == "photo"
        or (value.kind == "document" and (value.mime or "").startswith("image/"))
    ):
        _check_size(value)
        return _file_json(value)
    if isinstance(value, ChoiceInput):
        raise InvalidInput("stale_button")
    raise InvalidInput("need_photo")


def chosen(value: Any) -> list[str]:
    """The codes of a multiple-choice answer; an older single code counts as one."""
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value or ()]


def _apply_multi(d: Draft, value: Input, question: Question) -> Draft:
    """A tap adds or removes one code and stays on the question; Done moves on."""
    if not isinstance(value, ChoiceInput):
        raise InvalidInput("use_buttons")
    codes = chosen(d.answers.get(question.key))
    if value.code == DONE:
        if not codes:
            raise InvalidInput("choose_one")
        return _advance(d, question.key)
    if not question.choice_label(value.code):
        raise InvalidInput("use_buttons")
    if value.code in codes:
        codes.remove(value.code)
    else:
        codes.append(value.code)
    d.answers[question.key] = codes
    return d


def _apply_evidence(d: Draft, value: Input) -> Draft:
    if isinstance(value, ChoiceInput) and value.code == DONE:
        return _advance(d, "evidence")
    if isinstance(value, ChoiceInput) and value.code == UNDO:
        items = d.answers.get("evidence") or []
        if not items:
            raise InvalidInput("nothing_to_undo")
        d.answers["evidence"] = items[:-1]
        return d
    if isinstance(value, FileInput):
        check_evidence_file(value)
        if len(d.answers.get("evidence") or []) >= MAX_EVIDENCE_ITEMS:
            raise InvalidInput("too_many_files", max=MAX_EVIDENCE_ITEMS)
        d.pending = _file_json(value)
        if value.caption and value.caption.strip():
            return _finish_evidence(_goto(d, q.EVIDENCE_DESC), value.caption)
        return _goto(d, q.EVIDENCE_DESC)
    if isinstance(value, OtherInput):
        raise InvalidInput("file_type")
    raise InvalidInput("need_file")


def _finish_evidence(d: Draft, description: str) -> Draft:
    assert d.pending is not None
    item = dict(d.pending)
    item["description"] = (
        clean_text(description, DESCRIPTION_MAX, truncate=True)[0] if description.strip() else ""
    )
    d.answers.setdefault("evidence", []).append(item)
    return _return_to_loop(d, "evidence")


def _apply_action_body(d: Draft, value: Input, question: Question) -> Draft:
    if isinstance(value, ChoiceInput) and value.code == DONE:
        return _advance(d, "actions")
    if isinstance(value, ChoiceInput) and value.code == UNDO:
        items = d.answers.get("actions") or []
        if not items:
            raise InvalidInput("nothing_to_undo")
        d.answers["actions"] = items[:-1]
        return d
    if isinstance(value, ChoiceInput) and question.choice_label(value.code):
        if len(d.answers.get("actions") or []) >= MAX_ACTIONS:
            raise InvalidInput("too_many_actions", max=MAX_ACTIONS)
        d.pending = {"body": value.code}
        return _goto(d, q.ACTION_OTHER if value.code == "other" else q.ACTION_DATE)
    raise InvalidInput("use_buttons")


def _apply_sub_step(d: Draft, step: str, value: Input, today: date) -> Applied:
    pending = d.pending
    if pending is None:  # cannot happen with a consistent draft; recover at the loop head
        return Applied(_return_to_loop(d, q.SUB_STEPS[step]))
    if step == q.EVIDENCE_DESC:
        if isinstance(value, FileInput):  # a new file: keep the previous one undescribed
            d = _finish_evidence(d, "")
            return Applied(_apply_evidence(d, value))
        text = _require_text(value, Kind.TEXT)
        return Applied(_finish_evidence(d, text))
    if step == q.ACTION_OTHER:
        pending["body_text"] = clean_text(_require_text(value, Kind.TEXT), 150)[0]
        return Applied(_goto(d, q.ACTION_DATE))
    if step == q.ACTION_DATE:
        parsed = check_past_date(parse_date(_short(_require_text(value, Kind.DATE))), today)
        pending["date"] = parsed.isoformat()
        return Applied(_goto(d, q.ACTION_OUTCOME))
    if step == q.ACTION_OUTCOME:
        codes = {c.code for c in q.ACTION_OUTCOMES}
        if isinstance(value, ChoiceInput) and value.code in codes:
            pending["outcome"] = value.code
            if value.code == q.NO_ANSWER:  # nothing was answered: nothing to ask about
                return Applied(_finish_action(d, ""))
            return Applied(_goto(d, q.ACTION_REPLY))
        raise InvalidInput("use_buttons")
    if step == q.ACTION_REPLY:
        text, cut = clean_text(_require_text(value, Kind.TEXT), REPLY_MAX, truncate=True)
        return Applied(_finish_action(d, text), truncated_to=REPLY_MAX if cut else None)
    raise AssertionError(step)


def _finish_action(d: Draft, reply: str) -> Draft:
    assert d.pending is not None
    item = dict(d.pending)
    item["reply"] = reply
    d.answers.setdefault("actions", []).append(item)
    return _return_to_loop(d, "actions")
