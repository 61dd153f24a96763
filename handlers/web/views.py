"""What the desk's case pages show, built from the core's plain data in the reader's language.

The chat's sentences (status names, the report's staff labels, the timeline's events, the
letters' kinds) come from the same vocabulary, so the desk and the chat say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel import Locale

from bot import regions
from bot.domain import questions as q
from bot.domain.models import STATUS_CODES, Case, CaseStatus
from bot.domain.questions import Kind, Section
from bot.i18n import Translator
from bot.letters import load_directory
from bot.readable import action_text, file_label, label, section_title, value_text
from bot.vocabulary import EVENT_TEXTS, KIND_NAMES, OUTCOME_NAMES, STATUS_NAMES


def status_name(t: Translator, status: str) -> str:
    return t(STATUS_NAMES[CaseStatus(status)]) if status in STATUS_CODES else status


@dataclass(frozen=True)
class Section_:
    title: str
    rows: list[tuple[str, str]]  # (label, value)
    items: list[str]  # numbered files or contacts under the section


def report_sections(t: Translator, answers: Mapping[str, Any]) -> list[Section_]:
    """The report by section with the organisation's labels ("Applicant's full name")."""
    found = []
    for section in Section:
        rows: list[tuple[str, str]] = []
        items: list[str] = []
        for question in q.QUESTIONS:
            if question.section != section or not question.applies(answers):
                continue
            value = answers.get(question.key)
            if question.kind is Kind.EVIDENCE:
                files = value or []
                rows.append((label(t, question.key, staff=True), str(len(files))))
                items += [file_label(t, it) for it in files]
            elif question.kind is Kind.ACTIONS:
                actions = value or []
                rows.append((label(t, question.key, staff=True), str(len(actions)) or "—"))
                items += [action_text(t, it) for it in actions]
            else:
                rows.append((label(t, question.key, staff=True), value_text(t, question, value)))
        found.append(Section_(section_title(t, section, staff=True), rows, items))
    return found


def body_name(t: Translator, addressee_id: str) -> str:
    directory = load_directory()
    return directory[addressee_id].name(t.locale) if addressee_id in directory else addressee_id


def letter_title(t: Translator, addressee_id: str, kind: str) -> str:
    name = body_name(t, addressee_id)
    kind_name = KIND_NAMES.get(kind)
    return f"{name} · {t(kind_name)}" if kind_name else name


def outcome_name(t: Translator, outcome: str) -> str:
    return t(OUTCOME_NAMES[outcome]) if outcome in OUTCOME_NAMES else outcome


def region_name(t: Translator, code: str | None) -> str:
    return regions.name(code, t.locale) if code else "—"


def timeline(t: Translator, case: Case, tz: str) -> list[tuple[str, str]]:
    """(when, what) of every event of the case, times in the reader's zone."""
    directory = load_directory()
    lines = []
    for event in case.events:
        template = EVENT_TEXTS.get(event.kind)
        if template is None:
            continue
        detail = dict(event.detail)
        outcome = str(detail.get("outcome"))
        params = {
            "body": directory[detail["addressee"]].name(t.locale)
            if detail.get("addressee") in directory
            else "",
            "language": Locale.parse(detail["language"]).get_display_name(t.locale)
            if detail.get("language")
            else "",
            "outcome": t(OUTCOME_NAMES[outcome]) if outcome in OUTCOME_NAMES else "",
            "status": status_name(t, str(detail.get("status"))) if detail.get("status") else "",
            "date": t.date(date.fromisoformat(detail["on"]), "long") if detail.get("on") else "",
        }
        lines.append((t.datetime(event.at, "short", tz=tz), t(template, **params)))
    return lines
