"""A ``sqlite3`` connection with aiosqlite's awaitable interface, run on the caller's thread.

The storage layer writes through this (see ``bot.storage.database``): its code reads
the same as code for aiosqlite (``await conn.execute(...)``, ``async with
conn.execute(...) as cur``, ``await cur.fetchone()``), but nothing here ever
suspends, so a transaction written with it cannot be interleaved with another
task's statements and finishes in one go.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from typing import Any

# What sqlite3 binds: values by position, or by name.
Parameters = Sequence[Any] | Mapping[str, Any]


class InlineCursor:
    """A finished statement's cursor: rows are fetched without leaving the thread."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    async def fetchone(self) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._cursor.fetchone()
        return row

    async def fetchall(self) -> list[sqlite3.Row]:
        return self._cursor.fetchall()

    async def fetchmany(self, size: int) -> list[sqlite3.Row]:
        return self._cursor.fetchmany(size)

    async def close(self) -> None:
        self._cursor.close()


class InlineStatement:
    """What ``execute`` returns: awaited for its cursor, or used as ``async with``
    (which closes the cursor afterwards), as aiosqlite allows both."""

    def __init__(self, run: Callable[[], sqlite3.Cursor]) -> None:
        self._run = run
        self._cursor: InlineCursor | None = None

    def _result(self) -> InlineCursor:
        if self._cursor is None:
            self._cursor = InlineCursor(self._run())
        return self._cursor

    def __await__(self) -> Generator[Any, None, InlineCursor]:
        yield from ()  # a generator that never suspends
        return self._result()

    async def __aenter__(self) -> InlineCursor:
        return self._result()

    async def __aexit__(self, *exc: object) -> None:
        await self._result().close()


class InlineConnection:
    """The subset of ``aiosqlite.Connection`` the storage layer uses, without a thread."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.raw = conn

    def execute(self, sql: str, parameters: Parameters = ()) -> InlineStatement:
        return InlineStatement(lambda: self.raw.execute(sql, parameters))

    def executemany(self, sql: str, rows: Iterable[Parameters]) -> InlineStatement:
        return InlineStatement(lambda: self.raw.executemany(sql, rows))

    async def execute_fetchall(self, sql: str, parameters: Parameters = ()) -> list[sqlite3.Row]:
        return self.raw.execute(sql, parameters).fetchall()

    async def close(self) -> None:
        self.raw.close()
