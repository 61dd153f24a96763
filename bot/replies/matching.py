"""Recognising carbon-copy replies: the same text a body sends to many families.

Measure. A reply is reduced to its wording alone (``normalise``: names, dates, numbers,
addresses and letter-case removed), cut into overlapping 4-word shingles, and two replies
are compared by the Jaccard similarity of their shingle sets (shared / all). Two letters
of one template differ only in the removed parts, so they score near 1.0; two answers
written for their cases share only stock phrases and score well under 0.3.

Threshold. ``FORM_THRESHOLD`` = 0.7: a template with one or two sentences added by hand
still passes, two individual answers sharing an opening formula ("В ответ на Ваше
обращение сообщаем...") do not.

Index. Comparing a new reply with every earlier reply of a body is a scan that grows with
the organisation; instead each reply gets a MinHash signature (``PERMUTATIONS`` minima of
hashed shingles: the share of equal minima estimates the Jaccard similarity) cut into
``BANDS`` bands of ``ROWS`` values (locality-sensitive hashing). Each band's hash is
stored in an indexed table; candidates are the earlier replies sharing at least one band
with the new one, found by index look-ups, and only those are compared. With 16 bands of
4 rows a pair at Jaccard 0.7 shares a band with probability 1 - (1 - 0.7^4)^16 = 0.998, a
pair at 0.3 with 0.12 (and is then rejected by the signature comparison).

The signatures are numbers computed from the wording alone, without names or numbers:
they may stay readable; the text itself is sealed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

SHINGLE = 4
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
FORM_THRESHOLD = 0.7
# Fewer distinct shingles than this and the text is too short to call a copy.
MIN_SHINGLES = 8

# Hash permutations h -> (a*h + b) mod p over 32-bit shingle hashes, p the Mersenne prime
# 2^31 - 1: a*h + b stays below 2^63, so numpy computes all of them at once in uint64.
_PRIME = (1 << 31) - 1


def _coefficients() -> tuple[np.ndarray, np.ndarray]:
    """Fixed (a, b) of the hash permutations: signatures must stay comparable forever."""
    a, b = [], []
    for i in range(PERMUTATIONS):
        digest = hashlib.blake2b(f"izdeu-minhash-{i}".encode(), digest_size=8).digest()
        a.append(int.from_bytes(digest[:4], "big") % _PRIME or 1)
        b.append(int.from_bytes(digest[4:], "big") % _PRIME)
    return np.array(a, dtype=np.uint64)[:, None], np.array(b, dtype=np.uint64)[:, None]


_COEFFS = _coefficients()

_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b")
_MONTHS = (
    r"январ\w*|феврал\w*|март\w*|апрел\w*|ма[йя]\w*|июн\w*|июл\w*|август\w*|"
    r"сентябр\w*|октябр\w*|ноябр\w*|декабр\w*|қаңтар\w*|ақпан\w*|наурыз\w*|"
    r"сәуір\w*|мамыр\w*|маусым\w*|шілде\w*|тамыз\w*|қыркүйек\w*|қазан\w*|"
    r"қараша\w*|желтоқсан\w*"
)
_WORD_DATE = re.compile(
    rf"\b\d{{1,2}}\s+(?:{_MONTHS})\s*\d{{0,4}}(?:\s*(?:г\.|года|ж\.))?", re.IGNORECASE
)
# An address: a street/house/flat marker and what follows it up to the next comma.
_ADDRESS = re.compile(
    r"\b(?:ул|улица|пр|проспект|пер|переулок|д|дом|кв|квартира|г|город|обл|область|"
    r"р-н|район|мкр|көшесі|үй|пәтер)\.?\s+(?=[\dA-ZА-ЯЁӘҒҚҢӨҰҮҺІ])[^,;.\n]{1,40}"
)
_YEAR = re.compile(r"\b\d{4}\s*(?:г\.|года|год|ж\.|жылы)", re.IGNORECASE)
_NUMBER = re.compile(r"[№#]?\s*[\w/-]*\d[\w/-]*")
# A capitalised word not at the start of a sentence: a name (person, place, unit).
_NAME = re.compile(r"(?<=[^.!?\n]\s)[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі]+(?:-[\w]+)?")
_UP = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
# Initials with a surname, either way round: "А. В. Кузнецов", "Кузнецов А.В."
_INITIALS = re.compile(rf"(?:[{_UP}]\.\s*){{1,2}}[{_UP}]\w+|[{_UP}]\w+\s+(?:[{_UP}]\.\s*){{1,2}}")
_WORD = re.compile(r"[a-zа-яёәғқңөұүһі]+")


def normalise(text: str, known_names: Iterable[str] = ()) -> list[str]:
    """The reply's words without names, dates, numbers and addresses, in lower case.

    ``known_names`` are the names the case holds (the missing person, the reporter):
    removed wherever they stand, even at a sentence start."""
    for name in known_names:
        for part in name.split():
            if len(part) > 2:
                text = re.sub(rf"\b{re.escape(part)}\w*", " ", text, flags=re.IGNORECASE)
    text = _DATE.sub(" ", text)
    text = _WORD_DATE.sub(" ", text)
    text = _YEAR.sub(" ", text)
    text = _ADDRESS.sub(" ", text)
    text = _INITIALS.sub(" ", text)
    text = _NAME.sub(" ", text)
    text = _NUMBER.sub(" ", text)
    return _WORD.findall(text.lower())


def shingles(words: Sequence[str]) -> set[str]:
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


@dataclass(frozen=True)
class Signature:
    """The MinHash of one reply and its LSH band hashes (what the index stores)."""

    minima: tuple[int, ...]

    @property
    def bands(self) -> list[int]:
        """One signed 63-bit hash per band (fits an SQLite INTEGER)."""
        out = []
        for band in range(BANDS):
            chunk = self.minima[band * ROWS : (band + 1) * ROWS]
            digest = hashlib.blake2b(repr(chunk).encode(), digest_size=8).digest()
            out.append(int.from_bytes(digest, "big", signed=True))
        return out

    def similarity(self, other: Signature) -> float:
        """Estimated Jaccard similarity: the share of equal minima."""
        same = sum(1 for x, y in zip(self.minima, other.minima) if x == y)
        return same / PERMUTATIONS

    def to_bytes(self) -> bytes:
        return b"".join(m.to_bytes(8, "big") for m in self.minima)

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        return cls(tuple(int.from_bytes(data[i : i + 8], "big") for i in range(0, len(data), 8)))


def signature(text: str, known_names: Iterable[str] = ()) -> Signature | None:
    """The signature of a reply's text, or None when too short to compare."""
    grams = shingles(normalise(text, known_names))
    if len(grams) < MIN_SHINGLES:
        return None
    hashed = np.array(
        [
            int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "big")
            for g in grams
        ],
        dtype=np.uint64,
    )
    a, b = _COEFFS
    minima = ((a * hashed[None, :] + b) % np.uint64(_PRIME)).min(axis=1)
    return Signature(tuple(int(m) for m in minima))


def is_copy(new: Signature, earlier: Signature) -> bool:
    return new.similarity(earlier) >= FORM_THRESHOLD
