"""Tests for bot.domain.validators: what families type must parse, and mistakes must be caught."""

from __future__ import annotations

import random
from datetime import date

import pytest
from babel.dates import get_month_names

from bot.domain.validators import (
    InvalidInput,
    check_past_date,
    clean_text,
    normalize_phone,
    parse_birth_date,
    parse_date,
    validate_email,
    validate_id_number,
    validate_iin,
    validate_kg_pin,
    validate_latin_name,
    validate_name,
    validate_passport,
)

TODAY = date(2025, 6, 15)


def assert_code(code: str, func, *args, **kwargs) -> InvalidInput:
    """Call ``func`` and check that it refuses the input with ``code``."""
    with pytest.raises(InvalidInput) as info:
        func(*args, **kwargs)
    assert info.value.code == code
    return info.value


# ---------------------------------------------------------------------------
# InvalidInput
# ---------------------------------------------------------------------------


def test_invalid_input_carries_code_and_params() -> None:
    error = InvalidInput("text_too_long", max_len=10, length=12)
    assert isinstance(error, ValueError)
    assert error.code == "text_too_long"
    assert error.params == {"max_len": 10, "length": 12}


def test_invalid_input_without_params() -> None:
    assert InvalidInput("date_format").params == {}


# ---------------------------------------------------------------------------
# parse_date
# ---------------------------------------------------------------------------

MARCH_18 = date(2023, 3, 18)
NOV_5 = date(2024, 11, 5)


@pytest.mark.parametrize(
    "text",
    [
        # numeric
        "18.03.2023",
        "18/03/2023",
        "18-03-2023",
        "2023-03-18",
        "18.3.2023",
        "  18.03.2023  ",
        "18.03.2023 г.",
        # Russian
        "18 марта 2023",
        "18 март 2023 г.",
        "18 марта 2023 года",
        "18 марта 2023 г",
        "18 МАРТА 2023",
        "18-го марта 2023 г.",
        "18 мар. 2023 г.",
        "18 марте 2023",
        # Kazakh
        "2023 ж. 18 наурыз",
        "18 наурыз 2023",
        "18 наурыз 2023 ж.",
        "2023 ж. 18 нау.",
        "18 Наурыз 2023",
        "2023 жылы 18 наурызда",
        "18 наурыз 2023 жыл",
        # Kyrgyz
        "2023-ж., 18-март",
        "18-март 2023",
        "18 мартта 2023",
        "2023-жылы 18-мартта",
        "18-март, 2023-ж.",
        # English
        "18 March 2023",
        "March 18, 2023",
        "Mar 18 2023",
        "18th of March 2023",
    ],
)
def test_parse_date_accepts_march_18(text: str) -> None:
    assert parse_date(text) == MARCH_18


@pytest.mark.parametrize(
    "text",
    [
        "5 қараша 2024",
        "5 Қараша 2024",
        "5 караша 2024",  # Kazakh typed on a Russian keyboard
        "2024 ж. 5 қар.",
        "2024 ж. 5 қараша",
        "5 ноябрь 2024",
        "5 ноября 2024",
        "5 нояб. 2024",
        "5 ноя 2024",
        "2024-ж., 5-ноябрь",
        "5-ноябрда 2024",
        "5 November 2024",
        "Nov 5 2024",
        "nov 5 2024",
        "NOV. 5, 2024",
        "05.11.2024",
        "5/11/2024",
        "2024-11-05",
    ],
)
def test_parse_date_accepts_november_5(text: str) -> None:
    assert parse_date(text) == NOV_5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 мая 2023", date(2023, 5, 1)),
        ("1 май 2023", date(2023, 5, 1)),
        ("1 мамыр 2023", date(2023, 5, 1)),
        ("1-май 2023", date(2023, 5, 1)),
        ("1 May 2023", date(2023, 5, 1)),
        ("10 қаңтар 2022", date(2022, 1, 10)),
        ("10 кантар 2022", date(2022, 1, 10)),
        ("10 января 2022", date(2022, 1, 10)),
        ("10-январь 2022", date(2022, 1, 10)),
        ("7 шілде 2021", date(2021, 7, 7)),
        ("7 шилде 2021", date(2021, 7, 7)),
        ("2 сәуір 2020", date(2020, 4, 2)),
        ("2 апреля 2020", date(2020, 4, 2)),
        ("2-апрелде 2020", date(2020, 4, 2)),
        ("9 қыркүйек 2019", date(2019, 9, 9)),
        ("9 сентября 2019", date(2019, 9, 9)),
        ("9 сент. 2019", date(2019, 9, 9)),
        ("9 Sept 2019", date(2019, 9, 9)),
        ("31 желтоқсан 2024", date(2024, 12, 31)),
        ("31 декабря 2024", date(2024, 12, 31)),
        ("31-декабрь 2024", date(2024, 12, 31)),
        ("14 ақпан 2024", date(2024, 2, 14)),
        ("14 февр. 2024", date(2024, 2, 14)),
        ("20 маусым 2024", date(2024, 6, 20)),
        ("20 тамыз 2024", date(2024, 8, 20)),
        ("20 қазан 2024", date(2024, 10, 20)),
        ("20 октября 2024", date(2024, 10, 20)),
    ],
)
def test_parse_date_other_months(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("locale", ["ru", "kk", "ky", "en"])
@pytest.mark.parametrize("width", ["wide", "abbreviated"])
@pytest.mark.parametrize("context", ["format", "stand-alone"])
def test_parse_date_knows_every_babel_month_name(locale: str, width: str, context: str) -> None:
    for month, name in get_month_names(width, context, locale).items():
        assert parse_date(f"3 {name} 2021") == date(2021, month, 3), name
        assert parse_date(f"2021 {name.upper()} 3") == date(2021, month, 3), name


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "вчера",
        "hello",
        "18.03.23",  # two-digit year
        "18 марта",  # no year
        "18 марта 23",
        "марта 2023",
        "18 2023",
        "18.03",
        "2023",
        "18 марта 2023 привет",
        "18 марта апреля 2023",
        "18:03:2023",
        "18.03.2023.5",
        "123.03.2023",
        "18.03.20234",
        "18 мартобря 2023",
        "😀 18 марта 2023",
    ],
)
def test_parse_date_rejects_non_dates(text: str) -> None:
    assert_code("date_format", parse_date, text)


@pytest.mark.parametrize(
    "text",
    [
        "31.02.2023",
        "30.02.2024",
        "32.01.2020",
        "2023-13-01",
        "00.01.2020",
        "15.00.2020",
        "29.02.2023",
        "31 апреля 2023",
        "30 ақпан 2024",
        "31 June 2024",
    ],
)
def test_parse_date_rejects_impossible_dates(text: str) -> None:
    assert_code("date_impossible", parse_date, text)


def test_parse_date_accepts_leap_day() -> None:
    assert parse_date("29.02.2024") == date(2024, 2, 29)
    assert parse_date("29 ақпан 2024") == date(2024, 2, 29)


# ---------------------------------------------------------------------------
# check_past_date and parse_birth_date
# ---------------------------------------------------------------------------


def test_check_past_date_accepts_today_and_past() -> None:
    assert check_past_date(TODAY, TODAY) == TODAY
    assert check_past_date(date(2022, 2, 24), TODAY) == date(2022, 2, 24)
    assert check_past_date(date(1900, 1, 1), TODAY) == date(1900, 1, 1)


def test_check_past_date_future() -> None:
    assert_code("date_future", check_past_date, date(2025, 6, 16), TODAY)


def test_check_past_date_too_old() -> None:
    assert_code("date_too_old", check_past_date, date(1899, 12, 31), TODAY)


def test_check_past_date_before_birth() -> None:
    born = date(1990, 5, 1)
    assert check_past_date(born, TODAY, not_before=born) == born
    assert_code("date_before_birth", check_past_date, date(1990, 4, 30), TODAY, not_before=born)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01.01.1990", date(1990, 1, 1)),
        ("1990 ж. 1 қаңтар", date(1990, 1, 1)),
        ("15 июня 2025", TODAY),  # born today
        ("16.06.1925", date(1925, 6, 16)),  # 99 years old
        ("15.06.1925", date(1925, 6, 15)),  # exactly 100 today
        ("16.06.1924", date(1924, 6, 16)),  # 100, a day short of 101
    ],
)
def test_parse_birth_date_accepts(text: str, expected: date) -> None:
    assert parse_birth_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["16.06.2025", "01.01.2030", "5 қараша 2099"])
def test_parse_birth_date_future(text: str) -> None:
    assert_code("date_future", parse_birth_date, text, TODAY)


@pytest.mark.parametrize("text", ["15.06.1924", "15.06.1875", "01.01.1800"])  # 101, 150, 225 years
def test_parse_birth_date_too_old(text: str) -> None:
    error = assert_code("birth_too_old", parse_birth_date, text, TODAY)
    assert error.params == {"max_age": 100}


def test_parse_birth_date_passes_parse_errors_through() -> None:
    assert_code("date_format", parse_birth_date, "давно", TODAY)
    assert_code("date_impossible", parse_birth_date, "30.02.1990", TODAY)


# ---------------------------------------------------------------------------
# normalize_phone
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Kazakhstan
        ("+7 701 123 45 67", "+77011234567"),
        ("+77011234567", "+77011234567"),
        ("8 (701) 123-45-67", "+77011234567"),
        ("87011234567", "+77011234567"),
        ("7011234567", "+77011234567"),
        ("77011234567", "+77011234567"),
        ("7 701 123 45 67", "+77011234567"),
        ("+7 (777) 123.45.67", "+77771234567"),
        ("8 727 250 12 34", "+77272501234"),  # Almaty landline
        ("  +7 701 123 45 67  ", "+77011234567"),
        # Kyrgyzstan
        ("0555 123 456", "+996555123456"),
        ("0555123456", "+996555123456"),
        ("+996555123456", "+996555123456"),
        ("+996 (555) 12-34-56", "+996555123456"),
        ("996 555 123 456", "+996555123456"),
        ("00996 555 123 456", "+996555123456"),
        ("555 123 456", "+996555123456"),
        ("0700 123 456", "+996700123456"),
        ("0312 123 456", "+996312123456"),  # Bishkek landline
        # Russia
        ("+7 916 123-45-67", "+79161234567"),
        ("8 (916) 123-45-67", "+79161234567"),
        ("89161234567", "+79161234567"),
        ("9161234567", "+79161234567"),
        ("+7 495 123 45 67", "+74951234567"),
    ],
)
def test_normalize_phone(text: str, expected: str) -> None:
    assert normalize_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "12345",
        "+7 701",
        "0000000000",
        "+7 701 123 45 67 89 01",
        "+7 701 ABC 45 67",
        "1-800-FLOWERS",
        "+99655512345",  # one digit short
        "+7 (701) 123-45-67 доб. 5",
        "++77011234567",
        "+7 701 123 45 6",
        "7" * 60,
        "😀",
    ],
)
def test_normalize_phone_rejects(text: str) -> None:
    assert_code("phone_invalid", normalize_phone, text)


# ---------------------------------------------------------------------------
# IIN
# ---------------------------------------------------------------------------


def reference_iin_check(first11: str) -> int | None:
    """Independent check-digit rule from the legal-domain reference, section 4."""
    digits = list(map(int, first11))
    total = sum((i + 1) * d for i, d in enumerate(digits)) % 11
    if total == 10:
        second = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        total = sum(w * d for w, d in zip(second, digits)) % 11
        if total == 10:
            return None
    return total


def first_pass(first11: str) -> int:
    return sum((i + 1) * int(d) for i, d in enumerate(first11)) % 11


def make_iin(first11: str) -> str:
    check = reference_iin_check(first11)
    assert check is not None
    return first11 + str(check)


def prefixes(stem: str, want_first_pass_10: bool, count: int) -> list[str]:
    """Eleven-digit prefixes from ``stem`` + serial whose first pass is (or is not) 10."""
    found: list[str] = []
    for serial in range(10_000):
        first11 = f"{stem}{serial:04d}"
        uses_second = first_pass(first11) == 10
        if uses_second == want_first_pass_10 and reference_iin_check(first11) is not None:
            found.append(first11)
            if len(found) == count:
                return found
    raise AssertionError("no prefix found")


SIMPLE_IINS = [make_iin(p) for p in prefixes("9001153", False, 3) + prefixes("0512306", False, 2)]
SECOND_PASS_IINS = [make_iin(p) for p in prefixes("8507214", True, 3)]


def test_second_pass_iins_really_use_second_weights() -> None:
    assert SECOND_PASS_IINS
    for iin in SECOND_PASS_IINS:
        assert first_pass(iin[:11]) == 10


@pytest.mark.parametrize("iin", SIMPLE_IINS + SECOND_PASS_IINS)
def test_validate_iin_accepts_valid(iin: str) -> None:
    assert validate_iin(iin) == iin
    spaced = f" {iin[:6]} {iin[6:]} "
    assert validate_iin(spaced) == iin


def test_validate_iin_known_example() -> None:
    # 1*9+2*5+3*0+4*1+5*1+6*5+7*3+8*0+9*0+10*0+11*1 = 90; 90 % 11 = 2
    assert validate_iin("950115300012") == "950115300012"


def test_validate_iin_ignores_date_part() -> None:
    iin = make_iin("99991390000")  # month 99, day 13: not a date, still allowed
    assert validate_iin(iin) == iin


@pytest.mark.parametrize("iin", SIMPLE_IINS + SECOND_PASS_IINS)
def test_validate_iin_rejects_wrong_check_digit(iin: str) -> None:
    for wrong in "0123456789":
        if wrong != iin[-1]:
            assert_code("iin_checksum", validate_iin, iin[:11] + wrong)


def test_validate_iin_rejects_when_both_passes_give_10() -> None:
    stem = next(f"{n:011d}" for n in range(10**6) if reference_iin_check(f"{n:011d}") is None)
    for last in "0123456789":
        assert_code("iin_checksum", validate_iin, stem + last)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345678901",
        "1234567890123",
        "95011530001a",
        "９５０１１５３０００１２",
        "950115-300012",
    ],
)
def test_validate_iin_length(text: str) -> None:
    assert_code("iin_length", validate_iin, text)


# ---------------------------------------------------------------------------
# Kyrgyz PIN
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pin",
    ["21503199012345", "10101200000001", "22902200412345", "13112199999999", "2 15031990 12345"],
)
def test_validate_kg_pin_accepts(pin: str) -> None:
    assert validate_kg_pin(pin) == pin.replace(" ", "")


@pytest.mark.parametrize(
    ("pin", "code"),
    [
        ("2150319901234", "pin_length"),
        ("215031990123456", "pin_length"),
        ("2150319901234x", "pin_length"),
        ("", "pin_length"),
        ("31503199012345", "pin_first_digit"),
        ("01503199012345", "pin_first_digit"),
        ("23102199012345", "pin_date"),  # 31.02.1990
        ("22902200312345", "pin_date"),  # 29.02.2003
        ("21513199012345", "pin_date"),  # month 13
        ("20001199012345", "pin_date"),  # day 0
    ],
)
def test_validate_kg_pin_rejects(pin: str, code: str) -> None:
    assert_code(code, validate_kg_pin, pin)


# ---------------------------------------------------------------------------
# validate_id_number
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("citizenship", [None, "KZ", "KG"])
def test_validate_id_number_iin(citizenship: str | None) -> None:
    iin = SIMPLE_IINS[0]
    assert validate_id_number(iin, citizenship) == ("iin", iin)


@pytest.mark.parametrize("citizenship", [None, "KZ", "KG"])
def test_validate_id_number_pin(citizenship: str | None) -> None:
    assert validate_id_number("2 1503 1990 12345", citizenship) == ("pin", "21503199012345")


def test_validate_id_number_uses_iin_and_pin_rules() -> None:
    bad_iin = SIMPLE_IINS[0][:11] + str((int(SIMPLE_IINS[0][-1]) + 1) % 10)
    assert_code("iin_checksum", validate_id_number, bad_iin)
    assert_code("pin_date", validate_id_number, "23102199012345")
    assert_code("pin_first_digit", validate_id_number, "91503199012345", "KG")


@pytest.mark.parametrize(
    "text", ["", "123", "1234567890123", "123456789012345", "ИИН 950115300012"]
)
def test_validate_id_number_length(text: str) -> None:
    assert_code("idnum_length", validate_id_number, text)


# ---------------------------------------------------------------------------
# validate_email
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aigul@mail.ru", "aigul@mail.ru"),
        ("  Aigul.T@Mail.RU ", "Aigul.T@mail.ru"),
        ("first.last+tag@sub.example.kz", "first.last+tag@sub.example.kz"),
        ("user_1@gov-portal.kg", "user_1@gov-portal.kg"),
        ("info@почта.рф", "info@почта.рф"),
    ],
)
def test_validate_email_accepts(text: str, expected: str) -> None:
    assert validate_email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "aigul",
        "aigul@",
        "@mail.ru",
        "aigul@mail",
        "aigul@@mail.ru",
        "ai gul@mail.ru",
        "aigul@mail..ru",
        "aigul@-mail.ru",
        "aigul@mail.r",
        "aigul@mail.123",
        ".aigul@mail.ru",
        "aig..ul@mail.ru",
        "айгүл@mail.ru",
        "a" * 65 + "@mail.ru",
        "a@" + "b" * 260 + ".ru",
    ],
)
def test_validate_email_rejects(text: str) -> None:
    assert_code("email_invalid", validate_email, text)


# ---------------------------------------------------------------------------
# clean_text
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  hello  ", "hello"),
        ("a   b\t\tc", "a b c"),
        ("line one  \n  line two", "line one\nline two"),
        ("para\n\n\n\n\nnext", "para\n\nnext"),
        ("a\r\nb\rc", "a\nb\nc"),
        ("a\x00b\x07c\x1bd", "abcd"),
        ("safe\u202etext", "safetext"),
        ("non\u00a0breaking", "non breaking"),
        ("Әлібек   Құрманғазыұлы", "Әлібек Құрманғазыұлы"),
    ],
)
def test_clean_text_tidies(text: str, expected: str) -> None:
    assert clean_text(text, 100) == (expected, False)


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "\x00\x01"])
def test_clean_text_empty(text: str) -> None:
    assert_code("text_empty", clean_text, text, 100)


def test_clean_text_too_long() -> None:
    error = assert_code("text_too_long", clean_text, "x" * 101, 100)
    assert error.params == {"max_len": 100, "length": 101}


def test_clean_text_length_counted_after_cleaning() -> None:
    assert clean_text("  " + "x" * 100 + "   ", 100) == ("x" * 100, False)


def test_clean_text_truncates_at_word_boundary() -> None:
    text = " ".join(["word"] * 50)  # 249 characters
    result, cut = clean_text(text, 100, truncate=True)
    assert cut is True
    assert len(result) <= 100
    assert result.endswith("word")
    assert len(result) >= 90
    assert text.startswith(result)


def test_clean_text_truncates_hard_without_nearby_space() -> None:
    text = "start " + "x" * 200
    result, cut = clean_text(text, 100, truncate=True)
    assert cut is True
    assert result == text[:100]


def test_clean_text_truncate_not_needed() -> None:
    assert clean_text("short text", 100, truncate=True) == ("short text", False)


# ---------------------------------------------------------------------------
# validate_name
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Әлібек Құрманғазыұлы", "Әлібек Құрманғазыұлы"),
        ("Айгүл Төлөгөнова", "Айгүл Төлөгөнова"),
        ("Ғалым Һасенов", "Ғалым Һасенов"),
        ("Іңкәр Өмірзақова", "Іңкәр Өмірзақова"),
        ("Үмүт Ұлжанова", "Үмүт Ұлжанова"),
        ("  Иванов   Иван  Иванович ", "Иванов Иван Иванович"),
        ("Анна-Мария О'Нил", "Анна-Мария О'Нил"),
        ("Д’Артаньян", "Д’Артаньян"),
        ("Нұрлан Ә.", "Нұрлан Ә."),
        ("ДиКаприо Леонардо", "ДиКаприо Леонардо"),
        ("әлібек құрманғазыұлы", "Әлібек Құрманғазыұлы"),
        ("айгүл төлөгөнова", "Айгүл Төлөгөнова"),
        ("анна-мария иванова", "Анна-Мария Иванова"),
        ("ИВАНОВ ИВАН", "ИВАНОВ ИВАН"),
        ("john smith", "John Smith"),
        ("Ли", "Ли"),
        ("Иванов\nИван", "Иванов Иван"),
    ],
)
def test_validate_name_accepts(text: str, expected: str) -> None:
    assert validate_name(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "12345",
        "Иван2",
        "😀😀😀",
        "🙂",
        "👍🏻",
        "Иван 😀",
        "И",
        "-- ..",
        "'’ʼ",
        "-Иван",
        "Иван@Петров",
        "Иван_Петров",
    ],
)
def test_validate_name_rejects(text: str) -> None:
    assert_code("name_invalid", validate_name, text)


def test_validate_name_empty() -> None:
    assert_code("text_empty", validate_name, "   ")


def test_validate_name_too_long() -> None:
    assert_code("text_too_long", validate_name, "а" * 10_000)
    assert_code("text_too_long", validate_name, "Иван Петров", max_len=5)


# ---------------------------------------------------------------------------
# validate_latin_name
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Alibek Kurmangazyuly", "ALIBEK KURMANGAZYULY"),
        ("  aigul   tologonova ", "AIGUL TOLOGONOVA"),
        ("Anna-Maria O'Neil", "ANNA-MARIA O'NEIL"),
        ("O’NEIL", "O'NEIL"),
    ],
)
def test_validate_latin_name_accepts(text: str, expected: str) -> None:
    assert validate_latin_name(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Әлібек", "Айгүл Төлөгөнова", "Ivan Иванов", "Jürgen", "Ivan2", "A", "Ivan.", "-Ivan", "😀"],
)
def test_validate_latin_name_rejects(text: str) -> None:
    assert_code("latin_invalid", validate_latin_name, text)


def test_validate_latin_name_length() -> None:
    assert_code("text_empty", validate_latin_name, "")
    assert_code("text_too_long", validate_latin_name, "A" * 201)


# ---------------------------------------------------------------------------
# validate_passport
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("N12345678", "N12345678"),
        ("n 1234 5678", "N12345678"),
        ("№12345678", "N12345678"),
        ("AN1234567", "AN1234567"),
        ("АН1234567", "AH1234567"),  # Cyrillic А and Н
        ("ан-1234567", "AH1234567"),
        ("ID 1234567", "ID1234567"),
        ("45 01 123456", "4501123456"),
        ("123456", "123456"),
        ("AB1234567890", "AB1234567890"),
    ],
)
def test_validate_passport_accepts(text: str, expected: str) -> None:
    assert validate_passport(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345",  # too short
        "AB1234567890X",  # too long
        "ABCD1234",  # four digits
        "ЖЖ1234567",  # Cyrillic without a Latin twin
        "AN123.4567",
        "AN1234567!",
        "１２３４５６７",  # full-width digits
    ],
)
def test_validate_passport_rejects(text: str) -> None:
    assert_code("passport_invalid", validate_passport, text)


# ---------------------------------------------------------------------------
# Robustness: arbitrary input is either accepted or refused with InvalidInput
# ---------------------------------------------------------------------------

_FUZZ_ALPHABET = "0123456789 .,-/+()@'’№\n\t\x00марташжылқүңөәAaNnZz😀\u202e"


def _fuzz_strings(count: int = 400) -> list[str]:
    rng = random.Random(20240601)
    return ["".join(rng.choices(_FUZZ_ALPHABET, k=rng.randint(0, 30))) for _ in range(count)]


@pytest.mark.parametrize(
    "func",
    [
        parse_date,
        lambda t: parse_birth_date(t, TODAY),
        normalize_phone,
        validate_iin,
        validate_kg_pin,
        validate_id_number,
        validate_email,
        lambda t: clean_text(t, 10),
        validate_name,
        validate_latin_name,
        validate_passport,
    ],
)
def test_only_invalid_input_escapes(func) -> None:
    for text in _fuzz_strings():
        try:
            func(text)
        except InvalidInput:
            pass


def test_truncated_text_always_fits() -> None:
    for text in _fuzz_strings():
        try:
            result, _ = clean_text(text, 10, truncate=True)
        except InvalidInput as error:
            assert error.code == "text_empty"
        else:
            assert 0 < len(result) <= 10
            assert result == result.strip()
