"""Which bodies to write to, chosen from the report.

The national side (embassy, ministry of foreign affairs, ombudsman) depends on
the missing person's citizenship; the Russian side is always written to, with
the military prosecutor and the Investigative Committee added when the facts
point to the army or to a crime.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from bot.domain.models import Report
from bot.i18n import N_
from bot.letters.directory import load_directory

# Why a body was chosen: ASCII code -> one English line, translated when shown.
REASONS: Mapping[str, str] = {
    "consular_protection": N_(
        "The embassy protects its citizens abroad and can ask Russian authorities directly."
    ),
    "diplomatic_channels": N_(
        "The foreign ministry can raise the case through diplomatic channels and instruct "
        "the embassy."
    ),
    "national_ombudsman": N_(
        "Your country's ombudsman can press the ministry and the embassy to act."
    ),
    "prosecutor_oversight": N_(
        "The Prosecutor General's Office checks that the law was obeyed and can order "
        "other bodies to act."
    ),
    "military_oversight": N_(
        "The army, a contract, mobilisation or a private military company is involved: "
        "the military prosecutor oversees them."
    ),
    "crime_report": N_(
        "Taking a person by force, holding them or forcing them to sign is a crime: the "
        "Investigative Committee must check a crime report."
    ),
    "defence_search": N_(
        "The Ministry of Defence can say whether he or she is listed in a unit, missing, "
        "captured or dead."
    ),
    "ru_ombudsman_search": N_(
        "The Russian ombudsman searches for missing people together with the Ministry of "
        "Defence and the Red Cross."
    ),
    "icrc_tracing": N_(
        "The Red Cross looks for prisoners of war and the dead on both sides of the "
        "front line."
    ),
}

NATIONAL_SIDE: Mapping[str, tuple[tuple[str, str], ...]] = {
    "KZ": (
        ("embassy_kz", "consular_protection"),
        ("mfa_kz", "diplomatic_channels"),
        ("ombudsman_kz", "national_ombudsman"),
    ),
    "KG": (
        ("embassy_kg", "consular_protection"),
        ("mfa_kg", "diplomatic_channels"),
        ("ombudsman_kg", "national_ombudsman"),
    ),
}

# What happened / who is responsible, as coded in bot.domain.questions.
CRIME_EVENTS = frozenset({"force", "migration", "signed", "prison"})
CRIME_RESPONSIBLE = frozenset({"pmc", "recruiters", "police"})
MILITARY_EVENTS = frozenset({"mobilised", "signed", "prison"})
MILITARY_RESPONSIBLE = frozenset({"unit", "pmc"})


@dataclass(frozen=True)
class Recommendation:
    addressee_id: str
    kind: str  # the letter kind to send (a template name)
    reason_code: str  # a key of REASONS


def crime_suspected(report: Report) -> bool:
    """Taken by force or detained, pressured, made to sign, recruited in prison, or
    a PMC, recruiters or the police are named: a crime report is due (UK RF 126/127)."""
    return report.what_happened in CRIME_EVENTS or report.responsible in CRIME_RESPONSIBLE


def military_involved(report: Report) -> bool:
    """A unit, mobilisation, a contract or a PMC is involved.

    Signing under threat and recruitment in prison count: in practice both lead to a
    contract with the army or a private military company.
    """
    return (
        report.contract == "yes"
        or report.what_happened in MILITARY_EVENTS
        or report.responsible in MILITARY_RESPONSIBLE
        or bool(report.unit.strip())
    )


def recommend(report: Report) -> list[Recommendation]:
    """The bodies to write to for this report, national side first."""
    picks: list[tuple[str, str]] = list(NATIONAL_SIDE.get(report.citizenship, ()))
    picks.append(("prosecutor_general", "prosecutor_oversight"))
    if military_involved(report):
        picks.append(("military_prosecutor", "military_oversight"))
    if crime_suspected(report):
        picks.append(("investigative_committee", "crime_report"))
    picks.append(("defence_ministry", "defence_search"))
    picks.append(("ombudsman_ru", "ru_ombudsman_search"))
    picks.append(("icrc", "icrc_tracing"))

    directory = load_directory()
    return [
        Recommendation(addressee_id, directory[addressee_id].letter_kind, reason)
        for addressee_id, reason in picks
    ]
