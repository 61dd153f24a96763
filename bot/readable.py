"""Answers of a report as a reader sees them: labels translated, dates by Babel.

The chat's review card and case view and the caseworkers' PDF dossier show the
same answers the same way; identity numbers can be masked for reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot import regions
from bot.domain import questions as q
from bot.domain.questions import Kind, Question
from bot.i18n import N_, Translator
from bot.vocabulary import FILE_KINDS

# Answers holding identity numbers: masked in reports unless asked for in full.
IDENTITY_KEYS = ("r_id", "m_id", "m_passport")
MASK_KEEP = 2
QUOTE_LIMIT = 200


# Staff read the family's answers as a third person: "Applicant", not "About you".
STAFF_SECTION_TITLES: Mapping[q.Section, str] = {q.Section.REPORTER: N_("Applicant")}
STAFF_LABELS: Mapping[str, str] = {
    "r_name": N_("Applicant's full name"),
    "r_gender": N_("Applicant's gender"),
    "r_phone": N_("Applicant's phone"),
    "r_addr": N_("Applicant's postal address"),
    "r_email": N_("Applicant's e-mail address"),
    "r_id": N_("Applicant's IIN/PIN"),
}


def section_title(t: Translator, section: q.Section, *, staff: bool = False) -> str:
    """A section's title for the family (``staff=False``) or for the organisation."""
    return t((STAFF_SECTION_TITLES if staff else {}).get(section, q.SECTION_TITLES[section]))


def label(t: Translator, key: str, *, staff: bool = False) -> str:
    """An answer's label for the family (``staff=False``) or for the organisation."""
    return t((STAFF_LABELS if staff else {}).get(key, q.LABELS[key]))


def mask(value: str | None, keep: int = MASK_KEEP) -> str | None:
    """``"**********12"`` for ``"990101300012"``: only the last ``keep`` characters stay,
    enough to tell numbers apart, not to use one."""
    if value is None or value == "":
        return value
    text = str(value)
    visible = text[-keep:] if len(text) > keep else ""
    return "*" * (len(text) - len(visible)) + visible


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def week_label(t: Translator, iso_week: str) -> str:
    """An ISO week ("2026-W47") as people read it: the week of Monday 16 Nov 2026."""
    try:
        monday = date.fromisocalendar(int(iso_week[:4]), int(iso_week[6:8]), 1)
    except ValueError:
        return iso_week
    return t("week of {date}", date=t.date(monday, "medium"))


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut between words (a button label cut
    mid-word reads as a different word)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:·—-(") + "…"


def file_label(t: Translator, item: Mapping[str, Any]) -> str:
    """An evidence file: its kind, name and the family's description (never its id)."""
    kind = t(FILE_KINDS.get(str(item.get("kind")), N_("document")))
    name = item.get("file_name")
    desc = item.get("description")
    parts = [kind] + ([str(name)] if name else []) + ([f"«{desc}»"] if desc else [])
    return " · ".join(parts)


def action_text(t: Translator, item: Mapping[str, Any]) -> str:
    """A body the family contacted before: who, when, the result, what they answered."""
    label = q.BY_KEY["actions"].choice_label(str(item.get("body"))) or N_("Other")
    parts = [str(item.get("body_text") or t(label))]
    if item.get("date"):
        parts.append(t.date(date.fromisoformat(str(item["date"])), "medium"))
    outcome = {c.code: c.label for c in q.ACTION_OUTCOMES}.get(str(item.get("outcome")))
    if outcome:
        parts.append(t(outcome))
    if item.get("reply"):
        parts.append(f"«{clip(str(item['reply']), QUOTE_LIMIT)}»")
    return " · ".join(parts)


def value_text(t: Translator, question: Question, value: Any, *, masked: bool = False) -> str:
    """One answer as text; ``masked`` hides identity numbers."""
    if value in (None, "", []):
        return "—"
    if masked and question.key in IDENTITY_KEYS:
        return mask(str(value)) or "—"
    kind = question.kind
    if kind is Kind.REGION:
        return regions.name(value, t.locale)
    if kind is Kind.CHOICE:
        label = question.choice_label(str(value))
        return t(label) if label else str(value)
    if kind is Kind.MULTI:
        codes = [value] if isinstance(value, str) else list(value)
        return "; ".join(t(question.choice_label(str(c)) or str(c)) for c in codes)
    if kind in (Kind.DATE, Kind.BIRTH_DATE):
        try:
            return t.date(date.fromisoformat(str(value)), "long")
        except ValueError:
            return str(value)
    if kind is Kind.PHOTO:
        return t("photo attached")
    if kind is Kind.EVIDENCE:
        return t.ngettext("{n} file", "{n} files", len(value))
    if kind is Kind.ACTIONS:
        return "; ".join(action_text(t, item) for item in value)
    return str(value)
