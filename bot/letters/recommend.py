"""Which bodies to write to first, chosen from the report.

The plan is data (``bot/data/waves.json``): the national side (embassy, ministry of
foreign affairs) depends on the missing person's citizenship; the Russian side always
gets the Prosecutor General and the ICRC, with the military prosecutor, the Ministry of
Defence and the Investigative Committee added when the facts point to the army or to a
crime. Ombudsmen come later, when a term passes in silence (the escalation ladder).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

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
        "The Red Cross looks for prisoners of war and the dead on both sides of the front line."
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
    return bool(CRIME_EVENTS & set(report.whats)) or report.responsible in CRIME_RESPONSIBLE


def military_involved(report: Report) -> bool:
    """A unit, mobilisation, a contract or a PMC is involved.

    Signing under threat and recruitment in prison count: in practice both lead to a
    contract with the army or a private military company.
    """
    return (
        report.contract == "yes"
        or bool(MILITARY_EVENTS & set(report.whats))
        or report.responsible in MILITARY_RESPONSIBLE
        or bool(report.unit.strip())
    )


WAVES_PATH = Path(__file__).resolve().parent.parent / "data" / "waves.json"
CONDITIONS = ("always", "military", "crime")


@lru_cache(maxsize=1)
def load_waves() -> dict[str, Any]:
    """The wave plan (``bot/data/waves.json``), checked against the directory and REASONS."""
    data: dict[str, Any] = json.loads(WAVES_PATH.read_text(encoding="utf-8"))
    directory = load_directory()
    for entry in data["first_wave"]:
        if entry["body"] not in directory or entry["reason"] not in REASONS:
            raise ValueError(f"waves.json: unknown body or reason in {entry}")
        if entry.get("when", "always") not in CONDITIONS:
            raise ValueError(f"waves.json: unknown condition in {entry}")
    for body, reason in data.get("later", {}).items():
        if body not in directory or reason not in REASONS:
            raise ValueError(f"waves.json: unknown body or reason for {body}")
    return data


def _applies(entry: Mapping[str, str], report: Report) -> bool:
    if entry.get("citizenship") and entry["citizenship"] != report.citizenship:
        return False
    when = entry.get("when", "always")
    return (
        when == "always"
        or (when == "military" and military_involved(report))
        or (when == "crime" and crime_suspected(report))
    )


def recommend(report: Report) -> list[Recommendation]:
    """The first wave of letters for this report (``bot/data/waves.json``), national side
    first. Ombudsmen and complaints come later, through the escalation ladder."""
    directory = load_directory()
    return [
        Recommendation(entry["body"], directory[entry["body"]].letter_kind, entry["reason"])
        for entry in load_waves()["first_wave"]
        if _applies(entry, report)
    ]


def reason_for(addressee_id: str) -> str:
    """Why a body the family adds itself may help (a REASONS code, or "")."""
    for entry in load_waves()["first_wave"]:
        if entry["body"] == addressee_id:
            return str(entry["reason"])
    return str(load_waves().get("later", {}).get(addressee_id, ""))
