"""Taking one input as the answer of the form's current step, for every form.

``apply`` decides by the step what the input is: a confirmation of the review card, a
step of a loop item, a loop's head, a region's name or one of its matches, a tap of a
multiple choice, or a value checked by the rule of the step's kind (``parsing``), which
may be doubted and kept aside until the person confirms it (ACCEPT).
"""

from __future__ import annotations

from datetime import date

from bot import regions
from bot.domain.forms import loops, parsing
from bot.domain.forms.navigation import advance, skip_step, store
from bot.domain.forms.spec import (
    ACCEPT,
    CONFIRM,
    DONE,
    KEEP,
    LOOP_KINDS,
    NEXT,
    PENDING_KEY,
    REVIEW,
    Filled,
    Form,
    FormSpec,
    Step,
    StepKind,
    UnknownChoice,
    chosen,
)
from bot.domain.inputs import ChoiceInput, Input, TextInput
from bot.domain.validators import InvalidInput, clean_text


def apply(spec: FormSpec, form: Form, value: Input, today: date) -> Filled:
    """Take ``value`` as the answer of the current step, or raise ``InvalidInput``."""
    if form.step == REVIEW and spec.review:
        if isinstance(value, ChoiceInput) and value.code == CONFIRM:
            return Filled(form, done=True)
        raise InvalidInput("use_buttons")
    if form.step in spec.loop_of:
        return loops.at_item_step(spec, form, value, today)
    step = spec.step(form.step)
    if step.kind in LOOP_KINDS:
        return loops.at_head(spec, form, step, value)
    if step.kind is StepKind.REGION:
        return _region(spec, form, step, value)
    if step.kind is StepKind.PICK:
        return _pick(spec, form, step, value)
    if step.kind is StepKind.FILE and isinstance(value, TextInput) and step.text_goes_to:
        later = spec.step(step.text_goes_to)
        text, cut = clean_text(value.text, later.max_len, truncate=later.truncate)
        moved = Form(form.name, later.key, {**form.data, step.key: None})
        checked = later.check(text, moved.data) if later.check else text
        return store(spec, moved, later, checked, cut)
    if step.keep_key and isinstance(value, ChoiceInput) and value.code == KEEP:
        proposal = form.data.get(step.keep_key)
        if not proposal:
            raise UnknownChoice(value.code)
        return store(spec, form, step, str(proposal), False)
    if isinstance(value, ChoiceInput) and value.code == ACCEPT:
        return _accept_doubted(spec, form, step)
    if step.kind is StepKind.MULTI:
        return _multi(spec, form, step, value)
    stored, cut = parsing.parse(spec, step, value, form.data, today)
    doubt = step.doubt(stored, form.data) if step.doubt else None
    if doubt is not None:  # kept aside until the person confirms or corrects it
        pending = {"for": step.key, "value": stored, "doubt": doubt.code, "params": doubt.params}
        return Filled(Form(form.name, step.key, {**form.data, PENDING_KEY: pending}), stay=True)
    return store(spec, form, step, stored, cut)


def skip(spec: FormSpec, form: Form) -> Filled:
    """Leave an optional step (or an optional step of a loop item) empty."""
    if form.step in spec.loop_of:
        return loops.skip_item_step(spec, form)
    return skip_step(spec, form)


def _accept_doubted(spec: FormSpec, form: Form, step: Step) -> Filled:
    """Store the value the person confirmed after a doubt was explained."""
    pending = form.data.get(PENDING_KEY) or {}
    if pending.get("for") != step.key or "value" not in pending:
        raise parsing.unknown(spec, ACCEPT, "stale_button")
    return advance(spec, form.name, {**form.data, step.key: pending["value"]}, step.key)


def _region(spec: FormSpec, form: Form, step: Step, value: Input) -> Filled:
    """A typed name shows the best matches as buttons; a tap on one stores its code."""
    if isinstance(value, ChoiceInput):
        if regions.get(value.code) is None:
            raise InvalidInput("stale_button")
        return advance(spec, form.name, {**form.data, step.key: value.code}, step.key)
    text = parsing.short(parsing.require_text(spec, value))
    matches = regions.search(text)
    if not matches:
        raise InvalidInput("region_not_found")
    pending = {"for": step.key, "matches": [r.code for r in matches]}
    return Filled(Form(form.name, step.key, {**form.data, PENDING_KEY: pending}), stay=True)


def _multi(spec: FormSpec, form: Form, step: Step, value: Input) -> Filled:
    """A tap adds or removes one code and stays on the step; DONE moves on."""
    if not isinstance(value, ChoiceInput):
        raise InvalidInput("use_buttons")
    codes = chosen(form.data.get(step.key))
    if value.code == DONE:
        if not codes:
            raise InvalidInput("choose_one")
        return advance(spec, form.name, dict(form.data), step.key)
    if step.choices is None or value.code not in step.choices():
        raise InvalidInput("use_buttons")
    if value.code in codes:
        codes.remove(value.code)
    else:
        codes.append(value.code)
    return Filled(Form(form.name, step.key, {**form.data, step.key: codes}), stay=True)


def _pick(spec: FormSpec, form: Form, step: Step, value: Input) -> Filled:
    """A tap adds or removes one id (kept under "picked") and stays; NEXT stores them."""
    if not isinstance(value, ChoiceInput):
        raise InvalidInput("use_buttons")
    picked = list(form.data.get("picked", []))
    if value.code == NEXT:
        if not picked:
            raise UnknownChoice(value.code)
        return store(spec, form, step, picked, False)
    if not value.code.isascii() or not value.code.isdigit() or len(value.code) > 16:
        raise UnknownChoice(value.code)
    item = int(value.code)
    picked = [x for x in picked if x != item] if item in picked else [*picked, item]
    return Filled(Form(form.name, form.step, {**form.data, "picked": picked}), stay=True)
