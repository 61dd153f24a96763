"""Letters to the missing person's own state protect him or her by default.

Kazakhstan (Criminal Code art. 172) and Kyrgyzstan (art. 256) prosecute taking part in a
foreign armed conflict, so letters to their bodies leave out the unit, the names of those
believed responsible and words about military service, unless the family chooses
otherwise after the risk note, which cites the right country's article.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.models import Case, CaseStatus
from bot.i18n import LOCALES
from bot.letters.model import RenderOptions
from bot.letters.render import render_letter
from bot.letters.sample import SAMPLE_TODAY, sample_reports
from handlers.views.letters import RISK_FACTS, RISK_LAW, risk_note
from tests.support import Bot

MILITARY = {
    "ru": ("мобилиз", "контракт", "воинск", "боев"),
    "ky": ("мобилизация", "келишим", "аскер бөлүгү", "согуш"),
    "kk": ("жұмылдыру", "келісімшарт", "әскери бөлім", "соғыс"),
}


def kg_mobilised():
    return replace(
        sample_reports()["kg_male"],
        what_happened="mobilised",
        unit="Луганск",
        responsible="recruiters",
        contract="yes",
    )


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_a_letter_to_the_home_state_leaves_out_military_facts(language: str) -> None:
    report = kg_mobilised()
    protected = render_letter(
        "consular_request",
        "embassy_kg",
        report,
        language,
        case_number="KG-2026-0001",
        today=SAMPLE_TODAY,
        options=RenderOptions(protect=True),
    ).text.lower()
    full = render_letter(
        "consular_request",
        "embassy_kg",
        report,
        language,
        case_number="KG-2026-0001",
        today=SAMPLE_TODAY,
    ).text.lower()
    assert "луганск" in full and "луганск" not in protected
    told = [w for w in MILITARY[language] if w in full]
    assert told, "the unprotected letter tells the military facts"
    # What the letter asks the embassy (whether a contract was signed) may stay; what it
    # tells about him must not: check the part before the requests.
    facts = protected.split("\n1. ")[0]
    assert not [w for w in MILITARY[language] if w in facts]


def test_the_russian_prosecutor_still_gets_every_detail() -> None:
    report = kg_mobilised()
    letter = render_letter(
        "prosecutor_request",
        "prosecutor_general",
        report,
        "ru",
        case_number="KG-2026-0001",
        today=SAMPLE_TODAY,
    ).text
    assert "Луганск" in letter and "мобилизации" in letter


def _case(citizenship: str, gender: str) -> Case:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    return Case(
        1,
        f"{citizenship}-2026-0001",
        1,
        CaseStatus.REPORTED,
        citizenship,
        {"m_gender": gender, "m_cit": citizenship},
        now,
        now,
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_the_risk_note_cites_the_persons_own_country_and_gender(bot: Bot, locale: str) -> None:
    t = bot.t(locale)
    kg_daughter = risk_note(t, _case("KG", "f"))
    assert t(RISK_LAW["KG"]) in kg_daughter and t(RISK_FACTS["f"]) in kg_daughter
    assert t(RISK_LAW["KZ"]) not in kg_daughter
    if t(RISK_FACTS["m"]) != t(RISK_FACTS["f"]):  # Kazakh and Kyrgyz have one "ол" for both
        assert t(RISK_FACTS["m"]) not in kg_daughter
    kz_son = risk_note(t, _case("KZ", "m"))
    assert t(RISK_LAW["KZ"]) in kz_son and t(RISK_FACTS["m"]) in kz_son
    assert "172" in kz_son and "256" in kg_daughter


async def test_by_default_the_home_letters_are_protected_in_the_chat(bot: Bot) -> None:
    from tests.support import KZ_REPORT, consent, fill, give_translations

    chat = bot.chat(900, "ru")
    await consent(chat, "ru")
    await fill(chat, KZ_REPORT)
    await chat.press("confirm")
    case = (await bot.services.store.cases_of(900))[0]
    await chat.press(f"letters:prepare:{case.id}")
    await chat.press("protect")
    await chat.press(f"letters:language:{case.id}:ru")
    await give_translations(chat)
    rows = {r.addressee_id: r for r in await bot.services.letters.store.letters_of(case.id)}
    embassy, prosecutor = rows["embassy_kz"].text or "", rows["prosecutor_general"].text or ""
    assert "Иван" in prosecutor and "частной военной компании" in prosecutor
    assert "Иван" not in embassy and "частной военной компании" not in embassy


async def test_the_iin_is_asked_for_before_a_letter_to_a_kazakh_body(bot: Bot) -> None:
    """APPK art. 63: a letter to a Kazakh body gives the applicant's IIN; the report let
    the family skip it, so it is asked for when the letters are prepared."""
    from tests.support import KZ_REPORT, consent, fill, give_translations, make_iin

    steps = list(KZ_REPORT)
    at = next(i for i, (_a, v) in enumerate(steps) if v == make_iin("70031545012"))
    steps[at] = ("press", "skip")
    chat = bot.chat(901, "kk")
    t = bot.t("kk")
    await consent(chat, "kk")
    await fill(chat, steps)
    await chat.press("confirm")
    case = (await bot.services.store.cases_of(901))[0]
    assert not case.report.reporter_id_number
    await chat.press(f"letters:prepare:{case.id}")
    await chat.press("all")
    await chat.press(f"letters:language:{case.id}:kk")
    prompt = t(
        "A letter to a Kazakh body must give your IIN (Administrative Procedural Code "
        "of Kazakhstan, article 63). Please send your IIN, 12 digits. If you have none, "
        "press the button."
    )
    assert chat.last_text() == prompt
    await chat.send("123")  # refused, asked again (in the same message), nothing lost
    assert chat.last_text().endswith("\n\n" + prompt) and chat.last_text() != prompt
    await chat.send(make_iin("85010245012"))
    await give_translations(chat)
    case = await bot.services.store.get_case_by_id(case.id)
    assert case is not None and case.report.reporter_id_number == make_iin("85010245012")
    embassy = next(
        r
        for r in await bot.services.letters.store.letters_of(case.id)
        if r.addressee_id == "embassy_kz"
    )
    assert embassy.text and make_iin("85010245012") in embassy.text
