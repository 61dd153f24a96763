"""The database's log is copied into the file by the checkpoint job, on a connection of its
own, and the bot's writer reuses the file from its start instead of cutting it (cutting a
large file on the loop's thread kept families waiting). The file is cut, in small steps,
only where it must be: when it grew large, and to nothing by ``empty_log``."""

from __future__ import annotations

import asyncio
import os
import sqlite3

import pytest

from bot.exports.synthetic import generate
from bot.storage import database
from bot.storage.maintenance import passive_checkpoint
from tests.support import Bot

PAGE = 4096  # SQLite's default page size
NEARLY_EMPTY = 32 + 24 + PAGE  # the log's header and the one page of its fresh start


def _log_bytes(bot: Bot) -> int:
    return os.path.getsize(f"{bot.config.db_path}-wal")


def _cases(bot: Bot) -> int:
    raw = sqlite3.connect(bot.config.db_path)
    try:
        return int(raw.execute("SELECT COUNT(*) FROM cases").fetchone()[0])
    finally:
        raw.close()


async def test_the_checkpoint_job_copies_the_log_and_the_bot_reuses_its_file(bot: Bot) -> None:
    bot.services.checkpoint_by_job()
    await generate(bot.services.db, 30)
    grown = _log_bytes(bot)
    assert grown > 20 * PAGE
    await bot.services.checkpoint()
    assert _log_bytes(bot) == grown  # not cut: far below the size the job keeps
    chat = bot.chat(7001, "kk")
    await chat.send("/start")  # a family's first update writes as before
    assert chat.last_with_buttons().buttons()
    assert _log_bytes(bot) == grown  # written from the file's start, not appended
    assert _cases(bot) == 30


async def test_a_log_larger_than_kept_is_cut_down_in_steps_and_emptied(bot: Bot) -> None:
    bot.services.checkpoint_by_job()
    db = bot.services.db
    await generate(db, 60)
    assert _log_bytes(bot) > 40 * PAGE
    await passive_checkpoint(db, keep=16 * PAGE)
    assert _log_bytes(bot) == 16 * PAGE
    assert await db.cut_log(0, step=4 * PAGE)
    assert _log_bytes(bot) <= NEARLY_EMPTY
    await generate(db, 5)
    assert await db.empty_log()  # what a family's /delete and a retention run end with
    assert _log_bytes(bot) <= NEARLY_EMPTY
    assert _cases(bot) == 65
    chat = bot.chat(7002, "ru")
    await chat.send("/start")
    assert chat.last_with_buttons().buttons()


async def test_a_fresh_start_without_a_cut_keeps_the_file_for_the_next_writes(bot: Bot) -> None:
    """What a long retention run does every second, so its log does not grow by hundreds
    of MB: copied, started afresh, and written again from the start of the same file."""
    bot.services.checkpoint_by_job()
    db = bot.services.db
    await generate(db, 30)
    grown = _log_bytes(bot)
    assert await db.cut_log(-1)
    assert _log_bytes(bot) == grown
    await generate(db, 2)
    assert _log_bytes(bot) == grown
    assert _cases(bot) == 32


async def test_a_log_held_back_by_a_long_read_is_not_cut_under_the_writers_lock(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export reads one snapshot for a minute or more. Meanwhile the log cannot start
    afresh, and each attempt to cut it used to hold every family's write: the cut gives up
    without taking the writer's lock (here held by someone else the whole time)."""
    monkeypatch.setattr(database, "CUT_MISSES", 3)
    bot.services.checkpoint_by_job()
    db = bot.services.db
    await generate(db, 10)
    reader = sqlite3.connect(bot.config.db_path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM cases").fetchone()  # its snapshot starts here
        await generate(db, 10)
        async with db.lock:
            # a hang guard, not a timing: a cut that waited for the lock would never end
            assert not await asyncio.wait_for(db.cut_log(0, step=4 * PAGE), 60)
    finally:
        reader.close()
    assert await db.cut_log(0, step=4 * PAGE)  # once the read is over, the cut goes through
    assert _log_bytes(bot) <= NEARLY_EMPTY
    assert _cases(bot) == 20
