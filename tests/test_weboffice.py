"""The desk's statistics (kept a few minutes, every view audited) and its SVG charts,
on a real SQLite file without Telegram."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Services, open_services
from bot.clock import ManualClock
from bot.config import Config
from bot.exports.svg import desk_charts, svg
from bot.i18n import default_catalogs
from bot.services.errors import NotAllowed
from bot.services.staff import Actor, Role
from bot.services.weboffice import STATS_FRESH
from bot.storage.crypto import new_key

ADMIN = Actor(1, Role.ADMIN)
CASEWORKER = Actor(2, Role.CASEWORKER)
VOLUNTEER = Actor(3, Role.VOLUNTEER)
TODAY = date(2026, 5, 4)


@pytest.fixture
async def s(tmp_path: Path) -> AsyncIterator[Services]:
    clock = ManualClock(datetime(2026, 5, 4, 9, tzinfo=UTC))
    config = Config(
        db_path=tmp_path / "izdeu.sqlite3", encryption_key=new_key(), admin_ids=frozenset({1})
    )
    opened = await open_services(config, clock)
    now = clock.now()
    admin = opened.user_key(1)  # administrators are configured by Telegram id
    for user, role in ((2, "caseworker"), (3, "volunteer"), (4, "volunteer")):
        later = now + timedelta(days=1)
        await opened.staff.staff.create_invitation(f"c{user}", role, admin, now, later)
        await opened.staff.staff.redeem(f"c{user}", user, user, "ru", now)
        await opened.staff.staff.save_name(user, f"Name{user}", now)
    await opened.staff.staff.save_name(admin, "Дана", now)
    yield opened
    await opened.close()


async def case_with_letters(s: Services, family: int, dues: list[int], body: str) -> int:
    """A case with sent letters due ``dues`` days from today (negative: overdue)."""
    now = s.clock.now()
    await s.store.create_user(family, family, "ru", now)
    case = await s.store.create_case(family, "KZ", {"m_cit": "KZ"}, "KZ", now)
    async with s.db.transaction() as conn:
        for i, days in enumerate(dues):
            await conn.execute(
                """INSERT INTO letters(case_id, addressee_id, kind, created_at, updated_at,
                                       sent_on, channel, due_on, parent_id)
                   VALUES (?, ?, ?, ?, ?, ?, 'email', ?, NULL)""",
                (
                    case.id,
                    body,
                    f"request{i}",
                    now.isoformat(),
                    now.isoformat(),
                    (TODAY - timedelta(days=20)).isoformat(),
                    (TODAY + timedelta(days=days)).isoformat(),
                ),
            )
    return case.id


async def test_statistics_are_for_caseworkers_and_audited(s: Services) -> None:
    await case_with_letters(s, 111, [-1], "prosecutor_general")
    with pytest.raises(NotAllowed):
        await s.office.statistics(VOLUNTEER)
    with pytest.raises(NotAllowed):
        s.office.export_formats(VOLUNTEER)
    assert s.office.export_formats(CASEWORKER) == ("xlsx", "csv", "json", "stats")
    stats = (await s.office.statistics(CASEWORKER)).figures.statistics
    assert stats.cases == 1 and stats.overdue == 1
    entry = (await s.staff.audit.entries(limit=1))[0]
    assert (entry.action, entry.detail["format"]) == ("export", "charts")
    # Kept five minutes, then shown once more while counted again in the background.
    await case_with_letters(s, 112, [], "prosecutor_general")
    assert (await s.office.statistics(CASEWORKER)).figures.statistics.cases == 1
    s.clock.advance(STATS_FRESH)
    assert (await s.office.statistics(CASEWORKER)).figures.statistics.cases == 1
    for _ in range(100):
        counted = await s.office.statistics(CASEWORKER)
        if counted.figures.statistics.cases == 2:
            break
        await asyncio.sleep(0.05)
    assert counted.figures.statistics.cases == 2 and counted.at == s.clock.now()
    views = [e for e in await s.staff.audit.entries(limit=50) if e.action == "export"]
    assert len(views) >= 4  # every view is recorded, counted or kept


async def test_the_charts_are_svg_with_their_numbers_as_text(s: Services) -> None:
    await case_with_letters(s, 121, [-1, 2], "prosecutor_general")
    stats = (await s.office.statistics(ADMIN)).figures.statistics
    for locale, title in (("kk", "Істер"), ("ru", "Дела"), ("ky", "Иштер")):
        t = default_catalogs().get(locale)
        charts = desk_charts(stats, t)
        assert [c.key for c in charts][-1] == "form_share"
        drawn = {c.key: svg(c, t.number, t("No data")) for c in charts}
        assert title in drawn["status"]
        assert re.search(r"<title id=\"chart-overdue-t\">[^<]+</title>", drawn["overdue"])
        assert ">1</text>" in drawn["overdue"]  # the number, as text
        assert "<script" not in "".join(drawn.values())
        assert t("No data") in drawn["form_share"]  # no replies yet
    t = default_catalogs().get("ru")
    chart = next(c for c in desk_charts(stats, t) if c.key == "status")
    hostile = chart.__class__("x", "<b>&", ("<script>",), (1.0,))
    assert "<script>" not in svg(hostile, t.number, "-")
