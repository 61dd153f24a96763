"""The letter review's forms as data: a caseworker's correction of one of the family's
texts in a letter, and the note sending a letter back to the family. Each is one typed
text; the form engine (``bot.domain.forms``) asks, checks and keeps it like every other
form, and the review use cases (``bot.services.review``) act on the complete one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.forms import FormSpec, Step, StepKind, register
from bot.domain.validators import InvalidInput
from bot.letters.language import fits

CORRECTION_MAX = 3000  # as long as a translation the family may give
NOTE_MAX = 1000


def in_letter_language(text: str, data: Mapping[str, Any]) -> str:
    """The correction stands in the letter instead of the family's words, so it must be in
    the letter's language (``data["language"]``, kept with the form when it was opened):
    a Kazakh address in a Russian letter would be refused by the body that reads it."""
    language = data.get("language")
    if language and not fits(text, str(language)):
        raise InvalidInput("wrong_language")
    return text


# data: letter_id, field (the answer's key), language (the letter's)
CORRECTION = register(
    FormSpec(
        "review_fix",
        (Step("text", StepKind.TEXT, max_len=CORRECTION_MAX, check=in_letter_language),),
    )
)
# data: letter_id. Refused (not cut) when longer: a note cut silently says less than meant.
RETURN_NOTE = register(FormSpec("review_note", (Step("text", StepKind.TEXT, max_len=NOTE_MAX),)))

REVIEW_FORMS = frozenset({CORRECTION.name, RETURN_NOTE.name})
