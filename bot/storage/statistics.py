"""SQL of the statistics: every figure counted by SQLite in one pass over each table.

Counting in SQL reads the small readable columns through indexes instead of streaming
and opening every sealed report, so ``/stats`` takes a fraction of a second at 100,000
cases. Only cases whose region is not yet written (``cases.region``, filled in batches
by the bot) bring their sealed report along, for the caller to place them.

It runs on a read-only connection of its own, in one read transaction (every figure
from the same snapshot), meant for a thread: SQLite does the counting with the GIL
released, so neither the event loop nor the bot's reader waits for it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.storage.exports import UN_SUBMITTED, ExportFilter, _case_condition, _deleted_condition


@dataclass
class Counts:
    """What the statistics are made of, as SQLite counted it."""

    # (status, citizenship, UTC day, region, cases) of cases whose region is known
    cases: list[tuple[str, str, str, str, int]] = field(default_factory=list)
    # (status, citizenship, created_at, sealed answers) of cases without a region yet
    unplaced: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (body, sent letters, of which overdue)
    letters: list[tuple[str, int, int]] = field(default_factory=list)
    # (body, replies, of which form replies)
    replies: list[tuple[str, int, int]] = field(default_factory=list)
    # (body, days from sending to the first reply, letters)
    first_replies: list[tuple[str, int, int]] = field(default_factory=list)
    deleted: int = 0
    un_submitted: tuple[int, int] = (0, 0)  # cases submitted to the UN, of them urgent


# Each query reads a covering index of migration 0010, named so that SQLite never reads
# the tables, whose rows carry the sealed texts.
_CASES = """SELECT c.status, c.citizenship, substr(c.created_at, 1, 10),
       COALESCE(NULLIF(c.region, ''), 'unknown'), COUNT(*)
FROM cases c INDEXED BY cases_stats WHERE c.region IS NOT NULL AND {where} GROUP BY 1, 2, 3, 4"""
_LETTERS = """SELECT l.addressee_id, COUNT(*), COALESCE(SUM(l.closed = 0 AND l.due_on < ?), 0)
FROM letters l INDEXED BY letters_body WHERE l.sent_on IS NOT NULL AND {cases} GROUP BY 1"""
# Per body and number of days to the first reply: letters, replies, form replies.
_REPLIES = """SELECT body, days, COUNT(*), SUM(replies), SUM(forms) FROM (
    SELECT l.addressee_id AS body, COUNT(*) AS replies, SUM(r.outcome = 'form') AS forms,
           CAST(julianday(MIN(r.received_on)) - julianday(l.sent_on) AS INTEGER) AS days
    FROM replies r INDEXED BY replies_stats JOIN letters l INDEXED BY letters_sent
         ON l.id = r.letter_id
    WHERE l.sent_on IS NOT NULL AND {cases} GROUP BY r.letter_id)
GROUP BY 1, 2"""


def count(path: Path, flt: ExportFilter, today: date) -> Counts:
    """Every count the statistics need, for the cases ``flt`` selects."""
    where, params = _case_condition(flt)
    # Letters of the chosen cases; all letters without a filter (no look at the cases).
    cases = "1" if where == "1" else f"l.case_id IN (SELECT c.id FROM cases c WHERE {where})"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("BEGIN")
        out = Counts()
        out.cases = conn.execute(_CASES.format(where=where), params).fetchall()
        out.unplaced = conn.execute(
            f"""SELECT c.status, c.citizenship, c.created_at, c.answers FROM cases c
                WHERE c.region IS NULL AND {where}""",
            params,
        ).fetchall()
        out.letters = conn.execute(
            _LETTERS.format(cases=cases), [today.isoformat(), *params]
        ).fetchall()
        for body, days, letters, replies, forms in conn.execute(
            _REPLIES.format(cases=cases), params
        ):
            out.replies.append((body, replies, forms))
            out.first_replies.append((body, days, letters))
        total, urgent = conn.execute(UN_SUBMITTED.format(where=where), params).fetchone()
        out.un_submitted = (int(total), int(urgent))
        deleted_where, deleted_params = _deleted_condition(flt)
        out.deleted = int(
            conn.execute(
                f"SELECT COUNT(*) FROM deleted_cases d WHERE {deleted_where}", deleted_params
            ).fetchone()[0]
        )
        conn.execute("COMMIT")
        return out
    finally:
        conn.close()
