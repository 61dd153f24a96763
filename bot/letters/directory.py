"""The bodies letters go to, read from ``bot/data/addressees.json``.

Everything about a body (its names in each language, the dative form used in
the addressee block, its address, the languages it accepts, the rule for its
answer term) is data. Adding a body or a translation needs no code change.

Russian regional offices (``bot/data/regional_bodies.json``: the prosecutor's office,
the Investigative Committee's department and the military commissariat of each federal
subject, and the military prosecutor of each military district) are found by id but left
out when the directory is iterated: a case proposes only the offices of its own regions,
and lists of bodies stay short.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

DIRECTORY_PATH = Path(__file__).resolve().parent.parent / "data" / "addressees.json"
REGIONAL_PATH = DIRECTORY_PATH.with_name("regional_bodies.json")

KINDS = frozenset(
    {
        "embassy",
        "mfa",
        "ombudsman",
        "prosecutor",
        "investigative",
        "defence",
        "icrc",
        "police",
        "prison",
        "migration",
        "commissariat",
    }
)
# Families of regional offices: the id is the family and the region's code, e.g.
# "region_prosecutor_ru_tom"; district military prosecutors: "district_military_prosecutor_
# southern". The escalation ladder has one entry per family (bot/data/escalation.json).
REGION_FAMILIES = ("region_prosecutor", "region_investigative", "region_commissariat")
DISTRICT_FAMILY = "district_military_prosecutor"
DEADLINE_RULES = frozenset(
    {
        "ru_59fz",
        "ru_crime_report",
        "ru_prosecutor",
        "ru_ombudsman",
        "kz_appk",
        "kg_law67",
        "icrc",
    }
)
MARKS = frozenset({"V", "S", "U"})
NAME_LANGUAGES = ("ru", "kk", "ky")


class DirectoryError(ValueError):
    """The addressee file is malformed."""


@dataclass(frozen=True)
class Addressee:
    id: str
    kind: str
    country: str  # KZ, KG, RU or INT
    letter_kind: str  # the first letter sent to this body
    # Read-only mappings by language; left out of the hash so an Addressee stays hashable.
    names: Mapping[str, str] = field(hash=False)
    datives: Mapping[str, str] = field(hash=False)
    heads: Mapping[str, str] = field(hash=False)
    address: str  # in Russian, as the post in Russia reads it
    address_mark: str
    online_url: str
    email: str
    phone: str
    languages: tuple[str, ...]
    deadline_rule: str
    online_form_limit: int | None
    online_form_limit_note: str
    verified: bool
    source: str
    # The postal address written in a letter's language ("address_in"), where it differs.
    addresses: Mapping[str, str] = field(default_factory=dict, hash=False)
    # A regional office: its family (REGION_FAMILIES or DISTRICT_FAMILY) and, for the
    # offices of a federal subject, the region's ISO 3166-2 code.
    family: str = ""
    region: str = ""

    def name(self, lang: str) -> str:
        """The body's name (nominative) in ``lang``, falling back to Russian."""
        return self.names.get(lang) or self.names["ru"]

    def dative(self, lang: str) -> str:
        """The addressee line ("кому") in ``lang``, falling back to Russian."""
        return self.datives.get(lang) or self.datives["ru"]

    def address_in(self, lang: str) -> str:
        """The postal address in a letter in ``lang``: a letter has every word in its
        language, so Kazakh and Kyrgyz letters name Moscow streets in Kazakh or Kyrgyz."""
        return self.addresses.get(lang) or self.address

    def head(self, lang: str) -> str:
        return self.heads.get(lang) or self.heads.get("ru", "")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Addressee:
        try:
            return cls(
                id=str(data["id"]),
                kind=str(data["kind"]),
                country=str(data["country"]),
                letter_kind=str(data["letter_kind"]),
                names=MappingProxyType(dict(data["names"])),
                datives=MappingProxyType(dict(data["dative"])),
                heads=MappingProxyType(dict(data.get("head") or {})),
                address=str(data.get("address") or ""),
                address_mark=str(data.get("address_mark") or "U"),
                online_url=str(data.get("online_url") or ""),
                email=str(data.get("email") or ""),
                phone=str(data.get("phone") or ""),
                languages=tuple(data["languages"]),
                deadline_rule=str(data["deadline_rule"]),
                online_form_limit=(
                    int(data["online_form_limit"])
                    if data.get("online_form_limit") is not None
                    else None
                ),
                online_form_limit_note=str(data.get("online_form_limit_note") or ""),
                verified=bool(data.get("verified", False)),
                source=str(data["source"]),
                addresses=MappingProxyType(dict(data.get("address_in") or {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DirectoryError(f"addressee {data.get('id')!r}: {exc}") from exc

    def check(self) -> None:
        """Raise DirectoryError when an entry breaks the file's rules."""
        problems: list[str] = []
        if not self.id.isascii() or not self.id.replace("_", "").isalnum():
            problems.append("id must be ASCII letters, digits and '_'")
        if self.kind not in KINDS:
            problems.append(f"unknown kind {self.kind!r}")
        if self.deadline_rule not in DEADLINE_RULES:
            problems.append(f"unknown deadline_rule {self.deadline_rule!r}")
        for lang in NAME_LANGUAGES:
            if not self.names.get(lang) or not self.datives.get(lang):
                problems.append(f"name or dative missing for {lang!r}")
        if not self.languages:
            problems.append("no languages")
        if self.address_mark not in MARKS:
            problems.append(f"address_mark must be one of {sorted(MARKS)}")
        if self.verified and self.address_mark != "V":
            problems.append("verified is only for [V] addresses")
        if not self.source:
            problems.append("source is empty")
        if self.address and any(
            lang != "ru" and lang not in self.addresses for lang in self.languages
        ):
            problems.append("address_in is missing for a language the body accepts")
        if self.online_form_limit is not None and self.online_form_limit < 200:
            problems.append("online_form_limit is implausibly small")
        if problems:
            raise DirectoryError(f"addressee {self.id!r}: " + "; ".join(problems))


class Directory(dict[str, Addressee]):
    """The bodies offered in every case, by id, in file order; a regional office is found
    by its id too (``directory["region_prosecutor_ru_tom"]``, ``in``, ``get``) but is not
    iterated, so lists of bodies and the letters of a case stay short."""

    def __missing__(self, key: str) -> Addressee:
        return regional_offices()[key]

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in regional_offices()

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


def load_directory(path: Path | str | None = None) -> Directory:
    """All bodies by id, in file order. Raises DirectoryError on a bad file."""
    if path is None:
        return Directory(_default_directory())
    return Directory(_load(Path(path)))


def region_office_id(family: str, region: str) -> str:
    """The id of a region's office, e.g. ("region_prosecutor", "RU-TOM") ->
    "region_prosecutor_ru_tom"."""
    return f"{family}_{region.lower().replace('-', '_')}"


def regional_office(family: str, region: str) -> Addressee | None:
    """The office of ``family`` for a Russian region (ISO 3166-2), or None when the region
    is not a Russian federal subject of the list. For DISTRICT_FAMILY: the military
    prosecutor of the district the region belongs to."""
    offices = regional_offices()
    if family == DISTRICT_FAMILY:
        region_data = _regional_data()["regions"].get(region)
        if region_data is None:
            return None
        return offices.get(f"{DISTRICT_FAMILY}_{region_data['military_district']}")
    return offices.get(region_office_id(family, region))


@lru_cache(maxsize=1)
def regional_offices() -> Mapping[str, Addressee]:
    """Every regional office by id (83 federal subjects x 3 families, and the districts)."""
    data = _regional_data()
    out: dict[str, Addressee] = {}
    for code, region in data["regions"].items():
        for family, office in region["offices"].items():
            body = _region_office(family, data["families"][family], code, region, office)
            out[body.id] = body
    district = data[DISTRICT_FAMILY]
    for name, entry in district["districts"].items():
        body = _office(
            f"{DISTRICT_FAMILY}_{name}",
            {**district, **entry, "dative": entry["dative"]},
            family=DISTRICT_FAMILY,
            region="",
        )
        out[body.id] = body
    for body in out.values():
        body.check()
    return MappingProxyType(out)


@lru_cache(maxsize=1)
def _regional_data() -> dict[str, Any]:
    with REGIONAL_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _region_office(
    family: str,
    template: Mapping[str, Any],
    code: str,
    region: Mapping[str, Any],
    office: Mapping[str, Any],
) -> Addressee:
    """A region's office, named from the family's templates and the region's forms."""
    main = bool(office.get("main"))
    words = {
        **{k: v for k, v in region.items() if isinstance(v, str)},
        "sled_ru": "Главное следственное" if main else "Следственное",
        "sled_ru_gen": "Главного следственного" if main else "следственного",
        "main_kk": "бас " if main else "",
        "main_ky": "башкы " if main else "",
    }
    filled = {
        **template,
        **office,
        "names": {k: v.format(**words) for k, v in template["names"].items()},
        "dative": {k: v.format(**words) for k, v in template["dative"].items()},
    }
    return _office(region_office_id(family, code), filled, family=family, region=code)


def _office(office_id: str, data: Mapping[str, Any], *, family: str, region: str) -> Addressee:
    """A regional office as an Addressee: a Russian body writing and answering in Russian."""
    body = Addressee.from_json(
        {
            **data,
            "id": office_id,
            "country": "RU",
            "languages": ["ru"],
            "online_form_limit": None,
            "online_form_limit_note": data.get("online_note", ""),
            "verified": data.get("address_mark") == "V",
        }
    )
    return replace(body, family=family, region=region)


@lru_cache(maxsize=1)
def _default_directory() -> Mapping[str, Addressee]:
    return _load(DIRECTORY_PATH)


def _load(path: Path) -> dict[str, Addressee]:
    with path.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    entries = raw["addressees"] if isinstance(raw, dict) else raw
    out: dict[str, Addressee] = {}
    for entry in entries:
        addressee = Addressee.from_json(entry)
        addressee.check()
        if addressee.id in out:
            raise DirectoryError(f"duplicate addressee id {addressee.id!r}")
        out[addressee.id] = addressee
    return out


def get_addressee(addressee_id: str) -> Addressee:
    """One body from the default directory or a regional office; KeyError if unknown."""
    return load_directory()[addressee_id]
