"""Every word of a letter in the letter's language (names of people excepted).

The same report is written three times, in Kazakh, Kyrgyz and Russian. Every letter kind
is rendered in every language its body accepts from each of them: a text in another
language stops the letter (ForeignText names the fields) until its translation is given,
and the letter made then reads, sentence by sentence, as its own language only.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bot.domain.models import EvidenceItem, PriorAction, Report
from bot.letters.directory import REGION_FAMILIES, get_addressee, load_directory
from bot.letters.language import detect, fits
from bot.letters.model import EarlierLetter, RenderOptions
from bot.letters.render import available_languages, kinds_for, render_letter
from bot.letters.translations import ForeignText, needed, texts
from handlers.views.letters import language_name

FREE_TEXT = {
    "kk": {
        "r_addr": "Қазақстан, 050000, Алматы қ., Абай даңғылы, 10, 5-пәтер",
        "e_place": "Краснодар өлкесі, Молькино ауылы",
        "e_story": "Ұлым Томск мемлекеттік университетінде оқыған. Оны жатақханада ұстап, "
        "автобуспен әкетті.",
        "e_resp_text": "Руслан есімді адам, ол ұлыма жұмыс уәде еткен",
        "e_unit": "Ростов облысындағы әскери бөлім",
        "evidence": "Хат алмасудың скриншоты",
        "reply": "Сұрау құзыретті органдарға жіберілгені хабарланды",
    },
    "ky": {
        "r_addr": "Кыргыз Республикасы, 720001, Бишкек ш., Чүй проспекти, 10, 5-батир",
        "e_place": "Краснодар крайы, Молькино айылы",
        "e_story": "Уулум Томск мамлекеттик университетинде окуган. Аны жатаканада кармап, "
        "автобус менен алып кетишти.",
        "e_resp_text": "Руслан деген адам, ал уулума жумуш убада кылган",
        "e_unit": "Ростов облусундагы аскер бөлүгү",
        "evidence": "Кат алышуунун скриншоту",
        "reply": "Суроо тиешелүү органдарга жөнөтүлгөнүн билдиришти",
    },
    "ru": {
        "r_addr": "Казахстан, 050000, г. Алматы, пр. Абая, 10, кв. 5",
        "e_place": "Краснодарский край, село Молькино",
        "e_story": "Мой сын учился в Томском государственном университете. Его задержали в "
        "общежитии и увезли на автобусе.",
        "e_resp_text": "человек по имени Руслан, который обещал сыну работу",
        "e_unit": "воинская часть в Ростовской области",
        "evidence": "Скриншот переписки",
        "reply": "Сообщили, что запрос направлен в компетентные органы",
    },
}
PEOPLE = ("Сейітова Зуһра Әбілқызы", "Әлібек Құрманғазыұлы", "ALIBEK KURMANGAZYULY")


def report_in(lang: str, citizenship: str = "KZ") -> Report:
    words = FREE_TEXT[lang]
    return Report(
        reporter_name=PEOPLE[0],
        reporter_relation="mother",
        reporter_gender="f",
        reporter_phone="+77011234567",
        reporter_address=words["r_addr"],
        reporter_email="a@example.kz",
        reporter_id_number="700312450015",
        missing_name=PEOPLE[1],
        missing_name_latin=PEOPLE[2],
        missing_birth_date=date(1994, 3, 18),
        missing_gender="m",
        citizenship=citizenship,
        citizenship_other="",
        missing_id_number="",
        missing_passport="N12345678",
        missing_photo=None,
        last_contact_date=date(2026, 3, 5),
        last_contact_how="call",
        last_place=words["e_place"],
        what_happened="force",
        story=words["e_story"],
        responsible="recruiters",
        responsible_text=words["e_resp_text"],
        unit=words["e_unit"],
        contract="unk",
        renounced="unk",
        evidence=(EvidenceItem("photo", "f1", "u1", description=words["evidence"]),),
        actions=(
            PriorAction(
                body="embassy", on=date(2026, 3, 20), outcome="form", reply=words["reply"]
            ),
        ),
    )


def translated(report: Report, into: str) -> Report:
    """``report`` with every text given again in ``into``, as a caseworker would."""
    words = FREE_TEXT[into]
    table = {
        "r_addr": words["r_addr"],
        "e_place": words["e_place"],
        "e_story": words["e_story"],
        "e_resp_text": words["e_resp_text"],
        "e_unit": words["e_unit"],
        "evidence.0": words["evidence"],
        "actions.0.reply": words["reply"],
    }
    return replace(report, translations={k: {into: v} for k, v in table.items()})


def foreign_sentences(text: str, language: str) -> list[str]:
    for name in sorted(PEOPLE, key=len, reverse=True):
        text = text.replace(name, " ")
    return [s for s in re.split(r"(?<=[.;:!?])\s+|\n", text) if not fits(s, language)]


def cases() -> list[tuple[str, str, str]]:
    # The Tomsk offices and the Central district stand for every region's (same templates).
    regional = [get_addressee(f"{family}_ru_tom") for family in REGION_FAMILIES]
    regional.append(get_addressee("district_military_prosecutor_central"))
    return [
        (a.id, kind, lang)
        for a in (*load_directory().values(), *regional)
        for kind in kinds_for(a)
        for lang in available_languages(kind, a)
    ]


@pytest.mark.parametrize("written_in", ["kk", "ky", "ru"])
def test_every_letter_is_in_its_own_language_only(written_in: str) -> None:
    checked = 0
    for body, kind, lang in cases():
        report = report_in(written_in)
        earlier = (
            ()
            if kind == load_directory()[body].letter_kind
            else (EarlierLetter(body, date(2026, 4, 1), "ОГ-1", "none"),)
        )

        def render(
            r: Report, kind: str = kind, body: str = body, lang: str = lang, earlier: Any = earlier
        ) -> str:
            return render_letter(
                kind,
                body,
                r,
                lang,
                case_number="KZ-2026-0001",
                today=date(2026, 5, 1),
                earlier=earlier,
            ).text

        if written_in != lang:
            with pytest.raises(ForeignText) as refused:
                render(report)
            assert "e_story" in refused.value.fields and "evidence.0" in refused.value.fields
            report = translated(report, lang)
        text = render(report)
        assert foreign_sentences(text, lang) == [], (body, kind, lang, written_in)
        assert FREE_TEXT[lang]["e_story"].split(".")[0] in " ".join(text.split())
        checked += 1
    assert checked > 90


def test_what_is_left_out_needs_no_translation() -> None:
    report = report_in("ky")
    options = RenderOptions(include_perpetrator=False, include_story=False)
    fields = {n.field for n in needed(report, "ru", options)}
    assert fields == {"r_addr", "e_place", "evidence.0", "actions.0.reply"}
    assert "e_story" not in texts(report, options)


@pytest.mark.parametrize(
    "text,language",
    [
        ("Уулум Бакыт Томск мамлекеттик университетинде окуган", "ky"),
        ("Краснодар өлкесі, Молькино ауылы", "kk"),
        ("Кетип калды, байланышка чыкпай жатат", "ky"),
        ("Ол Мәскеуге жұмысқа кетті", "kk"),
        ("Его задержали в общежитии и увезли на автобусе.", "ru"),
        ("Вербовщик Иван, тел. +7 900 000 00 00", "ru"),
        ("Томская область", "ru"),
        ("Томск шаары", "ky"),
    ],
)
def test_the_detector(text: str, language: str) -> None:
    assert detect(text) == language


@pytest.mark.parametrize("text", ["Москва", "12345", "ЧВК Вагнер", "Сахарово", "N12345678"])
def test_names_and_numbers_are_neutral(text: str) -> None:
    assert detect(text) is None


# ------------------------------------------------------------------ in the chat


async def test_the_family_leaves_a_translation_to_the_organisation(bot) -> None:
    """Wrong language refused with the form kept; a text left to the organisation holds the
    letters that need it; a caseworker writes it in the dossier; the family gets them."""
    from tests.support import KZ_REPORT, consent, fill, give_translations
    from tests.test_staff import make_staff

    family = bot.chat(800, "ky")
    t = bot.t("ky")
    await consent(family, "ky")
    await fill(family, KZ_REPORT)
    await family.press("confirm")
    case = (await bot.services.store.cases_of(800))[0]
    await family.press(f"letters:prepare:{case.id}")
    await family.press("all")
    await family.press(f"letters:language:{case.id}:ru")
    form = await bot.services.followup.store.get_form(800)
    assert form is not None and (form.data["field"], form.data["language"]) == ("r_addr", "ru")
    await family.send("Алматы қ., Абай даңғылы 1")  # still Kazakh: refused, asked again
    assert (
        t(
            "This text does not look like {language}. Please write it in {language}, or "
            "leave the translation to the organisation.",
            language=language_name("ru", "ky"),
        )
        in family.last_text()
    )
    assert await bot.services.followup.store.get_form(800) == form
    await family.press(f"letters:org:{case.id}:r_addr.ru")  # leave it to the organisation
    assert await give_translations(family) == 0
    # Every letter prints the address: none is made, the family is told why.
    assert bot.api.sent(800, "sendDocument") == []
    assert (
        t(
            "The organisation writes the translations you left to it. These letters will "
            "be ready then, and the bot will tell you: {bodies}.",
            bodies="",
        ).split(":")[0]
        in family.last_text()
    )

    caseworker = await make_staff(bot, 801, "caseworker")
    ct = bot.t("ru")
    await caseworker.send(f"/case {case.number}")
    assert (
        ct.ngettext(
            "{n} text waits for a translation before the family gets its letters.",
            "{n} texts wait for a translation before the family gets its letters.",
            1,
        )
        in caseworker.last_text()
    )
    await caseworker.press("translate:" + str(case.id))
    assert "Алматы қ., Абай даңғылы 1, 2-пәтер, 050000" in caseworker.last_text()
    await caseworker.send("г. Алматы, пр. Абая, 1, кв. 2, 050000")
    assert ct("All translations are written; the family is told.") in caseworker.last_text()
    assert (
        t(
            "The organisation has written the translations for the letters of case "
            "{number}. Press the button to get the letters.",
            number=case.number,
        )
        == family.last_text()
    )
    await family.press(f"letters:prepare:{case.id}")
    documents = bot.api.sent(800, "sendDocument")
    assert documents and len(documents) % 2 == 0
    letter = next(
        r
        for r in await bot.services.letters.store.letters_of(case.id)
        if r.addressee_id == "prosecutor_general"
    )
    assert letter.text and "г. Алматы, пр. Абая, 1, кв. 2" in letter.text
    assert "даңғылы" not in letter.text
