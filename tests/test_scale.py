"""Caseworker lists that stay fast at scale, checked for what they show: /cases pages found
by keyset, /due as one message with pages (kk, ru, ky), statistics counted in SQL that
match the exported ones, and a retention run that keeps the region for statistics.
(How fast they are is measured by ``python -m bench.scale``, never here.)"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.exports import Exporter
from bot.exports.synthetic import generate
from bot.storage.crypto import new_key
from tests.support import Bot, Chat

CASEWORKER = 1  # an administrator in tests.support.Bot


def _numbers(chat: Chat) -> list[str]:
    """Case numbers on the buttons of the last list."""
    buttons = chat.last_with_buttons().buttons()
    return [text for text, data in buttons if data.startswith("staff:case:")]


def _newest_first(bot: Bot) -> list[str]:
    conn = sqlite3.connect(bot.config.db_path)
    try:
        return [
            r[0]
            for r in conn.execute("SELECT number FROM cases ORDER BY created_at DESC, id DESC")
        ]
    finally:
        conn.close()


@pytest.mark.parametrize("locale", ["kk", "ru", "ky"])
async def test_cases_pages_forward_and_back_show_every_case_once(bot: Bot, locale: str) -> None:
    await generate(bot.services.db, 20)
    t = bot.t(locale)
    chat = bot.chat(CASEWORKER, locale)
    await chat.send("/cases")
    assert chat.last_text().startswith(t("Cases: {n}", n=20) + " · 1/3")
    pages = [_numbers(chat)]
    for page in (2, 3):
        await chat.press("➡")
        assert chat.last_text().startswith(t("Cases: {n}", n=20) + f" · {page}/3")
        pages.append(_numbers(chat))
    assert [len(p) for p in pages] == [8, 8, 4]
    assert [n for p in pages for n in p] == _newest_first(bot)
    assert "➡" not in [text for text, _ in chat.last_with_buttons().buttons()]
    await chat.press("⬅")
    assert chat.last_text().startswith(t("Cases: {n}", n=20) + " · 2/3")
    assert _numbers(chat) == pages[1]


async def test_a_filtered_list_pages_through_matching_cases_only(bot: Bot) -> None:
    await generate(bot.services.db, 60)
    chat = bot.chat(CASEWORKER, "ru")
    await chat.send("/cases")
    await chat.press("filter:c:xx00x")  # citizenship: Kazakhstan
    conn = sqlite3.connect(bot.config.db_path)
    kz = {r[0] for r in conn.execute("SELECT number FROM cases WHERE citizenship = 'KZ'")}
    conn.close()
    seen = _numbers(chat)
    while "➡" in [text for text, _ in chat.last_with_buttons().buttons()]:
        await chat.press("➡")
        seen += _numbers(chat)
    assert sorted(seen) == sorted(kz)
    assert chat.last_text().startswith(bot.t("ru")("Cases: {n}", n=len(kz)))


async def test_an_old_page_button_without_a_cursor_shows_the_first_page(bot: Bot) -> None:
    await generate(bot.services.db, 20)
    chat = bot.chat(CASEWORKER, "ru")
    await chat.send("/cases")
    first = _numbers(chat)
    await chat.press_data("staff:page:2:xx00x")  # a page button without a cursor
    assert _numbers(chat) == first
    assert " · 1/3" in chat.last_text().splitlines()[0]


@pytest.mark.parametrize("locale", ["kk", "ru", "ky"])
async def test_due_is_one_message_whose_arrows_turn_the_page(bot: Bot, locale: str) -> None:
    await generate(bot.services.db, 20)
    t = bot.t(locale)
    chat = bot.chat(CASEWORKER, locale)
    before = len(chat.messages())
    await chat.send("/due")
    assert len(chat.messages()) == before + 1
    until = (bot.clock.now().date() + timedelta(days=7)).isoformat()
    every = await bot.services.staff.staff.due_letters(None, until)
    pages = -(-len(every) // 8)
    assert pages >= 2
    head = t("Letters overdue or due this week: {n}", n=len(every))
    first = chat.last()
    assert first.text.startswith(head + f" · 1/{pages}")
    listed = re.findall(r"^(\S+-\d{4}-\d{4}) · ", first.text, re.M)
    assert listed == [number for number, _ in every[:8]]
    await chat.press("➡")
    second = chat.last()
    assert second.method == "editMessageText"
    assert second.params["message_id"] == first.result["message_id"]
    assert second.text.startswith(head + f" · 2/{pages}")
    assert re.findall(r"^(\S+-\d{4}-\d{4}) · ", second.text, re.M) == [
        number for number, _ in every[8:16]
    ]
    await chat.press("⬅")
    assert chat.last().text == first.text
    assert len([c for c in chat.messages() if c.method == "sendMessage"]) == before + 1


async def test_statistics_counted_in_sql_match_the_exported_ones(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path, key=new_key())
    try:
        await generate(bot.services.db, 40)
        conn = sqlite3.connect(bot.config.db_path)  # a few cases closed long ago, to purge
        conn.execute(
            "UPDATE cases SET status = 'closed', updated_at = '2020-01-01' WHERE id % 5 = 0"
        )
        conn.commit()
        conn.close()
        exporter = Exporter(bot.services.db, bot.clock)
        today = bot.clock.now().date()
        out = tmp_path / "all.json"
        await exporter.json(out, actor_id=0, today=today)
        exported = json.loads(out.read_text())["stats"]
        unplaced = (await exporter.statistics(today=today)).as_dict()
        assert unplaced == exported  # no region written yet: every report opened
        assert await bot.services.fill_regions() == 40
        assert (await exporter.statistics(today=today)).as_dict() == exported
        assert await bot.services.purge_expired() >= 8
        purged = (await exporter.statistics(today=today)).as_dict()
        assert purged["by_region"] == exported["by_region"]  # the region outlives the data
    finally:
        await bot.stop()
