"""Regional offices: chosen from the place answers, named after their region, written to
in Russian, and sent to the family as documents through the real application."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest
from docx import Document
from pypdf import PdfReader

from bot.i18n import LOCALES
from bot.letters.directory import (
    REGION_FAMILIES,
    REGIONAL_PATH,
    get_addressee,
    load_directory,
    region_office_id,
    regional_office,
    regional_offices,
)
from bot.letters.recommend import REASONS, recommend
from bot.letters.render import available_languages, kinds_for, render_letter
from bot.letters.sample import SAMPLE_TODAY, sample_reports
from bot.regions import all_regions
from tests.support import KZ_REPORT, KZ_REPORT_TRANSLATIONS, Bot, consent, fill, give_translations

SAMPLES = sample_reports()
TOMSK_PLACE = "Томск, общежитие на ул. Ленина"
# The Kazakh family's report, last seen in Tomsk oblast, taken to Krasnodar krai.
REPORT = [
    step
    for old in KZ_REPORT
    for step in {
        ("send", "ростовская"): [("send", "томская")],
        ("press", "RU-ROS"): [("press", "RU-TOM")],
        ("send", "Ростов-на-Дону, общежитие на ул. Текучёва"): [("send", TOMSK_PLACE)],
    }.get(old, [old])
]
_TAKEN = REPORT.index(("press", "skip"), REPORT.index(("send", TOMSK_PLACE))) + 1
REPORT[_TAKEN : _TAKEN + 1] = [("send", "краснодарский"), ("press", "RU-KDA")]
TRANSLATIONS = {
    **KZ_REPORT_TRANSLATIONS,
    TOMSK_PLACE: {"kk": "Томск қаласы, Ленин көшесіндегі жатақхана"},
}
TOMSK, KRASNODAR = "RU-TOM", "RU-KDA"


def ids(report: object) -> list[str]:
    return [r.addressee_id for r in recommend(report)]  # type: ignore[arg-type]


def test_every_federal_subject_has_its_three_offices_marked_by_how_sure_they_are() -> None:
    russian = [r.code for r in all_regions() if r.code.startswith("RU-")]
    assert len(russian) == 83
    data = json.loads(REGIONAL_PATH.read_text(encoding="utf-8"))
    assert sorted(data["regions"]) == sorted(russian)
    for code in russian:
        for family in REGION_FAMILIES:
            office = regional_office(family, code)
            assert office is not None and office.region == code and office.family == family
            assert office.address_mark in {"V", "S", "U"} and office.source
            assert office.verified == (office.address_mark == "V")
            # A "not verified" mark says so in its source; an empty address is a gap, said.
            assert office.address_mark == "V" or "[U]" in office.source or "[S]" in office.source
            assert office.languages == ("ru",) and office.country == "RU"
        assert regional_office("district_military_prosecutor", code) is not None


def test_regional_offices_are_found_by_id_but_not_listed() -> None:
    directory = load_directory()
    tomsk = region_office_id("region_prosecutor", TOMSK)
    assert tomsk == "region_prosecutor_ru_tom"
    assert tomsk in directory and directory[tomsk] is get_addressee(tomsk)
    assert directory.get("region_prosecutor_ru_xxx") is None
    assert not any(a.family for a in directory.values())
    assert len(regional_offices()) == 83 * 3 + 5


def test_offices_are_named_after_their_region_in_three_languages() -> None:
    p = get_addressee("region_prosecutor_ru_tom")
    assert p.dative("ru") == "Прокурору Томской области"
    assert p.name("kk") == "Томск облысының прокуратурасы"
    assert p.name("ky") == "Томск облусунун прокуратурасы"
    c = get_addressee("region_investigative_ru_kda")
    assert c.dative("ru") == (
        "Руководителю следственного управления Следственного комитета Российской Федерации "
        "по Краснодарскому краю"
    )
    assert (
        get_addressee("region_investigative_ru_mow")
        .name("ru")
        .startswith("Главное следственное управление")
    )
    assert get_addressee("region_commissariat_ru_spe").dative("ru") == (
        "Военному комиссару города Санкт-Петербурга"
    )
    district = regional_office("district_military_prosecutor", KRASNODAR)
    assert district is not None
    assert district.dative("ru") == "Военному прокурору Южного военного округа"


def test_the_offices_of_both_regions_are_proposed_each_with_its_reason() -> None:
    report = replace(SAMPLES["kz_male"], last_region=TOMSK, taken_region=KRASNODAR)
    picks = {r.addressee_id: r.reason_code for r in recommend(report)}
    assert picks["region_prosecutor_ru_tom"] == "regional_prosecutor_last"
    assert picks["region_prosecutor_ru_kda"] == "regional_prosecutor_taken"
    assert picks["region_investigative_ru_tom"] == "regional_crime_report_last"
    assert picks["region_investigative_ru_kda"] == "regional_crime_report_taken"
    # A private military company is named: the army's offices where he was taken.
    assert picks["region_commissariat_ru_kda"] == "regional_commissariat"
    assert picks["district_military_prosecutor_southern"] == "district_military_oversight"
    assert "region_commissariat_ru_tom" not in picks
    assert set(picks.values()) <= set(REASONS)
    # The national side comes first; the regional offices follow.
    assert ids(report)[:3] == ["embassy_kz", "mfa_kz", "police_kz"]


def test_one_region_answered_twice_gets_each_office_once() -> None:
    report = replace(SAMPLES["kz_male"], last_region=TOMSK, taken_region=TOMSK)
    got = ids(report)
    assert got.count("region_prosecutor_ru_tom") == 1
    assert got.count("region_investigative_ru_tom") == 1


def test_army_prison_and_migration_bring_their_bodies() -> None:
    base = replace(SAMPLES["kz_female"], last_region=TOMSK, taken_region=KRASNODAR)
    assert not {"fsin", "migration_ru", "region_commissariat_ru_kda"} & set(ids(base))
    prison = replace(base, what_happened_all=("prison",))
    picks = {r.addressee_id: r.reason_code for r in recommend(prison)}
    assert picks["fsin"] == "prison_service"
    assert picks["region_prosecutor_ru_tom"] == "colony_oversight"  # it supervises the colony
    assert picks["district_military_prosecutor_southern"] == "district_military_oversight"
    assert picks["region_commissariat_ru_kda"] == "regional_commissariat"
    assert "migration_ru" in ids(replace(base, what_happened_all=("migration",)))
    # Without a taken region the commissariat is the one of the region last seen.
    army = replace(base, taken_region="", what_happened_all=("mobilised",))
    assert "region_commissariat_ru_tom" in ids(army)


def test_a_place_outside_russia_or_unknown_brings_no_regional_office() -> None:
    for last in ("", "KZ-ALA", "RU-XXX"):
        report = replace(SAMPLES["kz_male"], last_region=last, taken_region="")
        assert not any(a.startswith(("region_", "district_")) for a in ids(report))


@pytest.mark.parametrize("family", REGION_FAMILIES)
def test_a_regional_letter_names_the_region_and_says_why_it_is_written_there(
    family: str,
) -> None:
    report = replace(SAMPLES["kz_male"], last_region=TOMSK, taken_region=KRASNODAR)
    for code, why in ((TOMSK, "последнее известное место"), (KRASNODAR, "мог быть вывезен")):
        office = regional_office(family, code)
        assert office is not None
        for kind in kinds_for(office):
            assert available_languages(kind, office) == ["ru"]
        text = render_letter(
            office.letter_kind, office.id, report, "ru", case_number="X", today=SAMPLE_TODAY
        ).text
        assert text.startswith(office.dative("ru"))
        flat = " ".join(text.split())
        assert "Обращаюсь именно к Вам, поскольку" in flat and why in flat


def test_prison_letters_ask_what_the_colony_did() -> None:
    report = replace(SAMPLES["other"], last_region=TOMSK)
    text = " ".join(
        render_letter(
            "prosecutor_request",
            "region_prosecutor_ru_tom",
            report,
            "ru",
            case_number="X",
            today=SAMPLE_TODAY,
        ).text.split()
    )
    assert "законность действий администрации исправительного учреждения" in text


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_family_gets_the_tomsk_and_krasnodar_letters(bot: Bot, locale: str) -> None:
    """Last seen in Tomsk oblast, taken to Krasnodar krai: the family sees those regions'
    offices with the reason for each, and gets their letters in Russian."""
    chat = bot.chat(900 + LOCALES.index(locale), locale)
    t = bot.t(locale)
    await consent(chat, locale)
    await fill(chat, REPORT)
    await chat.press("confirm")
    case = (await bot.services.store.cases_of(chat.user_id))[0]
    set_text = chat.last_text()
    regional = {
        "region_prosecutor_ru_tom": "regional_prosecutor_last",
        "region_prosecutor_ru_kda": "regional_prosecutor_taken",
        "region_investigative_ru_tom": "regional_crime_report_last",
        "region_investigative_ru_kda": "regional_crime_report_taken",
        "region_commissariat_ru_kda": "regional_commissariat",
        "district_military_prosecutor_southern": "district_military_oversight",
    }
    for body, reason in regional.items():
        assert f"✓ {get_addressee(body).name(locale)}\n   {t(REASONS[reason])}" in set_text
    # The family keeps only the regional letters this time.
    for row in await bot.services.letters.store.letters_of(case.id):
        if row.selected and row.addressee_id not in regional:
            await chat.press(f"letters:toggle:{row.id}")
    await chat.press(f"letters:prepare:{case.id}")
    await chat.press("nonames")
    await give_translations(chat, TRANSLATIONS)
    documents = {
        c.files["document"][0]: c.files["document"][1]
        for c in bot.api.sent(chat.user_id, "sendDocument")
    }
    assert len(documents) == 2 * len(regional)
    pdf = PdfReader(io.BytesIO(documents[f"{case.number}_region-prosecutor-ru-tom_ru.pdf"]))
    text = " ".join("".join(page.extract_text() for page in pdf.pages).split())
    assert "Прокурору Томской области" in text and "Краснодарский край" in text
    docx = Document(io.BytesIO(documents[f"{case.number}_region-investigative-ru-kda_ru.docx"]))
    paragraphs = " ".join(p.text for p in docx.paragraphs)
    assert "по Краснодарскому краю" in paragraphs and "КУСП" in paragraphs
    said = "\n".join(chat.texts())
    assert (
        t("Postal address: {address}", address=get_addressee("region_prosecutor_ru_tom").address)
        in said
    )
    assert (
        t(
            "We do not have this office's postal address yet: take it from the office's "
            "official website, or send the letter through its online reception."
        )
        in said
    )
