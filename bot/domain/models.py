"""Plain data the rest of the core works with: the report, a case, a user.

The guided conversation stores answers as a flat JSON mapping keyed by the
question keys of ``bot.domain.questions``; ``Report`` is the typed view of that
mapping that letters, exports and the review card read from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class CaseStatus(StrEnum):
    """The fixed ladder a family sees, in order."""

    REPORTED = "reported"
    LETTERS_READY = "letters_ready"
    LETTERS_SENT = "letters_sent"
    WAITING = "waiting"
    ANSWER_RECEIVED = "answer_received"
    LOCATED = "located"
    IN_CONTACT = "in_contact"
    RETURNED = "returned"
    DEAD = "dead"
    CLOSED = "closed"


# Every status code, for checking a stored or typed code before CaseStatus(code).
STATUS_CODES = frozenset(s.value for s in CaseStatus)


@dataclass(frozen=True)
class EvidenceItem:
    """A file the family sent; only Telegram's ids and metadata are kept."""

    kind: str  # photo, document, video, voice, audio, animation, video_note
    file_id: str
    file_unique_id: str
    description: str = ""
    mime: str | None = None
    size: int | None = None
    file_name: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EvidenceItem:
        return cls(
            kind=str(data["kind"]),
            file_id=str(data["file_id"]),
            file_unique_id=str(data.get("file_unique_id", "")),
            description=str(data.get("description") or ""),
            mime=data.get("mime"),
            size=data.get("size"),
            file_name=data.get("file_name"),
        )


@dataclass(frozen=True)
class PriorAction:
    """A body the family contacted before using the bot."""

    body: str  # code from questions.CONTACTED_BODIES
    body_text: str = ""  # the body's name when body == "other"
    on: date | None = None
    outcome: str = "none"  # code from questions.ACTION_OUTCOMES
    reply: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PriorAction:
        on = data.get("date")
        return cls(
            body=str(data["body"]),
            body_text=str(data.get("body_text") or ""),
            on=date.fromisoformat(on) if on else None,
            outcome=str(data.get("outcome") or "none"),
            reply=str(data.get("reply") or ""),
        )


def _date(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _codes(value: object) -> tuple[str, ...]:
    """A multiple-choice answer as codes; an older single code is one of them."""
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if v)
    return (str(value),) if value else ()


def _str(value: object) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Report:
    """Everything a relative entered, typed. Empty strings mean "not given"."""

    reporter_name: str
    reporter_relation: str
    reporter_gender: str  # "m" or "f"
    reporter_phone: str
    reporter_address: str
    reporter_email: str
    reporter_id_number: str
    missing_name: str
    missing_name_latin: str
    missing_birth_date: date | None
    missing_gender: str
    citizenship: str  # "KZ", "KG" or "other"
    citizenship_other: str
    missing_id_number: str
    missing_passport: str
    missing_photo: EvidenceItem | None
    last_contact_date: date | None
    last_contact_how: str
    last_place: str
    what_happened: str  # the first of what is known (older cases hold one code)
    story: str
    responsible: str
    responsible_text: str
    unit: str
    contract: str  # yes / no / unk
    renounced: str
    evidence: tuple[EvidenceItem, ...] = ()
    actions: tuple[PriorAction, ...] = ()
    # ISO 3166-2 codes (bot/data/regions.json); "" when not known, e.g. for older reports.
    last_region: str = ""
    taken_region: str = ""
    # Everything known of what happened ("e_what" is a multiple choice), first code first.
    what_happened_all: tuple[str, ...] = ()
    # Free text given again in a letter's language: {field: {language: text}}, field as in
    # bot.letters.translations (e.g. "e_story", "evidence.0", "actions.1.reply").
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict, hash=False)

    @classmethod
    def from_answers(cls, a: Mapping[str, Any]) -> Report:
        photo = a.get("m_photo")
        return cls(
            reporter_name=_str(a.get("r_name")),
            reporter_relation=_str(a.get("r_rel")),
            reporter_gender=_str(a.get("r_gender")),
            reporter_phone=_str(a.get("r_phone")),
            reporter_address=_str(a.get("r_addr")),
            reporter_email=_str(a.get("r_email")),
            reporter_id_number=_str(a.get("r_id")),
            missing_name=_str(a.get("m_name")),
            missing_name_latin=_str(a.get("m_latin")),
            missing_birth_date=_date(a.get("m_birth")),
            missing_gender=_str(a.get("m_gender")),
            citizenship=_str(a.get("m_cit")),
            citizenship_other=_str(a.get("m_cit_other")),
            missing_id_number=_str(a.get("m_id")),
            missing_passport=_str(a.get("m_passport")),
            missing_photo=EvidenceItem.from_json(photo) if isinstance(photo, dict) else None,
            last_contact_date=_date(a.get("e_date")),
            last_contact_how=_str(a.get("e_how")),
            last_place=_str(a.get("e_place")),
            what_happened=_codes(a.get("e_what"))[0] if _codes(a.get("e_what")) else "",
            what_happened_all=_codes(a.get("e_what")),
            story=_str(a.get("e_story")),
            responsible=_str(a.get("e_resp")),
            responsible_text=_str(a.get("e_resp_text")),
            unit=_str(a.get("e_unit")),
            contract=_str(a.get("e_contract")),
            renounced=_str(a.get("e_renounced")),
            evidence=tuple(EvidenceItem.from_json(e) for e in a.get("evidence") or ()),
            actions=tuple(PriorAction.from_json(x) for x in a.get("actions") or ()),
            last_region=_str(a.get("e_region")),
            taken_region=_str(a.get("e_taken_region")),
            translations={
                str(k): {str(lang): str(text) for lang, text in v.items()}
                for k, v in (a.get("translations") or {}).items()
                if isinstance(v, dict)
            },
        )

    @property
    def whats(self) -> tuple[str, ...]:
        """Every code of what is known to have happened (one for reports made by hand)."""
        return self.what_happened_all or ((self.what_happened,) if self.what_happened else ())

    @property
    def names_perpetrator(self) -> bool:
        """True when the report names a recruiter, a unit or a company (legal-risk note)."""
        return bool(self.responsible_text or self.unit) or self.responsible in (
            "pmc",
            "unit",
            "recruiters",
        )


@dataclass(frozen=True)
class User:
    user_id: int
    chat_id: int
    locale: str
    consent_at: datetime
    timezone: str | None = None
    reminders_on: bool = True
    blocked_at: datetime | None = None


@dataclass(frozen=True)
class Case:
    id: int
    number: str
    reporter_id: int
    status: CaseStatus
    citizenship: str
    answers: Mapping[str, Any]
    created_at: datetime
    updated_at: datetime
    events: tuple[CaseEvent, ...] = field(default=())
    # The family's free text given again in letters' languages (see Report.translations);
    # kept apart from the answers, which stay what the family reported.
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def report(self) -> Report:
        return Report.from_answers({**self.answers, "translations": self.translations})


@dataclass(frozen=True)
class CaseEvent:
    at: datetime
    kind: str  # created, status, letter, sent, reply, note ...
    actor_id: int | None
    detail: Mapping[str, Any]


_CASE_NUMBER = re.compile(r"\s*([A-Za-z]{2})\s*-?\s*(\d{4})\s*-?\s*0*(\d{1,6})\s*")


def parse_case_number(text: str) -> str:
    """A case number as people type it ("kz-2026-1", "KZ 2026 0001") in its stored form,
    "KZ-2026-0001"; text that is no case number comes back upper-cased, unchanged."""
    match = _CASE_NUMBER.fullmatch(text)
    if match is None:
        return text.strip().upper()
    prefix, year, serial = match.groups()
    return f"{prefix.upper()}-{year}-{int(serial):04d}"
