"""No personal datum of a family ever reaches a log, at any level, from any logger.

A whole report (tests/support.py's KZ_REPORT) with bad inputs on the way, injected Bot API
failures, the confirmation, the letters prepared as tests/test_letters_chat.py does, the
form text, the case views and the deletion, all with the root logger at DEBUG; every
record of every logger (the bot's, PTB's, aiosqlite's, fpdf2's, fontTools'...) is then
searched for the fixture's personal data in its message, its arguments and its formatted
exception. The bot runs with IZDEU_LOG_LEVEL=DEBUG when someone debugs it, and that log
must still carry ids and error types only (README, "Running for real").
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.domain import questions as q
from handlers.localapi import Fault
from tests.support import KZ_REPORT, Bot, Chat, consent, fill, give_translations, make_iin

IIN = make_iin("70031545012")

# Everything personal in the fixture, and in the bad inputs below.
PERSONAL = [
    "Айгүл",
    "Төлөгөнова",
    "Әлібек",
    "Құрманғазыұлы",
    "ALIBEK",
    "KURMANGAZIULY",
    "Абай даңғылы",
    "2-пәтер",
    "aigul@example",
    "aigul@@example",
    "N12345678",
    "18.03.1994",
    "1994-03-18",
    "31.02.1994",
    "Ростов-на-Дону",
    "Ростовская",
    "задержали в общежитии",
    "увезли на автобусе",
    "Вербовщик",
    "Иван",
    "с вербовщиком",
    "сведений нет",
    "паспорт сына",
    "5 наурыз 2026",
    "2026-03-05",
    "10.03.2026",
    "2026-03-10",
]
# Numbers, found also with spaces, dashes, dots or brackets between their digits; phone
# numbers also after a country or trunk prefix, the others only as whole numbers.
PHONES = [
    "7011234567",  # the reporter's: +77011234567, 8 701 123 45 67, (701) 123-45-67...
    "701123456",  # the mistyped one below
    "9000000000",  # the recruiter's, in the account of events
]
WHOLE_NUMBERS = [IIN, "700315450121", "050000"]  # the IIN, a mistyped IIN, the postcode


def needles(text: str) -> list[str]:
    """The text as it would appear in a log: as is, JSON-escaped, as bytes in a repr."""
    return [
        text.casefold(),
        json.dumps(text)[1:-1].casefold(),
        str(text.encode())[2:-1].casefold(),
    ]


GAP = r"[\s\-.()]{0,3}"
PATTERNS = [re.compile(GAP.join(number) + r"(?!\d)") for number in PHONES] + [
    re.compile(r"(?<!\d)" + GAP.join(number) + r"(?!\d)") for number in WHOLE_NUMBERS
]
NEEDLES = [n for text in PERSONAL for n in needles(text)]


def record_texts(record: logging.LogRecord) -> list[str]:
    """Everything a handler could write for this record."""
    found = [str(record.msg), repr(record.args)]
    try:
        found.append(record.getMessage())
    except Exception as exc:  # noqa: BLE001 - a broken record is reported, not hidden
        found.append(f"unformattable record: {exc!r}")
    if record.exc_info:
        found.append(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        found.append(record.exc_text)
    if record.stack_info:
        found.append(record.stack_info)
    return found


def leaks(records: list[logging.LogRecord]) -> list[str]:
    found = []
    for record in records:
        for text in record_texts(record):
            folded = text.casefold()
            hits = [n for n in NEEDLES if n in folded]
            hits += [p.pattern for p in PATTERNS if p.search(text)]
            if hits:
                found.append(f"{record.name} {record.levelname}: {hits[:3]} in {text[:300]!r}")
    return found


async def step_of(chat: Chat) -> str | None:
    draft = await chat.bot.services.store.get_draft(chat.user_id)
    return draft.step if draft else None


def bad_inputs(chat: Chat) -> dict[str, list[Callable[[], object]]]:
    make = chat.make
    return {
        "r_name": [
            lambda: make.text("Айгүл 2"),
            lambda: make.edited("Айгүл Төлөгөнова-Серік"),
            lambda: make.text("Айгүл Төлөгөнова " * 400),
            make.sticker,
        ],
        "r_phone": [lambda: make.text("позвоните мне 8 701 123 45 6")],
        "r_email": [lambda: make.text("aigul@@example.kz")],
        "r_id": [lambda: make.text("700315450121")],
        "m_birth": [lambda: make.text("31.02.1994")],
        "m_passport": [lambda: make.text("N1 Айгүл")],
        "m_photo": [lambda: make.document("Әлібек.exe", "application/x-msdownload")],
        "evidence": [
            lambda: make.document(
                "паспорт сына Айгүл.exe", "application/x-msdownload", caption="паспорт сына"
            ),
            lambda: make.document("Әлібек.pdf", size=25_000_000, caption="паспорт сына"),
            lambda: make.text("паспорт сына"),
        ],
    }


async def report_with_detours(bot: Bot, chat: Chat) -> None:
    """KZ_REPORT with bad inputs at their questions and Bot API failures on the way."""
    bad = bad_inputs(chat)
    for action in KZ_REPORT:
        step = await step_of(chat)
        for make_update in bad.pop(step or "", []):
            await chat.process(make_update())  # type: ignore[arg-type]
        if step == "r_gender":  # the tapped message cannot be edited: the reply is sent
            bot.api.fail_next(
                "editMessageText", Fault(400, "Bad Request: message to edit not found")
            )
        if step == "e_story":  # the answer is stored, the next question never arrives
            bot.api.fail_next("sendMessage", Fault(timeout=True))
        if step == "e_resp":
            bot.api.fail_next("answerCallbackQuery", Fault(network=True))
        await fill(chat, [action])
        if step in ("e_story", "e_resp"):
            await chat.send("/start")  # the family asks again and goes on
            if await step_of(chat) == step:  # the failed tap was not applied: tap again
                await fill(chat, [action])
    assert not bad, f"never reached: {list(bad)}"
    assert await step_of(chat) == q.REVIEW


async def test_no_personal_data_in_any_log_record(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger and the capturing handler
    bot = await Bot.start(tmp_path)
    try:
        chat = bot.chat(300, "kk")
        await consent(chat, "kk")
        await report_with_detours(bot, chat)
        await chat.press("confirm")
        case = (await bot.services.store.cases_of(300))[0]
        # The letters, as tests/test_letters_chat.py prepares them, names and account kept.
        await chat.press(f"letters:prepare:{case.id}")
        await chat.press("all")
        bot.api.fail_next("sendDocument", Fault(network=True))
        await chat.press(f"letters:language:{case.id}:kk")
        await give_translations(chat)  # then fails on the first document
        await chat.press_data(f"letters:prepare:{case.id}")  # prepared again, whole this time
        rows = await bot.services.letters.store.letters_of(case.id)
        assert bot.api.sent(300, "sendDocument")
        await chat.press_data(f"letters:text:{rows[0].id}")
        await chat.send("/letters")
        await chat.send(f"/case {case.number}")
        await chat.send("/mycases")
        bot.api.fail_next("sendMessage", Fault(403, "Forbidden: bot was blocked by the user"))
        await chat.send("/help")
        other = bot.chat(301, "ru")  # someone else asks for the case
        await other.send(f"/case {case.number}")
        await chat.send("/delete")
        await chat.press("delete:y")
        assert await bot.services.store.get_user(300) is None
    finally:
        await bot.stop()

    records = caplog.records
    # The capture really saw everything: debug output, and failures with their tracebacks.
    assert any(r.levelno == logging.DEBUG for r in records)
    assert any(
        r.levelno == logging.ERROR and "failed" in r.getMessage() and r.exc_info for r in records
    )
    assert not leaks(records), "\n".join(leaks(records)[:20])
