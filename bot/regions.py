"""Regions as data: the list in ``bot/data/regions.json`` and typo-tolerant search in it.

A relative types a region the way they know it: in Kazakh, Russian or Kyrgyz, as an
adjective ("краснодарский"), by its main city ("Екатеринбург"), without Kazakh letters
on a phone keyboard. Storing the ISO 3166-2 code of the region picked from the matches,
instead of the typed text, is what lets statistics, case filters and letters treat
"станица Молькино" and "Молькино ауылы" as the same Krasnodar Krai.

Matching uses rapidfuzz (a maintained C++ implementation of Levenshtein-based ratios):
it scores a typed word against every name in a few microseconds and copes with typos
and word endings, which a hand-written prefix match would not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz

LOCALES = ("kk", "ru", "ky")
MAX_MATCHES = 5
# Below this score (0-100) a name is not offered at all.
MIN_SCORE = 70.0
# A free text is read as one region only when its best match is this good and ahead of
# the next region by MARGIN points (old answers typed before regions were picked).
SURE_SCORE = 90.0
MARGIN = 5.0
# Added when the text is exactly one region's full name or alias.
EXACT_BONUS = 6.0

# Letters of Kazakh and Kyrgyz folded to the Russian ones people type without them.
_FOLD = str.maketrans("әғқңөұүһіё", "агкноуухие")
# Words that say what kind of region it is, not which one (already folded).
_KIND_WORDS = frozenset(
    {
        "область",
        "обл",
        "облысы",
        "облусу",
        "край",
        "крайы",
        "олкеси",
        "республика",
        "республикасы",
        "респ",
        "город",
        "г",
        "каласы",
        "шаары",
        "автономный",
        "автономная",
        "автономиялык",
        "округ",
        "округи",
        "округу",
    }
)
_NOT_LETTERS = re.compile(r"[^\w]+|[\d_]+")


@dataclass(frozen=True)
class Region:
    """One region: its ISO 3166-2 code, its names in kk/ru/ky and other names people type."""

    code: str
    names: Mapping[str, str]
    aliases: tuple[str, ...]

    @property
    def country(self) -> str:
        return self.code.split("-", 1)[0]

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names["ru"]


def normalise(text: str) -> str:
    """Lower case, Kazakh letters folded, punctuation and kind words ("область") dropped."""
    words = _NOT_LETTERS.sub(" ", text.casefold().translate(_FOLD)).split()
    kept = [w for w in words if w not in _KIND_WORDS]
    return " ".join(kept)


@lru_cache(maxsize=1)
def all_regions() -> tuple[Region, ...]:
    """Every region of ``bot/data/regions.json``, in the file's order."""
    raw = json.loads(resources.files("bot").joinpath("data/regions.json").read_text("utf-8"))
    return tuple(
        Region(
            code=r["code"],
            names={loc: r[loc] for loc in LOCALES},
            aliases=tuple(r.get("aliases", ())),
        )
        for r in raw["regions"]
    )


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Region]:
    return {r.code: r for r in all_regions()}


@lru_cache(maxsize=1)
def _exact() -> dict[str, str]:
    """Folded full names (kind words kept) that name exactly one region, and its code."""
    seen: dict[str, set[str]] = {}
    for region in all_regions():
        for text in (*region.names.values(), *region.aliases):
            seen.setdefault(_folded(text), set()).add(region.code)
    return {key: codes.pop() for key, codes in seen.items() if len(codes) == 1}


def _folded(text: str) -> str:
    return " ".join(_NOT_LETTERS.sub(" ", text.casefold().translate(_FOLD)).split())


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[str, str], ...]:
    """(normalised name, code) for every name and alias of every region."""
    pairs: set[tuple[str, str]] = set()
    for region in all_regions():
        for text in (*region.names.values(), *region.aliases):
            key = normalise(text)
            if key:
                pairs.add((key, region.code))
    return tuple(sorted(pairs))


def get(code: object) -> Region | None:
    """The region of a code, or None for anything else (an old case, a typo)."""
    return _by_code().get(code) if isinstance(code, str) else None


def name(code: object, locale: str) -> str:
    """The region's name in ``locale``; an unknown code is shown as it is."""
    region = get(code)
    return region.name(locale) if region else str(code or "")


def _score(query: str, key: str) -> float:
    """How well a typed text names a region (0-100).

    Whole-string similarity catches typos; the prefix comparison lets an adjective
    or a form with an ending ("краснодарский", "Ростовская") find the stem
    ("краснодар", "ростов"), which a whole-string ratio scores too low."""
    score = fuzz.ratio(query, key)
    words = key.split()
    for word in query.split():
        if len(word) < 3:
            continue
        for other in words:
            shorter = min(len(word), len(other))
            if shorter >= 3:
                stem = max(shorter, 4)
                prefix = fuzz.ratio(word[:stem], other[:stem])
                share = shorter / max(len(word), len(other))
                score = max(score, prefix * (0.7 + 0.3 * share))
    return score


def scored(text: str) -> list[tuple[Region, float]]:
    """Regions with their best score for ``text``, best first (ties in the file's order)."""
    query = normalise(text)
    if not query:
        return []
    best: dict[str, float] = {}
    for key, code in _index():
        score = _score(query, key)
        if score > best.get(code, 0.0):
            best[code] = score
    exact = _exact().get(_folded(text))
    if exact is not None:  # "Москва" is the city before "Москва облусу", the oblast
        best[exact] += EXACT_BONUS
    order = {r.code: i for i, r in enumerate(all_regions())}
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], order[kv[0]]))
    return [(_by_code()[code], score) for code, score in ranked]


def search(text: str, limit: int = MAX_MATCHES) -> list[Region]:
    """The few regions that best match what was typed, best first; empty when none is close."""
    return [region for region, score in scored(text)[:limit] if score >= MIN_SCORE]


@lru_cache(maxsize=4096)
def guess(text: str | None) -> str | None:
    """The code of the one region a free text clearly names, else None.

    Used for reports made before regions were picked from the list: their place is
    free text such as "Таганрог, Ростовская область"; each comma-separated part is
    tried, the last (usually the region) first."""
    if not text:
        return None
    exact = _exact().get(_folded(text))
    if exact is not None:
        return exact
    for part in reversed([p for p in text.split(",") if p.strip()]):
        ranked = scored(part)
        if not ranked or ranked[0][1] < SURE_SCORE:
            continue
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MARGIN:
            continue
        return ranked[0][0].code
    return None


def case_region(answers: Mapping[str, object]) -> str | None:
    """The region code of a case: the one picked, or for an older report the region its
    free-text place clearly names; None when neither is known."""
    code = answers.get("e_region")
    if get(code) is not None:
        return str(code)
    place = answers.get("e_place")
    return guess(place) if isinstance(place, str) else None
