from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import Bot
from tests.web_support import DeskRun


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """The real application on a fresh SQLite file, talking to the local Bot API stand-in."""
    running = await Bot.start(tmp_path)
    yield running
    await running.stop()


@pytest.fixture
async def desk(bot: Bot) -> AsyncIterator[DeskRun]:
    """The browser desk beside the bot, on a free port (``tests.web_support``)."""
    running = await DeskRun.start(bot)
    yield running
    await running.stop()
