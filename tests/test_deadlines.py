"""Deadline arithmetic and the escalation ladder.

Every expected date below was counted by hand on a calendar; the comments show the count.
Holidays are those of the installed ``holidays`` library (0.109); the tests that depend on a
particular holiday first assert what the library returns for it.
Weekdays used: 2025-12-25 Thu, 2025-12-30 Tue, 2026-01-01 Thu, 2026-03-02 Mon,
2026-03-16 Mon, 2026-03-21 Sat, 2026-04-10 Fri.
"""

from __future__ import annotations

import json
from datetime import date

import holidays
import pytest

from bot.domain.deadlines import (
    CHANNELS,
    TRIGGERS,
    DeadlineRule,
    Extension,
    NextStep,
    _calendar,
    add_working_days,
    answer_due,
    is_working_day,
    load_ladder,
    load_rules,
    next_step,
    reminder_dates,
    rule_for,
    warm_up,
)

D = date

ADDRESSEE_KINDS = {
    "embassy_kz",
    "embassy_kg",
    "mfa_kz",
    "mfa_kg",
    "ombudsman_kz",
    "ombudsman_kg",
    "ombudsman_ru",
    "prosecutor_general",
    "military_prosecutor",
    "investigative_committee",
    "defence_ministry",
    "icrc",
    "police_kz",
    "police_kg",
    "fsin",
    "migration_ru",
    "military_investigative",
    "region_prosecutor",
    "region_investigative",
    "region_commissariat",
    "district_military_prosecutor",
}


# ----------------------------------------------------------------------------- rule data


def test_rules_file_has_every_rule_with_source_and_confidence():
    rules = load_rules()
    assert {
        "ru_59fz",
        "ru_crime_report",
        "ru_prosecutor_complaint",
        "ru_ombudsman",
        "ru_prosecutor",
        "kz_appk",
        "kg_law67",
        "icrc",
    } <= set(rules)
    for rule in rules.values():
        assert isinstance(rule, DeadlineRule)
        assert rule.source and rule.confidence in {"V", "S", "U"}
        assert rule.unit in {"calendar_days", "working_days"}
        assert rule.country in {"RU", "KZ", "KG"}
        assert rule.start in {"registration", "receipt"}
        for ext in rule.extensions:
            assert ext.source and ext.confidence in {"V", "S", "U"}
        for channel in CHANNELS:
            assert rule.delivery_days(channel) >= 0


def test_rule_values():
    r = load_rules()
    assert (r["ru_59fz"].amount, r["ru_59fz"].unit, r["ru_59fz"].start) == (
        30,
        "calendar_days",
        "registration",
    )
    assert r["ru_59fz"].registration_days == 3
    assert r["ru_59fz"].source == "59-FZ art. 12 p. 1"
    assert [(e.amount, e.mode) for e in r["ru_59fz"].extensions] == [(30, "additional")]
    assert r["ru_crime_report"].amount == 3
    assert [(e.amount, e.mode) for e in r["ru_crime_report"].extensions] == [
        (10, "total"),
        (30, "total"),
    ]
    assert r["ru_prosecutor_complaint"].amount == 3
    assert [e.amount for e in r["ru_prosecutor_complaint"].extensions] == [10]
    assert r["ru_ombudsman"].amount == 30
    assert r["ru_ombudsman"].filing_limit_years == 1
    assert r["ru_ombudsman"].filing_limit.source == "1-FKZ art. 17"
    assert "No. 45" in r["ru_prosecutor"].source and r["ru_prosecutor"].amount == 30
    kz = r["kz_appk"]
    assert (kz.amount, kz.unit, kz.country, kz.start) == (15, "working_days", "KZ", "receipt")
    assert [(e.amount, e.unit) for e in kz.extensions] == [(2, "months")]
    kg = r["kg_law67"]
    assert (kg.amount, kg.unit, kg.country, kg.registration_days, kg.registration_unit) == (
        14,
        "working_days",
        "KG",
        1,
        "working_days",
    )
    assert [(e.amount, e.confidence) for e in kg.extensions] == [(None, "U")]
    assert r["icrc"].legal is False and r["icrc"].amount == 30
    assert all(rule.legal for rid, rule in r.items() if rid != "icrc")


def test_filing_limit_one_year():
    # 1-FKZ art. 17: one year from the violation. 29.02.2024 + 1 year -> 28.02.2025.
    limit = load_rules()["ru_ombudsman"].filing_limit
    assert limit.ends(D(2024, 2, 29)) == D(2025, 2, 28)
    assert limit.ends(D(2025, 6, 10)) == D(2026, 6, 10)


def test_load_rules_from_path_and_validation(tmp_path):
    good = {
        "assumed_delivery_days": {
            "post": 5,
            "registered": 5,
            "email": 1,
            "online": 1,
            "in_person": 0,
        },
        "rules": {
            "strict": {
                "source": "test",
                "unit": "calendar_days",
                "amount": 5,
                "country": "RU",
                "start": "receipt",
                "legal": True,
                "confidence": "V",
                "extensions": [],
            },
        },
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(good), encoding="utf-8")
    rules = load_rules(path)
    assert rules["strict"].delivery_days("post") == 5
    # A legal rule without extensions allows none: an announced extension is capped.
    # Received Mon 02.03.2026 + 5 days = Sat 07.03 -> Sun 08 -> Mon 09 (observed Women's Day)
    # -> Tue 10.03.2026.
    dl = answer_due(
        "strict",
        D(2026, 3, 2),
        delivered_on=D(2026, 3, 2),
        rules=rules,
        extension=Extension(days=10),
    )
    assert (dl.due, dl.capped, dl.max_due) == (D(2026, 3, 10), True, D(2026, 3, 10))

    bad = json.loads(json.dumps(good))
    bad["rules"]["strict"]["unit"] = "weeks"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ValueError, match="bad unit"):
        load_rules(path)

    bad = json.loads(json.dumps(good))
    bad["rules"]["strict"]["country"] = "XX"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ValueError, match="bad country 'XX'"):
        load_rules(path)


def test_warm_up_leaves_no_calendar_to_load_at_the_first_deadline():
    # The holidays package imports all its country modules on first use: done at start-up,
    # not while a family waits for its first deadline.
    _calendar.cache_clear()
    warm_up(D(2026, 11, 22))
    misses = _calendar.cache_info().misses
    for rule_id in load_rules():
        answer_due(rule_id, D(2026, 11, 23))
    assert _calendar.cache_info().misses == misses


# ----------------------------------------------------------------------------- calendars


def test_weekends_and_plain_working_days():
    assert is_working_day(D(2026, 4, 10), "RU")  # Fri
    assert not is_working_day(D(2026, 4, 11), "RU")  # Sat
    assert not is_working_day(D(2026, 4, 12), "kz")  # Sun, lower-case code accepted
    # Fri 10.04.2026 + 1 working day: Sat 11, Sun 12 skipped -> Mon 13.04.
    assert add_working_days(D(2026, 4, 10), 1, "RU") == D(2026, 4, 13)
    assert add_working_days(D(2026, 4, 10), 0, "RU") == D(2026, 4, 10)
    # Backwards: 3 working days before Mon 13.04 = Wed 08.04 (Fri 10 = 1, Thu 9 = 2, Wed 8 = 3).
    assert add_working_days(D(2026, 4, 13), -3, "RU") == D(2026, 4, 8)


def test_russian_transferred_working_saturday():
    # The library lists Sat 01.11.2025 as a working day (day off moved to Mon 03.11).
    assert is_working_day(D(2025, 11, 1), "RU")
    assert not is_working_day(D(2025, 11, 3), "RU")
    assert not is_working_day(D(2025, 11, 4), "RU")  # Unity Day
    # Fri 31.10 + 1 -> Sat 01.11 (working); + 2 -> Mon 03 off, Tue 04 off -> Wed 05.11.
    assert add_working_days(D(2025, 10, 31), 1, "RU") == D(2025, 11, 1)
    assert add_working_days(D(2025, 10, 31), 2, "RU") == D(2025, 11, 5)


def test_russian_january_holidays_calendar():
    # 2025-12-31 is a day off (moved from Sun 05.01.2025); 01-08.01.2026 holidays and Fri
    # 09.01.2026 a day off moved from Sat 03.01; Sat 10, Sun 11; Mon 12.01 is the first
    # working day.
    assert not is_working_day(D(2025, 12, 31), "RU")
    for day in range(1, 12):
        assert not is_working_day(D(2026, 1, day), "RU"), day
    assert is_working_day(D(2026, 1, 12), "RU")
    assert add_working_days(D(2025, 12, 30), 1, "RU") == D(2026, 1, 12)


# ----------------------------------------------------------------------------- Russia


def test_crime_report_over_january_holidays():
    # UPK 144, 3 days from receipt Tue 30.12.2025: 31.12 (1), 01.01 (2), 02.01.2026 (3).
    # 02.01 is a holiday; 03-11.01 are non-working -> Mon 12.01.2026.
    dl = answer_due("ru_crime_report", D(2025, 12, 30), delivered_on=D(2025, 12, 30))
    assert dl.start == D(2025, 12, 30)
    assert dl.unadjusted == D(2026, 1, 2)
    assert dl.due == D(2026, 1, 12)
    assert dl.moved and "moved_off_non_working_day" in dl.assumptions
    # Cap: the longest extension (30 days total): 30.12.2025 + 30 = Thu 29.01.2026.
    assert dl.max_due == D(2026, 1, 29)
    # Handed in on the day it was written: same start without a delivery date.
    same = answer_due("ru_crime_report", D(2025, 12, 30), channel="in_person")
    assert (same.start, same.due, same.basis) == (D(2025, 12, 30), D(2026, 1, 12), "sent")


def test_59fz_registered_before_new_year():
    # Registered Thu 25.12.2025; 30 days: 6 left in December (26-31), 24 in January
    # -> Sat 24.01.2026 -> Mon 26.01.2026 (a working day).
    dl = answer_due("ru_59fz", D(2025, 12, 20), registered_on=D(2025, 12, 25))
    assert dl.basis == "registered"
    assert dl.start == D(2025, 12, 25)
    assert dl.unadjusted == D(2026, 1, 24)
    assert dl.due == D(2026, 1, 26)
    # The rollover is an assumption for 59-FZ and the rule says so.
    assert dl.rule.rollover_confidence == "U" and "assumption" in dl.rule.rollover_basis
    assert dl.params["moved_from"] == D(2026, 1, 24)
    assert dl.params["source"] == "59-FZ art. 12 p. 1"


def test_crime_report_across_weekend_and_observed_day():
    # Received Fri 06.03.2026 + 3 days = Mon 09.03 (observed Women's Day) -> Tue 10.03.2026.
    dl = answer_due("ru_crime_report", D(2026, 3, 6), delivered_on=D(2026, 3, 6))
    assert (dl.unadjusted, dl.due) == (D(2026, 3, 9), D(2026, 3, 10))
    # Received Thu 16.04.2026 + 3 = Sun 19.04 -> Mon 20.04.2026.
    dl = answer_due("ru_crime_report", D(2026, 4, 16), delivered_on=D(2026, 4, 16))
    assert dl.due == D(2026, 4, 20)


def test_registration_allowance_from_delivery():
    # 59-FZ: delivered Wed 04.03.2026 + 3 days registration = Sat 07.03 -> Sun 08 ->
    # Mon 09 (observed) -> start Tue 10.03; + 30 days = Thu 09.04.2026 (working day).
    dl = answer_due("ru_59fz", D(2026, 3, 1), delivered_on=D(2026, 3, 4))
    assert dl.basis == "delivered"
    assert dl.start == D(2026, 3, 10)
    assert dl.due == D(2026, 4, 9)
    assert "registration_allowance" in dl.assumptions
    # Delivered Mon 12.01.2026 + 3 = Thu 15.01 (start); + 30 = Sat 14.02 -> Mon 16.02.2026.
    dl = answer_due("ru_59fz", D(2026, 1, 5), delivered_on=D(2026, 1, 12))
    assert (dl.start, dl.due) == (D(2026, 1, 15), D(2026, 2, 16))
    # A known registration date wins over the delivery date.
    dl = answer_due(
        "ru_59fz", D(2026, 1, 5), delivered_on=D(2026, 1, 12), registered_on=D(2026, 1, 13)
    )
    # 13.01 + 30 = Thu 12.02.2026.
    assert (dl.basis, dl.start, dl.due) == ("registered", D(2026, 1, 13), D(2026, 2, 12))


def test_assumed_delivery_depends_on_channel():
    # Post (10 days): sent Mon 02.03.2026 -> received Thu 12.03; + 3 = Sun 15.03 -> start
    # Mon 16.03; + 30 = Wed 15.04.2026.
    dl = answer_due("ru_59fz", D(2026, 3, 2))
    assert (dl.basis, dl.channel, dl.start, dl.due) == (
        "sent",
        "post",
        D(2026, 3, 16),
        D(2026, 4, 15),
    )
    assert dl.params["assumed_delivery_days"] == 10
    assert "delivery_assumed" in dl.assumptions
    # E-mail (1 day): received Tue 03.03 + 3 = Fri 06.03 (start); + 30 = Sun 05.04 -> Mon 06.04.
    dl = answer_due("ru_59fz", D(2026, 3, 2), channel="email")
    assert (dl.start, dl.due) == (D(2026, 3, 6), D(2026, 4, 6))
    with pytest.raises(ValueError, match="channel"):
        answer_due("ru_59fz", D(2026, 3, 2), channel="pigeon")


def test_receipt_rules_prefer_the_delivery_date():
    # UPK 144 counts from receipt: delivered Mon 02.03 + 3 = Thu 05.03.2026 even when a later
    # registration date is also known.
    dl = answer_due(
        "ru_crime_report", D(2026, 3, 1), delivered_on=D(2026, 3, 2), registered_on=D(2026, 3, 4)
    )
    assert (dl.basis, dl.due) == ("delivered", D(2026, 3, 5))
    # Only the registration date known: counted from it. 04.03 + 3 = Sat 07.03 -> Sun 08 ->
    # Mon 09 (observed) -> Tue 10.03.2026.
    dl = answer_due("ru_crime_report", D(2026, 3, 1), registered_on=D(2026, 3, 4))
    assert (dl.basis, dl.due) == ("registered", D(2026, 3, 10))


def test_inconsistent_dates_are_rejected():
    with pytest.raises(ValueError):
        answer_due("ru_59fz", D(2026, 3, 2), delivered_on=D(2026, 3, 1))
    with pytest.raises(ValueError):
        answer_due(
            "ru_59fz", D(2026, 3, 2), delivered_on=D(2026, 3, 5), registered_on=D(2026, 3, 4)
        )
    with pytest.raises(ValueError, match="unknown deadline rule"):
        answer_due("nope", D(2026, 3, 2))


# ----------------------------------------------------------------------------- extensions


def test_59fz_extension_moves_and_is_capped():
    # Registered Tue 10.03.2026; base: + 30 = Thu 09.04.2026.
    base = answer_due("ru_59fz", D(2026, 3, 2), registered_on=D(2026, 3, 10))
    assert base.due == D(2026, 4, 9) and not base.extended
    # Extended by 10 days: + 40 = Sun 19.04 -> Mon 20.04.2026.
    dl = answer_due(
        "ru_59fz", D(2026, 3, 2), registered_on=D(2026, 3, 10), extension=Extension(days=10)
    )
    assert (dl.due, dl.extended, dl.capped) == (D(2026, 4, 20), True, False)
    # Extended by 45 days: more than the 30 allowed. Cap = + 60 = Sat 09.05 (Victory Day) ->
    # Sun 10 -> Mon 11 (observed) -> Tue 12.05.2026.
    dl = answer_due(
        "ru_59fz", D(2026, 3, 2), registered_on=D(2026, 3, 10), extension=Extension(days=45)
    )
    assert (dl.due, dl.capped, dl.max_due) == (D(2026, 5, 12), True, D(2026, 5, 12))
    # Extended until a date within the cap: Fri 08.05.2026 stays.
    dl = answer_due(
        "ru_59fz",
        D(2026, 3, 2),
        registered_on=D(2026, 3, 10),
        extension=Extension(until=D(2026, 5, 8)),
    )
    assert (dl.due, dl.capped) == (D(2026, 5, 8), False)


def test_crime_report_extensions_to_10_and_30_days():
    # Received Mon 02.03.2026: base + 3 = Thu 05.03.
    # Extended by 7 days (to 10 in all): + 10 = Thu 12.03.2026.
    dl = answer_due(
        "ru_crime_report", D(2026, 3, 2), delivered_on=D(2026, 3, 2), extension=Extension(days=7)
    )
    assert (dl.due, dl.capped) == (D(2026, 3, 12), False)
    # "Until 10.04": beyond the 30-day maximum, 02.03 + 30 = Wed 01.04.2026.
    dl = answer_due(
        "ru_crime_report",
        D(2026, 3, 2),
        delivered_on=D(2026, 3, 2),
        extension=Extension(until=D(2026, 4, 10)),
    )
    assert (dl.due, dl.capped, dl.max_due) == (D(2026, 4, 1), True, D(2026, 4, 1))


def test_prosecutor_complaint_capped_at_10_days():
    # UPK 124: received Mon 02.03.2026, at most 10 days: Thu 12.03.2026.
    dl = answer_due(
        "ru_prosecutor_complaint",
        D(2026, 3, 2),
        delivered_on=D(2026, 3, 2),
        extension=Extension(until=D(2026, 3, 20)),
    )
    assert (dl.due, dl.capped) == (D(2026, 3, 12), True)


def test_kz_extension_in_working_days_and_two_month_cap():
    # Received Mon 02.03.2026. Base 15 KZ working days: 03,04,05,06 (4), Mon 09 observed
    # Women's Day, 10-13 (8), 16-20 (13), 21-25 Nauryz and weekend, Thu 26 (14), Fri 27.03 (15).
    base = answer_due("kz_appk", D(2026, 3, 2), delivered_on=D(2026, 3, 2))
    assert base.due == D(2026, 3, 27)
    # Cap: 2 months from receipt = Sat 02.05 -> Sun 03 -> Mon 04.05.2026.
    assert base.max_due == D(2026, 5, 4)
    # + 5 working days (the rule's unit): 30, 31.03, 01, 02, 03.04 -> Fri 03.04.2026.
    dl = answer_due(
        "kz_appk", D(2026, 3, 2), delivered_on=D(2026, 3, 2), extension=Extension(days=5)
    )
    assert (dl.due, dl.capped) == (D(2026, 4, 3), False)
    dl = answer_due(
        "kz_appk",
        D(2026, 3, 2),
        delivered_on=D(2026, 3, 2),
        extension=Extension(until=D(2026, 4, 20)),
    )
    assert (dl.due, dl.capped) == (D(2026, 4, 20), False)
    dl = answer_due(
        "kz_appk",
        D(2026, 3, 2),
        delivered_on=D(2026, 3, 2),
        extension=Extension(until=D(2026, 6, 1)),
    )
    assert (dl.due, dl.capped) == (D(2026, 5, 4), True)


def test_uncapped_extensions_kg_and_icrc():
    # KG: extension rule unverified, recorded as stated. Registered Mon 16.03.2026; 14 + 10 = 24
    # working days: base ends Mon 06.04 (14, see the Nooruz test), then 07-10 (18),
    # 13-17 (23), Mon 20.04.2026 (24).
    dl = answer_due(
        "kg_law67", D(2026, 3, 16), registered_on=D(2026, 3, 16), extension=Extension(days=10)
    )
    assert (dl.due, dl.capped, dl.max_due) == (D(2026, 4, 20), False, None)
    assert "extension_uncapped" in dl.assumptions
    # ICRC follow-up: delivered Mon 01.06.2026 + 30 = Wed 01.07.2026; moved to Thu 01.10.2026.
    base = answer_due("icrc", D(2026, 6, 1), delivered_on=D(2026, 6, 1))
    assert base.due == D(2026, 7, 1) and base.rule.legal is False
    dl = answer_due(
        "icrc",
        D(2026, 6, 1),
        delivered_on=D(2026, 6, 1),
        extension=Extension(until=D(2026, 10, 1)),
    )
    assert (dl.due, dl.capped) == (D(2026, 10, 1), False)


def test_extension_needs_exactly_one_value():
    with pytest.raises(ValueError):
        Extension()
    with pytest.raises(ValueError):
        Extension(until=D(2026, 1, 1), days=3)
    with pytest.raises(ValueError):
        Extension(days=0)


# ----------------------------------------------------------------------------- Kazakhstan


def test_library_nauryz_2026_in_kazakhstan():
    # What holidays 0.109 gives: 21 (Sat), 22 (Sun), 23 (Mon) March and the observed days
    # Tue 24 and Wed 25 March 2026. Thu 26 March is a working day again.
    kz = holidays.country_holidays("KZ", years=2026)
    nauryz = sorted(d for d, name in kz.items() if "Nowruz" in name)
    assert nauryz == [D(2026, 3, day) for day in (21, 22, 23, 24, 25)]
    assert [is_working_day(D(2026, 3, day), "KZ") for day in range(20, 27)] == [
        True,
        False,
        False,
        False,
        False,
        False,
        True,
    ]


def test_kz_appk_across_nauryz():
    # Received Mon 16.03.2026; 15 KZ working days: 17, 18, 19, 20 (4); 21-22 weekend;
    # 23, 24, 25 Nauryz off; 26, 27 (6); 30, 31.03, 01, 02, 03.04 (11); 06, 07, 08, 09.04 (15).
    dl = answer_due("kz_appk", D(2026, 3, 16), delivered_on=D(2026, 3, 16))
    assert (dl.basis, dl.start, dl.due) == ("delivered", D(2026, 3, 16), D(2026, 4, 9))
    assert dl.unadjusted == dl.due and not dl.moved


def test_kz_appk_across_weekend_and_may_day():
    # Received Fri 10.04.2026: 13-17 (5), 20-24 (10), 27-30 (14), Fri 01.05 holiday,
    # 02-03 weekend, Mon 04.05.2026 (15).
    dl = answer_due("kz_appk", D(2026, 4, 10), delivered_on=D(2026, 4, 10))
    assert dl.due == D(2026, 5, 4)


def test_kz_appk_across_year_boundary():
    # Received Mon 22.12.2025: 23-26 (4), 29-31 (7), 01-02.01.2026 holidays, 05, 06 (9),
    # 07 Orthodox Christmas off, 08, 09 (11), 12-15 (15) -> Thu 15.01.2026.
    dl = answer_due("kz_appk", D(2025, 12, 22), delivered_on=D(2025, 12, 22))
    assert dl.due == D(2026, 1, 15)


# ----------------------------------------------------------------------------- Kyrgyzstan


def test_library_nooruz_in_kyrgyzstan():
    # holidays 0.109 for KG: Nooruz Fri 21.03.2025; in 2026 Nooruz falls on Sat 21.03 (no
    # observed day) and Fri 20.03.2026 is Eid al-Fitr.
    assert not is_working_day(D(2025, 3, 21), "KG")
    assert not is_working_day(D(2026, 3, 20), "KG")
    assert not is_working_day(D(2026, 3, 21), "KG")
    assert is_working_day(D(2026, 3, 23), "KG")


def test_kg_law67_across_nooruz_2025():
    # Registered Mon 17.03.2025; 14 KG working days: 18, 19, 20 (3), Fri 21 Nooruz off,
    # 24-28 (8), 31.03-04.04 (13), Mon 07.04.2025 (14).
    dl = answer_due("kg_law67", D(2025, 3, 17), registered_on=D(2025, 3, 17))
    assert dl.due == D(2025, 4, 7)


def test_kg_law67_across_nooruz_2026_and_override():
    # Registered Mon 16.03.2026: 17, 18, 19 (3), Fri 20 Eid off, 21-22 weekend, 23-27 (8),
    # 30, 31.03 (10), 01, 02, 03.04 (13), Mon 06.04.2026 (14).
    dl = answer_due("kg_law67", D(2026, 3, 16), registered_on=D(2026, 3, 16))
    assert dl.due == D(2026, 4, 6)
    # With the pending cut to 10 working days: the 10th day is Tue 31.03.2026.
    dl = answer_due(
        "kg_law67", D(2026, 3, 16), registered_on=D(2026, 3, 16), overrides={"kg_law67": 10}
    )
    assert (dl.due, dl.amount) == (D(2026, 3, 31), 10)
    assert "term_overridden" in dl.assumptions
    # Overrides for other rules do not touch this one.
    dl = answer_due(
        "kg_law67", D(2026, 3, 16), registered_on=D(2026, 3, 16), overrides={"kz_appk": 10}
    )
    assert dl.due == D(2026, 4, 6)
    with pytest.raises(ValueError):
        answer_due("kg_law67", D(2026, 3, 16), overrides={"kg_lwa67": 10})
    with pytest.raises(ValueError):
        answer_due("kg_law67", D(2026, 3, 16), overrides={"kg_law67": 0})


def test_kg_registration_allowance_one_working_day():
    # Delivered Fri 20.03.2026 (Eid al-Fitr): registered on the 1st working day after it,
    # Mon 23.03. 14 working days: 24-27 (4), 30.03-03.04 (9), 06-10.04 (14) -> Fri 10.04.2026.
    dl = answer_due("kg_law67", D(2026, 3, 18), delivered_on=D(2026, 3, 20))
    assert (dl.start, dl.due) == (D(2026, 3, 23), D(2026, 4, 10))


def test_kg_law67_across_year_boundary():
    # Registered Wed 24.12.2025: 25, 26 (2), 29, 30, 31 (5), 01-07.01.2026 off, 08, 09 (7),
    # 12-16 (12), 19, 20 (14) -> Tue 20.01.2026.
    dl = answer_due("kg_law67", D(2025, 12, 20), registered_on=D(2025, 12, 24))
    assert dl.due == D(2026, 1, 20)


# ----------------------------------------------------------------------------- reminders


def test_reminder_dates():
    # Due Mon 12.01.2026 (RU): back 3 working days over 01-11.01 and 31.12 (off):
    # Tue 30.12 (1), Mon 29.12 (2), Fri 26.12.2025 (3).
    assert reminder_dates(D(2026, 1, 12)) == (D(2025, 12, 26), D(2026, 1, 12))
    # Due Thu 26.03.2026 (KZ): 25, 24, 23 off, 22-21 weekend; Fri 20 (1), 19 (2), Wed 18 (3).
    assert reminder_dates(D(2026, 3, 26), country="KZ") == (D(2026, 3, 18), D(2026, 3, 26))
    # Through a Deadline: KZ rule due Thu 09.04.2026 -> 08 (1), 07 (2), Mon 06.04 (3).
    dl = answer_due("kz_appk", D(2026, 3, 16), delivered_on=D(2026, 3, 16))
    assert dl.reminders() == (D(2026, 4, 6), D(2026, 4, 9))
    assert reminder_dates(D(2026, 4, 9), 0) == (D(2026, 4, 9), D(2026, 4, 9))
    assert dl.is_overdue(D(2026, 4, 10)) and not dl.is_overdue(D(2026, 4, 9))


# ----------------------------------------------------------------------------- escalation


def test_ladder_file_is_complete_and_consistent():
    ladder = load_ladder()
    rules = load_rules()
    assert set(ladder["addressees"]) == ADDRESSEE_KINDS
    for kind, entry in ladder["addressees"].items():
        assert {"silence", "form_reply", "refusal"} <= set(entry["triggers"]), kind
        for rule_id in entry["rules"].values():
            assert rule_id in rules, (kind, rule_id)
        # Every ladder on silence starts with a repeat request to the same body.
        first = next_step(kind, "silence", 0)
        assert (first.action, first.to, first.letter) == ("repeat", "same", "repeat_request")
    assert rule_for("investigative_committee", "crime_report") == "ru_crime_report"
    assert rule_for("embassy_kg") == "kg_law67"


def test_silence_repeat_then_complain_up():
    step = next_step("embassy_kz", "silence", 0)
    assert step == NextStep("repeat", "same", "repeat_request", step.why, "silence", 0)
    assert step.addressee("embassy_kz") == "embassy_kz"
    step = next_step("embassy_kz", "silence", 1)
    assert (step.action, step.to, step.letter) == ("complain", "mfa_kz", "complaint_silence")
    step = next_step("embassy_kz", "silence", 2)
    assert (step.action, step.to) == ("complain", "ombudsman_kz")
    assert next_step("embassy_kz", "silence", 3) is None
    # Russian bodies: Prosecutor General over the military prosecutors.
    step = next_step("military_prosecutor", "silence", 1)
    assert (step.to, step.letter) == ("prosecutor_general", "complaint_silence")
    step = next_step("defence_ministry", "silence", 1)
    assert step.to == "military_prosecutor"


def test_form_reply():
    step = next_step("embassy_kg", "form_reply", 0)
    assert (step.action, step.to, step.letter, step.trigger) == (
        "repeat",
        "same",
        "repeat_request",
        "form_reply",
    )
    step = next_step("embassy_kg", "form_reply", 1)
    assert (step.action, step.to, step.letter) == ("complain", "mfa_kg", "complaint_form_reply")
    step = next_step("mfa_kg", "form_reply", 1)
    assert step.to == "ombudsman_kg"


def test_refusal():
    step = next_step("defence_ministry", "refusal", 0)
    assert (step.action, step.to, step.letter) == (
        "complain",
        "military_prosecutor",
        "complaint_refusal",
    )
    step = next_step("investigative_committee", "refusal", 0)
    assert (step.to, step.letter) == ("prosecutor_general", "complaint_crime_report_refusal")
    assert next_step("ombudsman_ru", "refusal", 0) is None


def test_no_decision_on_crime_report():
    step = next_step("investigative_committee", "no_decision", 0)
    assert (step.action, step.to, step.letter) == (
        "complain",
        "prosecutor_general",
        "complaint_crime_report_inaction",
    )
    assert "art. 124" in step.why and "125" in step.why and "not verified" in step.why
    step = next_step("investigative_committee", "no_decision", 1)
    assert step.to == "ombudsman_ru"
    assert next_step("investigative_committee", "no_decision", 2) is None
    # Only crime reports have this trigger.
    assert next_step("embassy_kz", "no_decision", 0) is None


def test_next_step_rejects_bad_input():
    with pytest.raises(ValueError):
        next_step("embassy_xx", "silence", 0)
    with pytest.raises(ValueError):
        next_step("embassy_kz", "shrug", 0)
    with pytest.raises(ValueError):
        next_step("embassy_kz", "silence", -1)
    assert set(TRIGGERS) == {"silence", "form_reply", "refusal", "no_decision"}


def test_ladder_validation_from_path(tmp_path):
    data = load_ladder()
    data["addressees"]["icrc"]["triggers"]["silence"][0]["to"] = "mfa_kz"  # repeat elsewhere
    path = tmp_path / "ladder.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="repeat goes to the same body"):
        load_ladder(path)
