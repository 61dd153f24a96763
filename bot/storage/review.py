"""SQL of the letter review queue (``bot.services.review``): held letters, decisions, the
caseworkers' reminder. Every decision is written with its audit entry in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.database import Database
from bot.storage.notices import NewNotice, put_notice
from bot.storage.store import FormClosing, _dt, _ts, close_form, put_translation, record_audit

# A letter is open while it waits, and after approval until the family has received it.
OPEN = "(r.state = 'waiting' OR (r.state = 'approved' AND r.delivered_at IS NULL))"
# The caseworkers' reminder is a row of the reminders table, addressed to no one (0): the
# job sends it to every caseworker and administrator.
ORGANISATION = 0
REMINDER_KIND = "review"


@dataclass(frozen=True)
class ReviewEntry:
    """One letter in the queue."""

    letter_id: int
    case_id: int
    case_number: str
    reporter_id: int
    addressee_id: str
    kind: str
    queued_at: datetime
    state: str  # waiting, or approved and not yet received by the family


def _entry(row: aiosqlite.Row) -> ReviewEntry:
    queued = _dt(row["queued_at"])
    assert queued is not None
    return ReviewEntry(
        int(row["letter_id"]),
        int(row["case_id"]),
        str(row["number"]),
        int(row["reporter_id"]),
        str(row["addressee_id"]),
        str(row["kind"]),
        queued,
        str(row["state"]),
    )


_SELECT = f"""SELECT r.letter_id, r.case_id, r.queued_at, r.state, c.number, c.reporter_id,
       l.addressee_id, l.kind
  FROM letter_reviews r JOIN letters l ON l.id = r.letter_id JOIN cases c ON c.id = r.case_id
 WHERE {OPEN}"""


class ReviewStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def hold(
        self,
        case_id: int,
        letter_ids: list[int],
        actor_id: int,
        now: datetime,
        remind_at: datetime,
    ) -> int:
        """Queue the letters not queued yet, and the caseworkers' reminder for the case if
        none is pending; returns how many of the case's letters are open now."""
        async with self.db.transaction() as conn:
            await conn.executemany(
                "INSERT OR IGNORE INTO letter_reviews(letter_id, case_id, queued_at, queued_by) "
                "VALUES (?, ?, ?, ?)",
                [(letter_id, case_id, _ts(now), actor_id) for letter_id in letter_ids],
            )
            pending = await conn.execute_fetchall(
                "SELECT 1 FROM reminders WHERE case_id = ? AND kind = ? AND sent_at IS NULL "
                "AND cancelled_at IS NULL",
                (case_id, REMINDER_KIND),
            )
            if not list(pending):
                await conn.execute(
                    "INSERT INTO reminders(user_id, case_id, letter_id, kind, due_at, "
                    "created_at) VALUES (?, ?, NULL, ?, ?, ?)",
                    (ORGANISATION, case_id, REMINDER_KIND, _ts(remind_at), _ts(now)),
                )
            rows = await conn.execute_fetchall(
                f"SELECT COUNT(*) FROM letter_reviews r WHERE r.case_id = ? AND {OPEN}",
                (case_id,),
            )
            return int(list(rows)[0][0])

    async def queue(self, limit: int = 50) -> list[ReviewEntry]:
        """Open letters, oldest first."""
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(
                _SELECT + " ORDER BY r.queued_at, r.letter_id LIMIT ?", (limit,)
            )
        return [_entry(r) for r in rows]

    async def entry(self, letter_id: int) -> ReviewEntry | None:
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(_SELECT + " AND r.letter_id = ?", (letter_id,))
            )
        return _entry(rows[0]) if rows else None

    async def open_of_case(self, case_id: int) -> list[ReviewEntry]:
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(
                _SELECT + " AND r.case_id = ? ORDER BY r.queued_at, r.letter_id", (case_id,)
            )
        return [_entry(r) for r in rows]

    async def count(self) -> int:
        """How many letters wait for a caseworker (for the digest)."""
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT COUNT(*) FROM letter_reviews r WHERE r.state = 'waiting'"
                )
            )
        return int(rows[0][0])

    async def audit(
        self, actor_id: int, action: str, entry: ReviewEntry, now: datetime, **detail: str
    ) -> None:
        """An entry of the audit log alone (reading a letter)."""
        async with self.db.transaction() as conn:
            await record_audit(
                conn,
                now,
                actor_id,
                action,
                case_id=entry.case_id,
                target_id=entry.reporter_id,
                detail={"letter": entry.letter_id, **detail},
            )

    async def correct(
        self,
        entry: ReviewEntry,
        field: str,
        language: str,
        text: str,
        actor_id: int,
        now: datetime,
        closing: FormClosing | None = None,
    ) -> None:
        """A caseworker's text for ``field`` in the letter's language, and the audit entry
        (with the form that asked for it closed, ``closing``)."""
        async with self.db.transaction() as conn:
            await close_form(conn, closing, now)
            await put_translation(
                conn, self.db.cipher, entry.case_id, field, language, text, now, actor_id
            )
            await record_audit(
                conn,
                now,
                actor_id,
                "review_correct",
                case_id=entry.case_id,
                target_id=entry.reporter_id,
                detail={"letter": entry.letter_id, "field": field, "language": language},
            )

    async def decide(
        self,
        entry: ReviewEntry,
        state: str,
        actor_id: int,
        now: datetime,
        closing: FormClosing | None = None,
        notice: NewNotice | None = None,
    ) -> bool:
        """Approve or return an open letter; False when someone else decided first (the
        form that asked for it, ``closing``, is closed either way). ``notice``, the
        family's, is written with the decision, to be sent from the notices table."""
        async with self.db.transaction() as conn:
            await close_form(conn, closing, now)
            cursor = await conn.execute(
                "UPDATE letter_reviews SET state = ?, decided_at = ?, decided_by = ? "
                "WHERE letter_id = ? AND (state = 'waiting' OR (state = 'approved' "
                "AND delivered_at IS NULL AND ? = 'approved'))",
                (state, _ts(now), actor_id, entry.letter_id, state),
            )
            if cursor.rowcount == 0:
                return False
            if notice is not None:
                await put_notice(conn, self.db, notice, now)
            await record_audit(
                conn,
                now,
                actor_id,
                "review_approve" if state == "approved" else "review_return",
                case_id=entry.case_id,
                target_id=entry.reporter_id,
                detail={"letter": entry.letter_id},
            )
        return True

    async def delivered(self, letter_id: int, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE letter_reviews SET delivered_at = ? WHERE letter_id = ? "
                "AND state = 'approved' AND delivered_at IS NULL",
                (_ts(now), letter_id),
            )

    async def remind_again(self, case_id: int, at: datetime, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO reminders(user_id, case_id, letter_id, kind, due_at, created_at) "
                "VALUES (?, ?, NULL, ?, ?, ?)",
                (ORGANISATION, case_id, REMINDER_KIND, _ts(at), _ts(now)),
            )
