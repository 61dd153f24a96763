"""Which bodies to write to first, chosen from the report.

The plan is data (``bot/data/waves.json``): the national side (embassy, ministry of
foreign affairs, police) depends on the missing person's citizenship; the Russian side always
gets the Prosecutor General and the ICRC, with the military prosecutor, the Ministry of
Defence and the Investigative Committee added when the facts point to the army or to a
crime, the prison service for a person taken from prison and the migration authority for
one held as a migrant. The offices of the Russian regions where the person was last seen
and where he is believed to have been taken follow. Ombudsmen come later, when a term
passes in silence (the escalation ladder).
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
from bot.letters.directory import load_directory, regional_office

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
    "home_police": N_(
        "Your country's police can open a search for a missing person and ask the Russian "
        "police through Interpol and the border service."
    ),
    "prison_service": N_(
        "He or she was taken from prison: the prison service must say where he or she was "
        "transferred or released to, when, and on what grounds."
    ),
    "migration_records": N_(
        "The migration authority keeps the records of entry and exit, detention, expulsion "
        "and Russian citizenship."
    ),
    "military_investigators": N_(
        "Crimes in the army and in its units are investigated by the Investigative "
        "Committee's military investigators."
    ),
    "regional_prosecutor_last": N_(
        "The prosecutor of the region where he or she was last seen: the office on the spot "
        "can check the police and the officials there."
    ),
    "regional_prosecutor_taken": N_(
        "The prosecutor of the region where he or she is believed to have been taken: the "
        "office on the spot can check the place and the people there."
    ),
    "colony_oversight": N_(
        "The prosecutor of the region where he or she was last seen supervises the colonies "
        "there and can check how he or she left the colony."
    ),
    "regional_crime_report_last": N_(
        "A crime report to the Investigative Committee of the region where he or she was "
        "last seen: the crime is investigated where it began."
    ),
    "regional_crime_report_taken": N_(
        "A crime report to the Investigative Committee of the region where he or she is "
        "believed to have been taken: the investigators there can find him or her."
    ),
    "regional_commissariat": N_(
        "The military commissariat of the region where he or she is believed to have been "
        "taken can say whether he or she was sent to a unit, and where."
    ),
    "district_military_oversight": N_(
        "The military prosecutor of the district that covers the region where he or she is "
        "believed to have been taken oversees the units and commissariats there."
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
CONDITIONS = ("always", "military", "crime", "prison", "migration")
PLACES = ("last", "taken")


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
    for entry in data.get("regional", []):
        reasons = [entry["reason"], *entry.get("reasons", {}).values()]
        if regional_office(entry["family"], "RU-TOM") is None or not set(reasons) <= set(REASONS):
            raise ValueError(f"waves.json: unknown family or reason in {entry}")
        if entry.get("when", "always") not in CONDITIONS or not set(entry["place"]) <= set(PLACES):
            raise ValueError(f"waves.json: unknown condition or place in {entry}")
        if not set(entry.get("reasons", {})) <= set(CONDITIONS):
            raise ValueError(f"waves.json: unknown condition in the reasons of {entry}")
    return data


def _holds(when: str, report: Report) -> bool:
    return (
        when == "always"
        or (when == "military" and military_involved(report))
        or (when == "crime" and crime_suspected(report))
        or (when in ("prison", "migration") and when in report.whats)
    )


def _applies(entry: Mapping[str, str], report: Report) -> bool:
    if entry.get("citizenship") and entry["citizenship"] != report.citizenship:
        return False
    return _holds(entry.get("when", "always"), report)


def recommend(report: Report) -> list[Recommendation]:
    """The first wave of letters for this report (``bot/data/waves.json``), national side
    first, then the offices of the Russian regions the place answers name. Ombudsmen and
    complaints come later, through the escalation ladder."""
    directory = load_directory()
    picks = [
        Recommendation(entry["body"], directory[entry["body"]].letter_kind, entry["reason"])
        for entry in load_waves()["first_wave"]
        if _applies(entry, report)
    ]
    chosen = {p.addressee_id for p in picks}
    for pick in regional_picks(report):
        if pick.addressee_id not in chosen:
            chosen.add(pick.addressee_id)
            picks.append(pick)
    return picks


def regional_picks(report: Report) -> list[Recommendation]:
    """The regional offices for the region where the person was last seen and the one
    where he or she is believed to have been taken (``regional`` in waves.json): a letter
    to a regional body goes to that region's office by name, with the reason naming the
    place ("where he was last seen" / "where he was taken")."""
    regions = {"last": report.last_region, "taken": report.taken_region}
    picks: list[Recommendation] = []
    for entry in load_waves().get("regional", []):
        if not _holds(entry.get("when", "always"), report):
            continue
        code = next((regions[p] for p in entry["place"] if regions[p]), "")
        office = regional_office(entry["family"], code) if code else None
        if office is None:
            continue
        reason = next(
            (r for when, r in entry.get("reasons", {}).items() if _holds(when, report)),
            entry["reason"],
        )
        picks.append(Recommendation(office.id, office.letter_kind, reason))
    return picks


def reason_for(addressee_id: str) -> str:
    """Why a body the family adds itself may help (a REASONS code, or "")."""
    for entry in load_waves()["first_wave"]:
        if entry["body"] == addressee_id:
            return str(entry["reason"])
    family = getattr(load_directory().get(addressee_id), "family", "")
    for entry in load_waves().get("regional", []):
        if family and entry["family"] == family:
            return str(entry["reason"])
    return str(load_waves().get("later", {}).get(addressee_id, ""))
