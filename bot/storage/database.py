"""Opening the SQLite file, applying numbered migrations, and serialising access.

Two connections. Writes go through one ``sqlite3`` connection used on the event
loop's own thread: a unit of work (an answer, the report's position and the
update's id) is a few statements on a few rows, about 0.1 ms, so it is finished
and committed before anything else runs, and the reply can follow at once.
Handing each statement to aiosqlite's thread instead costs two thread switches
per statement, and under load every switch back waits behind all other ready
tasks: the commit, and so the reply, waited tens of milliseconds for that.

Reads, which can be long (lists, exports, statistics), go to aiosqlite's
read-only connection in its own thread and never hold up the loop; in WAL mode
they see every committed transaction and never wait for the writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
import time
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path

import aiosqlite

from bot.storage.crypto import PLAIN, Cipher
from bot.storage.inline import InlineConnection

log = logging.getLogger(__name__)

# The log file is cut this much at a time (``Database.cut_log``), with this pause between
# the steps; a step whose write could not start the log afresh (a reader was still in it)
# is tried again, this many times in all.
LOG_CUT_STEP = 4 * 1024 * 1024
LOG_CUT_PAUSE = 0.01  # seconds
CUT_MISSES = 200

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class StorageUnavailable(RuntimeError):
    """The database cannot be used (read-only, full disk, corrupt): say so, do not crash-loop."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped in the package, in order."""
    found = []
    for entry in resources.files("bot.storage").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migration numbers must be 1..N without gaps: {versions}")
    return found


LATEST_VERSION = len(migrations())


class Database:
    """The writer (``conn``, used under ``lock`` for units of work) and the reader."""

    def __init__(self, path: Path, synchronous: str = "NORMAL", cipher: Cipher = PLAIN) -> None:
        self.path = path
        self.synchronous = synchronous
        self.cipher = cipher  # seals personal fields; see bot.storage.crypto
        # A transaction body never suspends, so the lock is only ever waited for when a
        # unit of work awaits something else between its statements.
        self.lock = asyncio.Lock()
        self._conn: InlineConnection | None = None
        self._reader: aiosqlite.Connection | None = None

    @property
    def conn(self) -> InlineConnection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def open(self, *, check: bool = True, target: int | None = None) -> None:
        """Connect, check the file, and migrate it (to ``target``, or to the newest schema)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            raw = sqlite3.connect(self.path, isolation_level=None)  # the loop's thread only
            raw.row_factory = sqlite3.Row
            self._conn = InlineConnection(raw)
            await self._conn.execute("PRAGMA journal_mode=WAL")
            await self._conn.execute(f"PRAGMA synchronous={self.synchronous}")
            await self._conn.execute("PRAGMA foreign_keys=ON")
            # Deleted personal data is overwritten on disk, not just unlinked.
            await self._conn.execute("PRAGMA secure_delete=ON")
            # Once the log has been copied into the database file, the next write starts
            # it afresh and reuses its file: it never cuts the file, which costs 130-180 ms
            # per 300 MB on this kind of disk and would be a family's commit on the loop's
            # thread. The file is cut in small steps by ``cut_log`` instead.
            await self._conn.execute("PRAGMA journal_size_limit=-1")
            await self._conn.execute("PRAGMA busy_timeout=5000")
            if check:
                await self._quick_check()
            await self.migrate(target)
            self._reader = await _connect_reader(self.path)
            self._reader.row_factory = aiosqlite.Row
        except (sqlite3.OperationalError, sqlite3.DatabaseError, OSError) as exc:
            await self.close()
            raise StorageUnavailable(f"cannot open database {self.path}: {exc}") from exc

    async def _quick_check(self) -> None:
        async with self.conn.execute("PRAGMA quick_check") as cur:
            row = await cur.fetchone()
        if row is None or row[0] != "ok":
            raise StorageUnavailable(f"database {self.path} failed its integrity check")

    async def version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self, target: int | None = None) -> int:
        """Apply every migration newer than the file's ``user_version``, each in a transaction."""
        current = await self.version()
        for version, name, sql in migrations():
            if version <= current or (target is not None and version > target):
                continue
            log.info("applying migration %s", name)
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(sql):
                    await self.conn.execute(statement)
                await self.conn.execute(f"PRAGMA user_version={version}")
                await self.conn.execute("COMMIT")
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            current = version
        return current

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[InlineConnection]:
        """A write transaction under the lock; committed before the caller replies."""
        async with self.lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def empty_log(self) -> bool:
        """Copy the whole log into the database file and cut the log file to nothing, so that
        text overwritten or deleted does not linger on disk; False if readers kept part of
        the log in use for too long (the next run of this goes on).

        The copy runs on a connection of its own in a thread (PASSIVE, never blocking the
        writer); then ``cut_log``. A TRUNCATE checkpoint would do the same while holding
        the writer, and the event loop, until every reader finished and the file was cut."""
        if not await asyncio.to_thread(_copy_log, self.path):
            return False
        return await self.cut_log(0)

    async def copy_log(self) -> bool:
        """Copy the log into the database file in a thread, holding no one: True when all
        of it is there. The bot's writer does not cut the log's file, so its next write
        then starts the log afresh in the same file at no cost; a family's write during
        the copy only makes it wait for the next one."""
        return await asyncio.to_thread(_copy_log, self.path, 3, 0.0)

    async def cut_log(self, keep: int, step: int = LOG_CUT_STEP) -> bool:
        """Cut the log file down to ``keep`` bytes, at most ``step`` bytes at a time; False
        if readers kept the log from starting afresh for too long.

        Each step holds the bot's writers for one tiny write on a connection of its own, in
        a thread: it starts the log afresh (all of it was copied just before) and cuts the
        file to its ``journal_size_limit``. Cutting 4 MB takes about 1 ms here, cutting
        300 MB at once 75-180 ms, while every family waited for the writer. Between the
        steps families' writes go on, and the log is copied again outside the lock."""
        if keep > 0 and _log_size(self.path) <= keep:
            return True
        misses = 0
        while True:
            limit = max(keep, _log_size(self.path) - step) if keep >= 0 else keep
            # Only a log copied to its end can start afresh: while a long read (an export)
            # holds part of it back, the attempt would hold every family's write for
            # nothing, up to CUT_MISSES times in a row.
            copied = await asyncio.to_thread(_copy_log, self.path, 1)
            restarted = False
            if copied:
                async with self.lock:
                    restarted = await asyncio.to_thread(_restart_log, self.path, limit)
            if restarted and limit == keep:
                return True
            if not restarted:
                misses += 1
                if misses > CUT_MISSES:
                    return False
            await asyncio.sleep(LOG_CUT_PAUSE)

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """The read-only connection: committed data only, never another task's open
        transaction, and no waiting for the writer."""
        if self._reader is None:
            raise RuntimeError("database is not open")
        yield self._reader

    @contextlib.asynccontextmanager
    async def looking_up(self) -> AsyncIterator[InlineConnection | aiosqlite.Connection]:
        """For reading one row by its key, which every update does several times (its
        user, its draft, whether it was handled before).

        Such a read takes microseconds on the writer's connection, on the loop's own
        thread; handed to the reader's thread it costs two thread switches and waits
        behind every other ready task. Only while the writer has no transaction open:
        the read never suspends, so none can open meanwhile, and it sees committed data
        only. Anything larger than one row stays on the reader (``reading``), where a
        slow query cannot hold up the loop."""
        conn = self.conn
        if conn.raw.in_transaction:
            async with self.reading() as reader:
                yield reader
        else:
            yield conn

    async def close(self) -> None:
        for name in ("_reader", "_conn"):
            conn = getattr(self, name)
            setattr(self, name, None)
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()


def _copy_log(path: Path, attempts: int = 40, pause: float = 0.05) -> bool:
    """PASSIVE checkpoints on a connection of this thread until every frame of the log is
    in the database file (a reader of an older snapshot can hold some back a moment)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for _ in range(attempts):
            _, in_log, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if copied == in_log:
                return True
            time.sleep(pause)
        return False
    finally:
        conn.close()


def _log_size(path: Path) -> int:
    try:
        return os.path.getsize(f"{path}-wal")
    except FileNotFoundError:
        return 0


def _restart_log(path: Path, limit: int) -> bool:
    """One tiny write (the schema version, unchanged) with ``journal_size_limit`` at
    ``limit``: if every frame of the log is in the database file and no reader still uses
    the log, the write starts the log afresh and cuts its file to ``limit`` bytes. True if
    it did (the log's header then has a new checkpoint number and salts)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        conn.execute(f"PRAGMA journal_size_limit={int(limit)}")  # per connection
        # What the bot wrote since the copy (a few frames): with every frame copied, this
        # write starts the log afresh; otherwise it would be the bot's next write.
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        before = _log_header(path)
        conn.execute("BEGIN IMMEDIATE")
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        conn.execute(f"PRAGMA user_version={int(version)}")
        conn.execute("COMMIT")
    finally:
        conn.close()
    return _log_header(path) != before


def _log_header(path: Path) -> bytes:
    """The log's checkpoint number and salts (bytes 12-23 of its header), which change
    whenever the log starts afresh."""
    try:
        with open(f"{path}-wal", "rb") as log_file:
            return log_file.read(24)[12:]
    except FileNotFoundError:
        return b""


async def _connect_reader(path: Path) -> aiosqlite.Connection:
    """Connect read-only. The file is opened once first with the standard library in a
    thread: if that fails, no worker thread of aiosqlite is started that would report
    its failure to an event loop that may be gone by then."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    await asyncio.to_thread(_probe_read_only, uri)
    return await aiosqlite.connect(uri, isolation_level=None, uri=True)


def _probe_read_only(uri: str) -> None:
    conn = sqlite3.connect(uri, uri=True)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    finally:
        conn.close()


def _statements(sql: str) -> list[str]:
    """Split a migration file into statements.

    Comments run from ``--`` to the end of the line (migrations hold no string
    literals with ``--`` or ``;``, and no triggers with bodies).
    """
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return [stmt.strip() for stmt in code.split(";") if stmt.strip()]
