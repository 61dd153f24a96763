"""The database's log is copied into the file and its file cut by the
checkpoint job, on connections of its own (the loop's writer never cuts a large file),
and the bot goes on writing and reading as before."""

from __future__ import annotations

import os
import sqlite3

from bot.exports.synthetic import generate
from tests.support import Bot

PAGE = 4096  # SQLite's default page size


def _log_bytes(bot: Bot) -> int:
    return os.path.getsize(f"{bot.config.db_path}-wal")


async def test_the_checkpoint_job_empties_the_log_and_the_bot_writes_on(bot: Bot) -> None:
    bot.services.checkpoint_by_job()
    await generate(bot.services.db, 30)
    assert _log_bytes(bot) > 20 * PAGE
    await bot.services.checkpoint()
    # what is left is the log's header and the one page its fresh start wrote
    assert _log_bytes(bot) <= 32 + 24 + PAGE
    raw = sqlite3.connect(bot.config.db_path)
    try:
        assert raw.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 30
    finally:
        raw.close()
    chat = bot.chat(7001, "kk")
    await chat.send("/start")  # a family's first update writes as before
    assert chat.last_with_buttons().buttons()
    assert _log_bytes(bot) > 32 + 24 + PAGE
