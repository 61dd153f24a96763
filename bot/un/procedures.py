"""The UN procedures' facts, each with its source and how sure it is (``un_procedures.json``).

Addresses and rules are data with a mark, not code, so that a fact checked later on the
official page changes one line, and everything not read on an official page is shown as
unverified wherever it is used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "un_procedures.json"
VERIFIED = "V"
MARKS = frozenset({"V", "S", "U"})


@dataclass(frozen=True)
class Fact:
    """One fact: ``value`` (text, number or list), how sure (V, S or U) and its source."""

    value: Any
    sure: str
    source: str

    @property
    def verified(self) -> bool:
        return self.sure == VERIFIED


@dataclass(frozen=True)
class CedStatus:
    """Whether a State is a party to the Convention, as far as the bot knows."""

    state: str
    party: bool | None  # None: not known
    in_force: date | None
    fact: Fact


def _fact(entry: dict[str, Any]) -> Fact:
    sure = entry.get("sure")
    if sure not in MARKS or not entry.get("source"):
        raise ValueError(f"un_procedures.json: every fact needs a mark and a source: {entry}")
    return Fact(entry.get("value", entry.get("text")), sure, str(entry["source"]))


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


def wgeid(name: str) -> Fact:
    """A fact about the Working Group: procedure, minimum, urgent_months, languages, email,
    postal_address."""
    return _fact(_data()["wgeid"][name])


def ced_urgent_action() -> Fact:
    return _fact(_data()["ced"]["urgent_action"])


def ced_status(state: str) -> CedStatus:
    entry = _data()["ced"]["states"].get(state)
    if entry is None:
        return CedStatus(state, None, None, Fact(None, "U", "not checked"))
    in_force = entry.get("in_force")
    return CedStatus(
        state, entry.get("party"), date.fromisoformat(in_force) if in_force else None, _fact(entry)
    )


def checked_on() -> date:
    return date.fromisoformat(_data()["checked_on"])
