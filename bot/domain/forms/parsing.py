"""One rule per step kind: what an input must be to answer a step, and what is stored.

Each rule takes the step, the form's answers so far and one input, and returns the
value to store and whether a text was cut, or raises ``InvalidInput`` with a code the
chat translates (``UnknownChoice`` for a button the step does not offer, in forms that
ignore such buttons).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from bot.domain.files import check_size, file_json
from bot.domain.forms.spec import FormSpec, Step, StepKind, UnknownChoice
from bot.domain.inputs import ChoiceInput, ContactInput, FileInput, Input, TextInput
from bot.domain.validators import (
    InvalidInput,
    check_past_date,
    clean_text,
    normalize_phone,
    parse_birth_date,
    parse_date,
    validate_email,
    validate_id_number,
    validate_latin_name,
    validate_name,
    validate_passport,
)

Parsed = tuple[Any, bool]


def unknown(spec: FormSpec, code: str, reason: str) -> Exception:
    """A button the step does not offer: explained (``reason``) or quietly ignored."""
    if spec.explain_refusals:
        return InvalidInput(reason)
    return UnknownChoice(code)


def require_text(spec: FormSpec, value: Input) -> str:
    if isinstance(value, TextInput):
        return value.text
    if isinstance(value, ChoiceInput):
        raise unknown(spec, value.code, "stale_button")
    raise InvalidInput("need_text")


def short(text: str, limit: int = 100) -> str:
    """Identifiers and dates are short: refuse a pasted essay before parsing it."""
    text = text.strip()
    if len(text) > limit:
        raise InvalidInput("text_too_long", max_len=limit, length=len(text))
    return text


def parse(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    """The value ``value`` gives ``step``, by the rule of its kind."""
    rule = _RULES.get(step.kind)
    if rule is None:
        raise AssertionError(step.kind)
    return rule(spec, step, value, data, today)


def _choice(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    if not isinstance(value, ChoiceInput):
        raise InvalidInput("use_buttons")
    if step.choices is None or value.code not in step.choices():
        raise unknown(spec, value.code, "use_buttons")
    return value.code, False


def _text(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    text, cut = clean_text(require_text(spec, value), step.max_len, truncate=step.truncate)
    return (step.check(text, data) if step.check else text), cut


def _name(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    return validate_name(require_text(spec, value), step.max_len), False


def _latin(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    return validate_latin_name(require_text(spec, value), step.max_len), False


def _phone(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    if isinstance(value, ContactInput):
        return normalize_phone(value.phone), False
    return normalize_phone(short(require_text(spec, value))), False


def _email(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    return validate_email(short(require_text(spec, value))), False


def _id_number(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    citizenship = data.get(step.citizenship_key) if step.citizenship_key else None
    return validate_id_number(short(require_text(spec, value)), citizenship)[1], False


def _passport(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    return validate_passport(short(require_text(spec, value))), False


def _birth_date(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    return parse_birth_date(short(require_text(spec, value)), today).isoformat(), False


def _date(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    if isinstance(value, ChoiceInput):  # Today / Yesterday: a number of days ago
        if not step.quick_days or value.code not in ("0", "1"):
            raise unknown(spec, value.code, "stale_button")
        day = today - timedelta(days=int(value.code))
        _not_before(step, data, day)
        return day.isoformat(), False
    text = require_text(spec, value)
    day = parse_date(short(text) if spec.explain_refusals else text.strip()[:100])
    _not_before(step, data, day)
    if step.past:
        born = data.get(step.born_key) if step.born_key else None
        day = check_past_date(day, today, date.fromisoformat(born) if born else None)
    return day.isoformat(), False


def _not_before(step: Step, data: Mapping[str, Any], day: date) -> None:
    """A date before an earlier one of the same letter (delivered before sent) is a typing
    error: refused, with the earlier date named."""
    if step.not_before is None:
        return
    key, code = step.not_before
    earlier = data.get(key)
    if earlier and day < date.fromisoformat(earlier):
        raise InvalidInput(code, date=date.fromisoformat(earlier).strftime("%d.%m.%Y"))


def _photo(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    if isinstance(value, FileInput) and (
        value.kind == "photo"
        or (value.kind == "document" and (value.mime or "").startswith("image/"))
    ):
        check_size(value)
        return file_json(value), False
    if isinstance(value, ChoiceInput):
        raise unknown(spec, value.code, "stale_button")
    raise InvalidInput("need_photo")


def _file(
    spec: FormSpec, step: Step, value: Input, data: Mapping[str, Any], today: date
) -> Parsed:
    stored: dict[str, Any]
    if isinstance(value, FileInput) and value.kind == "photo":
        stored = {
            "kind": "photo",
            "file_id": value.file_id,
            "file_unique_id": value.file_unique_id,
        }
        return stored, False
    if isinstance(value, FileInput) and value.kind == "document":
        stored = {
            "kind": "document",
            "file_id": value.file_id,
            "file_unique_id": value.file_unique_id,
            "file_name": value.file_name,
            "mime": value.mime,
        }
        return stored, False
    if isinstance(value, ChoiceInput):
        raise unknown(spec, value.code, "stale_button")
    raise InvalidInput("need_photo")


_RULES: Mapping[StepKind, Callable[[FormSpec, Step, Input, Mapping[str, Any], date], Parsed]] = {
    StepKind.CHOICE: _choice,
    StepKind.TEXT: _text,
    StepKind.NAME: _name,
    StepKind.LATIN_NAME: _latin,
    StepKind.PHONE: _phone,
    StepKind.EMAIL: _email,
    StepKind.ID_NUMBER: _id_number,
    StepKind.PASSPORT: _passport,
    StepKind.BIRTH_DATE: _birth_date,
    StepKind.DATE: _date,
    StepKind.PHOTO: _photo,
    StepKind.FILE: _file,
}
