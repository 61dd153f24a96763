"""Backups on a schedule: a consistent copy of the live database, the newest N kept.

Each copy is SQLite's online backup (``bot.storage.maintenance.backup``), taken in a
thread while the bot keeps serving, named after its UTC time so that names sort by
age, and readable by its owner only (it holds what the database holds: sealed values
stay sealed, and the copy needs the same key). Restoring is copying one back while
the bot is stopped (README, "Backups").
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

from bot.storage.maintenance import backup

PREFIX = "izdeu-"
SUFFIX = ".sqlite3"


def backup_name(now: datetime) -> str:
    return f"{PREFIX}{now.astimezone(UTC):%Y%m%d-%H%M%S}{SUFFIX}"


def backups_in(folder: Path) -> list[Path]:
    """The scheduled backups in ``folder``, oldest first (other files are left alone)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX) and p.is_file()
    )


async def scheduled_backup(db_path: Path, folder: Path, keep: int, now: datetime) -> Path:
    """Write a new backup, then remove all but the ``keep`` newest; returns the new one."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    target = folder / backup_name(now)
    partial = target.with_name(target.name + ".part")
    try:
        await asyncio.to_thread(backup, db_path, partial)
        os.chmod(partial, 0o600)
    except BaseException:
        partial.unlink(missing_ok=True)  # a full disk must not fill up with half copies
        raise
    # Renamed only once complete: a copy cut short by a crash is never taken for a backup.
    partial.replace(target)
    for old in backups_in(folder)[:-keep] if keep > 0 else []:
        old.unlink()
    return target
