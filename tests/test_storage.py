"""The SQLite layer: migrations, durability settings, refusing a broken file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.report_form import draft_at
from bot.storage.database import LATEST_VERSION, Database, StorageUnavailable, migrations
from bot.storage.store import DuplicateUpdate, Store

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


async def test_migrations_are_numbered_and_applied_once(tmp_path: Path) -> None:
    assert [v for v, _, _ in migrations()] == list(range(1, LATEST_VERSION + 1))
    db = Database(tmp_path / "a.sqlite3")
    await db.open()
    assert await db.version() == LATEST_VERSION
    async with db.reading() as conn:
        async with conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
    await db.close()
    again = Database(tmp_path / "a.sqlite3")
    await again.open()  # nothing left to apply; no error on the existing tables
    assert await again.version() == LATEST_VERSION
    await again.close()


async def test_answers_and_position_are_written_together(tmp_path: Path) -> None:
    db = Database(tmp_path / "b.sqlite3")
    await db.open()
    store = Store(db)
    await store.create_user(1, 1, "kk", NOW)
    draft = draft_at("r_rel", {"r_name": "Әлібек"}, ["r_name"])
    await store.save_draft(1, draft, NOW, update_id=10)
    with pytest.raises(DuplicateUpdate):
        moved = draft_at("r_gender", {"r_name": "Әлібек", "r_rel": "son"}, ["r_name", "r_rel"])
        await store.save_draft(1, moved, NOW, update_id=10)
    loaded = await store.get_draft(1)
    assert loaded is not None and loaded.step == "r_rel" and loaded.answers == {"r_name": "Әлібек"}
    await db.close()


async def test_case_numbers_count_per_country_and_year(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.sqlite3")
    await db.open()
    store = Store(db)
    await store.create_user(1, 1, "ru", NOW)
    numbers = [
        (await store.create_case(1, prefix, {"m_cit": prefix}, prefix, NOW)).number
        for prefix in ("KZ", "KG", "KZ")
    ]
    assert numbers == ["KZ-2026-0001", "KG-2026-0001", "KZ-2026-0002"]
    await db.close()


async def test_a_corrupt_file_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    db = Database(path)
    with pytest.raises(StorageUnavailable):
        await db.open()


async def test_a_write_transaction_runs_to_its_commit_without_letting_other_tasks_in(
    tmp_path: Path,
) -> None:
    """Writes never suspend: no other update's task runs between BEGIN and COMMIT, so the
    answer is durable before anything else happens, and nothing waits for the writer."""
    db = Database(tmp_path / "w.sqlite3")
    await db.open()
    store = Store(db)
    ran: list[str] = []

    async def other_update() -> None:
        ran.append("other")

    try:
        await store.create_user(1, 1, "kk", NOW)
        async with db.transaction() as conn:
            task = asyncio.ensure_future(other_update())
            for i in range(20):
                await conn.execute(
                    "UPDATE users SET locale = ? WHERE user_id = 1", ("ru" if i % 2 else "kk",)
                )
                ran.append("write")
        ran.append("committed")
        await task
        assert ran == ["write"] * 20 + ["committed", "other"]
        async with db.reading() as reader:
            rows = await reader.execute_fetchall("SELECT locale FROM users WHERE user_id = 1")
        assert rows[0][0] == "ru"
    finally:
        await db.close()


async def test_a_key_lookup_never_sees_a_transaction_that_is_still_open(tmp_path: Path) -> None:
    """Lookups of one row run on the writer's connection for speed, but not while it has
    a transaction open: then they go to the reader and see only what is committed."""
    db = Database(tmp_path / "l.sqlite3")
    await db.open()
    store = Store(db)
    try:
        await store.create_user(1, 1, "kk", NOW)
        async with db.looking_up() as conn:
            assert conn is db.conn  # no transaction: on the loop's own thread
        assert (await store.get_user(1)).locale == "kk"  # type: ignore[union-attr]
        async with db.transaction() as conn:
            await conn.execute("UPDATE users SET locale = 'ru' WHERE user_id = 1")
            async with db.looking_up() as looked:
                assert looked is not db.conn
            # Uncommitted: a lookup from another update must not see it.
            assert (await store.get_user(1)).locale == "kk"  # type: ignore[union-attr]
        assert (await store.get_user(1)).locale == "ru"  # type: ignore[union-attr]
    finally:
        await db.close()
