"""The translation step of the submission: the family's own words in English.

The Working Group works in English, French and Spanish; families write in Kazakh, Russian
or Kyrgyz. The organisation writes the English text of every free-text answer the
submission uses, and the submission is never made while one is missing, so nothing the
family wrote reaches it untranslated. Names of people and postal addresses are not
translated. Kept apart from the submission so the letters can share the same step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.questions import LABELS

# Free-text answers the submission quotes, in the order it quotes them.
FIELDS: tuple[str, ...] = ("m_cit_other", "e_place", "e_story", "e_resp_text", "e_unit")
# Without these the submission lacks a required element: they cannot be left out.
REQUIRED: frozenset[str] = frozenset({"e_place"})
LEAVE_OUT = "-"  # what the caseworker writes to leave an optional text out
MAX_LEN = 3000


@dataclass(frozen=True)
class Pending:
    """A text still to translate: its answer key, short label (msgid) and the original."""

    key: str
    label: str
    original: str
    required: bool


def _other_bodies(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Names of "other" bodies the family contacted before, typed by the family."""
    out = []
    for i, action in enumerate(answers.get("actions") or ()):
        text = str(action.get("body_text") or "").strip()
        if action.get("body") == "other" and text:
            out.append((f"actions.{i}", text))
    return out


def texts_to_translate(answers: Mapping[str, Any]) -> list[Pending]:
    """Every free text of the report the submission would quote."""
    out = [
        Pending(k, LABELS[k], str(answers[k]).strip(), k in REQUIRED)
        for k in FIELDS
        if str(answers.get(k) or "").strip()
    ]
    out += [Pending(k, LABELS["actions"], text, False) for k, text in _other_bodies(answers)]
    return out


def missing(answers: Mapping[str, Any], translations: Mapping[str, str]) -> list[Pending]:
    """Texts with no English version yet (a required one left out counts as missing)."""
    return [
        p
        for p in texts_to_translate(answers)
        if p.key not in translations or (p.required and not translations[p.key])
    ]


def english(translations: Mapping[str, str], key: str) -> str:
    """The English text for ``key``; empty when it was left out or does not exist."""
    return str(translations.get(key) or "")


def clean(text: str) -> str:
    """What the caseworker typed: ``-`` leaves the text out (stored as empty)."""
    text = " ".join(text.split())
    return "" if text == LEAVE_OUT else text
