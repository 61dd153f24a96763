"""The letters' two questions as forms: the applicant's IIN, asked before letters to
Kazakh bodies, and one text of the report written again in a letter's language.

Each is one typed text; the form engine (``bot.domain.forms``) asks, checks and keeps
it like every other form, and the letters' use cases (``bot.services.letters``) act on
the complete one. Both steps are optional: skipping means "I have no IIN" or "leave the
translation to the organisation", the same as the button under the question.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from bot.domain.forms import FormSpec, Step, StepKind, register
from bot.domain.validators import InvalidInput, validate_iin
from bot.letters.language import fits

IIN_TYPED_MAX = 100  # an IIN typed with spaces or dashes; more is cut, then refused
TRANSLATION_MAX = 3000  # characters of one text in a letter's language


def digest(text: str) -> str:
    """A fingerprint of the report's own text, kept with the translation form instead of
    the text itself: the form then holds no second copy of what the family wrote."""
    return hashlib.sha256(text.encode()).hexdigest()


def check_iin(text: str, _data: Mapping[str, Any]) -> str:
    """Twelve digits with a right check digit (spaces and dashes allowed); the digits
    are stored. A wrong one is refused with ``iin_length`` or ``iin_checksum``."""
    return validate_iin(text)


def check_in_language(text: str, data: Mapping[str, Any]) -> str:
    """The text must be written in the letter's language (its script and letters). The
    report's own text sent back unchanged is taken as it is: it may already be right
    (a name, an address in Latin letters) and the family knows it best."""
    language = str(data.get("language"))
    if fits(text, language) or digest(text) == data.get("original"):
        return text
    raise InvalidInput("wrong_language", language=language)


IIN = register(
    FormSpec(
        "iin",  # data: case_id
        (
            Step(
                "text",
                StepKind.TEXT,
                optional=True,
                max_len=IIN_TYPED_MAX,
                truncate=True,
                check=check_iin,
            ),
        ),
    )
)
TRANSLATE = register(
    FormSpec(
        "translate",  # data: case_id, field, language, letter_id, original (its digest)
        (
            Step(
                "text",
                StepKind.TEXT,
                optional=True,
                max_len=TRANSLATION_MAX,
                check=check_in_language,
            ),
        ),
    )
)

LETTER_FORMS = frozenset({IIN.name, TRANSLATE.name})
