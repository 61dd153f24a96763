"""The report's use cases around consent and language, without Telegram."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.services.errors import NotFound
from bot.services.report import ReportService
from bot.storage.database import Database
from bot.storage.store import Store

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


async def test_consent_creates_the_person_once_and_the_language_can_change(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "r.sqlite3")
    await db.open()
    store = Store(db)
    report = ReportService(store, ManualClock(NOW))
    assert await store.get_user(5) is None  # nothing before consent
    first = await report.agree(5, 500, "kk")
    again = await report.agree(5, 500, "ru")  # an old consent button pressed again
    assert (first.user_id, first.locale) == (again.user_id, again.locale) == (5, "kk")
    changed = await report.change_language(first, "ky")
    stored = await store.get_user(5)
    assert changed.locale == "ky" and stored is not None and stored.locale == "ky"
    await store.delete_user_data(5, NOW)
    with pytest.raises(NotFound):
        await report.change_language(first, "ru")
    await db.close()
