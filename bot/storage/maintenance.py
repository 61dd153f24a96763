"""SQL of maintenance: key rotation, online backup, retention purge."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.storage.crypto import Cipher
from bot.storage.database import Database
from bot.storage.name_tokens import drop_index, forget_case
from bot.storage.store import _ts, dump_answers, load_answers, record_audit

# (table, key column, sealed columns): every place personal data is stored.
SEALED_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("drafts", "user_id", ("answers", "pending")),
    ("cases", "id", ("answers", "translations")),
    ("letters", "id", ("text", "tracking", "reference")),
    ("replies", "id", ("summary", "file", "text")),
    ("notes", "id", ("text",)),
    ("forms", "user_id", ("data",)),
    ("un_submissions", "case_id", ("translations", "reference")),
    ("staff_profiles", "user_id", ("name",)),
    ("inbox", "seq", ("body",)),  # updates not processed yet (a crash, a stop)
    ("notices", "id", ("data",)),  # notices to other people not sent yet
)
CLOSED_STATUSES = ("closed", "returned", "dead")


async def reseal(db: Database, old: Cipher, new: Cipher, admin_ids: Iterable[int] = ()) -> int:
    """Open every sealed value with ``old`` and seal it with ``new``, give the stored user
    ids the new key's form and record the new key, all in one transaction.

    ``old`` seals with the key the database was sealed with (it computes the ids' old
    form) and opens with every earlier key; without keys it reads a clear database.
    ``admin_ids`` are the administrators' Telegram ids: they act without a chat id of
    their own stored, so the audit's ids of them are mapped through these."""
    from bot.storage import sealing

    exists, kid, _ = await sealing.recorded(db)
    changed = 0
    async with db.transaction() as conn:
        await conn.execute("PRAGMA defer_foreign_keys = ON")
        for table, key, columns in SEALED_COLUMNS:
            async with conn.execute(f"SELECT {key}, {', '.join(columns)} FROM {table}") as cur:
                rows = await cur.fetchall()
            for row in rows:
                values = [None if row[c] is None else new.seal(old.open(row[c])) for c in columns]
                sets = ", ".join(f"{c} = ?" for c in columns)
                await conn.execute(
                    f"UPDATE {table} SET {sets} WHERE {key} = ?", (*values, row[key])
                )
                changed += 1
        if exists and kid is not None:  # ids in the old key's form
            known = [*await sealing.telegram_ids(conn, old), *admin_ids]
            await sealing.remap_ids(conn, sealing.rekeyed(old, new, known))
        else:  # ids as Telegram gave them
            await sealing.remap_ids(conn, new.pseudonym)
        await sealing.seal_chat_ids(conn, old, new)
        await drop_index(conn)  # tokens of the old key; the bot makes them again
        await sealing.record(conn, new, datetime.now().astimezone())
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


# Cases per transaction, at most: its COMMIT writes every page the cases changed into the
# log, after the time budget below was looked at (at 100k cases, 50 cases held the writer
# 2.7 ms at the median, the COMMIT most of it; 5 cases 0.7 ms).
PURGE_BATCH = 8
# Each transaction runs on the event loop's thread and holds the writer: it stops taking
# cases once this much time has passed, so a family's answer arriving meanwhile waits
# about as long as its own handling takes (2-4 ms), not more.
WRITE_BUDGET = 0.002  # seconds
# During a run the log is copied into the database file this often, in a thread and
# holding no one (``Database.copy_log``), so that the cut at the end of the run
# (``empty_log``, in small steps) has little left to copy. It is not started afresh
# during the run: each small batch writes the same index pages into the log again, so
# its file grows (about 230 MB for 10,000 cases purged), but starting it afresh under
# the writer's lock every 0.3 s made families wait: their p99 went to 5x its value
# alone at 100k cases, against 0.8-1.7x without (docs/benchmark.md).
COPY_EVERY = 0.3  # seconds
# The closed statuses, written out as in the partial index cases_to_purge (migration 0010):
# SQLite uses a partial index only when the query repeats its condition literally. It is
# named in the query: otherwise SQLite prefers an index on the status and reads every
# closed case's row (and sealed report) for each batch.
_TO_PURGE = "purged_at IS NULL AND status IN ('closed', 'returned', 'dead')"


RegionOf = Callable[[dict[str, Any]], str]


async def purge_closed(
    db: Database, before: datetime, now: datetime, region_of: RegionOf | None = None
) -> int:
    """Remove personal data of cases closed before ``before``; keep numbers, codes, dates.

    Cases are found through an index of the closed cases not yet purged, and each
    transaction stops after ``WRITE_BUDGET``, then rests as long, letting other updates
    run in between: the run grows with the number of cases to purge, never with the size
    of the database, and never holds up the bot for long. The region of a case
    (``region_of`` its report) is written first if it was not yet, so statistics keep
    counting it."""
    purged = 0
    warm = sqlite3.connect(
        f"{db.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
    )
    copied = time.monotonic()
    try:
        while batch := await _purge_rested(db, warm, before, now, region_of):
            purged += batch
            if time.monotonic() - copied >= COPY_EVERY:
                await db.copy_log()  # the next batch starts the log afresh, in the same file
                copied = time.monotonic()
    finally:
        warm.close()
    if purged:
        await checkpoint(db)
    return purged


async def _purge_rested(
    db: Database,
    warm: sqlite3.Connection,
    before: datetime,
    now: datetime,
    region_of: RegionOf | None,
) -> int:
    """One batch: its rows read first in a thread (``_warm``), then purged on the loop's
    thread, then a rest as long as the batch took."""
    await asyncio.to_thread(_warm, warm, _ts(before))
    began = time.perf_counter()
    batch = await _purge_batch(db, before, now, region_of)
    # The clean-up takes at most half of the loop's time, and families' updates that
    # came meanwhile find the writer free.
    await asyncio.sleep(time.perf_counter() - began)
    return batch


_WARM = (
    "letters WHERE case_id IN ({ids})",
    "replies WHERE case_id IN ({ids})",
    "notes WHERE case_id IN ({ids})",
    "name_tokens WHERE case_id IN ({ids})",
    "un_submissions WHERE case_id IN ({ids})",
)


def _warm(conn: sqlite3.Connection, before: str) -> None:
    """Read the rows the next batch will write, so that their pages are in memory: at
    100k cases most are on disk, and a read from disk inside the write transaction, on
    the loop's thread, held the writer 45 ms where 2 ms was meant."""
    ids = [
        int(row[0])
        for row in conn.execute(
            f"""SELECT id, answers FROM cases INDEXED BY cases_to_purge
                WHERE {_TO_PURGE} AND updated_at < ? ORDER BY updated_at LIMIT ?""",
            (before, PURGE_BATCH),
        )
    ]
    if ids:
        marks = ",".join("?" * len(ids))
        for table in _WARM:
            conn.execute(f"SELECT * FROM {table.format(ids=marks)}", ids).fetchall()


async def checkpoint(db: Database) -> None:
    """Copy the log into the database file and empty it (``Database.empty_log``), so the
    pages a large clean-up overwrote are overwritten on disk too, without holding the
    writer while the copy runs."""
    await db.empty_log()


def leave_checkpoints_to_a_job(db: Database) -> None:
    """Stop SQLite's automatic checkpoint on the writer: it runs inside a COMMIT, on the
    loop's thread, copying up to 1,000 pages into the database file and syncing it (tens
    to hundreds of ms under load, while every family waits). ``passive_checkpoint`` must
    then run regularly (a job of the bot does, every 30 s)."""
    db.conn.raw.execute("PRAGMA wal_autocheckpoint = 0")


# The log file the checkpoint job leaves as it is: the writer reuses it from its start once
# it has been copied, and a larger file is cut down to this in small steps.
LOG_KEEP = 16 * 1024 * 1024  # bytes


async def passive_checkpoint(db: Database, keep: int = LOG_KEEP) -> None:
    """Copy the log into the database file on a connection of its own, in a thread; it
    never blocks the writer, whose next write then starts the log afresh in the same
    file (cheap). Only a file longer than ``keep`` (a large clean-up, an export's long
    read that kept the log from starting afresh) is cut, in small steps
    (``Database.cut_log``): cutting it whole took 75-180 ms per 300 MB, and the loop's
    writer waited."""
    if await asyncio.to_thread(_passive_checkpoint, db.path):
        await db.cut_log(keep)


def _passive_checkpoint(path: Path) -> bool:
    """True when the log had frames and every one of them is now in the database file."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        _, in_log, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return bool(in_log > 0 and copied == in_log)
    finally:
        conn.close()


async def _purge_batch(
    db: Database, before: datetime, now: datetime, region_of: RegionOf | None
) -> int:
    cipher = db.cipher
    done = 0
    async with db.transaction() as conn:
        began = time.perf_counter()
        async with conn.execute(
            f"""SELECT id, citizenship, region, answers FROM cases INDEXED BY cases_to_purge
                WHERE {_TO_PURGE} AND updated_at < ?
                ORDER BY updated_at LIMIT ?""",
            (_ts(before), PURGE_BATCH),
        ) as cur:
            rows = await cur.fetchall()
        for row in rows:
            case_id = row["id"]
            region = row["region"]
            if region is None and region_of is not None:
                region = region_of(load_answers(row["answers"], cipher))
            await conn.execute(
                "UPDATE cases SET answers = ?, translations = NULL, purged_at = ?, region = ? "
                "WHERE id = ?",
                (dump_answers({"m_cit": row["citizenship"]}, cipher), _ts(now), region, case_id),
            )
            await conn.execute(
                "UPDATE letters SET text = NULL, tracking = NULL, reference = NULL WHERE "
                "case_id = ?",
                (case_id,),
            )
            await conn.execute(
                "UPDATE replies SET summary = ?, file = NULL, text = NULL WHERE case_id = ?",
                (cipher.seal(""), case_id),
            )
            await conn.execute("DELETE FROM notes WHERE case_id = ?", (case_id,))
            await forget_case(conn, cipher, case_id)
            await conn.execute(
                "UPDATE un_submissions SET translations = NULL, reference = NULL "
                "WHERE case_id = ?",
                (case_id,),
            )
            await record_audit(conn, now, 0, "purge", case_id=case_id)
            done += 1
            if time.perf_counter() - began > WRITE_BUDGET:
                break
    return done


REGION_BATCH = 200  # cases per transaction when filling in their region


def _regions(
    rows: list[sqlite3.Row], cipher: Cipher, region_of_answers: RegionOf
) -> list[tuple[str, int]]:
    """(region, case id) of each row: the sealed reports opened, off the event loop."""
    return [(region_of_answers(load_answers(r["answers"], cipher)), r["id"]) for r in rows]


async def fill_regions(db: Database, region_of_answers: RegionOf) -> int:
    """Write the region of every case that has none yet (``cases.region``), in small
    batches: the sealed reports are opened in a thread, the short writes on the loop's.
    Statistics then count regions in SQL instead of opening every report."""
    filled = 0
    after = 0
    while True:
        async with db.reading() as reader:
            rows = list(
                await reader.execute_fetchall(
                    "SELECT id, answers FROM cases INDEXED BY cases_without_region "
                    "WHERE region IS NULL AND id > ? ORDER BY id LIMIT ?",
                    (after, REGION_BATCH),
                )
            )
        if not rows:
            return filled
        after = rows[-1]["id"]
        pairs = await asyncio.to_thread(_regions, rows, db.cipher, region_of_answers)
        async with db.transaction() as conn:
            await conn.executemany(
                "UPDATE cases SET region = ? WHERE id = ? AND region IS NULL", pairs
            )
        filled += len(pairs)
