"""Answers of a report as a reader sees them: labels translated, dates by Babel.

The chat's review card and case view and the caseworkers' PDF dossier show the
same answers the same way; identity numbers can be masked for reports.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from bot.domain import questions as q
from bot.domain.questions import Kind, Question
from bot.i18n import N_, Translator
from bot.vocabulary import FILE_KINDS

# Answers holding identity numbers: masked in reports unless asked for in full.
IDENTITY_KEYS = ("r_id", "m_id", "m_passport")
MASK_KEEP = 2
QUOTE_LIMIT = 200


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
