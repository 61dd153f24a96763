"""The UN route's forms as data: the English translation of one of the family's texts,
and the date and reference of a submission sent to the Working Group. The form engine
(``bot.domain.forms``) asks and checks them like every other form; the UN use cases
(``bot.services.un``) act on the complete one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.forms import FormSpec, Step, StepKind, register
from bot.domain.validators import InvalidInput
from bot.un import translation

NO_REFERENCE = "-"  # what the caseworker sends when the Working Group gave none yet
REFERENCE_MAX = 100


def english_text(text: str, data: Mapping[str, Any]) -> str:
    """The translation as stored: ``-`` leaves an optional text out of the submission
    (stored empty); a text the submission cannot do without (``data["key"]``) must be
    translated, since the submission is never made with a required element missing."""
    cleaned = translation.clean(text)
    if not cleaned and str(data.get("key")) in translation.REQUIRED:
        raise InvalidInput("translation_required")
    return cleaned


def reference(text: str, _data: Mapping[str, Any]) -> str:
    """The Working Group's reference; ``-`` (none yet) is stored empty."""
    return "" if text.strip() == NO_REFERENCE else text


# data: case_id, key (the answer translated)
TRANSLATION = register(
    FormSpec(
        "un_tr",
        (Step("text", StepKind.TEXT, max_len=translation.MAX_LEN, check=english_text),),
    )
)
# data: case_id. The date must have passed; the reference may be skipped.
SUBMISSION = register(
    FormSpec(
        "un_sub",
        (
            Step("date", StepKind.DATE),
            Step("ref", StepKind.TEXT, optional=True, max_len=REFERENCE_MAX, check=reference),
        ),
    )
)

UN_FORMS = frozenset({TRANSLATION.name, SUBMISSION.name})
