"""From a confirmed case to the documents, through the real application."""

from __future__ import annotations

import io

import pytest
from docx import Document
from pypdf import PdfReader

from bot.i18n import LOCALES
from handlers.views.letters import RISK_FACTS, RISK_LAW, language_name, risk_note
from tests.support import KZ_REPORT, Bot, Chat, consent, fill, give_translations


async def confirmed_case(chat: Chat, locale: str) -> None:
    await consent(chat, locale)
    await fill(chat, KZ_REPORT)
    await chat.press("confirm")


@pytest.mark.parametrize("locale", LOCALES)
async def test_from_confirmed_case_to_documents(bot: Bot, locale: str) -> None:
    chat = bot.chat(300, locale)
    t = bot.t(locale)
    await confirmed_case(chat, locale)
    case = (await bot.services.store.cases_of(300))[0]
    set_text = chat.last_text()
    assert t("Letters for case {number}:", number=case.number) in set_text
    directory = bot.services.letters.directory
    assert directory["embassy_kz"].name(locale) in set_text
    # The family removes the ICRC from the set.
    rows = await bot.services.letters.store.letters_of(case.id)
    icrc = next(r for r in rows if r.addressee_id == "icrc")
    await chat.press(f"letters:toggle:{icrc.id}")
    await chat.press(f"letters:prepare:{case.id}")
    assert chat.last_text() == risk_note(t, case)
    assert t(RISK_LAW["KZ"]) in chat.last_text() and t(RISK_FACTS["m"]) in chat.last_text()
    await chat.press("nonames")
    await chat.press(f"letters:language:{case.id}:kk")
    # Asked in the chat language: the place, the account, a file's description and an
    # earlier reply for the letters in Kazakh, and the address for those in Russian.
    language = language_name("kk", locale)
    assert (
        t(
            "A letter goes out in {language}, every word of it. This answer of yours is in "
            "another language ({what}):\n\n«{text}»\n\nPlease write it in {language}. Or "
            "leave the translation to the organisation: a caseworker writes it, and you get "
            "the letters that need it when it is done.",
            language=language,
            what=t("where he or she was last seen"),
            text="Ростов-на-Дону, общежитие на ул. Текучёва",
        )
        == chat.last_text()
    )
    assert bot.api.sent(300, "sendDocument") == []
    assert await give_translations(chat) == 5
    documents = bot.api.sent(300, "sendDocument")
    selected = [r for r in await bot.services.letters.store.letters_of(case.id) if r.selected]
    assert "icrc" not in {r.addressee_id for r in selected}
    assert len(documents) == 2 * len(selected)
    names = [c.files["document"][0] for c in documents]
    assert all(n.isascii() for n in names)
    assert f"{case.number}_embassy-kz_kk.pdf" in names
    assert f"{case.number}_prosecutor-general_ru.pdf" in names
    pdf = next(
        c.files["document"][1]
        for c in documents
        if c.files["document"][0].endswith("embassy-kz_kk.pdf")
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Айгүл Төлөгөнова" in text.replace("\n", " ") or "Айгүл" in text
    assert "Вербовщик Иван" not in text  # the family left the names out
    docx_bytes = next(
        c.files["document"][1]
        for c in documents
        if c.files["document"][0].endswith("prosecutor-general_ru.docx")
    )
    paragraphs = "\n".join(p.text for p in Document(io.BytesIO(docx_bytes)).paragraphs)
    assert "Әлібек Құрманғазыұлы" in paragraphs
    rows = {r.addressee_id: r for r in await bot.services.letters.store.letters_of(case.id)}
    assert rows["embassy_kz"].language == "kk" and rows["prosecutor_general"].language == "ru"
    assert rows["embassy_kz"].text and rows["embassy_kz"].generated_at is not None
    case = (await bot.services.store.cases_of(300))[0]
    assert case.status.value == "letters_ready"
    assert (
        t(
            "All letters are ready. Print each PDF and sign it by hand (or edit the DOCX first). "
            "Send each letter by registered post with a notice of delivery, or through the "
            "body's online reception, and keep the receipts: they prove the date. /letters "
            "shows the set again."
        )
        == chat.last_text()
    )


async def test_text_for_an_online_form_respects_its_limit(bot: Bot) -> None:
    chat = bot.chat(301, "ru")
    await confirmed_case(chat, "ru")
    case = (await bot.services.store.cases_of(301))[0]
    await chat.press(f"letters:prepare:{case.id}")
    await chat.press("all")
    await chat.press(f"letters:language:{case.id}:ru")
    await give_translations(chat)
    rows = {r.addressee_id: r for r in await bot.services.letters.store.letters_of(case.id)}
    mark = chat.mark()
    await chat.press_data(f"letters:text:{rows['prosecutor_general'].id}")
    parts = chat.texts(mark)
    limit = bot.services.letters.directory["prosecutor_general"].online_form_limit
    assert limit and all(len(p) <= limit for p in parts[1:])
    assert "Әлібек Құрманғазыұлы" in "".join(parts)


async def test_someone_elses_letters_are_not_available(bot: Bot) -> None:
    owner, other = bot.chat(302, "ru"), bot.chat(303, "ru")
    await confirmed_case(owner, "ru")
    case = (await bot.services.store.cases_of(302))[0]
    rows = await bot.services.letters.store.letters_of(case.id)
    await consent(other, "ru")
    for data in (
        f"letters:prepare:{case.id}",
        f"letters:toggle:{rows[0].id}",
        f"letters:text:{rows[0].id}",
        f"letters:case:{case.id}",
        "letters:text:999999",
        f"letters:language:{case.id}:kk",
    ):
        mark = other.mark()
        await other.press_data(data)
        assert other.texts(mark) == [bot.t("ru")("This is not available.")]
    assert bot.api.sent(303, "sendDocument") == []
    assert await bot.services.letters.store.letters_of(case.id) == rows
