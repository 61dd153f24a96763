"""SQL of the report on the bodies' conduct: per body, counted in SQL over every letter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.storage.database import Database
from bot.storage.store import record_audit


@dataclass(frozen=True)
class BodyCounts:
    """Raw counts of one body (before any suppression), and the days each answer took."""

    addressee_id: str
    letters: int  # letters sent to it
    in_time: int  # first reply on or before the legal due date
    late: int  # first reply after it
    never: int  # no reply, and the due date has passed
    waiting: int  # no reply yet, still within the term
    form_marked: int  # letters whose reply the family or a caseworker marked a form reply
    form_matched: int  # letters whose reply's text matches other families' (not rejected)
    days: tuple[int, ...]  # days from sending to the first reply


_FIRST = """
WITH first AS (
    SELECT letter_id, MIN(received_on) AS first_on,
           MAX(outcome = 'form') AS marked,
           MAX(copies > 0 AND COALESCE(copy_review, '') != 'rejected') AS matched
      FROM replies GROUP BY letter_id)
"""
_COUNTS = (
    _FIRST
    + """
SELECT l.addressee_id, COUNT(*),
       SUM(f.first_on IS NOT NULL AND (l.due_on IS NULL OR f.first_on <= l.due_on)),
       SUM(f.first_on IS NOT NULL AND f.first_on > l.due_on),
       SUM(f.first_on IS NULL AND l.due_on < :today),
       SUM(f.first_on IS NULL AND (l.due_on IS NULL OR l.due_on >= :today)),
       SUM(COALESCE(f.marked, 0)), SUM(COALESCE(f.matched, 0))
  FROM letters l LEFT JOIN first f ON f.letter_id = l.id
 WHERE l.sent_on IS NOT NULL
 GROUP BY l.addressee_id ORDER BY l.addressee_id
"""
)
# Days to the first answer, for the median (SQLite has no median function).
_DAYS = (
    _FIRST
    + """
SELECT l.addressee_id, CAST(julianday(f.first_on) - julianday(l.sent_on) AS INTEGER)
  FROM letters l JOIN first f ON f.letter_id = l.id
 WHERE l.sent_on IS NOT NULL
"""
)


async def body_counts(db: Database, today: date) -> list[BodyCounts]:
    """Every body written to, with its counts, counted in SQL over the sent letters."""
    days: dict[str, list[int]] = {}
    async with db.reading() as conn:
        counts = list(await conn.execute_fetchall(_COUNTS, {"today": today.isoformat()}))
        async with conn.execute(_DAYS) as cur:
            while rows := await cur.fetchmany(5000):
                for body, n in rows:
                    days.setdefault(body, []).append(max(int(n), 0))
    return [_counts(r, tuple(days.get(r[0], ()))) for r in counts]


def _counts(row: Sequence[Any], days: tuple[int, ...]) -> BodyCounts:
    letters, in_time, late, never, waiting, marked, matched = (int(x or 0) for x in row[1:8])
    return BodyCounts(row[0], letters, in_time, late, never, waiting, marked, matched, days)


async def record_report(db: Database, actor_id: int, now: datetime, locale: str) -> None:
    """The report is an export like the others: audited (who, when, in which language)."""
    async with db.transaction() as conn:
        await record_audit(
            conn, now, actor_id, "export", detail={"format": "bodies", "locale": locale}
        )
