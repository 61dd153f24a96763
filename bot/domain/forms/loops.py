"""Loops: a step that collects items, each entered over a few steps of its own.

The head of a loop (an EVIDENCE or ACTIONS step) starts an item, removes the last one
(UNDO) or ends the loop (DONE). The item being entered is pending in the form, and its
steps (``Step.sub_steps``: a description, a date, an outcome…) fill its fields; when the
last step that applies is answered or skipped, the item joins the answers and the form
is back at the head. The steps of an item leave no trace in the way back once it is
complete, so Back from the head goes to the step before the loop.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.files import check_evidence_file, file_json
from bot.domain.forms import parsing
from bot.domain.forms.navigation import advance
from bot.domain.forms.spec import (
    BACK_KEY,
    DONE,
    PENDING_KEY,
    UNDO,
    Filled,
    Form,
    FormSpec,
    Step,
    StepKind,
)
from bot.domain.inputs import ChoiceInput, FileInput, Input, OtherInput, TextInput
from bot.domain.validators import InvalidInput, clean_text


def at_head(spec: FormSpec, form: Form, loop: Step, value: Input) -> Filled:
    """An input at the loop's head: DONE, UNDO, or the start of a new item."""
    data = dict(form.data)
    if isinstance(value, ChoiceInput) and value.code == DONE:
        return advance(spec, form.name, data, loop.key)
    if isinstance(value, ChoiceInput) and value.code == UNDO:
        items = data.get(loop.key) or []
        if not items:
            raise InvalidInput("nothing_to_undo")
        data[loop.key] = items[:-1]
        return Filled(Form(form.name, loop.key, data), stay=True)
    if loop.kind is StepKind.EVIDENCE:
        return _new_file(spec, form.name, data, loop, value)
    if isinstance(value, ChoiceInput) and loop.choices and value.code in loop.choices():
        if len(data.get(loop.key) or []) >= loop.item_max:
            raise InvalidInput("too_many_actions", max=loop.item_max)
        return _next_item_step(form.name, data, loop, loop.key, {loop.field or "code": value.code})
    raise InvalidInput("use_buttons")


def _new_file(spec: FormSpec, name: str, data: dict[str, Any], loop: Step, value: Input) -> Filled:
    """A file starts an evidence item; its caption, if any, is its description."""
    if isinstance(value, FileInput):
        check_evidence_file(value)
        if len(data.get(loop.key) or []) >= loop.item_max:
            raise InvalidInput("too_many_files", max=loop.item_max)
        moved = _next_item_step(name, data, loop, loop.key, file_json(value))
        if value.caption and value.caption.strip():
            return _answer_item_step(spec, moved.form, TextInput(value.caption), None)
        return moved
    if isinstance(value, OtherInput):
        raise InvalidInput("file_type")
    raise InvalidInput("need_file")


def at_item_step(spec: FormSpec, form: Form, value: Input, today: date) -> Filled:
    """An input at a step of the item being entered."""
    loop = spec.step(spec.loop_of[form.step])
    if not isinstance(form.data.get(PENDING_KEY), dict):  # not with a consistent form
        return Filled(_back_at_head(form.name, dict(form.data), loop.key))
    if loop.kind is StepKind.EVIDENCE and isinstance(value, FileInput):
        # A new file while a description is asked: the previous file stays undescribed.
        head = _finish(form.name, dict(form.data), loop, {})
        return at_head(spec, head.form, loop, value)
    return _answer_item_step(spec, form, value, today)


def _answer_item_step(spec: FormSpec, form: Form, value: Input, today: date | None) -> Filled:
    step = spec.step(form.step)
    loop = spec.step(spec.loop_of[form.step])
    if loop.kind is StepKind.EVIDENCE:  # a blank description is no description
        text = parsing.require_text(spec, value)
        cleaned = clean_text(text, step.max_len, truncate=True)[0] if text.strip() else ""
        stored, cut = cleaned, False
    else:
        assert today is not None
        stored, cut = parsing.parse(spec, step, value, form.data, today)
    truncated = step.max_len if cut and step.tell_cut else None
    return _item_answered(form, loop, step, stored, truncated)


def skip_item_step(spec: FormSpec, form: Form) -> Filled:
    """Skip an optional step of the item: its field takes the step's default."""
    step = spec.step(form.step)
    if not step.optional:
        raise InvalidInput("not_optional")
    loop = spec.step(spec.loop_of[form.step])
    if not isinstance(form.data.get(PENDING_KEY), dict):
        return Filled(_back_at_head(form.name, dict(form.data), loop.key))
    return _item_answered(form, loop, step, step.default, None)


def _item_answered(
    form: Form, loop: Step, step: Step, stored: Any, truncated: int | None
) -> Filled:
    data = dict(form.data)
    item = {**data[PENDING_KEY], step.field or step.key: stored}
    moved = _next_item_step(form.name, data, loop, step.key, item, after=step.key)
    return Filled(moved.form, done=moved.done, stay=moved.stay, truncated_to=truncated)


def _next_item_step(
    name: str,
    data: dict[str, Any],
    loop: Step,
    here: str,
    item: dict[str, Any],
    after: str | None = None,
) -> Filled:
    """Ask the item's next step that applies to it, or add the complete item."""
    steps = loop.sub_steps
    start = 0 if after is None else [s.key for s in steps].index(after) + 1
    for step in steps[start:]:
        if step.asked(item):
            data[PENDING_KEY] = item
            data[BACK_KEY] = [*(data.get(BACK_KEY) or []), here]
            return Filled(Form(name, step.key, data))
    return _finish(name, data, loop, item)


def _finish(name: str, data: dict[str, Any], loop: Step, answered: dict[str, Any]) -> Filled:
    """The pending item, with ``answered`` and the defaults of steps not asked, added."""
    item = {**(data.get(PENDING_KEY) or {}), **answered}
    for step in loop.sub_steps:
        field = step.field or step.key
        if step.default is not None and field not in item:
            item[field] = step.default
    data[loop.key] = [*(data.get(loop.key) or []), item]
    return Filled(_back_at_head(name, data, loop.key))


def _back_at_head(name: str, data: dict[str, Any], loop_key: str) -> Form:
    """Back at the loop's head; the item's steps leave no trace in the way back."""
    history = list(data.get(BACK_KEY) or [])
    while history and history[-1] != loop_key:
        history.pop()
    if history:
        history.pop()
    data[BACK_KEY] = history
    data.pop(PENDING_KEY, None)
    return Form(name, loop_key, data)
