"""The family's own words in a letter's language.

A letter goes out in its addressee's language, every word of it. The report holds free
text in whatever language the family wrote (an address, the place, their account, the
unit, descriptions of evidence, earlier replies). Before a letter is made, each of those
that goes into it is checked with ``bot.letters.language``: a text in another language is
replaced by its translation into the letter's language when the family or a caseworker
has given one, and otherwise the letter is not made (``ForeignText``) and the family is
asked for it. A caseworker's correction before release is stored the same way and replaces
the text even when it was in the letter's language. Names of people are never translated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.domain.models import Report
from bot.letters.language import fits
from bot.letters.model import RenderOptions

# Report attributes holding free text that letters print, by the answer key they come from.
SIMPLE_FIELDS: Mapping[str, str] = {
    "r_addr": "reporter_address",
    "e_place": "last_place",
    "e_story": "story",
    "e_resp_text": "responsible_text",
    "e_unit": "unit",
    "m_cit_other": "citizenship_other",
}
# Fields left out with the details the family chose to keep out of the letters.
STORY_FIELDS = frozenset({"e_story"})
PERPETRATOR_FIELDS = frozenset({"e_resp_text", "e_unit"})


class ForeignText(ValueError):
    """Free text in another language than the letter's, with no translation yet."""

    def __init__(self, language: str, fields: list[str]) -> None:
        super().__init__(f"{language}: {', '.join(fields)}")
        self.language = language
        self.fields = fields


@dataclass(frozen=True)
class Needed:
    """One text to give in ``language``: ``field`` as stored, ``original`` as typed."""

    field: str
    language: str
    original: str


def texts(report: Report, options: RenderOptions = RenderOptions()) -> dict[str, str]:
    """Every non-empty free text of ``report`` that a letter with ``options`` prints."""
    out: dict[str, str] = {}
    for key, attr in SIMPLE_FIELDS.items():
        if key in STORY_FIELDS and not options.include_story:
            continue
        if key in PERPETRATOR_FIELDS and (options.protect or not options.include_perpetrator):
            continue
        value = str(getattr(report, attr) or "").strip()
        if value:
            out[key] = value
    for i, item in enumerate(report.evidence):
        if item.description.strip():
            out[f"evidence.{i}"] = item.description.strip()
    for i, action in enumerate(report.actions):
        if action.body == "other" and action.body_text.strip():
            out[f"actions.{i}.body_text"] = action.body_text.strip()
        if action.reply.strip():
            out[f"actions.{i}.reply"] = action.reply.strip()
    return out


def needed(
    report: Report, language: str, options: RenderOptions = RenderOptions()
) -> list[Needed]:
    """Texts not in ``language`` that have no translation into it yet."""
    return [
        Needed(key, language, value)
        for key, value in texts(report, options).items()
        if not fits(value, language) and not _given(report, key, language)
    ]


def _given(report: Report, key: str, language: str) -> str:
    return str((report.translations.get(key) or {}).get(language) or "").strip()


def localize(report: Report, language: str, options: RenderOptions = RenderOptions()) -> Report:
    """``report`` with every foreign free text replaced by its translation into
    ``language``. Raises ForeignText when a translation is missing."""
    missing = needed(report, language, options)
    if missing:
        raise ForeignText(language, [n.field for n in missing])
    # A text given in the letter's language replaces the original, also one that was in
    # that language already: a caseworker's correction before release (bot.services.review).
    swap = {
        key: given for key in texts(report, options) if (given := _given(report, key, language))
    }
    if not swap:
        return report
    # Report attributes named by data (all of them str): dataclasses.replace checks the names.
    simple: dict[str, Any] = {
        attr: swap[key] for key, attr in SIMPLE_FIELDS.items() if key in swap
    }
    evidence = tuple(
        replace(item, description=swap.get(f"evidence.{i}", item.description))
        for i, item in enumerate(report.evidence)
    )
    actions = tuple(
        replace(
            a,
            body_text=swap.get(f"actions.{i}.body_text", a.body_text),
            reply=swap.get(f"actions.{i}.reply", a.reply),
        )
        for i, a in enumerate(report.actions)
    )
    return replace(report, evidence=evidence, actions=actions, **simple)
