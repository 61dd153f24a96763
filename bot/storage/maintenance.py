"""SQL of maintenance: key rotation, online backup, retention purge."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from pathlib import Path

from bot.storage.crypto import Cipher
from bot.storage.database import Database
from bot.storage.store import _ts, dump_answers, record_audit

# (table, key column, sealed columns): every place personal data is stored.
SEALED_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("drafts", "user_id", ("answers", "pending")),
    ("cases", "id", ("answers", "translations")),
    ("letters", "id", ("text", "tracking", "reference")),
    ("replies", "id", ("summary", "file")),
    ("notes", "id", ("text",)),
    ("forms", "user_id", ("data",)),
)
CLOSED_STATUSES = ("closed", "returned", "dead")


async def reseal(db: Database, old: Cipher, new: Cipher) -> int:
    """Open every sealed value with ``old`` and seal it with ``new``, in one transaction."""
    changed = 0
    async with db.transaction() as conn:
        for table, key, columns in SEALED_COLUMNS:
            async with conn.execute(f"SELECT {key}, {', '.join(columns)} FROM {table}") as cur:
                rows = await cur.fetchall()
            for row in rows:
                values = [None if row[c] is None else new.seal(old.open(row[c])) for c in columns]
                sets = ", ".join(f"{c} = ?" for c in columns)
                await conn.execute(f"UPDATE {table} SET {sets} WHERE {key} = ?", (*values, row[key]))
                changed += 1
    return changed


def backup(source: Path, target: Path) -> int:
    """A consistent copy of the live database (SQLite's online backup), page by page.

    It runs on its own connection, so the bot may keep writing meanwhile; the copy
    is a snapshot. Returns the number of pages copied.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=256)
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    return int(pages)


PURGE_BATCH = 50  # cases per transaction: each one is written on the event loop's thread


async def purge_closed(db: Database, before: datetime, now: datetime) -> int:
    """Remove personal data of cases closed before ``before``; keep numbers, codes, dates.

    A few cases per transaction, letting other updates run in between, so a first
    purge over thousands of closed cases does not hold up the bot."""
    purged = 0
    while batch := await _purge_batch(db, before, now):
        purged += batch
        await asyncio.sleep(0)
    if purged:
        async with db.lock:
            await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return purged


async def _purge_batch(db: Database, before: datetime, now: datetime) -> int:
    cipher = db.cipher
    async with db.transaction() as conn:
        async with conn.execute(
            f"""SELECT id, citizenship FROM cases WHERE purged_at IS NULL
                AND status IN ({', '.join('?' * len(CLOSED_STATUSES))}) AND updated_at < ?
                ORDER BY id LIMIT ?""",
            (*CLOSED_STATUSES, _ts(before), PURGE_BATCH)) as cur:
            rows = await cur.fetchall()
        for row in rows:
            case_id = row["id"]
            await conn.execute("UPDATE cases SET answers = ?, translations = NULL, purged_at = ? "
                               "WHERE id = ?",
                               (dump_answers({"m_cit": row["citizenship"]}, cipher), _ts(now), case_id))
            await conn.execute(
                "UPDATE letters SET text = NULL, tracking = NULL, reference = NULL WHERE case_id = ?",
                (case_id,))
            await conn.execute(
                "UPDATE replies SET summary = ?, file = NULL WHERE case_id = ?",
                (cipher.seal(""), case_id))
            await conn.execute("DELETE FROM notes WHERE case_id = ?", (case_id,))
            await record_audit(conn, now, 0, "purge", case_id=case_id)
    return len(rows)
