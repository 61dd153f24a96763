"""Short forms as data, run by one engine: the follow-up's "mark as sent", "log a reply"…

A form is a list of steps (``FormSpec``). The engine is pure like the report's
(``bot.domain.engine``), and takes the same inputs (``TextInput``, ``ChoiceInput``,
``FileInput``…): a function takes the open form and one input and returns the next
form, or raises ``InvalidInput`` with a code the chat translates. The caller stores
the returned form (name, step, values and the way back) after every step, so a
restart resumes at the same step and nothing acknowledged is lost.

A front end only knows how to show a step of each ``StepKind``; what is asked, in
which order and what is valid lives here, in the specs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import Enum
from typing import Any

from bot.domain.inputs import ChoiceInput, FileInput, Input, TextInput
from bot.domain.validators import InvalidInput, check_past_date, clean_text, parse_date

# Codes of the buttons every form understands.
NEXT = "next"  # a PICK step: the picking is done
KEEP = "keep"  # a TEXT step with a proposed text: take it as it is
BACK_KEY = "_back"  # in ``Form.data``: the steps answered, for going back


class StepKind(Enum):
    TEXT = "text"  # typed text, cleaned and cut to ``max_len``
    DATE = "date"  # a written date; ``quick_days``: Today / Yesterday buttons
    CHOICE = "choice"  # one code of ``choices``, from a button
    PICK = "pick"  # several ids, each tap adds or removes one; NEXT goes on
    FILE = "file"  # a photo or a document (or, with ``text_goes_to``, its text)


class UnknownChoice(ValueError):
    """A button code the step does not offer: forged or from another version of the bot.
    Front ends ignore it without a word, as they always did for such buttons."""


@dataclass(frozen=True)
class Step:
    key: str
    kind: StepKind
    optional: bool = False  # "Skip" stores None
    max_len: int = 60
    truncate: bool = False  # cut a longer text instead of refusing it
    choices: Callable[[], Collection[str]] | None = None  # CHOICE: the valid codes
    past: bool = True  # DATE: must not be in the future
    not_before: tuple[str, str] | None = None  # DATE: (data key of an earlier date, error)
    quick_days: bool = False  # DATE: buttons for today and yesterday
    applies: Callable[[Mapping[str, Any]], bool] | None = None  # asked only when true
    text_goes_to: str | None = None  # FILE: typed text answers this later step instead
    keep_key: str | None = None  # TEXT: KEEP takes the proposal stored under this key
    # TEXT: a rule of the form's own on the cleaned text and the answers so far (an IIN's
    # checksum, a text in the letter's language): returns the value to store, or raises
    # ``InvalidInput`` with the code the chat translates.
    check: Callable[[str, Mapping[str, Any]], Any] | None = None


@dataclass(frozen=True)
class FormSpec:
    name: str
    steps: tuple[Step, ...]

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def next_after(self, key: str, data: Mapping[str, Any]) -> str | None:
        """The next step that applies, or None when the form is complete."""
        keys = [s.key for s in self.steps]
        for step in self.steps[keys.index(key) + 1 :]:
            if step.applies is None or step.applies(data):
                return step.key
        return None


@dataclass(frozen=True)
class Form:
    """An open form as it is stored: its name, the step asked and the values so far."""

    name: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Filled:
    """The result of an accepted input."""

    form: Form  # the next position, or the complete form when ``done``
    done: bool = False  # every step is answered: run the form's use case
    stay: bool = False  # the same step is asked again (a PICK tap)
    truncated_to: int | None = None


FORMS: dict[str, FormSpec] = {}


def register(spec: FormSpec) -> FormSpec:
    """Make a form known by its name, so that a stored form finds its spec again."""
    if spec.name in FORMS and FORMS[spec.name] is not spec:
        raise ValueError(f"two forms named {spec.name}")
    FORMS[spec.name] = spec
    return spec


def spec_of(form: Form) -> FormSpec | None:
    return FORMS.get(form.name)


def begin(spec: FormSpec, data: Mapping[str, Any], first: str | None = None) -> Form:
    """A new form at ``first`` (by default the first step that applies)."""
    values = dict(data)
    if first is None:
        first = next(s.key for s in spec.steps if s.applies is None or s.applies(values))
    spec.step(first)  # an unknown step is a programming error, found at once
    values[BACK_KEY] = []
    return Form(spec.name, first, values)


def values(form: Form) -> dict[str, Any]:
    """The answers of a complete form, without the engine's own bookkeeping."""
    return {k: v for k, v in form.data.items() if k != BACK_KEY}


def note(form: Form, key: str, value: Any) -> Form:
    """Keep something learnt outside the engine (a text read from a photo) with the form."""
    return replace(form, data={**form.data, key: value})


def apply(spec: FormSpec, form: Form, value: Input, today: date) -> Filled:
    """Take ``value`` as the answer of the current step, or raise ``InvalidInput``."""
    step = spec.step(form.step)
    if step.kind is StepKind.PICK:
        return _pick(form, value)
    if step.kind is StepKind.FILE and isinstance(value, TextInput) and step.text_goes_to:
        later = spec.step(step.text_goes_to)
        text, cut = clean_text(value.text, later.max_len, truncate=later.truncate)
        moved = Form(form.name, later.key, {**form.data, step.key: None})
        checked = later.check(text, moved.data) if later.check else text
        return _store(spec, moved, later, checked, cut)
    if step.kind is StepKind.TEXT and isinstance(value, ChoiceInput) and value.code == KEEP:
        proposal = form.data.get(step.keep_key) if step.keep_key else None
        if not proposal:
            raise UnknownChoice(value.code)
        return _store(spec, form, step, str(proposal), False)
    stored, cut = _value_for(step, form.data, value, today)
    return _store(spec, form, step, stored, cut)


def skip(spec: FormSpec, form: Form) -> Filled:
    """Leave an optional step empty (None)."""
    step = spec.step(form.step)
    if not step.optional:
        raise InvalidInput("not_optional")
    return _store(spec, form, step, None, False)


def back(spec: FormSpec, form: Form) -> Form:
    """The step answered before, with its answer kept until it is answered again."""
    history = list(form.data.get(BACK_KEY) or [])
    if not history:
        raise InvalidInput("at_start")
    previous = history.pop()
    spec.step(previous)
    return Form(form.name, previous, {**form.data, BACK_KEY: history})


def _store(spec: FormSpec, form: Form, step: Step, stored: Any, cut: bool) -> Filled:
    data = {**form.data, step.key: stored}
    data[BACK_KEY] = [*(form.data.get(BACK_KEY) or []), step.key]
    nxt = spec.next_after(step.key, data)
    truncated = step.max_len if cut else None
    if nxt is None:
        return Filled(Form(form.name, step.key, data), done=True, truncated_to=truncated)
    return Filled(Form(form.name, nxt, data), truncated_to=truncated)


def _pick(form: Form, value: Input) -> Filled:
    if not isinstance(value, ChoiceInput):
        raise InvalidInput("use_buttons")
    picked = list(form.data.get("picked", []))
    if value.code == NEXT:
        if not picked:
            raise UnknownChoice(value.code)
        return _store_pick(form, picked)
    if not value.code.isascii() or not value.code.isdigit() or len(value.code) > 16:
        raise UnknownChoice(value.code)
    item = int(value.code)
    picked = [x for x in picked if x != item] if item in picked else [*picked, item]
    return Filled(Form(form.name, form.step, {**form.data, "picked": picked}), stay=True)


def _store_pick(form: Form, picked: list[int]) -> Filled:
    spec = FORMS[form.name]
    return _store(spec, form, spec.step(form.step), picked, False)


def _value_for(step: Step, data: Mapping[str, Any], value: Input, today: date) -> tuple[Any, bool]:
    if step.kind is StepKind.CHOICE:
        if not isinstance(value, ChoiceInput):
            raise InvalidInput("use_buttons")
        if step.choices is None or value.code not in step.choices():
            raise UnknownChoice(value.code)
        return value.code, False
    if step.kind is StepKind.DATE:
        return _date(step, data, value, today).isoformat(), False
    if step.kind is StepKind.FILE:
        return _file(value), False
    if isinstance(value, ChoiceInput):
        raise UnknownChoice(value.code)
    if not isinstance(value, TextInput):
        raise InvalidInput("need_text")
    text, cut = clean_text(value.text, step.max_len, truncate=step.truncate)
    return (step.check(text, data) if step.check else text), cut


def _date(step: Step, data: Mapping[str, Any], value: Input, today: date) -> date:
    if isinstance(value, ChoiceInput):  # Today / Yesterday: a number of days ago
        if not step.quick_days or value.code not in ("0", "1"):
            raise UnknownChoice(value.code)
        day = today - timedelta(days=int(value.code))
        _not_before(step, data, day)
        return day
    if not isinstance(value, TextInput):
        raise InvalidInput("need_text")
    day = parse_date(value.text.strip()[:100])
    _not_before(step, data, day)
    return check_past_date(day, today) if step.past else day


def _not_before(step: Step, data: Mapping[str, Any], day: date) -> None:
    """A date before an earlier one of the same letter (delivered before sent) is a typing
    error: refused, with the earlier date named."""
    if step.not_before is None:
        return
    key, code = step.not_before
    earlier = data.get(key)
    if earlier and day < date.fromisoformat(earlier):
        raise InvalidInput(code, date=date.fromisoformat(earlier).strftime("%d.%m.%Y"))


def _file(value: Input) -> dict[str, Any]:
    if isinstance(value, FileInput) and value.kind == "photo":
        return {"kind": "photo", "file_id": value.file_id, "file_unique_id": value.file_unique_id}
    if isinstance(value, FileInput) and value.kind == "document":
        return {
            "kind": "document",
            "file_id": value.file_id,
            "file_unique_id": value.file_unique_id,
            "file_name": value.file_name,
            "mime": value.mime,
        }
    if isinstance(value, ChoiceInput):
        raise UnknownChoice(value.code)
    raise InvalidInput("need_photo")
