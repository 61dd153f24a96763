"""The WGEID submission of a case, in English, as the letters are made: template, markup,
``Letter``, then the letters' own PDF and DOCX layout.

Only English is offered: French and Spanish templates would need a reviewer who reads
them, and the Working Group accepts English. The submission refuses to render while a
required element or an English translation is missing (``NotReady``), so it can never
carry untranslated words of the family.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment

from bot.letters.model import Letter
from bot.letters.pdf import letter_pdf
from bot.letters.render import id_kind, letter_environment, letter_from_text
from bot.letters.word import letter_docx
from bot.un import procedures, translation
from bot.un.checklist import Checklist, Consent, SentLetter, build, what_codes

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates" / "un"
LANGUAGES = ("en",)
KIND = "wgeid_submission"
STATES = {"RU": "the Russian Federation", "KZ": "Kazakhstan", "KG": "Kyrgyzstan"}
LANGUAGE_NAMES = {"kk": "Kazakh", "ru": "Russian", "ky": "Kyrgyz"}
# English names of the bodies the letters go to; others are named by their kind.
BODY_NAMES = {
    "embassy_kz": "Embassy of Kazakhstan in the Russian Federation",
    "embassy_kg": "Embassy of Kyrgyzstan in the Russian Federation",
    "mfa_kz": "Ministry of Foreign Affairs of Kazakhstan",
    "mfa_kg": "Ministry of Foreign Affairs of Kyrgyzstan",
    "ombudsman_kz": "Commissioner for Human Rights of Kazakhstan",
    "ombudsman_kg": "Akyikatchy (Ombudsman) of Kyrgyzstan",
    "ombudsman_ru": "High Commissioner for Human Rights of the Russian Federation",
    "prosecutor_general": "Prosecutor General's Office of the Russian Federation",
    "military_prosecutor": "Main Military Prosecutor's Office of the Russian Federation",
    "investigative_committee": "Investigative Committee of the Russian Federation",
    "defence_ministry": "Ministry of Defence of the Russian Federation",
    "icrc": "International Committee of the Red Cross (ICRC)",
}
KIND_NAMES = {
    "embassy": "embassy",
    "mfa": "Ministry of Foreign Affairs",
    "ombudsman": "ombudsman",
    "prosecutor": "prosecutor's office",
    "investigative": "investigative body",
    "defence": "Ministry of Defence",
    "icrc": "ICRC",
    "police": "Ministry of Internal Affairs (police)",
    "prison": "Federal Penitentiary Service",
    "migration": "migration authority",
    "commissariat": "military commissariat",
}


class NotReady(ValueError):
    """The submission cannot be made yet: ``elements`` missing, ``texts`` untranslated."""

    def __init__(self, elements: Sequence[str], texts: Sequence[str]) -> None:
        super().__init__(f"missing {list(elements)}, untranslated {list(texts)}")
        self.elements = tuple(elements)
        self.texts = tuple(texts)


@dataclass(frozen=True)
class Organisation:
    name: str
    contact: str

    @property
    def known(self) -> bool:
        return bool(self.name.strip() and self.contact.strip())


@dataclass(frozen=True)
class SubmissionInput:
    """Everything the submission is made from: plain, picklable data for the worker."""

    case_number: str
    answers: Mapping[str, Any]
    letters: tuple[SentLetter, ...]
    consent: Consent
    translations: Mapping[str, str]
    organisation: Organisation
    family_locale: str
    today: date
    body_kinds: Mapping[str, tuple[str, str]]  # addressee id -> (kind, country)


def _english_date(value: date | None) -> str:
    return format_date(value, "d MMMM y", locale="en") if value else "not known"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The letters' environment on the submission's templates, with English dates."""
    env = letter_environment(TEMPLATES_DIR)
    env.filters["ed"] = _english_date
    return env


def checklist_of(data: SubmissionInput) -> Checklist:
    return build(
        data.answers,
        data.letters,
        data.consent,
        today=data.today,
        organisation_known=data.organisation.known,
    )


def body_name(addressee_id: str, kinds: Mapping[str, tuple[str, str]]) -> str:
    if addressee_id in BODY_NAMES:
        return BODY_NAMES[addressee_id]
    kind, country = kinds.get(addressee_id, ("", ""))
    where = STATES.get(country, country)
    return (
        f"{KIND_NAMES.get(kind, 'national body')} ({where})"
        if where
        else KIND_NAMES.get(kind, "national body")
    )


def _state(answers: Mapping[str, Any]) -> str:
    """The State concerned: the country of the region where he was taken or last seen."""
    for key in ("e_taken_region", "e_region"):
        code = str(answers.get(key) or "")
        if code[:2] in STATES:
            return code[:2]
    return "RU"  # the bot serves families of people who went missing in Russia


def _context(data: SubmissionInput, checklist: Checklist) -> dict[str, Any]:
    a, tr = data.answers, data.translations
    contact = ", ".join(
        x
        for x in (
            str(a.get("r_phone") or ""),
            str(a.get("r_email") or ""),
            str(a.get("r_addr") or ""),
        )
        if x.strip()
    )
    email = procedures.wgeid("email")
    address = procedures.wgeid("postal_address")
    actions = [
        {
            "body": translation.english(tr, f"actions.{i}") or "another body"
            if x.get("body") == "other"
            else {
                "embassy": "the embassy or consulate",
                "mfa": "the Ministry of Foreign Affairs",
                "police": "the police or interior ministry",
                "prosecutor": "the prosecutor's office",
                "ombudsman": "the ombudsman",
                "military": "military authorities",
                "redcross": "the Red Cross",
            }.get(str(x.get("body")), "another body"),
            "on": date.fromisoformat(x["date"]) if x.get("date") else None,
            "outcome": x.get("outcome") or "none",
        }
        for i, x in enumerate(a.get("actions") or ())
    ]
    letters = [
        {
            "name": body_name(x.addressee_id, data.body_kinds),
            "sent_on": x.sent_on,
            "reference": x.reference,
            "due_on": x.due_on,
            "replies": x.replies,
        }
        for x in data.letters
    ]
    form_replies = sum(1 for x in data.letters for _, o in x.replies if o == "form") + sum(
        1 for x in a.get("actions") or () if x.get("outcome") == "form"
    )
    missing_id = str(a.get("m_id") or "").strip()
    return {
        "case_number": data.case_number,
        "today": data.today,
        "address": address.value,
        "email": email.value,
        "contact_verified": address.verified and email.verified,
        "contact_source": address.source,
        "organisation": data.organisation,
        "consent": data.consent,
        "author": {
            "name": str(a.get("r_name") or ""),
            "relation": a.get("r_rel") or "other",
            "contact": contact,
        },
        "missing": {
            "name": str(a.get("m_name") or ""),
            "latin": str(a.get("m_latin") or ""),
            "gender": a.get("m_gender") or "",
            "citizenship": a.get("m_cit") or "",
            "citizenship_en": translation.english(tr, "m_cit_other"),
            "birth": date.fromisoformat(a["m_birth"]) if a.get("m_birth") else None,
            "id_number": missing_id,
            "id_kind": id_kind(missing_id),
            "passport": str(a.get("m_passport") or ""),
            "has_photo": bool(a.get("m_photo")),
        },
        "event": {
            "date": checklist.urgent.start,
            "channel": a.get("e_how") or "",
            "place_en": translation.english(tr, "e_place"),
            "region": a.get("e_region") or "",
            "taken_region": a.get("e_taken_region") or "",
            "what": what_codes(a) or ("unknown",),
            "story_en": translation.english(tr, "e_story"),
            "responsible": a.get("e_resp") or "unknown",
            "resp_text_en": translation.english(tr, "e_resp_text"),
            "unit_en": translation.english(tr, "e_unit"),
            "contract": a.get("e_contract") or "unk",
        },
        "state_link": checklist.state_link,
        "state_name": STATES[_state(a)],
        "urgent": checklist.urgent,
        "letters": letters,
        "actions": actions,
        "form_replies": form_replies,
        "evidence": len(a.get("evidence") or ()),
        "family_language": LANGUAGE_NAMES.get(data.family_locale, "their own language"),
    }


def render_submission(data: SubmissionInput, language: str = "en") -> Letter:
    """The submission as a ``Letter``; raises ``NotReady`` while anything required is
    missing or a text of the family has no English translation."""
    if language not in LANGUAGES:
        raise ValueError(f"no submission template in {language!r}")
    checklist = checklist_of(data)
    untranslated = translation.missing(data.answers, data.translations)
    if not checklist.complete or untranslated:
        raise NotReady([e.code for e in checklist.missing], [p.key for p in untranslated])
    template = _environment().get_template(f"{language}/{KIND}.txt.j2")
    return letter_from_text(
        template.render(_context(data, checklist)),
        kind=KIND,
        addressee_id="wgeid",
        language=language,
        issued=data.today,
    )


def make_submission(data: SubmissionInput) -> tuple[Letter, bytes, bytes]:
    """In the letter worker: the submission and its PDF and DOCX."""
    letter = render_submission(data)
    return letter, letter_pdf(letter), letter_docx(letter)


def file_name(case_number: str, extension: str) -> str:
    return f"{case_number}_WGEID_en.{extension}"
