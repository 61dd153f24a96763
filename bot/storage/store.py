"""Every SQL statement of the bot lives in this layer.

Methods are units of work: each one runs in a single transaction (or a single
locked read), so callers never hold a half-written state.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import aiosqlite
import orjson

from bot.domain.models import Case, CaseEvent, CaseStatus, User
from bot.domain.report_form import Draft, draft_at
from bot.regions import case_region
from bot.storage.crypto import PLAIN, Cipher
from bot.storage.database import Database
from bot.storage.inline import InlineConnection
from bot.storage.name_tokens import NAME_FIELDS, index_case


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# Dates and dataclasses are refused, as the json module refuses them, rather than quietly
# stored as text that would come back as text.
_JSON = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _json_data(value: Any) -> bytes:
    """Compact UTF-8 JSON. orjson reads and writes the stored answers 2-3x faster than
    the json module, which matters on every update and in every export."""
    return orjson.dumps(value, option=_JSON)


def _json(value: Any) -> str:
    return _json_data(value).decode("utf-8")


def _first(rows: Iterable[aiosqlite.Row]) -> aiosqlite.Row | None:
    """The first row of a query's result (fetched in one hand-over to the database thread)."""
    for row in rows:
        return row
    return None


def load_answers(value: str, cipher: Cipher = PLAIN) -> dict[str, Any]:
    """Decode a stored (possibly sealed) JSON column; every reader goes through here."""
    answers: dict[str, Any] = orjson.loads(cipher.open_data(value))
    return answers


def dump_answers(value: Any, cipher: Cipher = PLAIN) -> str:
    """Encode personal JSON for storage: sealed when a key is configured."""
    return cipher.seal_data(_json_data(value))


# The audit's actor and target of every entry about a family that deleted its data: the
# action stays, nothing says whose it was.
ANONYMOUS = -1


def open_chat_id(value: int | str, cipher: Cipher) -> int:
    """The chat id to write to: sealed text with a key, a number in a clear database."""
    return int(cipher.open(value)) if isinstance(value, str) else value


class DuplicateUpdate(Exception):
    """This Telegram update was already applied; applying it again would double its effect."""


# Updates whose effect recorded their id, so marking them handled again can be skipped.
_CLAIMED: OrderedDict[int, None] = OrderedDict()
_CLAIMED_KEEP = 4096


async def claim_update(conn: InlineConnection, update_id: int | None, now: datetime) -> None:
    """Record the update inside the caller's transaction; refuse a second application."""
    if update_id is None:
        return
    cur = await conn.execute(
        "INSERT OR IGNORE INTO processed_updates(update_id, at) VALUES (?, ?)",
        (update_id, _ts(now)),
    )
    if cur.rowcount == 0:
        raise DuplicateUpdate(update_id)
    _CLAIMED[update_id] = None
    while len(_CLAIMED) > _CLAIMED_KEEP:
        _CLAIMED.popitem(last=False)


@dataclass(frozen=True)
class FormClosing:
    """The open form an action closes in its own transaction, and the update that brought
    its last answer: claimed with it, so a replay of that update after a crash is skipped
    (the form is gone, and the text must not fall through to another route)."""

    user_id: int
    update_id: int | None = None
    # The form the action opens in the closed one's place (its name, step and sealed data,
    # ``FollowupStore.opening``): the next text to translate, asked even after a crash.
    then: tuple[str, str, str] | None = None


async def close_form(conn: InlineConnection, closing: FormClosing | None, now: datetime) -> None:
    """Drop the person's form (or put the next one in its place) and claim the update,
    inside the action's transaction."""
    if closing is None:
        return
    if closing.then is None:
        await conn.execute("DELETE FROM forms WHERE user_id = ?", (closing.user_id,))
    else:
        name, step, data = closing.then
        await conn.execute(
            """INSERT INTO forms(user_id, name, step, data, updated_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(user_id) DO UPDATE SET name = excluded.name, step = excluded.step,
                    data = excluded.data, updated_at = excluded.updated_at""",
            (closing.user_id, name, step, data, _ts(now)),
        )
    await claim_update(conn, closing.update_id, now)


async def record_audit(
    conn: InlineConnection,
    now: datetime,
    actor_id: int,
    action: str,
    case_id: int | None = None,
    target_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one audit entry inside the caller's transaction (ids and codes only)."""
    await conn.execute(
        "INSERT INTO audit(at, actor_id, action, case_id, target_id, detail) VALUES (?, ?, "
        "?, ?, ?, ?)",
        (_ts(now), actor_id, action, case_id, target_id, _json(detail or {})),
    )


async def put_translation(
    conn: InlineConnection,
    cipher: Cipher,
    case_id: int,
    field: str,
    language: str,
    text: str,
    now: datetime,
    actor_id: int | None,
) -> None:
    """Write one text in a letter's language (sealed) and its timeline event, inside the
    caller's transaction: the family's answer, a caseworker's translation or correction."""
    row = _first(
        await conn.execute_fetchall("SELECT translations FROM cases WHERE id = ?", (case_id,))
    )
    if row is None:
        return
    table = load_answers(row[0], cipher) if row[0] else {}
    table.setdefault(field, {})[language] = text
    await conn.execute(
        "UPDATE cases SET translations = ?, updated_at = ? WHERE id = ?",
        (dump_answers(table, cipher), _ts(now), case_id),
    )
    await conn.execute(
        "INSERT INTO case_events(case_id, at, kind, actor_id, detail) VALUES (?, ?, ?, ?, ?)",
        (
            case_id,
            _ts(now),
            "translation",
            actor_id,
            _json({"field": field, "language": language}),
        ),
    )


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- updates already handled -----------------------------------------
    async def seen_update(self, update_id: int) -> bool:
        async with self.db.looking_up() as conn:
            return (
                _first(
                    await conn.execute_fetchall(
                        "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)
                    )
                )
                is not None
            )

    async def mark_update(self, update_id: int, now: datetime) -> None:
        """Remember an update that changed nothing (those that did recorded it already).

        If the transaction that claimed it was rolled back, skipping here leaves it
        unmarked, which is right: a re-delivery should then take effect."""
        if update_id in _CLAIMED:
            return
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO processed_updates(update_id, at) VALUES (?, ?)",
                (update_id, _ts(now)),
            )

    async def prune_updates(self, before: datetime) -> int:
        async with self.db.transaction() as conn:
            cur = await conn.execute("DELETE FROM processed_updates WHERE at < ?", (_ts(before),))
            return cur.rowcount

    # --- users --------------------------------------------------------------
    async def get_user(self, user_id: int) -> User | None:
        async with self.db.looking_up() as conn:
            row = _first(
                await conn.execute_fetchall("SELECT * FROM users WHERE user_id = ?", (user_id,))
            )
        return _user(row, self.db.cipher) if row else None

    async def create_user(
        self,
        user_id: int,
        chat_id: int,
        locale: str,
        now: datetime,
        timezone_name: str | None = None,
    ) -> User:
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT INTO users(user_id, chat_id, locale, consent_at, timezone,
                                     created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(user_id) DO UPDATE SET locale = excluded.locale,
                        chat_id = excluded.chat_id, updated_at = excluded.updated_at""",
                (
                    user_id,
                    self.db.cipher.seal(str(chat_id)),
                    locale,
                    _ts(now),
                    timezone_name,
                    _ts(now),
                    _ts(now),
                ),
            )
        user = await self.get_user(user_id)
        assert user is not None
        return user

    async def set_locale(self, user_id: int, locale: str, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE users SET locale = ?, updated_at = ? WHERE user_id = ?",
                (locale, _ts(now), user_id),
            )

    async def default_timezone(self, user_id: int, tz: str, now: datetime) -> None:
        """Set the user's time zone unless they already have one (chosen or defaulted)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                """UPDATE users SET timezone = ?, updated_at = ?
                   WHERE user_id = ? AND timezone IS NULL""",
                (tz, _ts(now), user_id),
            )

    # --- drafts -------------------------------------------------------------
    async def get_draft(self, user_id: int) -> Draft | None:
        """The report in progress. Its form is kept in the columns it always had (the
        answers, the way back, the pending item, whether a section returns to the review
        card), so a draft stored by any earlier version reads the same."""
        async with self.db.looking_up() as conn:
            row = _first(
                await conn.execute_fetchall("SELECT * FROM drafts WHERE user_id = ?", (user_id,))
            )
        if row is None:
            return None
        return draft_at(
            row["step"],
            load_answers(row["answers"], self.db.cipher),
            orjson.loads(row["history"]),
            pending=load_answers(row["pending"], self.db.cipher) if row["pending"] else None,
            review_return=bool(row["review_return"]),
            paused=bool(row["paused"]),
            updated_at=_dt(row["updated_at"]),
        )

    async def save_draft(
        self, user_id: int, draft: Draft, now: datetime, update_id: int | None = None
    ) -> None:
        """Write answers and position together, with the update that caused them."""
        pending = draft.pending
        async with self.db.transaction() as conn:
            await claim_update(conn, update_id, now)
            await conn.execute(
                """INSERT INTO drafts(user_id, step, answers, history, review_return, pending,
                                      paused, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(user_id) DO UPDATE SET step = excluded.step,
                        answers = excluded.answers, history = excluded.history,
                        review_return = excluded.review_return, pending = excluded.pending,
                        paused = excluded.paused, updated_at = excluded.updated_at""",
                (
                    user_id,
                    draft.step,
                    dump_answers(draft.answers, self.db.cipher),
                    _json(draft.history),
                    int(draft.review_return),
                    dump_answers(pending, self.db.cipher) if pending is not None else None,
                    int(draft.paused),
                    _ts(now),
                ),
            )

    async def delete_draft(self, user_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))

    # --- cases --------------------------------------------------------------
    async def create_case(
        self,
        user_id: int,
        prefix: str,
        answers: dict[str, Any],
        citizenship: str,
        now: datetime,
        update_id: int | None = None,
    ) -> Case:
        """Number the case, store it, log its creation and drop the draft, atomically."""
        async with self.db.transaction() as conn:
            await claim_update(conn, update_id, now)
            year = now.year
            await conn.execute(
                """INSERT INTO case_counters(prefix, year, last) VALUES (?, ?, 1)
                   ON CONFLICT(prefix, year) DO UPDATE SET last = last + 1""",
                (prefix, year),
            )
            row = _first(
                await conn.execute_fetchall(
                    "SELECT last FROM case_counters WHERE prefix = ? AND year = ?", (prefix, year)
                )
            )
            assert row is not None
            number = f"{prefix}-{year}-{row[0]:04d}"
            cur = await conn.execute(
                """INSERT INTO cases(number, reporter_id, status, citizenship, answers,
                                     created_at, updated_at, region)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    number,
                    user_id,
                    CaseStatus.REPORTED.value,
                    citizenship,
                    dump_answers(answers, self.db.cipher),
                    _ts(now),
                    _ts(now),
                    case_region(answers) or "",
                ),
            )
            case_id = cur.lastrowid
            assert case_id is not None
            await index_case(conn, self.db.cipher, case_id, answers)
            await conn.execute(
                "INSERT INTO case_events(case_id, at, kind, actor_id, detail) VALUES (?, ?, "
                "?, ?, ?)",
                (case_id, _ts(now), "created", user_id, "{}"),
            )
            await record_audit(conn, now, user_id, "report_confirmed", case_id=case_id)
            await conn.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))
        case = await self.get_case(number)
        assert case is not None
        return case

    async def get_case(self, number: str) -> Case | None:
        return await self._case_where("number = ?", number)

    async def get_case_by_id(self, case_id: int) -> Case | None:
        return await self._case_where("id = ?", case_id)

    async def _case_where(self, condition: str, value: object) -> Case | None:
        async with self.db.reading() as conn:
            row = _first(
                await conn.execute_fetchall(f"SELECT * FROM cases WHERE {condition}", (value,))
            )
            if row is None:
                return None
            events = list(
                await conn.execute_fetchall(
                    "SELECT * FROM case_events WHERE case_id = ? ORDER BY at, id", (row["id"],)
                )
            )
        return _case(row, events, self.db.cipher)

    async def cases_of(self, user_id: int) -> list[Case]:
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT * FROM cases WHERE reporter_id = ? ORDER BY created_at, id", (user_id,)
                )
            )
        return [_case(row, (), self.db.cipher) for row in rows]

    async def count_cases(self) -> int:
        async with self.db.reading() as conn:
            row = _first(await conn.execute_fetchall("SELECT COUNT(*) FROM cases"))
        return int(row[0]) if row else 0

    # --- deletion -------------------------------------------------------------
    async def delete_user_data(self, user_id: int, now: datetime) -> int:
        """Remove the user, their draft, cases and events; returns the number of cases removed."""
        async with self.db.transaction() as conn:
            # Anonymous counts stay for the statistics; everything personal goes.
            await conn.execute(
                """INSERT INTO deleted_cases(deleted_at, citizenship, status, created_on)
                   SELECT ?, citizenship, status, substr(created_at, 1, 10) FROM cases
                   WHERE reporter_id = ?""",
                (_ts(now), user_id),
            )
            cur = await conn.execute("DELETE FROM cases WHERE reporter_id = ?", (user_id,))
            removed = cur.rowcount
            # The audit keeps what was done, but no entry may lead back to the person.
            await conn.execute(
                "UPDATE audit SET actor_id = ? WHERE actor_id = ?", (ANONYMOUS, user_id)
            )
            await conn.execute(
                "UPDATE audit SET target_id = ? WHERE target_id = ?", (ANONYMOUS, user_id)
            )
            await record_audit(conn, now, ANONYMOUS, "delete", detail={"cases": removed})
            await conn.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM reminders WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM forms WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM notices WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
        # Freed pages would still hold the deleted text on disk until overwritten.
        await self.db.empty_log()
        return removed


def _user(row: aiosqlite.Row, cipher: Cipher) -> User:
    consent = _dt(row["consent_at"])
    assert consent is not None
    return User(
        user_id=row["user_id"],
        chat_id=open_chat_id(row["chat_id"], cipher),
        locale=row["locale"],
        consent_at=consent,
        timezone=row["timezone"],
        reminders_on=bool(row["reminders_on"]),
        blocked_at=_dt(row["blocked_at"]),
    )


def _case(row: aiosqlite.Row, events: Iterable[aiosqlite.Row], cipher: Cipher) -> Case:
    created, updated = _dt(row["created_at"]), _dt(row["updated_at"])
    assert created is not None and updated is not None
    return Case(
        id=row["id"],
        number=row["number"],
        reporter_id=row["reporter_id"],
        status=CaseStatus(row["status"]),
        citizenship=row["citizenship"],
        answers=load_answers(row["answers"], cipher),
        translations=load_answers(row["translations"], cipher) if row["translations"] else {},
        created_at=created,
        updated_at=updated,
        events=tuple(
            CaseEvent(
                at=_dt(e["at"]) or created,
                kind=e["kind"],
                actor_id=e["actor_id"],
                detail=orjson.loads(e["detail"]),
            )
            for e in events
        ),
    )


# --- letters ------------------------------------------------------------------
class LetterStore:
    """SQL of the letters of a case (kept apart from the report's for readability)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def letters_of(self, case_id: int) -> list[LetterRow]:
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT * FROM letters WHERE case_id = ? ORDER BY id", (case_id,)
                )
            )
        return [_letter(r, self.db.cipher) for r in rows]

    async def get_letter(self, letter_id: int) -> LetterRow | None:
        async with self.db.reading() as conn:
            row = _first(
                await conn.execute_fetchall("SELECT * FROM letters WHERE id = ?", (letter_id,))
            )
        return _letter(row, self.db.cipher) if row else None

    async def add_follow_up(
        self, parent: LetterRow, addressee_id: str, kind: str, trigger: str, now: datetime
    ) -> LetterRow:
        """A follow-up letter (repeat request or complaint) to the earlier ``parent``."""
        async with self.db.transaction() as conn:
            letter_id = await insert_follow_up(conn, parent, addressee_id, kind, trigger, now)
        row = await self.get_letter(letter_id)
        assert row is not None
        return row

    async def add_letters(
        self, case_id: int, rows: Iterable[tuple[str, str, str, bool]], now: datetime
    ) -> None:
        """(addressee_id, kind, reason, selected) rows; existing ones are left as they are."""
        async with self.db.transaction() as conn:
            await conn.executemany(
                """INSERT OR IGNORE INTO letters(case_id, addressee_id, kind, reason, selected,
                                                 created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [(case_id, a, k, r, int(s), _ts(now), _ts(now)) for a, k, r, s in rows],
            )

    async def set_selected(self, letter_id: int, selected: bool, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE letters SET selected = ?, updated_at = ? WHERE id = ?",
                (int(selected), _ts(now), letter_id),
            )

    async def record_generated(
        self, letter: LetterRow, language: str, text: str, now: datetime, actor_id: int
    ) -> None:
        """Keep what was produced, and put it on the case's timeline."""
        async with self.db.transaction() as conn:
            await conn.execute(
                """UPDATE letters SET language = ?, text = ?, generated_at = ?, updated_at = ?
                   WHERE id = ?""",
                (language, self.db.cipher.seal(text), _ts(now), _ts(now), letter.id),
            )
            await conn.execute(
                "INSERT INTO case_events(case_id, at, kind, actor_id, detail) VALUES (?, ?, "
                "?, ?, ?)",
                (
                    letter.case_id,
                    _ts(now),
                    "letter",
                    actor_id,
                    _json(
                        {
                            "letter_id": letter.id,
                            "addressee": letter.addressee_id,
                            "kind": letter.kind,
                            "language": language,
                        }
                    ),
                ),
            )

    async def letter_options(self, case_id: int) -> dict[str, Any]:
        async with self.db.reading() as conn:
            row = _first(
                await conn.execute_fetchall(
                    "SELECT letter_options FROM cases WHERE id = ?", (case_id,)
                )
            )
        return orjson.loads(row[0]) if row else {}

    async def set_answer(
        self,
        case_id: int,
        key: str,
        value: Any,
        now: datetime,
        actor_id: int | None,
        *,
        closing: FormClosing | None = None,
    ) -> None:
        """Add one answer the family gives after the report (the IIN a letter needs),
        logged as an event, in one transaction; with it the form that asked for it is
        closed and the update that brought it recorded (``closing``)."""
        async with self.db.transaction() as conn:
            await close_form(conn, closing, now)
            row = _first(
                await conn.execute_fetchall("SELECT answers FROM cases WHERE id = ?", (case_id,))
            )
            if row is None:
                return
            answers = load_answers(row[0], self.db.cipher)
            answers[key] = value
            await conn.execute(
                "UPDATE cases SET answers = ?, updated_at = ? WHERE id = ?",
                (dump_answers(answers, self.db.cipher), _ts(now), case_id),
            )
            if key in NAME_FIELDS:
                await index_case(conn, self.db.cipher, case_id, answers)
            await conn.execute(
                "INSERT INTO case_events(case_id, at, kind, actor_id, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                (case_id, _ts(now), "answer", actor_id, _json({"answer": key})),
            )

    async def set_translation(
        self,
        case_id: int,
        field: str,
        language: str,
        text: str,
        now: datetime,
        actor_id: int | None,
        *,
        options: dict[str, Any] | None = None,
        audit: tuple[int, int | None] | None = None,
        closing: FormClosing | None = None,
    ) -> None:
        """Store one text in a letter's language, sealed, and log it, in one transaction;
        with it the case's new letter ``options``, an ``audit`` entry (actor, target)
        for a text written by staff, and the closing of the form that asked for it."""
        async with self.db.transaction() as conn:
            await close_form(conn, closing, now)
            if options is not None:
                await conn.execute(
                    "UPDATE cases SET letter_options = ? WHERE id = ?", (_json(options), case_id)
                )
            if audit is not None:
                await record_audit(
                    conn, now, audit[0], "translation", case_id=case_id, target_id=audit[1]
                )
            await put_translation(
                conn, self.db.cipher, case_id, field, language, text, now, actor_id
            )

    async def set_letter_options(
        self,
        case_id: int,
        options: dict[str, Any],
        now: datetime,
        *,
        closing: FormClosing | None = None,
    ) -> None:
        """The case's letter options; with them, when a form's answer changed them (no
        IIN, a text left to the organisation), that form is closed and its
        update recorded (``closing``), in one transaction."""
        async with self.db.transaction() as conn:
            await close_form(conn, closing, now)
            await conn.execute(
                "UPDATE cases SET letter_options = ?, updated_at = ? WHERE id = ?",
                (_json(options), _ts(now), case_id),
            )

    async def set_status(
        self, case_id: int, status: CaseStatus, now: datetime, actor_id: int | None
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE cases SET status = ?, updated_at = ? WHERE id = ?",
                (status.value, _ts(now), case_id),
            )
            await conn.execute(
                "INSERT INTO case_events(case_id, at, kind, actor_id, detail) VALUES (?, ?, "
                "?, ?, ?)",
                (case_id, _ts(now), "status", actor_id, _json({"status": status.value})),
            )


async def insert_follow_up(
    conn: InlineConnection,
    parent: LetterRow,
    addressee_id: str,
    kind: str,
    trigger: str,
    now: datetime,
) -> int:
    """Insert a follow-up letter to ``parent`` inside the caller's transaction; its id."""
    cur = await conn.execute(
        """INSERT INTO letters(case_id, addressee_id, kind, reason, selected, parent_id,
                               trigger, created_at, updated_at)
           VALUES (?, ?, ?, '', 1, ?, ?, ?, ?)""",
        (parent.case_id, addressee_id, kind, parent.id, trigger, _ts(now), _ts(now)),
    )
    return int(cur.lastrowid or 0)


@dataclass(frozen=True)
class LetterRow:
    id: int
    case_id: int
    addressee_id: str
    kind: str
    reason: str
    selected: bool
    language: str | None
    text: str | None
    generated_at: datetime | None
    parent_id: int | None = None
    trigger: str | None = None
    sent_on: date | None = None
    channel: str | None = None
    tracking: str | None = None
    reference: str | None = None
    registered_on: date | None = None
    delivered_on: date | None = None
    extended_until: date | None = None
    due_on: date | None = None
    closed: bool = False

    @property
    def sent(self) -> bool:
        return self.sent_on is not None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _letter(row: aiosqlite.Row, cipher: Cipher) -> LetterRow:
    return LetterRow(
        id=row["id"],
        case_id=row["case_id"],
        addressee_id=row["addressee_id"],
        kind=row["kind"],
        reason=row["reason"],
        selected=bool(row["selected"]),
        language=row["language"],
        text=cipher.open_optional(row["text"]),
        generated_at=_dt(row["generated_at"]),
        parent_id=row["parent_id"],
        trigger=row["trigger"],
        sent_on=_day(row["sent_on"]),
        channel=row["channel"],
        tracking=cipher.open_optional(row["tracking"]),
        reference=cipher.open_optional(row["reference"]),
        registered_on=_day(row["registered_on"]),
        delivered_on=_day(row["delivered_on"]),
        extended_until=_day(row["extended_until"]),
        due_on=_day(row["due_on"]),
        closed=bool(row["closed"]),
    )
