"""The international route through the real application: the family's checklist and consent
in its language, the caseworker's translations, the submission read back, marking it sent."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from bot.exports import Exporter
from bot.i18n import LOCALES
from bot.un import translation
from bot.un.checklist import TITLES
from bot.un.ladder import OFFER, OFFER_AT_ONCE
from handlers.views.un import CED_GENERAL, UN_INTRO
from tests.support import KZ_REPORT, Bot, Chat, consent, fill, give_translations

ADMIN = 1
# The sample report, with the police believed responsible (a link to the State).
POLICE_REPORT = [("press", "police") if step == ("press", "pmc") else step for step in KZ_REPORT]
ENGLISH = {
    "e_place": "Rostov-on-Don, Rostov region",
    "e_story": "He was detained in the dormitory and taken away by bus.",
    "e_resp_text": "A recruiter called Ivan, phone +7 900 000 00 00",
}


async def reported(bot: Bot, chat: Chat, locale: str) -> str:
    await consent(chat, locale)
    await fill(chat, POLICE_REPORT)
    await chat.press("confirm")
    return (await bot.services.store.cases_of(bot.services.user_key(chat.user_id)))[0].number


@pytest.mark.parametrize("locale", LOCALES)
async def test_family_checklist_consent_and_ced_in_its_language(bot: Bot, locale: str) -> None:
    chat = bot.chat(400, locale)
    t = bot.t(locale)
    number = await reported(bot, chat, locale)
    case = await bot.services.store.get_case(number)
    assert case is not None
    mark = chat.mark()
    await chat.send("/un")
    checklist, ced = chat.texts(mark)[-2:]
    assert t("Ready for the UN? Case {number}", number=number) in checklist
    assert t(UN_INTRO) in checklist and t(UN_INTRO) != UN_INTRO  # translated
    assert "✅ " + t(TITLES["identity"]) in checklist  # passport given
    assert "✅ " + t(TITLES["national_steps"]) in checklist  # the embassy, before the bot
    assert "❌ " + t(TITLES["consent"]) in checklist
    assert (
        t("Supplied by: {sources}", sources="«" + t("the two consent questions (/un)") + "»")
        in checklist
    )
    # Last contact 05.03.2026, today 21.11.2026: the window closed on 5 June 2026.
    assert t.date(date(2026, 6, 5), "long") in checklist
    assert "adilet.zan.kz" in ced and "⚠" in ced  # sources; Russia's status unverified
    assert t(CED_GENERAL, source="x").split("{")[0][:30] in ced
    # The family answers both questions; the buttons show the choice.
    await chat.press(f"un:name:{case.id}:1")
    await chat.press(f"un:behalf:{case.id}:0")
    checklist = chat.texts()[-2]
    assert "✅ " + t(TITLES["consent"]) in checklist
    assert "✅ " + t(TITLES["author"]) in checklist
    assert "✓ " + t("We submit ourselves") in [b for b, _ in chat.last_with_buttons().buttons()]
    record = await bot.services.un.store.get(case.id)
    assert record.may_name is True and record.on_behalf is False
    # Someone else cannot answer for the family.
    other = bot.chat(401, locale)
    await consent(other, locale)
    mark = other.mark()
    await other.press_data(f"un:name:{case.id}:0")
    assert other.texts(mark) == [t("This is not available.")]
    assert (await bot.services.un.store.get(case.id)).may_name is True


async def test_caseworker_translates_makes_the_submission_and_marks_it_sent(
    bot: Bot, tmp_path: Path
) -> None:
    family = bot.chat(410, "kk")
    number = await reported(bot, family, "kk")
    case = await bot.services.store.get_case(number)
    assert case is not None
    await family.press_data(f"un:name:{case.id}:1")
    await family.press_data(f"un:behalf:{case.id}:0")
    staff = bot.chat(ADMIN, "ru")
    t = bot.t("ru")
    await staff.send(f"/case {number}")
    assert (
        t("UN (WGEID): {present} of {total} required elements.", present=6, total=6)
        in staff.last_text()
    )  # the checklist in short, in the dossier
    await staff.press(f"un:staff:{case.id}")
    page = staff.texts()[-2]
    assert t("Texts of the family to translate into English:") in page
    # Not ready: the texts are untranslated.
    mark = staff.mark()
    await staff.press(f"un:produce:{case.id}")
    refused = staff.texts(mark)[-1]
    assert t("The submission cannot be made yet. Missing:") in refused
    assert t("English translation of «{field}»", field=t("The family's account")) in refused
    assert not bot.api.sent(ADMIN, "sendDocument")
    # The caseworker writes the English texts; a sticker or nothing is refused, not stored.
    written = {}
    for pending in translation.texts_to_translate(case.answers):
        written[pending.key] = ENGLISH.get(pending.key, f"English text {len(written)}")
        await staff.press_data(f"un:translate:{case.id}:{pending.key}")
        assert pending.original in staff.last_text()  # the family's words, to translate
        await staff.process(staff.make.sticker())
        after = staff.mark()
        await staff.send(written[pending.key])
        assert t("The translation is saved.") in "\n".join(staff.texts(after))
    assert {"e_story", "e_resp_text"} <= set(written)
    # "-" cannot leave out the place.
    await staff.press_data(f"un:translate:{case.id}:e_place")
    await staff.send("-")
    assert "cannot be left out" in staff.last_text() or staff.last_text() == t(
        "This text is needed in the submission; it cannot be left out. Write its English "
        "translation."
    )
    await staff.send("/cancel")
    await staff.press_data(f"un:produce:{case.id}")
    documents = bot.api.sent(ADMIN, "sendDocument")
    names = [c.files["document"][0] for c in documents]
    assert names == [f"{number}_WGEID_en.pdf", f"{number}_WGEID_en.docx"]
    pdf = documents[0].files["document"][1]
    text = re.sub(r"\s+", " ", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    for english in written.values():
        assert english in text
    assert "Әлібек Құрманғазыұлы" in text and "N12345678" in text
    assert "Link to the State: agents of the State (the police)" in text
    assert "FORM REPLY" in text and "Submitted by the relative, Айгүл Төлөгөнова" in text
    assert "Standard procedure" in text
    assert "Его задержали" not in text and "Вербовщик" not in text
    # Marked as submitted: a bad date is refused, then date and reference are kept.
    await staff.press_data(f"un:mark:{case.id}")
    await staff.send("31.02.2026")
    await staff.send("20.11.2026")
    await staff.send("WGEID 2026/123")
    assert (
        t(
            "Case {number} is marked as submitted to the UN on {date}.",
            number=number,
            date=t.date(date(2026, 11, 20), "long"),
        )
        == staff.last_text()
    )
    kk = bot.t("kk")
    assert family.last_text() == kk(
        "Your case {number} was submitted to the UN Working Group on Enforced or Involuntary "
        "Disappearances on {date}.",
        number=number,
        date=kk.date(date(2026, 11, 20), "long"),
    )
    record = await bot.services.un.store.get(case.id)
    assert record.reference == "WGEID 2026/123" and record.urgent is False
    await family.send("/timeline")
    assert (
        kk(
            "Submitted to the UN Working Group on Enforced or Involuntary Disappearances on "
            "{date}.",
            date=kk.date(date(2026, 11, 20), "long"),
        )
        in family.last_text()
    )
    await staff.send("/stats")
    assert t(
        "Submitted to the UN: {n}, of them under the urgent procedure: {urgent}", n=1, urgent=0
    ) in "\n".join(staff.texts())
    # ... and in the statistics of the exports, counted in SQL and while streaming the XLSX
    exporter = Exporter(bot.services.db, bot.clock)
    figures = await exporter.statistics()
    assert (figures.un_submitted, figures.un_urgent) == (1, 0)
    out = tmp_path / "stats.xlsx"
    await exporter.xlsx(out, actor_id=0, locale="ru")
    rows = list(openpyxl.load_workbook(out)["Статистика"].iter_rows(values_only=True))
    assert ("Направлено в ООН", "всего", 1) in rows
    assert ("Направлено в ООН", "в срочном порядке", 0) in rows
    audit = [e.action for e in await bot.services.staff.audit.entries(limit=50)]
    assert "un_translation" in audit and "un_submission_made" in audit
    assert "un_submitted" in audit


async def test_the_ladder_offers_the_un_after_a_form_reply(bot: Bot) -> None:
    from tests.test_followup_flow import letters, mark_sent

    chat = bot.chat(420, "ru")
    t = bot.t("ru")
    await consent(chat, "ru")
    await fill(chat, KZ_REPORT)
    await chat.press("confirm")
    case = (await bot.services.store.cases_of(420))[0]
    case_id = case.id
    for row in await bot.services.letters.store.letters_of(case_id):  # one letter is enough
        if row.selected and row.addressee_id != "defence_ministry":
            await chat.press_data(f"letters:toggle:{row.id}")
    await chat.press(f"letters:prepare:{case_id}")
    await chat.press("all")  # a Russian body only: no language to choose
    await give_translations(chat)  # the Kazakh address, in Russian for the letter
    offer = t(OFFER, number=case.number)
    assert offer != OFFER and offer not in "\n".join(
        chat.texts()
    )  # not offered right after the report
    mod = (await letters(bot, case_id))["defence_ministry/search_request"]
    await mark_sent(chat, case_id, [mod.id], "01.10.2026", "post", None)
    await chat.press_data(f"track:reply:{mod.id}")
    await chat.press("track:outcome:form")
    await chat.send("10.11.2026")
    await chat.process(chat.make.photo())
    await chat.send("Сведениями не располагаем")
    assert offer in "\n".join(chat.texts())  # joined with the answer to the reply logged


async def test_offered_at_once_when_urgent_and_held_by_the_state(bot: Bot) -> None:
    recent = [
        ("send", "01.11.2026") if step == ("send", "5 наурыз 2026") else step
        for step in POLICE_REPORT
    ]
    chat = bot.chat(430, "ky")
    t = bot.t("ky")
    await consent(chat, "ky")
    await fill(chat, recent)
    await chat.press("confirm")
    number = (await bot.services.store.cases_of(430))[0].number
    assert t(OFFER_AT_ONCE, number=number) == chat.last_text()
    await chat.send("/un")
    assert "⏰" in chat.texts()[-2]


async def test_translations_and_reference_are_sealed_rotated_and_deleted(tmp_path) -> None:
    from bot.storage.crypto import Cipher, new_key
    from bot.storage.maintenance import reseal
    from tests.test_protection import raw_bytes

    key = new_key()
    bot = await Bot.start(tmp_path, key=key)
    try:
        family = bot.chat(440, "ru")
        number = await reported(bot, family, "ru")
        case = await bot.services.store.get_case(number)
        assert case is not None
        staff = bot.chat(ADMIN, "ru")
        await staff.press_data(f"un:translate:{case.id}:e_story")
        await staff.send("Taken from the dormitory by two officers")
        await staff.press_data(f"un:mark:{case.id}")
        await staff.send("20.11.2026")
        await staff.send("REF-77-SECRET")
        raw = raw_bytes(tmp_path)
        assert b"two officers" not in raw and b"REF-77-SECRET" not in raw
        newer = new_key()
        assert await reseal(bot.services.db, Cipher(key), Cipher(newer)) > 0
    finally:
        await bot.stop()
    bot = await Bot.start(tmp_path, key=newer)
    try:
        record = await bot.services.un.store.get(case.id)
        assert record.reference == "REF-77-SECRET"
        assert record.translations["e_story"] == "Taken from the dormitory by two officers"
        family = bot.chat(440, "ru")
        await family.send("/delete")
        await family.press("delete:y")
        assert (await bot.services.un.store.get(case.id)).translations == {}
        assert await bot.services.un.store.counts() == (0, 0)
    finally:
        await bot.stop()


async def test_bad_input_and_people_without_access(bot: Bot) -> None:
    family = bot.chat(450, "kk")
    number = await reported(bot, family, "kk")
    case = await bot.services.store.get_case(number)
    assert case is not None
    t = bot.t("ru")
    staff = bot.chat(ADMIN, "ru")
    await staff.send("/un")
    assert staff.last_text() == t(
        "Send the case number after the command, for example /un KZ-2026-0042."
    )
    # A 10,000-character translation is refused; the form stays open and nothing is stored.
    await staff.press_data(f"un:translate:{case.id}:e_story")
    mark = staff.mark()
    await staff.send("x" * 10_000)
    assert len(staff.texts(mark)) == 1 and "x" * 50 not in staff.last_text()
    assert (await bot.services.un.store.get(case.id)).translations == {}
    await staff.send("He was detained.")
    assert (await bot.services.un.store.get(case.id)).translations == {
        "e_story": "He was detained."
    }
    # A family, or a stranger, asking for another case's UN page learns nothing.
    stranger = bot.chat(451, "ru")
    await consent(stranger, "ru")
    for data in (
        f"un:staff:{case.id}",
        f"un:produce:{case.id}",
        f"un:translate:{case.id}:e_story",
        f"un:mark:{case.id}",
        f"un:family:{case.id}",
    ):
        mark = stranger.mark()
        await stranger.press_data(data)
        assert stranger.texts(mark) == [t("This is not available.")], data
    await stranger.send(f"/un {number}")
    assert stranger.last_text() == t(
        "You have no cases yet. Send /start to report a missing person."
    )
    # The family cannot make the submission or mark it sent.
    kk = bot.t("kk")
    for data in (f"un:produce:{case.id}", f"un:mark:{case.id}"):
        mark = family.mark()
        await family.press_data(data)
        assert family.texts(mark) == [kk("This is not available.")], data


async def test_a_volunteer_translates_only_what_a_caseworker_let_them_read(bot: Bot) -> None:
    from tests.test_staff import make_staff

    family = bot.chat(460, "ru")
    number = await reported(bot, family, "ru")
    case = await bot.services.store.get_case(number)
    assert case is not None
    volunteer = await make_staff(bot, 461, "volunteer", "ky")
    await bot.chat(ADMIN, "ru").press_data(f"staff:assign:{case.id}:461")
    t = bot.t("ky")
    await volunteer.send(f"/un {number}")
    labels = [b for b, _ in volunteer.last_with_buttons().buttons()]
    assert "❌ " + t("Translate: {field}", field=t("Last known place")) in labels
    assert not any(t("The family's account") in b for b in labels)  # restricted field
    assert t("Make the submission (PDF, DOCX)") not in labels
    mark = volunteer.mark()
    await volunteer.press_data(f"un:translate:{case.id}:e_story")
    assert volunteer.texts(mark) == [t("This is not available.")]
    await volunteer.press_data(f"un:translate:{case.id}:e_place")
    await volunteer.send("Rostov-on-Don")
    assert (await bot.services.un.store.get(case.id)).translations == {"e_place": "Rostov-on-Don"}


def test_the_pdf_dossier_words_the_un_events() -> None:
    from bot.exports.dossier import event_text
    from bot.i18n import default_catalogs

    t = default_catalogs().get("ru")
    text = event_text(t, "un_submitted", {"on": "2026-11-20", "urgent": False})
    assert text == t(
        "Submitted to the UN Working Group on Enforced or Involuntary Disappearances on {date}.",
        date=t.date(date(2026, 11, 20), "long"),
    )
    assert event_text(t, "un_consent", {}) == t(
        "The family answered the questions about a submission to the UN."
    )
