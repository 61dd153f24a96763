"""SQL of the follow-up: dispatches, replies, deadlines, reminders, short forms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.domain.forms import Form
from bot.domain.models import CaseStatus
from bot.replies.matching import Signature, is_copy
from bot.storage.crypto import Cipher
from bot.storage.database import Database
from bot.storage.inline import InlineConnection
from bot.storage.store import (
    FormClosing,
    LetterRow,
    _dt,
    _first,
    _json,
    _letter,
    _ts,
    claim_update,
    close_form,
    dump_answers,
    insert_follow_up,
    load_answers,
    record_audit,
)


@dataclass(frozen=True)
class Reply:
    id: int
    letter_id: int
    case_id: int
    received_on: date
    outcome: str
    forwarded_to: str | None
    summary: str
    file: dict[str, Any] | None
    created_at: datetime
    text: str = ""
    # Other cases that got (nearly) the same text from this body before this reply.
    copies: int = 0
    copy_review: str | None = None


@dataclass(frozen=True)
class Reminder:
    id: int
    user_id: int
    case_id: int | None
    letter_id: int | None
    kind: str
    due_at: datetime
    attempts: int
    followup_id: int | None = None


@dataclass(frozen=True)
class NewReminder:
    user_id: int
    case_id: int | None
    letter_id: int | None
    kind: str
    due_at: datetime


async def _event(
    conn: InlineConnection,
    case_id: int,
    now: datetime,
    kind: str,
    actor_id: int | None,
    detail: dict[str, Any],
) -> None:
    await conn.execute(
        "INSERT INTO case_events(case_id, at, kind, actor_id, detail) VALUES (?, ?, ?, ?, ?)",
        (case_id, _ts(now), kind, actor_id, _json(detail)),
    )


async def _set_status(
    conn: InlineConnection, case_id: int, status: CaseStatus, now: datetime, actor_id: int | None
) -> None:
    await conn.execute(
        "UPDATE cases SET status = ?, updated_at = ? WHERE id = ?",
        (status.value, _ts(now), case_id),
    )
    await _event(conn, case_id, now, "status", actor_id, {"status": status.value})


async def _schedule(
    conn: InlineConnection, reminders: Iterable[NewReminder], now: datetime
) -> None:
    await conn.executemany(
        """INSERT OR IGNORE INTO reminders(user_id, case_id, letter_id, kind, due_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [(r.user_id, r.case_id, r.letter_id, r.kind, _ts(r.due_at), _ts(now)) for r in reminders],
    )


async def _cancel_letter_reminders(conn: InlineConnection, letter_id: int, now: datetime) -> None:
    await conn.execute(
        """UPDATE reminders SET cancelled_at = ?
           WHERE letter_id = ? AND sent_at IS NULL AND cancelled_at IS NULL""",
        (_ts(now), letter_id),
    )


@dataclass(frozen=True)
class NewReply:
    """A reply to log: ``close`` when nothing more is awaited from the body."""

    letter: LetterRow
    received_on: date
    outcome: str
    forwarded_to: str | None
    summary: str
    file: dict[str, Any] | None
    close: bool
    text: str = ""


@dataclass(frozen=True)
class NewDeadline:
    """A letter's changed dates (``changes``), its new deadline and reminders."""

    changes: dict[str, Any]
    due: date | None
    reminders: tuple[NewReminder, ...] = ()
    event: tuple[str, dict[str, Any]] | None = None


@dataclass(frozen=True)
class NewFollowUp:
    """A follow-up letter to ``parent``. With ``sent_on``, it was sent that day (a body
    forwarded the letter): its deadline and reminders, whose letter is set on insert."""

    parent: LetterRow
    addressee_id: str
    kind: str
    trigger: str
    sent_on: date | None = None
    channel: str = ""
    due: date | None = None
    reminders: tuple[NewReminder, ...] = ()


_DEADLINE_FIELDS = frozenset(
    {"reference", "registered_on", "delivered_on", "extended_until", "closed", "tracking"}
)


async def _record_sent(
    conn: InlineConnection,
    cipher: Cipher,
    letters: list[tuple[LetterRow, date | None]],
    sent_on: date,
    channel: str,
    tracking: str | None,
    now: datetime,
    actor_id: int,
) -> None:
    for row, due in letters:
        await conn.execute(
            """UPDATE letters SET sent_on = ?, channel = ?, tracking = ?, due_on = ?,
                      updated_at = ? WHERE id = ?""",
            (
                sent_on.isoformat(),
                channel,
                cipher.seal_optional(tracking),
                due.isoformat() if due else None,
                _ts(now),
                row.id,
            ),
        )
        await _cancel_letter_reminders(conn, row.id, now)
        await _event(
            conn,
            row.case_id,
            now,
            "sent",
            actor_id,
            {
                "letter_id": row.id,
                "addressee": row.addressee_id,
                "channel": channel,
                "on": sent_on.isoformat(),
                "due": due.isoformat() if due else None,
            },
        )


async def _move_deadline(
    conn: InlineConnection,
    cipher: Cipher,
    row: LetterRow,
    moved: NewDeadline,
    now: datetime,
    actor_id: int | None,
) -> None:
    assert set(moved.changes) <= _DEADLINE_FIELDS, moved.changes
    sets = ", ".join(f"{k} = ?" for k in moved.changes)
    values = [
        v.isoformat()
        if isinstance(v, date)
        else cipher.seal_optional(v)
        if k in ("reference", "tracking")
        else v
        for k, v in moved.changes.items()
    ]
    due = moved.due
    await conn.execute(
        f"UPDATE letters SET {sets + ', ' if sets else ''}due_on = ?, updated_at = ? WHERE id = ?",
        (*values, due.isoformat() if due else None, _ts(now), row.id),
    )
    await _cancel_letter_reminders(conn, row.id, now)
    await _schedule(conn, moved.reminders, now)
    if moved.event is not None:
        await _event(conn, row.case_id, now, moved.event[0], actor_id, moved.event[1])


class FollowupStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- dispatch and deadlines ----------------------------------------------
    async def mark_sent(
        self,
        letters: list[tuple[LetterRow, date | None]],
        sent_on: date,
        channel: str,
        tracking: str | None,
        reminders: list[NewReminder],
        now: datetime,
        actor_id: int,
        case_status: tuple[int, CaseStatus] | None = None,
        closing: FormClosing | None = None,
    ) -> None:
        """Record several letters as sent, with their deadlines and reminders, and the
        case's new status (``case_status``: case id and status), atomically; with it the
        form that asked for it is closed (``closing``: its person and update)."""
        async with self.db.transaction() as conn:
            await close_form(conn, closing, now)
            await _record_sent(
                conn, self.db.cipher, letters, sent_on, channel, tracking, now, actor_id
            )
            if letters:
                ids = [row.id for row, _ in letters]
                detail = {"letters": ids, "channel": channel}
                case_id = letters[0][0].case_id
                await record_audit(conn, now, actor_id, "letters_sent", case_id, detail=detail)
            await _schedule(conn, reminders, now)
            if case_status is not None:
                await _set_status(conn, *case_status, now, actor_id)

    async def update_deadline(
        self,
        row: LetterRow,
        changes: dict[str, Any],
        due: date | None,
        reminders: list[NewReminder],
        now: datetime,
        actor_id: int | None,
        event: tuple[str, dict[str, Any]] | None = None,
        closing: FormClosing | None = None,
        audit: str | None = None,
    ) -> None:
        """Set reference/registration/extension fields, the new deadline and its reminders
        (and close the form that asked for it, ``closing``: its person and update), with the
        ``audit`` entry of the person who gave them."""
        moved = NewDeadline(changes, due, tuple(reminders), event)
        async with self.db.transaction() as conn:
            await close_form(conn, closing, now)
            await _move_deadline(conn, self.db.cipher, row, moved, now, actor_id)
            if audit is not None and actor_id is not None:
                detail = {"letter_id": row.id}
                await record_audit(conn, now, actor_id, audit, row.case_id, detail=detail)

    async def add_reply(
        self,
        row: LetterRow,
        received_on: date,
        outcome: str,
        forwarded_to: str | None,
        summary: str,
        file: dict[str, Any] | None,
        close: bool,
        now: datetime,
        actor_id: int,
        text: str = "",
        signature: Signature | None = None,
    ) -> int:
        reply = NewReply(row, received_on, outcome, forwarded_to, summary, file, close, text)
        async with self.db.transaction() as conn:
            return await self._insert_reply(conn, reply, now, actor_id, signature)

    async def log_reply(
        self,
        reply: NewReply,
        now: datetime,
        actor_id: int,
        *,
        signature: Signature | None = None,
        deadline: NewDeadline | None = None,
        follow_up: NewFollowUp | None = None,
        case_status: tuple[int, CaseStatus] | None = None,
        closing: FormClosing | None = None,
    ) -> LetterRow | None:
        """A reply with all it changes, in one transaction, so a crash leaves either all
        of it or none: the reply (closing its letter), the letter's moved ``deadline``
        (an extension), a ``follow_up`` letter (the body that got it forwarded, or the
        next step of the ladder), the case's new status, and the closing of the form that
        asked for it (``closing``: its person and update). The follow-up letter back."""
        async with self.db.transaction() as conn:
            await close_form(conn, closing, now)
            await self._insert_reply(conn, reply, now, actor_id, signature)
            detail = {"letter_id": reply.letter.id, "outcome": reply.outcome}
            case_id = reply.letter.case_id
            await record_audit(conn, now, actor_id, "reply_logged", case_id, detail=detail)
            if deadline is not None:
                await _move_deadline(conn, self.db.cipher, reply.letter, deadline, now, actor_id)
            added = None
            if follow_up is not None and follow_up.sent_on is not None:
                added = await self._add_follow_up(conn, follow_up, now, actor_id)
            if case_status is not None:
                await _set_status(conn, *case_status, now, actor_id)
            if follow_up is not None and follow_up.sent_on is None:
                added = await self._add_follow_up(conn, follow_up, now, actor_id)
            return added

    async def _add_follow_up(
        self, conn: InlineConnection, new: NewFollowUp, now: datetime, actor_id: int
    ) -> LetterRow:
        """Insert the follow-up letter; a forwarded one is sent the day it was forwarded,
        with its deadline and reminders (their letter is the one inserted here)."""
        letter_id = await insert_follow_up(
            conn, new.parent, new.addressee_id, new.kind, new.trigger, now
        )
        found = await conn.execute_fetchall("SELECT * FROM letters WHERE id = ?", (letter_id,))
        row = _letter(list(found)[0], self.db.cipher)
        if new.sent_on is not None:
            reminders = [replace(r, letter_id=letter_id) for r in new.reminders]
            await _record_sent(
                conn,
                self.db.cipher,
                [(row, new.due)],
                new.sent_on,
                new.channel,
                None,
                now,
                actor_id,
            )
            await _schedule(conn, reminders, now)
        return row

    async def _insert_reply(
        self,
        conn: InlineConnection,
        reply: NewReply,
        now: datetime,
        actor_id: int,
        signature: Signature | None,
    ) -> int:
        row = reply.letter
        copies = await _copies(conn, row, signature) if signature else 0
        cur = await conn.execute(
            """INSERT INTO replies(letter_id, case_id, received_on, outcome, forwarded_to,
                                   summary, file, created_at, text, copies)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                row.id,
                row.case_id,
                reply.received_on.isoformat(),
                reply.outcome,
                reply.forwarded_to,
                self.db.cipher.seal(reply.summary),
                dump_answers(reply.file, self.db.cipher) if reply.file else None,
                _ts(now),
                self.db.cipher.seal(reply.text) if reply.text else None,
                copies,
            ),
        )
        reply_id = int(cur.lastrowid or 0)
        if signature is not None:
            await _index_signature(conn, reply_id, row.addressee_id, signature)
        if reply.close:
            await conn.execute(
                "UPDATE letters SET closed = 1, updated_at = ? WHERE id = ?",
                (_ts(now), row.id),
            )
            await _cancel_letter_reminders(conn, row.id, now)
        await _event(
            conn,
            row.case_id,
            now,
            "reply",
            actor_id,
            {
                "letter_id": row.id,
                "addressee": row.addressee_id,
                "outcome": reply.outcome,
                "on": reply.received_on.isoformat(),
                "forwarded_to": reply.forwarded_to,
            },
        )
        return reply_id

    async def review_copy(self, reply_id: int, verdict: str, now: datetime, actor_id: int) -> bool:
        """A caseworker confirms or rejects the mark of a likely form reply."""
        if verdict not in ("confirmed", "rejected"):
            raise ValueError(verdict)
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE replies SET copy_review = ? WHERE id = ? AND copies > 0",
                (verdict, reply_id),
            )
            if not cur.rowcount:
                return False
            row = _first(
                await conn.execute_fetchall(
                    "SELECT case_id FROM replies WHERE id = ?", (reply_id,)
                )
            )
            await record_audit(
                conn, now, actor_id, "copy_" + verdict, case_id=row["case_id"] if row else None
            )
            return True

    async def replies_of_case(self, case_id: int) -> list[Reply]:
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT * FROM replies WHERE case_id = ? ORDER BY received_on, id", (case_id,)
                )
            )
        return [_reply(r, self.db.cipher) for r in rows]

    async def open_letters_of_user(self, user_id: int) -> list[LetterRow]:
        """Sent letters still waiting for an answer, across the user's cases."""
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(
                    """SELECT l.* FROM letters l JOIN cases c ON c.id = l.case_id
                   WHERE c.reporter_id = ? AND l.sent_on IS NOT NULL AND l.closed = 0
                   ORDER BY l.due_on, l.id""",
                    (user_id,),
                )
            )
        return [_letter(r, self.db.cipher) for r in rows]

    async def set_status(
        self, case_id: int, status: CaseStatus, now: datetime, actor_id: int | None
    ) -> None:
        async with self.db.transaction() as conn:
            await _set_status(conn, case_id, status, now, actor_id)

    # --- reminders ----------------------------------------------------------------
    async def schedule(self, reminders: list[NewReminder], now: datetime) -> None:
        async with self.db.transaction() as conn:
            await _schedule(conn, reminders, now)

    async def due_reminders(self, now: datetime, limit: int = 200) -> list[Reminder]:
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(
                    """SELECT * FROM reminders
                   WHERE sent_at IS NULL AND cancelled_at IS NULL AND due_at <= ?
                   ORDER BY due_at, id LIMIT ?""",
                    (_ts(now), limit),
                )
            )
        return [_reminder(r) for r in rows]

    async def pending_reminders(self, user_id: int) -> list[Reminder]:
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(
                    """SELECT * FROM reminders WHERE user_id = ? AND sent_at IS NULL
                   AND cancelled_at IS NULL ORDER BY due_at, id""",
                    (user_id,),
                )
            )
        return [_reminder(r) for r in rows]

    async def reminder_sent(self, reminder_id: int, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE reminders SET sent_at = ? WHERE id = ?", (_ts(now), reminder_id)
            )

    async def reminder_failed(
        self, reminder_id: int, error: str, retry_at: datetime | None, now: datetime
    ) -> None:
        """Count the failure; try again at ``retry_at``, or give up (cancelled) when None."""
        async with self.db.transaction() as conn:
            if retry_at is None:
                await conn.execute(
                    """UPDATE reminders SET attempts = attempts + 1, last_error = ?,
                              cancelled_at = ? WHERE id = ?""",
                    (error, _ts(now), reminder_id),
                )
            else:
                await conn.execute(
                    """UPDATE reminders SET attempts = attempts + 1, last_error = ?, due_at = ?
                       WHERE id = ?""",
                    (error, _ts(retry_at), reminder_id),
                )

    async def remember_followup(self, reminder_id: int, letter_id: int) -> None:
        """The next letter made for an overdue reminder, so a retry does not make another."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE reminders SET followup_id = ? WHERE id = ?", (letter_id, reminder_id)
            )

    async def postpone(self, reminder_id: int, until: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE reminders SET due_at = ? WHERE id = ?", (_ts(until), reminder_id)
            )

    async def user_blocked(self, user_id: int, now: datetime) -> None:
        """The user blocked the bot: stop every reminder, keep the cases."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE users SET blocked_at = ? WHERE user_id = ?", (_ts(now), user_id)
            )
            await conn.execute(
                """UPDATE reminders SET cancelled_at = ?, last_error = 'blocked'
                   WHERE user_id = ? AND sent_at IS NULL AND cancelled_at IS NULL""",
                (_ts(now), user_id),
            )

    async def user_back(self, user_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE users SET blocked_at = NULL WHERE user_id = ?", (user_id,))

    async def set_preferences(
        self,
        user_id: int,
        *,
        timezone_name: str | None = None,
        reminders_on: bool | None = None,
        now: datetime,
    ) -> None:
        """The family's settings, with its audit entry (what changed, not to what zone).
        Reminders turned off also cancels those planned, in the same transaction: a crash
        must not leave reminders off while some are still sent."""
        detail: dict[str, Any] = {}
        if reminders_on is not None:
            detail["reminders"] = reminders_on
        if timezone_name is not None:
            detail["timezone"] = True
        async with self.db.transaction() as conn:
            if detail:
                await record_audit(conn, now, user_id, "settings", detail=detail)
            if timezone_name is not None:
                await conn.execute(
                    "UPDATE users SET timezone = ?, updated_at = ? WHERE user_id = ?",
                    (timezone_name, _ts(now), user_id),
                )
            if reminders_on is not None:
                await conn.execute(
                    "UPDATE users SET reminders_on = ?, updated_at = ? WHERE user_id = ?",
                    (int(reminders_on), _ts(now), user_id),
                )
            if reminders_on is False:
                await conn.execute(
                    """UPDATE reminders SET attempts = attempts + 1, last_error = 'turned off',
                              cancelled_at = ?
                       WHERE user_id = ? AND sent_at IS NULL AND cancelled_at IS NULL""",
                    (_ts(now), user_id),
                )

    # --- forms ----------------------------------------------------------------------
    async def get_form(self, user_id: int) -> Form | None:
        async with self.db.looking_up() as conn:
            row = _first(
                await conn.execute_fetchall("SELECT * FROM forms WHERE user_id = ?", (user_id,))
            )
        return (
            Form(row["name"], row["step"], load_answers(row["data"], self.db.cipher))
            if row
            else None
        )

    async def save_form(
        self, user_id: int, form: Form, now: datetime, update_id: int | None = None
    ) -> None:
        async with self.db.transaction() as conn:
            await claim_update(conn, update_id, now)
            await conn.execute(
                """INSERT INTO forms(user_id, name, step, data, updated_at) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(user_id) DO UPDATE SET name = excluded.name, step = excluded.step,
                        data = excluded.data, updated_at = excluded.updated_at""",
                (user_id, form.name, form.step, dump_answers(form.data, self.db.cipher), _ts(now)),
            )

    def opening(self, closing: FormClosing, form: Form) -> FormClosing:
        """``closing`` that opens ``form`` in place of the closed one, its data sealed as
        ``save_form`` seals it: the action's transaction writes both."""
        sealed = dump_answers(form.data, self.db.cipher)
        return replace(closing, then=(form.name, form.step, sealed))

    async def drop_form(self, user_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM forms WHERE user_id = ?", (user_id,))


def _reply(row: aiosqlite.Row, cipher: Cipher) -> Reply:
    created = _dt(row["created_at"])
    assert created is not None
    return Reply(
        id=row["id"],
        letter_id=row["letter_id"],
        case_id=row["case_id"],
        received_on=date.fromisoformat(row["received_on"]),
        outcome=row["outcome"],
        forwarded_to=row["forwarded_to"],
        summary=cipher.open(row["summary"]),
        file=load_answers(row["file"], cipher) if row["file"] else None,
        created_at=created,
        text=cipher.open(row["text"]) if row["text"] else "",
        copies=row["copies"],
        copy_review=row["copy_review"],
    )


async def _copies(
    conn: InlineConnection | aiosqlite.Connection, row: LetterRow, signature: Signature
) -> int:
    """Other cases whose earlier reply from this body is (nearly) the same text: the
    candidates share an LSH band (index look-ups), then their signatures are compared."""
    # One index look-up per band: the bands are joined as a VALUES table, so SQLite
    # searches reply_bands_lookup for each (body, band, hash) instead of reading every
    # band of the body (which an OR of 16 terms made it do).
    bands = list(enumerate(signature.bands))
    values = ", ".join("(?, ?)" for _ in bands)
    params: list[Any] = [x for pair in bands for x in pair] + [row.addressee_id]
    async with conn.execute(
        f"""WITH wanted(band, hash) AS (VALUES {values})
            SELECT DISTINCT s.reply_id, s.minhash, r.case_id
              FROM wanted w
              JOIN reply_bands b ON b.addressee_id = ? AND b.band = w.band AND b.hash = w.hash
              JOIN reply_signatures s ON s.reply_id = b.reply_id
              JOIN replies r ON r.id = s.reply_id""",
        params,
    ) as cur:
        candidates = await cur.fetchall()
    cases = {
        c["case_id"]
        for c in candidates
        if c["case_id"] != row.case_id and is_copy(signature, Signature.from_bytes(c["minhash"]))
    }
    return len(cases)


async def _index_signature(
    conn: InlineConnection | aiosqlite.Connection,
    reply_id: int,
    addressee_id: str,
    signature: Signature,
) -> None:
    await conn.execute(
        "INSERT INTO reply_signatures(reply_id, addressee_id, minhash) VALUES (?, ?, ?)",
        (reply_id, addressee_id, signature.to_bytes()),
    )
    await conn.executemany(
        "INSERT INTO reply_bands(addressee_id, band, hash, reply_id) VALUES (?, ?, ?, ?)",
        [(addressee_id, i, h, reply_id) for i, h in enumerate(signature.bands)],
    )


def _reminder(row: aiosqlite.Row) -> Reminder:
    due = _dt(row["due_at"])
    assert due is not None
    return Reminder(
        id=row["id"],
        user_id=row["user_id"],
        case_id=row["case_id"],
        letter_id=row["letter_id"],
        kind=row["kind"],
        due_at=due,
        attempts=row["attempts"],
        followup_id=row["followup_id"],
    )
