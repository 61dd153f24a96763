"""An export of the chat runs in a process of its own, not in the bot's.

Writing 100,000 cases into a workbook is seconds of Python: in a thread of the bot
it competed with every family's update for the interpreter (families' p99 doubled,
and the export's objects stayed in the bot's memory). The child opens the database
read-only with the same keys, writes the file and returns what it wrote; the bot
records the export in the audit log, so the bot's process stays the only writer.

The child is started with ``spawn``: a fresh interpreter with nothing of the bot's
threads, connections or memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from pathlib import Path

from bot.clock import ManualClock
from bot.exports.service import Exporter, ExportResult
from bot.storage.crypto import Cipher
from bot.storage.database import Database
from bot.storage.exports import ExportFilter

TABLE_FORMATS = ("xlsx", "csv", "json")
EXPORT_NICENESS = 10  # added to the export process's niceness: the bot's process goes first


async def export_in_process(
    db_path: Path,
    keys: Sequence[str],
    fmt: str,
    out: Path,
    flt: ExportFilter,
    *,
    full: bool,
    today: date,
    now: datetime,
    options: dict[str, str] | None = None,
    priority: str = "idle",
) -> ExportResult:
    """Write the ``fmt`` export of ``flt`` to ``out`` in a child process; what it wrote.
    ``options`` go to the writer (the reader's locale and zone for the XLSX); ``priority``
    is how the process steps aside (``step_aside``). Nothing is recorded here: the caller
    writes the audit entry."""
    if fmt not in TABLE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        # Submitting starts the process (a fork and exec of the bot's whole process): in a
        # thread, not on the loop's (a callback of up to 90 ms at 100k cases).
        future = await asyncio.to_thread(
            pool.submit,
            _export,
            str(db_path),
            tuple(keys),
            fmt,
            str(out),
            flt,
            full,
            today,
            now,
            dict(options or {}),
            priority,
        )
        return await asyncio.wrap_future(future)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _export(
    db_path: str,
    keys: tuple[str, ...],
    fmt: str,
    out: str,
    flt: ExportFilter,
    full: bool,
    today: date,
    now: datetime,
    options: dict[str, str],
    priority: str,
) -> ExportResult:
    """In the child: the export, as the bot's own ``Exporter`` makes it, at a lower
    priority than the bot (its reader process inherits it): on a machine with two CPUs the
    export would otherwise take the CPU time families' answers need."""
    step_aside(priority)
    return asyncio.run(
        _export_async(Path(db_path), keys, fmt, Path(out), flt, full, today, now, options)
    )


def step_aside(priority: str = "idle") -> None:
    """For ``"idle"``: run only on CPU time nothing else wants (Linux's ``SCHED_IDLE``),
    and on one CPU. For ``"low"``: a higher niceness only, on any CPU, for a machine whose
    CPUs other work keeps busy (there an idle-scheduled export might never get a turn).

    A niceness of 10 still took about a tenth of a CPU from the bot at every turn
    (families' p99 1.8 times its value without the export, at 100k cases on two busy
    CPUs). Idle-scheduled, the export and its reader process still spread over every CPU
    and churned the caches the bot's threads came back to; kept to the last CPU, they
    leave the others to the bot (families' p99 during an export of 100k cases 7.0-8.8 ms
    instead of 9.6-10.7 ms, three runs each, see docs/benchmark.md). Elsewhere, or where
    that is refused, a higher niceness only."""
    with contextlib.suppress(OSError):
        os.nice(EXPORT_NICENESS)
    if priority != "idle":
        return
    idle = getattr(os, "SCHED_IDLE", None)  # Linux only
    if idle is not None:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, idle, os.sched_param(0))
    if hasattr(os, "sched_setaffinity"):  # Linux only; children inherit it
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})


async def _export_async(
    db_path: Path,
    keys: tuple[str, ...],
    fmt: str,
    out: Path,
    flt: ExportFilter,
    full: bool,
    today: date,
    now: datetime,
    options: dict[str, str],
) -> ExportResult:
    db = Database(db_path, cipher=Cipher(*keys))
    await db.open(check=False)  # the bot checked and migrated the file when it started
    try:
        exporter = Exporter(db, ManualClock(now), record=False)
        write = getattr(exporter, fmt)  # one of Exporter's format methods (FORMATS)
        result: ExportResult = await write(out, flt, actor_id=0, full=full, today=today, **options)
        return result
    finally:
        await db.close()
