"""The words of a person's name reduced to a spelling-free skeleton, for the name search.

A family writes "Бақыт Уулу" in Kazakh letters, a caseworker types "бакыт", the
passport says "BAKYT UULU": all three must meet. Every word is folded to one Latin
skeleton: Kazakh and Kyrgyz letters to their nearest Russian ones, Cyrillic to Latin
(close to the passports' transliteration), then the spellings that differ between
transliterations made one (y/i, zh/j, kh/h, q/k...), and doubled letters made single.
The skeleton is coarse on purpose: a search that finds one extra case, which the
caseworker sees at once, is better than one that misses the person.

Only these skeletons, keyed (``bot.storage.crypto.Cipher.name_token``), are stored.
"""

from __future__ import annotations

import re
import unicodedata

# Cyrillic (Russian, Kazakh, Kyrgyz) to Latin; Kazakh and Kyrgyz letters fold to the
# Russian letter they are usually replaced by when typed on a Russian keyboard.
_CYRILLIC = {
    "а": "a",
    "ә": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ғ": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "j",
    "з": "z",
    "и": "i",
    "й": "i",
    "і": "i",
    "к": "k",
    "қ": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "ң": "n",
    "о": "o",
    "ө": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ұ": "u",
    "ү": "u",
    "ф": "f",
    "х": "h",
    "һ": "h",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sh",
    "ъ": "",
    "ы": "i",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
}
# Latin spellings of the same sound, made one (longest first). Kazakh Latin letters
# (ş, ç, ğ, ı, ñ...) lose their marks first, so "ş" becomes "s" here: "sh" is
# folded to "s" too, and Шынар / Şynar / Shynar meet.
_LATIN = (
    ("shch", "s"),
    ("sch", "s"),
    ("dzh", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("sh", "s"),
    ("ch", "c"),
    ("ts", "c"),
    ("tc", "c"),
    ("yo", "e"),
    ("q", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("y", "i"),
)
_WORD = re.compile(r"[^\W\d_]+")
_DOUBLE = re.compile(r"(.)\1+")
MAX_WORDS = 12  # of one name: more is not a name


def skeleton(word: str) -> str:
    """One word (letters only) as its skeleton; ``""`` when nothing is left."""
    text = "".join(_CYRILLIC.get(ch, ch) for ch in word.casefold())
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    text = text.replace("ı", "i")  # the dotless i of Kazakh and Turkish Latin
    for spelling, same in _LATIN:
        text = text.replace(spelling, same)
    text = _DOUBLE.sub(r"\1", text)
    return text if text.isalpha() else ""


def name_words(*names: str) -> set[str]:
    """The skeletons of every word of these names (two letters or more)."""
    found: set[str] = set()
    for name in names:
        for word in _WORD.findall(name)[:MAX_WORDS]:
            folded = skeleton(word)
            if len(folded) >= 2:
                found.add(folded)
    return found
