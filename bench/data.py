"""Databases the benchmark starts from, filled quickly and never through the bot.

Stored cases come from ``bot.exports.synthetic.generate`` (made-up cases with
letters, replies and events, written with ``executemany`` in large
transactions); reminder rows are added here with ``executemany`` as well.
Every database is sealed with a key, as the real bot's must be.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.app import Services, open_services
from bot.clock import Clock
from bot.config import Config
from bot.exports.synthetic import generate
from bot.storage.crypto import Cipher
from bot.storage.database import Database
from bot.storage.followup import NewReminder

# The bot's clock during the benchmark (the tests' START): 14:00 in Almaty, outside the
# quiet hours of reminders, and after the dates the standard report mentions.
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def config_for(path: Path, key: str) -> Config:
    return Config(db_path=path, data_dir=path.parent, encryption_key=key)


async def services_for(path: Path, key: str, clock: Clock) -> Services:
    return await open_services(config_for(path, key), clock)


async def stored_cases(path: Path, cases: int, key: str) -> float:
    """A database with ``cases`` synthetic cases; returns the seconds it took."""
    began = time.perf_counter()
    db = Database(path, cipher=Cipher(key))
    await db.open(check=False)
    try:
        await generate(db, cases)
    finally:
        await db.close()
    return time.perf_counter() - began


@dataclass
class ReminderRows:
    letters: int  # sent letters still waiting for an answer
    rows: int  # reminder rows in total
    pending: int  # not sent, not cancelled
    due: int  # pending and due at NOW


def _ts(moment: datetime) -> str:
    """Timestamps as the storage layer writes them (sorted as text)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def add_reminders(path: Path, now: datetime = NOW) -> ReminderRows:
    """Two reminders per open sent letter, as ``FollowupService.reminders_for`` writes them:
    'prepare' three days before the deadline and 'overdue' the day after. Those due more
    than a day before ``now`` are marked sent, like a bot that has been running all along,
    so the pending ones are the recent backlog and the future. Rows are streamed from the
    letters to the insert, never held in a list."""
    cutoff = now - timedelta(days=1)
    letters = 0

    def rows(cursor: sqlite3.Cursor) -> Iterator[tuple[object, ...]]:
        nonlocal letters
        for letter_id, case_id, user_id, due_on in cursor:
            letters += 1
            deadline = datetime.combine(
                date.fromisoformat(due_on), datetime.min.time(), UTC
            ) + timedelta(hours=5)  # 10:00 in Almaty
            for kind, at in (
                ("prepare", deadline - timedelta(days=3)),
                ("overdue", deadline + timedelta(days=1)),
            ):
                sent_at = _ts(at) if at < cutoff else None
                yield (user_id, case_id, letter_id, kind, _ts(at), sent_at, _ts(at))

    conn = sqlite3.connect(path)
    try:
        source = conn.cursor().execute(
            """SELECT l.id, l.case_id, c.reporter_id, l.due_on FROM letters l
               JOIN cases c ON c.id = l.case_id
               WHERE l.sent_on IS NOT NULL AND l.closed = 0 AND l.due_on IS NOT NULL"""
        )
        with conn:
            conn.executemany(
                """INSERT OR IGNORE INTO reminders(user_id, case_id, letter_id, kind, due_at,
                                                   sent_at, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                rows(source),
            )
        pending, due = conn.execute(
            """SELECT COUNT(*), COALESCE(SUM(due_at <= ?), 0) FROM reminders
               WHERE sent_at IS NULL AND cancelled_at IS NULL""",
            (_ts(now),),
        ).fetchone()
        total = conn.execute("SELECT COUNT(*) FROM reminders").fetchone()[0]
    finally:
        conn.close()
    return ReminderRows(letters, total, pending, due)


FANOUT_BODIES = (
    "embassy_kz",
    "mfa_kz",
    "ombudsman_kz",
    "prosecutor_general",
    "investigative_committee",
    "icrc",
)


async def fanout_reminders(
    services: Services, chats: int, per_chat: int, interleaved: bool, first_user: int = 5_000_000
) -> int:
    """``chats`` families with one case and ``per_chat`` sent letters each, and one 'prepare'
    reminder per letter, due now. Written through the storage classes, as the bot does.

    Clumped (``interleaved=False``): all due at the same moment, so ``due()`` returns them
    in insertion order, a family's reminders one after another, which is what happens when
    a family marks several letters as sent together. Interleaved: due times staggered so
    that consecutive reminders go to different chats."""
    s = services
    now = s.clock.now()
    base = now - timedelta(minutes=1)
    directory = s.letters.directory
    bodies = [(b, directory[b].letter_kind) for b in FANOUT_BODIES[:per_chat]]
    for i in range(chats):
        uid = first_user + i
        user = await s.store.create_user(uid, uid, "ru", now)
        case = await s.store.create_case(uid, "KZ", {}, "KZ", now)
        await s.letters.store.add_letters(case.id, [(b, k, "", True) for b, k in bodies], now)
        rows = await s.letters.store.letters_of(case.id)
        reminders = [
            NewReminder(
                user.user_id,
                case.id,
                row.id,
                "prepare",
                base + timedelta(milliseconds=(j * chats + i) if interleaved else 0),
            )
            for j, row in enumerate(rows)
        ]
        sent_on = now.date() - timedelta(days=20)
        await s.followup.store.mark_sent(
            [(row, sent_on + timedelta(days=30)) for row in rows],
            sent_on,
            "post",
            None,
            reminders,
            now,
            uid,
        )
    return chats * len(bodies)
