"""Small rules behind what people read: case numbers as typed, labels cut between words,
one full stop after a date, the audit log as sentences, a family's default zone."""

from __future__ import annotations

from datetime import date

import pytest

from bot.audit_sentences import sentence
from bot.domain.models import parse_case_number
from bot.i18n import default_catalogs
from bot.readable import shorten, week_label
from bot.services.followup import default_timezone
from tests.readers import cut_mid_word, latin_words


@pytest.mark.parametrize("typed", ["kz-2026-1", "KZ-2026-0001", " kz 2026 0001 ", "Kz-2026-01"])
def test_case_numbers_as_people_type_them(typed: str) -> None:
    assert parse_case_number(typed) == "KZ-2026-0001"


def test_text_that_is_no_case_number_stays_as_it_was() -> None:
    assert parse_case_number("abc") == "ABC"


def test_labels_are_cut_between_words() -> None:
    title = "Посольство Республики Казахстан в Российской Федерации"
    short = shorten(title, 40)
    assert short == "Посольство Республики Казахстан в…" and len(short) <= 40
    assert not cut_mid_word(short, set(title.split()))
    assert cut_mid_word(title[:39] + "…", set(title.split()))  # what the old cut did
    assert shorten("Короткое", 40) == "Короткое"


def test_a_date_ending_a_sentence_gets_one_full_stop() -> None:
    t = default_catalogs().get("ru")
    text = t(
        "Case {number}: no answer yet from {body}; the deadline passed on {date}.",
        number="KZ-2026-0001",
        body="ГВП",
        date="11 декабря 2026 г.",
    )
    assert text.endswith("2026 г.") and ".." not in text


@pytest.mark.parametrize(
    "answers, zone",
    [
        ({"r_phone": "+996555123456", "m_cit": "KG"}, "Asia/Bishkek"),
        ({"m_cit": "KG"}, "Asia/Bishkek"),
        ({"r_phone": "+77011234567", "m_cit": "KG"}, "Asia/Almaty"),
        ({"r_phone": "+79001234567", "m_cit": "KZ"}, "Europe/Moscow"),
        ({"m_cit": "KZ"}, "Asia/Almaty"),
    ],
)
def test_a_familys_zone_follows_their_phone_then_citizenship(answers: dict, zone: str) -> None:
    assert default_timezone(answers) == zone


@pytest.mark.parametrize("locale", ["kk", "ru", "ky"])
def test_every_audit_action_reads_as_a_sentence(locale: str) -> None:
    t = default_catalogs().get(locale)
    names = {5: "Дана", 6: "Бакыт"}
    for action, detail in [
        ("view_case", {}),
        ("export", {"format": "xlsx", "masked": False}),
        ("export", {"format": "dossier"}),
        ("role_grant", {"role": "volunteer"}),
        ("role_remove", {}),
        ("invite", {"role": "caseworker"}),
        ("invite_revoke", {}),
        ("assign", {}),
        ("unassign", {}),
        ("verify", {"value": True}),
        ("details", {"value": False}),
        ("status", {"status": "waiting"}),
        ("note", {}),
        ("message", {}),
        ("delete", {"cases": 1}),
        ("purge", {}),
        ("something_new", {}),
    ]:
        text = sentence(t, action, 5, "KZ-2026-0001", 6, detail, names)
        assert latin_words(text.replace("XLSX", "").replace("PDF", "")) == [], (action, text)
        assert "_" not in text and "{" not in text and "5" not in text.replace("2026", "")


def test_a_message_from_a_family_is_told_apart() -> None:
    t = default_catalogs().get("ru")
    text = sentence(t, "message", 900, "KZ-2026-0001", 6, {}, {6: "Бакыт"})
    assert text == t(
        "The family of case {number} answered {target}.", number="KZ-2026-0001", target="Бакыт"
    )


def test_weeks_read_as_dates() -> None:
    t = default_catalogs().get("ru")
    assert week_label(t, "2026-W47") == t(
        "week of {date}", date=t.date(date(2026, 11, 16), "medium")
    )
