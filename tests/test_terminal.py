"""The offline chat shows every kind of message the bot sends and refuses what it cannot send.

It drives the real application through ``TerminalChat.feed``, the same path as ``make run``
without a token, and reads what was printed.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain import questions as q
from handlers.terminal import MAX_MESSAGE, USER_ID, TerminalChat
from tests.support import KZ_REPORT, Bot


@pytest.fixture
async def offline(tmp_path: Path) -> AsyncIterator[tuple[Bot, TerminalChat, io.StringIO]]:
    bot = await Bot.start(tmp_path, admin_ids=frozenset({USER_ID}))
    out = io.StringIO()
    chat = TerminalChat(
        bot.app, bot.api, out=out, downloads=tmp_path / "files", language_code="ru", tty=True
    )
    await bot.app.start()
    try:
        yield bot, chat, out
    finally:
        await bot.stop()


async def printed_after(chat: TerminalChat, out: io.StringIO, line: str) -> str:
    start = len(out.getvalue())
    await chat.feed(line)
    return out.getvalue()[start:]


async def test_stats_charts_arrive_as_an_album_with_captions(offline, tmp_path: Path) -> None:
    bot, chat, out = offline
    shown = await printed_after(chat, out, "/stats")
    t = bot.t("ru")
    assert "[album of 8]" in shown
    assert t("Cases by region") in shown and t("New cases per week") in shown
    saved = sorted((tmp_path / "files").iterdir())
    assert len(saved) == 8 and all(p.read_bytes().startswith(b"\x89PNG") for p in saved)


async def test_documents_edits_and_notices_are_shown(offline, tmp_path: Path) -> None:
    bot, chat, out = offline
    await chat.feed("/start")
    shown = await printed_after(chat, out, "2")  # Русский
    assert "[edited]" in shown  # the pressed language message becomes the next step
    await chat.feed("1")  # I agree
    assert bot.t("ru")(q.BY_KEY["r_name"].prompt) in out.getvalue()
    shown = await printed_after(chat, out, "/export")
    label = bot.t("ru")("JSON, everything")
    [number] = [
        line.split("]")[0].strip(" [")
        for line in shown.splitlines()
        if line.endswith("] " + label)
    ]
    shown = await printed_after(chat, out, number)
    assert "[document]" in shown and any((tmp_path / "files").glob("*.json"))


async def test_an_over_long_line_is_refused_not_cut(offline) -> None:
    bot, chat, out = offline
    await chat.feed("/start")
    await chat.feed("2")
    await chat.feed("1")
    before = len(bot.api.calls)
    shown = await printed_after(chat, out, "Ә" * (MAX_MESSAGE + 1))
    assert "not sent" in shown and str(MAX_MESSAGE) in shown
    shown = await printed_after(chat, out, "a" * 4095)  # a terminal may have cut this
    assert "not sent" in shown
    assert len(bot.api.calls) == before  # nothing reached the bot
    draft = await bot.services.store.get_draft(USER_ID)
    assert draft is not None and draft.step == "r_name" and not draft.answers


async def test_a_number_without_such_button_is_not_sent_as_text(offline) -> None:
    bot, chat, out = offline
    await chat.feed("/start")
    await chat.feed("2")
    await chat.feed("1")
    for action, value in KZ_REPORT[:2]:
        await chat.feed(value if action == "send" else "1")
    shown = await printed_after(chat, out, "99")
    assert "there is no button 99" in shown
    draft = await bot.services.store.get_draft(USER_ID)
    assert draft is not None and draft.step == "r_gender"
