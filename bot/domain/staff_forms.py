"""The organisation's forms as data: a note, a message to the family, the family's
answer, a translation of the family's text. Each is one typed text; the form engine
(``bot.domain.forms``) asks, checks and keeps it like every other form, and the staff
use cases (``bot.services.staff``) act on the complete one.
"""

from __future__ import annotations

from bot.domain.forms import FormSpec, Step, StepKind, register

TEXT_MAX = 3000  # characters of a note, a message relayed through the bot, a translation


def _one_text(name: str) -> FormSpec:
    """A form of one text step, refused (not cut) when longer than ``TEXT_MAX``: a note
    or a message cut silently would say less than its writer meant."""
    return register(FormSpec(name, (Step("text", StepKind.TEXT, max_len=TEXT_MAX),)))


NOTE = _one_text("note")
RELAY = _one_text("relay")  # staff to the family; data: case_id
RELAY_BACK = _one_text("relay_back")  # the family's answer; data: case_id, to
TRANSLATION = _one_text("translation")  # data: case_id, field, language

STAFF_FORMS = frozenset({NOTE.name, RELAY.name, RELAY_BACK.name, TRANSLATION.name})
SPECS = {spec.name: spec for spec in (NOTE, RELAY, RELAY_BACK, TRANSLATION)}
