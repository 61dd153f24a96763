"""A reply logged as a photo (OCR), a PDF and pasted text; carbon copies across families;
the caseworker's review in the dossier. Through the real application and SQLite."""

from __future__ import annotations

import io
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from bot.domain.models import CaseStatus
from bot.replies import reading
from bot.storage.crypto import new_key
from tests.readers import foreign, latin_words
from tests.support import Bot, Chat
from tests.test_followup_flow import case_with_letters, letters, mark_sent
from tests.test_form_replies import FAMILIES, INDIVIDUAL, TEMPLATE
from tests.test_protection import full_case, raw_bytes
from tests.test_staff import make_staff

FONT = Path(__file__).parent.parent / "bot" / "letters" / "fonts" / "DejaVuSans.ttf"


def photo_of(text: str) -> bytes:
    """A clean scan of the text, as a phone photo of a letter would be after cropping."""
    font = ImageFont.truetype(str(FONT), 30)
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) > 60:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    lines.append(line)
    image = Image.new("L", (1400, 60 + 44 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for i, row in enumerate(lines):
        draw.text((30, 30 + 44 * i), row, font=font, fill=0)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def pdf_of(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


async def open_reply_form(bot: Bot, chat: Chat, locale: str) -> int:
    if bot.config.encryption_key:  # ids are keyed: find the case by the keyed id
        case_id = await full_case(bot, chat.user_id)
    else:
        case_id = await case_with_letters(bot, chat, locale)
    mod = (await letters(bot, case_id))["defence_ministry/search_request"]
    await mark_sent(chat, case_id, [mod.id], "01.10.2026", "post", None)
    await chat.press_data(f"F:a:{mod.id}")
    await chat.press("F:o:answered")
    await chat.send("10.11.2026")
    return case_id


async def send_file(bot: Bot, chat: Chat, data: bytes, pdf: bool) -> None:
    update = chat.make.document("reply.pdf") if pdf else chat.make.photo()
    message = update.message
    assert message is not None
    fid = message.document.file_id if message.document else message.photo[-1].file_id
    bot.api.downloads[fid] = data
    await chat.process(update)


async def stored_reply(bot: Bot, case_id: int):  # type: ignore[no-untyped-def]
    replies = await bot.services.followup.store.replies_of_case(case_id)
    assert len(replies) == 1
    return replies[0]


@pytest.mark.skipif(reading.ocr_engine() is None, reason="tesseract-ocr is not installed")
async def test_photo_pdf_and_text_replies_are_kept_and_copies_recognised(bot: Bot) -> None:
    kk, ky, ru = bot.chat(601, "kk"), bot.chat(602, "ky"), bot.chat(603, "ru")
    # 1. A photo: OCR, the family sees the text and keeps it.
    first = await open_reply_form(bot, kk, "kk")
    marks = {"kk": kk.mark()}
    await send_file(bot, kk, photo_of(TEMPLATE.format(**FAMILIES[0])), pdf=False)
    assert "располагает сведениями" in " ".join(kk.texts()[-3:])
    await kk.press("F:K:0")
    reply = await stored_reply(bot, first)
    assert "располагает сведениями" in reply.text and reply.file is not None
    assert reply.copies == 0
    # 2. A PDF: its own text; the same template reached one family before.
    second = await open_reply_form(bot, ky, "ky")
    marks["ky"] = ky.mark()
    await send_file(bot, ky, pdf_of(TEMPLATE.format(**FAMILIES[1])), pdf=True)
    await ky.press("F:K:0")
    reply = await stored_reply(bot, second)
    assert "Талантбека" in reply.text and reply.copies == 1
    # 3. Pasted text, corrected by nobody: two families before.
    third = await open_reply_form(bot, ru, "ru")
    mark = marks["ru"] = ru.mark()
    await ru.send(TEMPLATE.format(**FAMILIES[2]))
    reply = await stored_reply(bot, third)
    assert reply.copies == 2 and reply.text.startswith("Уважаемая Гульнара")
    said = ru.texts(mark)
    assert any("Министерство обороны" in text and "ещё 2 семьям" in text for text in said), said
    for chat, locale in ((kk, "kk"), (ky, "ky"), (ru, "ru")):
        # What the bot says, in the family's language (the reply's own words aside).
        for text in chat.texts(marks[locale]):
            own = text.split("\n\n")[0]
            assert not foreign(own, locale) and not latin_words(own), (locale, own)
    # The caseworker sees the mark in the dossier and confirms it.
    staff = await make_staff(bot, 690, "caseworker")
    case = await bot.services.store.get_case_by_id(third)
    assert case is not None
    seen = staff.mark()
    await staff.send(f"/case {case.number}")
    dossier = "\n".join(staff.texts(seen))
    mark = bot.t("ru").ngettext(
        "likely form reply: the same text as in {n} other case",
        "likely form reply: the same text as in {n} other cases",
        2,
    )
    assert "⚠ " + mark in dossier, dossier
    await staff.press(f"copy:{third}:{reply.id}:1")
    assert (await stored_reply(bot, third)).copy_review == "confirmed"


async def test_an_individual_answer_is_not_marked_and_no_engine_asks_for_the_text(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = bot.chat(611, "ru")
    other = bot.chat(612, "ru")
    first = await open_reply_form(bot, chat, "ru")
    await chat.send(TEMPLATE.format(**FAMILIES[0]))
    assert (await stored_reply(bot, first)).copies == 0
    second = await open_reply_form(bot, other, "ru")
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no OCR program on this server
    await send_file(bot, other, b"\x89PNG not really", pdf=False)
    t = bot.t("ru")
    assert (
        t("This server cannot read text from photos: no text recognition program is installed.")
        in other.texts()[-1]
    )
    await other.send("/help")  # a command mid-flow loses nothing
    await other.send(INDIVIDUAL)
    reply = await stored_reply(bot, second)
    assert reply.text == INDIVIDUAL and reply.copies == 0 and reply.file is not None


async def test_the_text_is_sealed_purged_and_deleted_with_the_family(tmp_path: Path) -> None:
    key = new_key()
    bot = await Bot.start(tmp_path, key=key)
    try:
        chat, other = bot.chat(621, "ru"), bot.chat(622, "ru")
        first = await open_reply_form(bot, chat, "ru")
        await chat.send(TEMPLATE.format(**FAMILIES[0]))
        second = await open_reply_form(bot, other, "ru")
        await other.send(TEMPLATE.format(**FAMILIES[1]))
        assert (await stored_reply(bot, second)).copies == 1
        assert "располагает сведениями".encode() not in raw_bytes(tmp_path)
        # The retention clean-up clears the text of a closed case.
        staff = bot.services.staff
        case = await bot.services.store.get_case_by_id(first)
        assert case is not None
        await staff.set_status(
            await staff.actor(bot.services.user_key(1)), case, CaseStatus.CLOSED
        )
        bot.clock.advance(timedelta(days=bot.config.retention_days + 1))
        assert await bot.services.purge_expired() == 1
        assert (await stored_reply(bot, first)).text == ""
        # A family's deletion removes its replies, their text and their signatures.
        await other.send("/delete")
        await other.press("d:y")
        with sqlite3.connect(tmp_path / "izdeu.sqlite3") as conn:
            left = conn.execute("SELECT case_id FROM replies").fetchall()
            bands = conn.execute("SELECT COUNT(DISTINCT reply_id) FROM reply_bands").fetchone()
        assert left == [(first,)] and bands == (1,)
    finally:
        await bot.stop()


@pytest.mark.parametrize("agreed", [True, False])
async def test_the_letter_after_a_form_reply_quotes_the_request_and_cites_the_copies(
    bot: Bot, agreed: bool
) -> None:
    bot.services.letters.cite_form_copies = agreed  # the organisation's setting
    first, second = bot.chat(631, "ru"), bot.chat(632, "ru")
    await open_reply_form(bot, first, "ru")
    await first.send(TEMPLATE.format(**FAMILIES[0]))
    case_id = await case_with_letters(bot, second, "ru")
    mod = (await letters(bot, case_id))["defence_ministry/search_request"]
    await mark_sent(second, case_id, [mod.id], "01.10.2026", "post", None)
    await second.press_data(f"F:a:{mod.id}")
    await second.press("F:o:form")
    await second.send("10.11.2026")
    await second.send(TEMPLATE.format(**FAMILIES[1]))  # the reply's text, pasted
    repeat = (await letters(bot, case_id))["defence_ministry/repeat_request"]
    produced = await bot.services.letters.store.get_letter(repeat.id)
    assert produced is not None and produced.text is not None
    text = " ".join(produced.text.split())
    assert "Полученный ответ не отвечает ни на один из этих вопросов." in text
    # What the first letter asked, quoted item by item.
    assert "В обращении я просила: — «Провести розыск моего сына" in text
    cited = "число таких случаев, известных организации, сопровождающей обращения семей: 1"
    assert (cited in text) == agreed
    assert "Гульнара" not in text and "Айгуль" not in text
