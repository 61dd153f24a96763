"""Moving through a form: where it starts, the next step, the way back, skipping,
keeping or clearing an earlier answer, the review card and its sections.

The one implementation for every form. Each function takes the open form and returns
the next one (a new ``Form``: the stored one is never changed in place, so a caller
still holds the state before the move), or raises ``InvalidInput`` with a code the
chat translates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.forms.spec import (
    BACK_KEY,
    LOOP_KINDS,
    PENDING_KEY,
    RETURN_KEY,
    REVIEW,
    Filled,
    Form,
    FormSpec,
    Step,
    answers_of,
)
from bot.domain.validators import InvalidInput


def begin(spec: FormSpec, data: Mapping[str, Any], first: str | None = None) -> Form:
    """A new form at ``first`` (by default the first step that applies)."""
    values = dict(data)
    if first is None:
        first = next(s.key for s in spec.steps if s.asked(values))
    spec.step(first)  # an unknown step is a programming error, found at once
    values[BACK_KEY] = []
    return Form(spec.name, first, values)


def note(form: Form, key: str, value: Any) -> Form:
    """Keep something learnt outside the engine (a text read from a photo) with the form."""
    return Form(form.name, form.step, {**form.data, key: value})


def following(spec: FormSpec, key: str, data: Mapping[str, Any]) -> str | None:
    """The step after ``key`` that applies: the review card at the end of a form with
    one (and at the end of a section edited from it), None when the form is complete."""
    returning = bool(data.get(RETURN_KEY))
    section = spec.step(key).section
    keys = [s.key for s in spec.steps]
    for step in spec.steps[keys.index(key) + 1 :]:
        if not step.asked(data):
            continue
        if returning and step.section != section:
            return REVIEW
        return step.key
    return REVIEW if spec.review else None


def advance(
    spec: FormSpec, name: str, data: dict[str, Any], key: str, truncated: int | None = None
) -> Filled:
    """Leave step ``key`` (its answer already in ``data``, a copy the caller owns) for
    the next one; what was pending at ``key`` is dropped with it."""
    nxt = following(spec, key, data)
    data[BACK_KEY] = [*(data.get(BACK_KEY) or []), key]
    data.pop(PENDING_KEY, None)
    if nxt is None:
        return Filled(Form(name, key, data), done=True, truncated_to=truncated)
    if nxt == REVIEW:
        data.pop(RETURN_KEY, None)
    return Filled(Form(name, nxt, data), truncated_to=truncated)


def store(spec: FormSpec, form: Form, step: Step, stored: Any, cut: bool) -> Filled:
    """The answer of ``step`` kept, and the form moved on."""
    data = {**form.data, step.key: stored}
    return advance(spec, form.name, data, step.key, step.max_len if cut else None)


def back(spec: FormSpec, form: Form) -> Form:
    """The step answered before, with its answer kept until it is answered again. Back
    within a loop item keeps what was entered for it."""
    history = list(form.data.get(BACK_KEY) or [])
    if not history:
        raise InvalidInput("at_start")
    previous = history.pop()
    if not spec.knows(previous):
        raise KeyError(previous)
    data = {**form.data, BACK_KEY: history}
    if previous not in spec.loop_of:
        data.pop(PENDING_KEY, None)
    if previous == REVIEW:
        data.pop(RETURN_KEY, None)
    return Form(form.name, previous, data)


def skip_step(spec: FormSpec, form: Form) -> Filled:
    """Leave an optional step empty (a step of a loop item: ``loops.skip_item_step``).

    With ``keep_answers`` a step answered before keeps its answer: when a section is
    revisited from the review card, "Skip" means "nothing to change here", and erasing
    an answer must be a choice of its own (``clear``). Without it Skip stores None."""
    if not spec.knows(form.step) or form.step == REVIEW:
        raise InvalidInput("not_optional")
    step = spec.step(form.step)
    if spec.keep_answers and step.key in form.data:  # an earlier answer stays
        return advance(spec, form.name, dict(form.data), step.key)
    if not step.optional:
        raise InvalidInput("not_optional")
    if spec.keep_answers:
        return advance(spec, form.name, dict(form.data), step.key)
    return store(spec, form, step, None, False)


def keep(spec: FormSpec, form: Form) -> Filled:
    """Keep the answer already given (when revisiting a step)."""
    if form.step not in spec.by_key or form.step in spec.loop_of or form.step not in form.data:
        raise InvalidInput("nothing_to_keep")
    return advance(spec, form.name, dict(form.data), form.step)


def clear(spec: FormSpec, form: Form) -> Filled:
    """Erase the answer of an optional step, on the person's explicit request."""
    step = spec.by_key.get(form.step)
    if step is None or form.step in spec.loop_of or not step.optional or step.kind in LOOP_KINDS:
        raise InvalidInput("not_optional")
    if form.step not in form.data:
        raise InvalidInput("nothing_to_keep")
    data = dict(form.data)
    del data[form.step]
    return advance(spec, form.name, data, form.step)


def edit_section(spec: FormSpec, form: Form, section: str) -> Form:
    """From the review card to the first step of ``section``; its end returns to the card."""
    if form.step != REVIEW:
        raise InvalidInput("stale_button")
    data = {**form.data, BACK_KEY: [*(form.data.get(BACK_KEY) or []), REVIEW], RETURN_KEY: True}
    return Form(form.name, first_of_section(spec, data, section), data)


def first_of_section(spec: FormSpec, data: Mapping[str, Any], section: str) -> str:
    for step in spec.steps:
        if step.section == section and step.asked(data):
            return step.key
    raise ValueError(section)


def applicable_answers(spec: FormSpec, data: Mapping[str, Any]) -> dict[str, Any]:
    """Answers without those of steps that no longer apply (e.g. citizenship changed)."""
    answers = answers_of(data)
    keep = {s.key for s in spec.steps if s.asked(answers)}
    return {k: v for k, v in answers.items() if k in keep and v not in (None, "", [])}
