from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import Bot


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """The real application on a fresh SQLite file, talking to the local Bot API stand-in."""
    running = await Bot.start(tmp_path)
    yield running
    await running.stop()
