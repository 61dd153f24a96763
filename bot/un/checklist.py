"""What a case already has of the WGEID's required elements, and what it lacks.

The elements follow the Working Group's minimum (``procedures.wgeid("minimum")``) plus the
family's consent, which the Working Group requires of an organisation submitting for them.
Each missing element names the question of the report or the letters that supply it, so
the family and the caseworker know what to do next.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.questions import LABELS
from bot.i18n import N_
from bot.un import procedures

# e_resp codes meaning agents of the State themselves.
STATE_AGENTS = frozenset({"police", "unit"})
# e_what codes meaning a State institution held or sent him (prison, migration centre,
# police station, mobilisation).
STATE_SETTINGS = frozenset({"prison", "migration", "mobilised"})
# An outcome of a national letter that leaves the family without an answer.
NO_ANSWER = frozenset({"form", "refused"})


@dataclass(frozen=True)
class SentLetter:
    """A national letter as the submission cites it (plain data from storage)."""

    addressee_id: str
    kind: str
    sent_on: date
    reference: str
    due_on: date | None
    replies: tuple[tuple[date, str], ...]  # (received on, outcome code), oldest first


@dataclass(frozen=True)
class Consent:
    may_name: bool | None
    on_behalf: bool | None
    given_at: date | None = None

    @property
    def answered(self) -> bool:
        return self.may_name is not None and self.on_behalf is not None

    @property
    def usable(self) -> bool:
        """Someone can author the submission: the organisation for the family, or the
        family itself under its own name (the Working Group keeps authors confidential but
        needs to know them)."""
        return self.answered and bool(self.on_behalf or self.may_name)


@dataclass(frozen=True)
class Element:
    code: str  # identity, when_where, responsible, national_steps, author, consent
    title: str  # msgid
    present: bool
    supplied_by: tuple[str, ...]  # msgids: questions (their short labels) or letters


@dataclass(frozen=True)
class UrgentWindow:
    start: date | None  # the date of disappearance (last contact)
    closes: date | None  # the last day a case still counts as within three months
    open: bool


@dataclass(frozen=True)
class Checklist:
    elements: tuple[Element, ...]
    urgent: UrgentWindow
    state_link: str  # agents, institution, unclear, unknown
    held_by_state: bool
    national_contacted: bool

    @property
    def missing(self) -> tuple[Element, ...]:
        return tuple(e for e in self.elements if not e.present)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def use_now(self) -> bool:
        """When to use it: after national bodies were contacted, or at once while the urgent
        window is open and the person is believed to be held by the State."""
        return self.national_contacted or (self.urgent.open and self.held_by_state)


TITLES: Mapping[str, str] = {
    "identity": N_("Identity of the person with an identity document"),
    "when_where": N_("Date and place of disappearance"),
    "responsible": N_("Who is believed responsible and their link to the State"),
    "national_steps": N_("Steps taken with national bodies and their outcome"),
    "author": N_("The author's identity and contact"),
    "consent": N_("The family's consent"),
}
LETTERS_SOURCE = N_("the letters to national bodies: /letters, then mark them sent with /track")
CONSENT_SOURCE = N_("the two consent questions (/un)")
ORGANISATION_SOURCE = N_("the organisation's name and contact in the bot's settings")


def what_codes(answers: Mapping[str, Any]) -> tuple[str, ...]:
    """``e_what`` as a tuple of codes: a single code (older cases) or a list."""
    value = answers.get("e_what")
    if value is None or value == "":
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if v)
    return (str(value),)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def urgent_window(start: date | None, today: date) -> UrgentWindow:
    if start is None:
        return UrgentWindow(None, None, False)
    closes = add_months(start, int(procedures.wgeid("urgent_months").value))
    return UrgentWindow(start, closes, start <= today <= closes)


def state_link(answers: Mapping[str, Any]) -> str:
    """agents: police or a military unit; institution: prison, migration centre or
    mobilisation; unclear: someone is named but no link to the State is known; unknown."""
    if answers.get("e_resp") in STATE_AGENTS:
        return "agents"
    if STATE_SETTINGS & set(what_codes(answers)):
        return "institution"
    if answers.get("e_resp") not in (None, "", "unknown"):
        return "unclear"
    return "unknown"


def _has(answers: Mapping[str, Any], *keys: str) -> bool:
    return any(str(answers.get(k) or "").strip() for k in keys)


def build(
    answers: Mapping[str, Any],
    letters: Sequence[SentLetter],
    consent: Consent,
    *,
    today: date,
    organisation_known: bool,
) -> Checklist:
    """The checklist of one case from its report, its sent letters and the family's consent."""
    link = state_link(answers)
    contacted = bool(letters) or bool(answers.get("actions"))
    author_ok = consent.usable and (
        (consent.on_behalf and organisation_known)
        or (
            not consent.on_behalf
            and _has(answers, "r_name")
            and _has(answers, "r_phone", "r_addr", "r_email")
        )
    )
    rows = [
        (
            "identity",
            _has(answers, "m_name") and _has(answers, "m_id", "m_passport"),
            ("m_name", "m_id", "m_passport"),
        ),
        (
            "when_where",
            _has(answers, "e_date") and _has(answers, "e_place", "e_region"),
            ("e_date", "e_place"),
        ),
        ("responsible", link in ("agents", "institution"), ("e_resp", "e_what", "e_unit")),
        ("national_steps", contacted, ()),
        ("author", bool(author_ok), ("r_name", "r_phone", "r_addr")),
        ("consent", consent.usable, ()),
    ]
    elements = []
    for code, present, questions in rows:
        sources = _sources(code, questions, consent, organisation_known)
        elements.append(Element(code, TITLES[code], bool(present), sources))
    start = date.fromisoformat(str(answers["e_date"])) if answers.get("e_date") else None
    return Checklist(
        tuple(elements),
        urgent_window(start, today),
        link,
        link in ("agents", "institution"),
        contacted,
    )


def _sources(
    code: str, questions: tuple[str, ...], consent: Consent, organisation_known: bool
) -> tuple[str, ...]:
    if code == "national_steps":
        return (LETTERS_SOURCE,)
    if code == "consent":
        return (CONSENT_SOURCE,)
    if code == "author" and consent.on_behalf and not organisation_known:
        return (ORGANISATION_SOURCE,)
    if code == "author" and not consent.usable:
        return (CONSENT_SOURCE,)
    return tuple(LABELS[q] for q in questions)
