"""Checking and normalising what a relative types into the bot.

Everything here is pure: no I/O and no Telegram objects, so the conversation
layer can call it for any answer and the tests can cover it exhaustively.
Each failure raises :class:`InvalidInput` with a short ASCII ``code``; the
conversation layer turns the code and its ``params`` into a translated message.
People type in Kazakh, Russian or Kyrgyz, often on a phone keyboard without
Kazakh letters, so parsing is deliberately forgiving about form and strict
about meaning (a real calendar date, a valid checksum, a dialable number).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

import phonenumbers
from babel.dates import get_month_names

__all__ = [
    "InvalidInput",
    "check_past_date",
    "id_number_doubt",
    "id_number_facts",
    "name_words",
    "clean_text",
    "normalize_phone",
    "parse_birth_date",
    "parse_date",
    "validate_email",
    "validate_id_number",
    "validate_iin",
    "validate_kg_pin",
    "validate_latin_name",
    "validate_name",
    "validate_passport",
]

MIN_YEAR = 1900
MAX_AGE = 100


class InvalidInput(ValueError):
    """A user's answer was refused.

    ``code`` is a short ASCII key the conversation layer maps to a translated
    message; ``params`` fills the placeholders of that message. Keeping the
    text out of here lets one check serve all three interface languages.
    """

    code: str
    params: dict[str, object]

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = dict(params)

    def __repr__(self) -> str:
        return f"InvalidInput({self.code!r}, **{self.params!r})"


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

# Kazakh and Kyrgyz letters folded to the Russian letters people type when
# their keyboard lacks them ("наурыз" ~ "наурыз", "қазан" ~ "казан"), and "ё"
# to "е". Applied to both the month table and the input, so either spelling
# matches.
_FOLD = str.maketrans("әғқңөұүһіё", "агкноуухие")

_MONTH_LOCALES = ("ru", "kk", "ky", "en")

# Case and possessive endings glued to a month name: Russian genitive and
# prepositional, Kazakh and Kyrgyz locative, genitive, dative and possessive
# (all vowel-harmony variants, already folded). "18 мартта", "наурыздың 5-і".
_MONTH_SUFFIXES = (
    "",
    "а",
    "е",
    "у",
    "ы",
    "и",
    "я",
    "да",
    "де",
    "до",
    "та",
    "те",
    "то",
    "нда",
    "нде",
    "ында",
    "инде",
    "нын",
    "нин",
    "нун",
    "дын",
    "дин",
    "дун",
    "тын",
    "тин",
    "тун",
    "ын",
    "ин",
    "сы",
    "си",
    "су",
    "га",
    "ге",
    "го",
    "ка",
    "ке",
    "ко",
    "на",
    "не",
)

# Forms not in CLDR that people still write: shortened Russian names without
# the dot, the Russian prepositional of "май", the English "Sept".
_EXTRA_MONTH_FORMS: dict[str, int] = {
    "янв": 1,
    "фев": 2,
    "февр": 2,
    "мар": 3,
    "апр": 4,
    "мае": 5,
    "июн": 6,
    "июл": 7,
    "авг": 8,
    "сен": 9,
    "сент": 9,
    "окт": 10,
    "ноя": 11,
    "нояб": 11,
    "дек": 12,
    "sept": 9,
}

# Words that only mark the year or are grammatical glue: "г.", "года", "ж.",
# "жылы", "of". Stored folded.
_DATE_FILLERS = frozenset(
    {
        "г",
        "гг",
        "год",
        "года",
        "году",
        "ж",
        "жыл",
        "жылы",
        "жылгы",
        "жылдын",
        "жылдан",
        "of",
        "the",
        "year",
    }
)

# Ordinal markers that may follow the day number: "18-го", "5-ші", "5th".
_ORDINAL_MARKERS = frozenset(
    {"го", "е", "ое", "ши", "шы", "и", "ы", "нши", "ншы", "чи", "чы", "st", "nd", "rd", "th"}
)

_DATE_TOKEN = re.compile(r"\d+|[^\W\d_]+")
_DATE_GLUE = re.compile(r"[\s.,/\-]*")


def _fold(text: str) -> str:
    """Lower-case and fold letters so Kazakh typed with Russian letters matches."""
    return unicodedata.normalize("NFC", text).lower().translate(_FOLD)


@lru_cache(maxsize=1)
def _month_table() -> dict[str, int]:
    """Every accepted month word (folded, no dots) mapped to its number.

    Built once from Babel's CLDR names so the spelling follows the same data
    the bot uses to print dates, then widened with case endings and the
    colloquial forms in ``_EXTRA_MONTH_FORMS``.
    """
    table: dict[str, int] = {}
    for locale in _MONTH_LOCALES:
        for context in ("format", "stand-alone"):
            for month, name in get_month_names("wide", context, locale).items():
                for stem in _month_stems(_fold(name)):
                    for suffix in _MONTH_SUFFIXES:
                        table.setdefault(stem + suffix, month)
            for month, name in get_month_names("abbreviated", context, locale).items():
                table.setdefault(_fold(name).rstrip("."), month)
    for form, month in _EXTRA_MONTH_FORMS.items():
        table.setdefault(form, month)
    return table


def _month_stems(name: str) -> tuple[str, ...]:
    """A wide month name plus its stem without a final soft sign ("апрель" -> "апрел")."""
    if name.endswith("ь"):
        return name, name[:-1]
    return (name,)


def parse_date(text: str) -> date:
    """Read a calendar date written the way people in KZ, KG and RU write it.

    Numeric forms are day first (``18.03.2023``) or ISO (``2023-03-18``);
    word forms take the month name in any of the four languages and any case,
    with the year before or after and optional "г."/"ж." markers. Only
    four-digit years are accepted, because "18.03.23" is ambiguous about the
    century for dates of birth. Raises ``date_format`` when the text is not a
    date at all and ``date_impossible`` when it names a day that does not exist.
    """
    folded = _fold(text.strip())
    tokens = _DATE_TOKEN.findall(folded)
    if not tokens or _DATE_GLUE.fullmatch(_DATE_TOKEN.sub(" ", folded)) is None:
        raise InvalidInput("date_format")
    numbers, month = _split_date_tokens(tokens)
    if month is None:
        day, month, year = _numeric_parts(numbers)
    else:
        day, year = _day_and_year(numbers)
    return _make_date(year, month, day)


def _split_date_tokens(tokens: list[str]) -> tuple[list[str], int | None]:
    """Separate the digit groups from at most one month word; reject other words."""
    months = _month_table()
    numbers: list[str] = []
    month: int | None = None
    previous = ""
    for token in tokens:
        if token.isdigit():
            numbers.append(token)
        elif token in _DATE_FILLERS:
            pass
        elif previous.isdigit() and token in _ORDINAL_MARKERS:
            pass
        elif token in months and month is None:
            month = months[token]
        else:
            raise InvalidInput("date_format")
        previous = token
    return numbers, month


def _numeric_parts(numbers: list[str]) -> tuple[int, int, int]:
    """Day, month and year from ``DD.MM.YYYY`` or ``YYYY-MM-DD`` digit groups."""
    if len(numbers) != 3:
        raise InvalidInput("date_format")
    first, middle, last = numbers
    if len(first) == 4 and len(middle) <= 2 and len(last) <= 2:
        return int(last), int(middle), int(first)
    if len(first) <= 2 and len(middle) <= 2 and len(last) == 4:
        return int(first), int(middle), int(last)
    raise InvalidInput("date_format")


def _day_and_year(numbers: list[str]) -> tuple[int, int]:
    """Day and year around a month word; their order varies by language."""
    if len(numbers) != 2:
        raise InvalidInput("date_format")
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if len(years) != 1 or len(days) != 1:
        raise InvalidInput("date_format")
    return int(days[0]), int(years[0])


def _make_date(year: int, month: int, day: int) -> date:
    """Build the date, turning calendar errors into ``date_impossible``."""
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput("date_impossible") from None


def check_past_date(d: date, today: date, not_before: date | None = None) -> date:
    """Refuse dates that cannot describe something that already happened.

    ``not_before`` is usually the missing person's date of birth: an event
    before it is a typing mistake worth catching before it reaches a letter.
    """
    if d > today:
        raise InvalidInput("date_future")
    if d.year < MIN_YEAR:
        raise InvalidInput("date_too_old", min_year=MIN_YEAR)
    if not_before is not None and d < not_before:
        raise InvalidInput("date_before_birth", not_before=not_before)
    return d


def parse_birth_date(text: str, today: date) -> date:
    """Parse a date of birth and refuse the future and ages over ``MAX_AGE``."""
    born = parse_date(text)
    if born > today:
        raise InvalidInput("date_future")
    if _age(born, today) > MAX_AGE:
        raise InvalidInput("birth_too_old", max_age=MAX_AGE)
    return born


def _age(born: date, today: date) -> int:
    """Full years lived on ``today``."""
    had_birthday = (today.month, today.day) >= (born.month, born.day)
    return today.year - born.year - (0 if had_birthday else 1)


# ---------------------------------------------------------------------------
# Phones
# ---------------------------------------------------------------------------

# Tried in this order for numbers without a country code: most users are in
# Kazakhstan, then Kyrgyzstan; Russian numbers already parse under KZ (both
# use +7) but RU is kept as the last resort.
_PHONE_REGIONS = ("KZ", "KG", "RU")
_PHONE_CHARS = re.compile(r"\+?[\d\s().\-]+")
_PHONE_MAX_LEN = 40


def normalize_phone(text: str) -> str:
    """Return the number in E.164 (``+77011234567``) or raise ``phone_invalid``.

    Letters are refused even though ``phonenumbers`` would read them as a
    keypad spelling: here they are always a mistake.
    """
    raw = text.strip()
    if len(raw) > _PHONE_MAX_LEN or not _PHONE_CHARS.fullmatch(raw):
        raise InvalidInput("phone_invalid")
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("00"):
        raw, digits = "+" + digits[2:], digits[2:]
    for candidate, region in _phone_attempts(raw, digits):
        number = _parse_phone(candidate, region)
        if number is not None:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidInput("phone_invalid")


def _phone_attempts(raw: str, digits: str) -> list[tuple[str, str | None]]:
    """International reading first ("996 555 ..." has no plus), then each region."""
    attempts: list[tuple[str, str | None]] = [("+" + digits, None)]
    if not raw.startswith("+"):
        attempts += [(raw, region) for region in _PHONE_REGIONS]
    return attempts


def _parse_phone(candidate: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """The parsed number when ``phonenumbers`` calls it valid, else None."""
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


# ---------------------------------------------------------------------------
# Identity numbers
# ---------------------------------------------------------------------------

_IIN_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_IIN_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def _digits_only(text: str) -> str:
    """The input without any whitespace; people group long numbers in threes."""
    return "".join(text.split())


def _is_ascii_digits(text: str) -> bool:
    """True for 0-9 only; ``str.isdigit`` also accepts superscripts and other scripts."""
    return text.isascii() and text.isdigit()


def validate_iin(text: str) -> str:
    """Check a Kazakh IIN's length and check digit and return its 12 digits.

    The date part is not checked: since 2013 an IIN need not match the
    holder's birth date, so such a mismatch is not an error.
    """
    iin = _digits_only(text)
    if len(iin) != 12 or not _is_ascii_digits(iin):
        raise InvalidInput("iin_length")
    if _iin_check_digit(iin) != int(iin[11]):
        raise InvalidInput("iin_checksum")
    return iin


def _iin_check_digit(iin: str) -> int | None:
    """The expected 12th digit, or None when both weight sets give 10."""
    digits = [int(c) for c in iin[:11]]
    for weights in (_IIN_WEIGHTS_1, _IIN_WEIGHTS_2):
        rest = sum(d * w for d, w in zip(digits, weights)) % 11
        if rest != 10:
            return rest
    return None


def validate_kg_pin(text: str) -> str:
    """Check a Kyrgyz PIN and return its 14 digits.

    No public check-digit algorithm exists, so only the structure is checked:
    sex digit 1 or 2, then a real date of birth as DDMMYYYY.
    """
    pin = _digits_only(text)
    if len(pin) != 14 or not _is_ascii_digits(pin):
        raise InvalidInput("pin_length")
    if pin[0] not in "12":
        raise InvalidInput("pin_first_digit")
    try:
        date(int(pin[5:9]), int(pin[3:5]), int(pin[1:3]))
    except ValueError:
        raise InvalidInput("pin_date") from None
    return pin


def validate_id_number(text: str, citizenship: str | None = None) -> tuple[str, str]:
    """Tell an IIN from a PIN by length and validate it.

    ``citizenship`` is only a hint for callers: dual citizens and people who
    moved hold the other country's number, so a valid number is never refused
    because of it.
    """
    del citizenship  # deliberately unused, see above
    number = _digits_only(text)
    if _is_ascii_digits(number) and len(number) == 12:
        return "iin", validate_iin(number)
    if _is_ascii_digits(number) and len(number) == 14:
        return "pin", validate_kg_pin(number)
    raise InvalidInput("idnum_length")


# What an identity number says about its holder. Kazakh IIN, digit 7: 1/2 born in the
# 1800s, 3/4 in the 1900s, 5/6 in the 2000s; odd for a man, even for a woman; digits 1-6
# are YYMMDD. Kyrgyz PIN: digit 1 is 1 for a woman and 2 for a man, digits 2-9 DDMMYYYY.
_IIN_CENTURIES = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}
_PIN_GENDERS = {"1": "f", "2": "m"}


def id_number_facts(number: str) -> tuple[date | None, str | None]:
    """The birth date and gender ("m"/"f") an IIN or PIN encodes, where it encodes them."""
    if len(number) == 12 and _is_ascii_digits(number):
        century = _IIN_CENTURIES.get(number[6])
        if century is None:
            return None, None
        gender = "m" if int(number[6]) % 2 else "f"
        born = _date_or_none(century + int(number[0:2]), int(number[2:4]), int(number[4:6]))
        return born, gender
    if len(number) == 14 and _is_ascii_digits(number):
        born = _date_or_none(int(number[5:9]), int(number[3:5]), int(number[1:3]))
        return born, _PIN_GENDERS.get(number[0])
    return None, None


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def id_number_doubt(number: str, born: date | None, gender: str | None) -> InvalidInput | None:
    """``id_mismatch`` when the number encodes another birth date or gender than the report.

    Not an error: since 2013 a Kazakh IIN need not match its holder's birth date, and
    a typo can be in the date as well as in the number. So the relative is shown both
    and decides; the number is not refused."""
    encoded_born, encoded_gender = id_number_facts(number)
    params: dict[str, object] = {}
    if born is not None and encoded_born is not None and born != encoded_born:
        params.update(born_in_number=encoded_born.isoformat(), born_given=born.isoformat())
    if gender in ("m", "f") and encoded_gender is not None and gender != encoded_gender:
        params.update(gender_in_number=encoded_gender, gender_given=gender)
    return InvalidInput("id_mismatch", **params) if params else None


# ---------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------

_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_EMAIL_LABEL = re.compile(r"(?!-)[^\W_]+(?:-+[^\W_]+)*")
_EMAIL_TLD = re.compile(r"[^\W\d_]{2,}|xn--[a-z0-9-]+")
_EMAIL_MAX_LEN = 254


def validate_email(text: str) -> str:
    """A pragmatic shape check: catches typos, not every RFC 5322 corner.

    The domain is lower-cased because it is case-insensitive; the local part
    is kept as typed because, strictly, it is not.
    """
    email = text.strip()
    if len(email) > _EMAIL_MAX_LEN or email.count("@") != 1:
        raise InvalidInput("email_invalid")
    local, domain = email.split("@")
    domain = domain.lower()
    if len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local) or not _valid_domain(domain):
        raise InvalidInput("email_invalid")
    return f"{local}@{domain}"


def _valid_domain(domain: str) -> bool:
    """At least two dot-separated labels and an alphabetic top-level domain."""
    labels = domain.split(".")
    if len(labels) < 2:
        return False
    if not all(_EMAIL_LABEL.fullmatch(label) for label in labels):
        return False
    return _EMAIL_TLD.fullmatch(labels[-1]) is not None


# ---------------------------------------------------------------------------
# Free text
# ---------------------------------------------------------------------------

# Bidirectional overrides are invisible and can reorder what an official reads.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
_TRUNCATE_WINDOW = 0.1


def clean_text(text: str, max_len: int, truncate: bool = False) -> tuple[str, bool]:
    """Tidy free text for a letter and enforce its length.

    Returns the text and whether it was cut. Spaces are collapsed and control
    characters dropped so that what ends up in a letter looks like what the
    relative meant, not what their keyboard did; up to one blank line is kept
    because paragraphs carry meaning in an account of events.
    """
    cleaned = _tidy(text)
    if not cleaned:
        raise InvalidInput("text_empty")
    if len(cleaned) <= max_len:
        return cleaned, False
    if not truncate:
        raise InvalidInput("text_too_long", max_len=max_len, length=len(cleaned))
    return _cut(cleaned, max_len), True


def _tidy(text: str) -> str:
    """Normalise line breaks, drop control characters, collapse spaces."""
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", text))
    text = "".join(_clean_char(c) for c in text)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _clean_char(char: str) -> str:
    """Keep ordinary characters and line breaks; tabs become spaces."""
    if char == "\n":
        return char
    if char == "\t":
        return " "
    if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
        return ""
    return char


def _cut(text: str, max_len: int) -> str:
    """Cut to ``max_len``, at a word boundary if one is in the last 10 %."""
    earliest = max_len - max(1, int(max_len * _TRUNCATE_WINDOW))
    for end in range(max_len, max(earliest, 0), -1):
        if text[end].isspace():
            cut = text[:end].rstrip()
            if cut:
                return cut
    return text[:max_len].rstrip()


# ---------------------------------------------------------------------------
# Names and documents
# ---------------------------------------------------------------------------

_APOSTROPHES = "'’ʼ`"
_NAME_PUNCTUATION = frozenset(" -." + _APOSTROPHES)
_LATIN_NAME = re.compile(r"[A-Z]+(?:[ '\-]+[A-Z]+)*")
_PASSPORT_LOOKALIKES = str.maketrans("АВЕКМНОРСТХавекмнорстх№", "ABEKMHOPCTXABEKMHOPCTXN")
_PASSPORT = re.compile(r"[A-Z0-9]{6,12}")


def _one_line(text: str, max_len: int) -> str:
    """``clean_text`` for a single-line answer: every whitespace run becomes one space."""
    cleaned, _ = clean_text(text, max_len)
    return " ".join(cleaned.split())


def _is_name_letter(char: str) -> bool:
    """A letter or a combining mark; the modifier-letter apostrophe does not count."""
    if char in _APOSTROPHES:
        return False
    return unicodedata.category(char)[0] in "LM"


def validate_name(text: str, max_len: int = 200) -> str:
    """Check a full name in any script and return it tidied.

    Case is kept as typed, because "ДиКаприо" or "МакКуин" are deliberate;
    only all-lower-case input is capitalised, as that is almost always a
    phone keyboard's doing.
    """
    name = _one_line(text, max_len)
    if not _is_name_letter(name[0]) or not all(
        _is_name_letter(c) or c in _NAME_PUNCTUATION for c in name
    ):
        raise InvalidInput("name_invalid")
    if sum(1 for c in name if unicodedata.category(c)[0] == "L" and c not in _APOSTROPHES) < 2:
        raise InvalidInput("name_invalid")
    return _capitalise_words(name) if name == name.lower() else name


def name_words(name: str) -> int:
    """How many words of a name hold a letter: "Иванова" is 1, "Иванова Мария" is 2."""
    return sum(1 for word in re.split(r"[\s]+", name) if any(c.isalpha() for c in word))


def _capitalise_words(name: str) -> str:
    """Upper-case the first letter of each space- or hyphen-separated part."""
    return re.sub(r"(^|[ \-])(\w)", lambda m: m.group(1) + m.group(2).upper(), name)


def validate_latin_name(text: str, max_len: int = 200) -> str:
    """Check a name as spelled in a passport and return it in upper case.

    Foreign ministries match on the passport's Latin spelling, so anything
    beyond ASCII letters is refused rather than transliterated by guess.
    """
    name = _one_line(text, max_len)
    for apostrophe in _APOSTROPHES[1:]:
        name = name.replace(apostrophe, "'")
    name = name.upper()
    if not name.isascii() or not _LATIN_NAME.fullmatch(name):
        raise InvalidInput("latin_invalid")
    if sum(1 for c in name if c.isalpha()) < 2:
        raise InvalidInput("latin_invalid")
    return name


def validate_passport(text: str) -> str:
    """Normalise a passport or ID-card number.

    Cyrillic letters that look like Latin ones are mapped first, because on
    a Russian keyboard "АN1234567" is typed with a Cyrillic "А"; "№" is read
    as the "N" of Kazakh passport numbers.
    """
    number = re.sub(r"[\s\-]", "", text).translate(_PASSPORT_LOOKALIKES).upper()
    if not number.isascii() or not _PASSPORT.fullmatch(number):
        raise InvalidInput("passport_invalid")
    if sum(1 for c in number if c.isdigit()) < 5:
        raise InvalidInput("passport_invalid")
    return number
