"""The region list, its fuzzy search and the identity-number checks, without Telegram."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot import regions
from bot.domain import forms
from bot.domain.inputs import ChoiceInput, TextInput
from bot.domain.report_form import REPORT, new_draft
from bot.domain.validators import InvalidInput, id_number_doubt, id_number_facts, name_words
from tests.support import make_iin


def test_the_list_holds_every_region_once_with_three_names() -> None:
    codes = [r.code for r in regions.all_regions()]
    assert len(codes) == len(set(codes))
    by_country = {c: sum(1 for x in codes if x.startswith(c + "-")) for c in ("RU", "KZ", "KG")}
    # 83 federal subjects in ISO 3166-2:RU; 17 oblasts and 3 cities; 7 oblasts and 2 cities
    assert by_country == {"RU": 83, "KZ": 20, "KG": 9}
    for region in regions.all_regions():
        assert re.fullmatch(r"(RU|KZ|KG)-[A-Z0-9]{1,3}", region.code)
        assert all(region.names[loc].strip() for loc in ("kk", "ru", "ky"))
    assert regions.name("RU-KDA", "kk") == "Краснодар өлкесі"
    assert regions.name("KZ-75", "ky") == "Алматы шаары"
    assert regions.name("KG-Y", "kk") == "Ыстықкөл облысы"


@pytest.mark.parametrize(
    "typed,code",
    [
        ("Краснодар", "RU-KDA"),
        ("краснодарский", "RU-KDA"),
        ("Краснодар өлкесі", "RU-KDA"),
        ("Краснадарский", "RU-KDA"),
        ("Екатеринбург", "RU-SVE"),
        ("Ростов облусу", "RU-ROS"),
        ("Мәскеу", "RU-MOW"),
        ("Ыстыккол", "KG-Y"),
        ("иссык-куль", "KG-Y"),
        ("Шымкент", "KZ-79"),
        ("Якутия", "RU-SA"),
        ("Санкт Петербург", "RU-SPE"),
        ("Қарағанды", "KZ-35"),
    ],
)
def test_search_finds_the_region_first(typed: str, code: str) -> None:
    found = regions.search(typed)
    assert found and found[0].code == code
    assert len(found) <= regions.MAX_MATCHES


def test_search_finds_nothing_for_nonsense_or_kind_words_alone() -> None:
    assert regions.search("Qwxzv") == [] and regions.search("область") == []
    assert regions.search("") == [] and regions.search("12345") == []


def test_guess_reads_only_a_clear_region_from_old_free_text() -> None:
    assert regions.guess("Таганрог, Ростовская область") == "RU-ROS"
    assert regions.guess("Москва, Сахарово") == "RU-MOW"
    assert regions.guess("станица Молькино") is None
    assert regions.guess("") is None and regions.guess(None) is None


def test_identity_numbers_encode_birth_and_gender() -> None:
    assert id_number_facts(make_iin("99122330012")) == (date(1999, 12, 23), "m")
    assert id_number_facts(make_iin("05011260012")) == (date(2005, 1, 12), "f")
    assert id_number_facts("21803199400012") == (date(1994, 3, 18), "m")
    assert id_number_facts("11803199400012") == (date(1994, 3, 18), "f")
    assert id_number_facts(make_iin("99122300012")) == (None, None)  # no century digit
    doubt = id_number_doubt(make_iin("99122330012"), date(2000, 5, 13), "m")
    assert doubt is not None and doubt.params == {
        "born_in_number": "1999-12-23",
        "born_given": "2000-05-13",
    }
    assert id_number_doubt(make_iin("00051330012"), date(2000, 5, 13), "m") is not None
    assert id_number_doubt(make_iin("00051350012"), date(2000, 5, 13), "m") is None
    assert id_number_doubt("21305200000012", None, None) is None


def test_names_count_words() -> None:
    assert name_words("Төлөгөнова") == 1 and name_words("Айгүл Төлөгөнова") == 2
    assert name_words("Ким Чен-Ир") == 2


def test_the_engine_keeps_a_doubted_value_aside_until_accepted() -> None:
    today = date(2026, 11, 21)
    form = forms.apply(REPORT, new_draft().form, TextInput("Иванова"), today).form
    assert form.step == "r_name" and forms.values(form) == {}
    assert forms.pending_of(form) == {
        "for": "r_name",
        "value": "Иванова",
        "doubt": "name_one_word",
        "params": {"name": "Иванова"},
    }
    form = forms.apply(REPORT, form, ChoiceInput(forms.ACCEPT), today).form
    assert forms.values(form) == {"r_name": "Иванова"} and forms.pending_of(form) is None
    with pytest.raises(InvalidInput):
        forms.apply(REPORT, form, ChoiceInput(forms.ACCEPT), today)  # nothing to accept
