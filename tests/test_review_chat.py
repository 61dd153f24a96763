"""Letter review through the real application and the stand-in Bot API, in kk, ru and ky:
the family prepares its letters and is told they are checked, a caseworker lists, reads,
corrects and approves them, the family receives them with the correction; and the
caseworkers' reminder a working day later."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document

from bot.app import open_services
from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import LOCALES
from handlers import jobs
from handlers.app import build_application
from handlers.localapi import LocalBotAPI
from handlers.views import review as view
from tests.readers import Reading
from tests.support import KZ_REPORT, START, Bot, Chat, consent, fill, give_translations
from tests.test_staff import make_staff
from tests.test_what_people_receive import TYPED, _is_letter, assert_clean

FAMILY = 310
CASEWORKER = 320
CORRECTED = "г. Алматы, проспект Абая, дом 1, квартира 2, индекс 050000"


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """The bot with IZDEU_LETTER_REVIEW on (administrator: Telegram id 1)."""
    config = Config(
        db_path=tmp_path / "izdeu.sqlite3",
        data_dir=tmp_path,
        admin_ids=frozenset({1}),
        letter_review=True,
    )
    clock = ManualClock(START)
    services = await open_services(config, clock)
    api = LocalBotAPI()
    app = build_application(services, request=api)
    await app.initialize()
    running = Bot(config, clock, services, api, app)
    try:
        yield running
    finally:
        await running.stop()


async def prepared(bot: Bot, chat: Chat, locale: str) -> int:
    """A family reports, keeps only the letter to the Prosecutor General (in Russian),
    leaves names out, gives its address in Russian and prepares the letter; its id."""
    await consent(chat, locale)
    await fill(chat, KZ_REPORT)
    await chat.press("confirm")
    case = (await bot.services.store.cases_of(bot.services.user_key(chat.user_id)))[0]
    for row in await bot.services.letters.store.letters_of(case.id):
        if row.selected and row.addressee_id != "prosecutor_general":
            await chat.press_data(f"letters:toggle:{row.id}")
    await chat.press(f"letters:prepare:{case.id}")
    await chat.press("nonames")
    assert await give_translations(chat) == 1  # the address, for a Russian letter
    rows = await bot.services.letters.store.letters_of(case.id)
    return next(r.id for r in rows if r.addressee_id == "prosecutor_general")


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


@pytest.mark.parametrize("locale", LOCALES)
async def test_family_gets_its_letters_after_a_caseworker_approved_them(
    bot: Bot, locale: str
) -> None:
    reading = Reading(bot.api, bot.clock, is_letter=_is_letter)
    reading.typed(*TYPED, "Алматы қаласы", CORRECTED)
    reading.reader(FAMILY, locale, "Asia/Almaty")
    reading.reader(CASEWORKER, locale, "Asia/Almaty")
    family = bot.chat(FAMILY, locale)
    t = bot.t(locale)
    letter_id = await prepared(bot, family, locale)
    case = (await bot.services.store.cases_of(bot.services.user_key(FAMILY)))[0]
    assert family.last_text() == t("Thank you, saved.") + "\n\n" + t(
        "Your letters for case {number} are being checked by the organisation's caseworker "
        "before you get them. The bot sends them here as soon as they are approved.",
        number=case.number,
    )
    assert bot.api.sent(FAMILY, "sendDocument") == []

    worker = await make_staff(bot, CASEWORKER, "caseworker", locale)
    await worker.send("/review")
    assert t("Letters waiting for review: {n}", n="1") in worker.last_text()
    await worker.press_data(f"review:read:{letter_id}")
    files = [c.files["document"][0] for c in bot.api.sent(CASEWORKER, "sendDocument")]
    assert files == [
        f"{case.number}_prosecutor-general_ru.pdf",
        f"{case.number}_prosecutor-general_ru.docx",
    ]
    card = worker.last_with_buttons()
    assert card.text.startswith(case.number)
    assert bot.services.letters.directory["prosecutor_general"].name(locale) in card.text
    letter_text = worker.texts()[-4]  # the letter alone, its PDF and DOCX, the card
    assert letter_text.startswith("Генеральному")
    assert "г. Алматы, пр. Абая, 1, кв. 2, 050000" in letter_text  # the family's translation
    await worker.press(f"review:fix:{letter_id}:r_addr")
    assert "«г. Алматы, пр. Абая, 1, кв. 2, 050000»" in worker.last_text()
    await worker.send("Алматы қаласы")  # Kazakh in a Russian letter: refused, form kept
    assert worker.last_text() == t(
        "This text is not in the letter's language. Please write it in that language."
    )
    await worker.send(CORRECTED)
    assert worker.last_text().startswith(
        t("Saved. The letter above is made again with your text.")
    )
    letter_text = worker.texts()[-4]  # then the PDF, the DOCX and the card
    assert letter_text.startswith("Генеральному") and CORRECTED in letter_text
    await worker.press(f"review:approve:{letter_id}")
    assert worker.last_text() == t("Approved. The family has received the letter.")

    documents = bot.api.sent(FAMILY, "sendDocument")
    assert [c.files["document"][0] for c in documents] == [
        f"{case.number}_prosecutor-general_ru.pdf",
        f"{case.number}_prosecutor-general_ru.docx",
    ]
    assert CORRECTED in docx_text(documents[1].files["document"][1])
    texts = family.texts()
    assert any(x.startswith("✓ " + t("The organisation has checked this letter.")) for x in texts)
    assert texts[-1] == view.all_ready_text(t)
    await family.press(f"letters:text:{letter_id}")  # the card's button works as without review
    assert "Генеральному" in family.last_text()
    await worker.send("/review")
    assert worker.last_text() == t("No letters are waiting for review.")
    done = await bot.services.store.get_case_by_id(case.id)
    assert done is not None and done.status.value == "letters_ready"
    assert_clean(reading)  # what both read: their language, their zone, nothing hidden


async def test_caseworkers_are_reminded_after_a_working_day(bot: Bot) -> None:
    worker = await make_staff(bot, CASEWORKER, "caseworker", "kk")
    staff = bot.services.staff  # the caseworker sees times in Moscow (their /settings)
    await staff.set_timezone(await staff.actor(bot.services.user_key(CASEWORKER)), "Europe/Moscow")
    family = bot.chat(FAMILY, "ru")
    bot.clock.set(datetime(2026, 11, 20, 10, 30, tzinfo=UTC))  # Friday 15:30 in Almaty
    await prepared(bot, family, "ru")
    case = (await bot.services.store.cases_of(bot.services.user_key(FAMILY)))[0]
    mark = worker.mark()
    bot.clock.advance(timedelta(days=2, hours=23))  # Monday 14:30: not yet
    await jobs.send_due_reminders(bot.app)
    assert worker.texts(mark) == []
    bot.clock.advance(timedelta(hours=1))  # Monday 15:30
    await jobs.send_due_reminders(bot.app)
    t = bot.t("kk")
    assert worker.texts(mark) == [
        t.ngettext(
            "{n} letter of case {number} has been waiting for review since {time}. /review "
            "shows it.",
            "{n} letters of case {number} have been waiting for review since {time}. /review "
            "shows them.",
            1,
            number=case.number,
            time=t.datetime(
                datetime(2026, 11, 20, 10, 30, tzinfo=UTC), "short", tz="Europe/Moscow"
            ),
        )
    ]
    assert bot.api.sent(1, "sendMessage")  # the administrator too
    await jobs.send_due_reminders(bot.app)  # sent once; the next a working day later
    assert len(worker.texts(mark)) == 1


async def test_sent_back_with_a_note_and_bad_input_loses_nothing(bot: Bot) -> None:
    family = bot.chat(FAMILY, "ky")
    letter_id = await prepared(bot, family, "ky")
    case = (await bot.services.store.cases_of(bot.services.user_key(FAMILY)))[0]
    worker = await make_staff(bot, CASEWORKER, "caseworker", "ru")
    t, ft = bot.t("ru"), bot.t("ky")
    await worker.press_data(f"review:back:{letter_id}")
    assert worker.last_text() == view.ask_note_text(t)
    await worker.process(worker.make.sticker())  # a sticker where the note is expected
    assert worker.last_text() == t(
        "Please answer with text. Stickers, locations and files cannot be used here."
    )
    note = "Уточните, пожалуйста, дату последнего звонка."
    await worker.send(note)
    assert worker.last_text() == t("The letter is sent back; the family has received your note.")
    body = bot.services.letters.directory["prosecutor_general"].name("ky")
    assert family.last_text() == view.returned_text(ft, body, case.number, note)
    assert bot.api.sent(FAMILY, "sendDocument") == []
    await worker.press_data(f"review:approve:{letter_id}")  # an old button: nothing is sent
    assert worker.last_text() == t("This is not available.")
    assert bot.api.sent(FAMILY, "sendDocument") == []
    actions = [e.action for e in await bot.services.staff.audit.entries(limit=50)]
    assert "review_return" in actions and "review_approve" not in actions
    # The family prepares the letter again: it waits for review again.
    await family.press_data(f"letters:prepare:{case.id}")
    assert family.last_text().endswith(
        ft(
            "Your letters for case {number} are being checked by the organisation's "
            "caseworker before you get them. The bot sends them here as soon as they are "
            "approved.",
            number=case.number,
        )
    )
    await worker.send("/review")
    assert t("Letters waiting for review: {n}", n="1") in worker.last_text()


async def test_volunteers_and_families_are_refused_in_the_chat(bot: Bot) -> None:
    family = bot.chat(FAMILY, "ru")
    letter_id = await prepared(bot, family, "ru")
    volunteer = await make_staff(bot, 330, "volunteer", "ru")
    t = bot.t("ru")
    for chat in (family, volunteer):
        await chat.send("/review")
        assert chat.last_text() == t("This is not available.")
        await chat.press_data(f"review:approve:{letter_id}")
        assert chat.last_text() == t("This is not available.")
    assert bot.api.sent(FAMILY, "sendDocument") == []


async def test_the_next_letter_after_silence_waits_for_review_too(bot: Bot) -> None:
    s = bot.services
    family = bot.chat(FAMILY, "ru")
    letter_id = await prepared(bot, family, "ru")
    worker = await make_staff(bot, CASEWORKER, "caseworker", "ru")
    await worker.press_data(f"review:approve:{letter_id}")
    user = await s.store.get_user(s.user_key(FAMILY))
    case = (await s.store.cases_of(s.user_key(FAMILY)))[0]
    row = await s.letters.store.get_letter(letter_id)
    assert user is not None and row is not None
    await s.followup.mark_sent(user, case, [row], date(2026, 11, 21), "in_person", None)
    pending = await s.followup.store.pending_reminders(user.user_id)
    overdue = next(r for r in pending if r.kind == "overdue")
    bot.clock.set(overdue.due_at + timedelta(minutes=1))
    documents = len(bot.api.sent(FAMILY, "sendDocument"))
    await jobs.send_due_reminders(bot.app)
    assert len(bot.api.sent(FAMILY, "sendDocument")) == documents  # nothing made for it
    t = bot.t("ru")
    assert (
        t(
            "Your letters for case {number} are being checked by the organisation's caseworker "
            "before you get them. The bot sends them here as soon as they are approved.",
            number=case.number,
        )
        in family.last_text()
    )
    queue = await s.review.queue(await s.staff.actor(s.user_key(CASEWORKER)))
    assert len(queue) == 1 and queue[0].letter_id != letter_id
    assert queue[0].addressee_id == "prosecutor_general"  # the repeat request, same body
    await worker.press_data(f"review:approve:{queue[0].letter_id}")
    assert len(bot.api.sent(FAMILY, "sendDocument")) == documents + 2
    assert family.last_text() == ""  # the DOCX; no "all letters are ready" for one letter
