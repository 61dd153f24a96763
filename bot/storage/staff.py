"""SQL of the organisation's side: roles, invitations, assignments, notes, audit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.domain.models import CaseStatus
from bot.storage.crypto import Cipher
from bot.storage.database import Database
from bot.storage.followup import NewReminder, _schedule
from bot.storage.notices import NewNotice, put_notice
from bot.storage.store import (
    FormClosing,
    LetterRow,
    _dt,
    _first,
    _json,
    _letter,
    _ts,
    close_form,
    load_answers,
    open_chat_id,
    record_audit,
)


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    chat_id: int
    role: str
    locale: str
    granted_at: datetime


@dataclass(frozen=True)
class Invitation:
    code: str
    role: str
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    revoked: bool


@dataclass(frozen=True)
class Note:
    id: int
    case_id: int
    author_id: int
    text: str
    created_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int
    action: str
    case_id: int | None
    target_id: int | None
    detail: dict[str, Any]
    case_number: str | None = None  # None when the case was deleted
    reporter_id: int | None = None  # the family of the case, to tell its messages apart


class AuditStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        now: datetime,
        actor_id: int,
        action: str,
        case_id: int | None = None,
        target_id: int | None = None,
        detail: dict[str, Any] | None = None,
        closing: FormClosing | None = None,
    ) -> None:
        """One entry; with it the closing of the form whose action it records."""
        async with self.db.transaction() as conn:
            await close_form(conn, closing, now)
            await record_audit(conn, now, actor_id, action, case_id, target_id, detail)

    async def entries(
        self, limit: int = 50, offset: int = 0, since: datetime | None = None
    ) -> list[AuditEntry]:
        query = (
            "SELECT a.*, c.number AS case_number, c.reporter_id AS reporter_id "
            "FROM audit a LEFT JOIN cases c ON c.id = a.case_id"
        )
        params: list[Any] = []
        if since is not None:
            query += " WHERE a.at >= ?"
            params.append(_ts(since))
        query += " ORDER BY a.at DESC, a.id DESC LIMIT ? OFFSET ?"
        params += [limit, offset]
        async with self.db.reading() as conn:
            rows = list(await conn.execute_fetchall(query, params))
        return [_audit(r) for r in rows]


def _audit(row: aiosqlite.Row) -> AuditEntry:
    at = _dt(row["at"])
    assert at is not None
    keys = row.keys()
    return AuditEntry(
        row["id"],
        at,
        row["actor_id"],
        row["action"],
        row["case_id"],
        row["target_id"],
        json.loads(row["detail"]),
        row["case_number"] if "case_number" in keys else None,
        row["reporter_id"] if "reporter_id" in keys else None,
    )


@dataclass(frozen=True)
class CaseFilter:
    """What /cases shows: any combination narrows the list."""

    status: str | None = None
    citizenship: str | None = None  # KZ, KG, other
    overdue: bool = False
    unassigned: bool = False
    verified: bool | None = None
    volunteer_id: int | None = None  # only cases assigned to this volunteer
    region: str | None = None  # ISO 3166-2 code of the last known region
    oldest_first: bool = False  # the order of the list (the desk lets people choose)


@dataclass(frozen=True)
class Cursor:
    """Where a page of /cases starts: after the case ``case_id`` (the next page, older
    cases) or before it (``forward=False``: the previous page, newer cases)."""

    case_id: int
    forward: bool = True


def _after(
    where: str, params: list[Any], cursor: Cursor, newest_first: bool = True
) -> tuple[str, list[Any], str]:
    """The filter narrowed to the cases after (or before) the cursor's case, in the order
    of /cases (created_at, then id, newest first unless asked otherwise), and the
    direction to read the index."""
    op, order = ("<", "DESC") if cursor.forward == newest_first else (">", "ASC")
    at = "(SELECT created_at FROM cases WHERE id = ?)"
    clause = f"c.created_at {op}= {at} AND (c.created_at {op} {at} OR c.id {op} ?)"
    return (
        f"{where} AND {clause}",
        [*params, cursor.case_id, cursor.case_id, cursor.case_id],
        order,
    )


@dataclass(frozen=True)
class DueCursor:
    """Where a page of /due starts: after the letter (deadline, id), or before it."""

    due_on: str
    letter_id: int
    forward: bool = True


@dataclass(frozen=True)
class CaseSummary:
    id: int
    number: str
    status: str
    citizenship: str
    verified: bool
    missing_name: str
    created_at: datetime
    volunteers: tuple[int, ...]
    overdue: int
    next_due: str | None


class StaffStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- roles ----------------------------------------------------------------
    async def get(self, user_id: int) -> StaffMember | None:
        async with self.db.reading() as conn:
            row = _first(
                await conn.execute_fetchall("SELECT * FROM staff WHERE user_id = ?", (user_id,))
            )
        return _member(row, self.db.cipher) if row else None

    async def members(self, role: str | None = None) -> list[StaffMember]:
        params: tuple[str, ...]
        query, params = "SELECT * FROM staff", ()
        if role:
            query, params = query + " WHERE role = ?", (role,)
        async with self.db.reading() as conn:
            rows = list(await conn.execute_fetchall(query + " ORDER BY granted_at", params))
        return [_member(r, self.db.cipher) for r in rows]

    async def set_locale(self, user_id: int, locale: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE staff SET locale = ? WHERE user_id = ?", (locale, user_id))

    async def remove(self, user_id: int, actor_id: int, now: datetime) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute("DELETE FROM staff WHERE user_id = ?", (user_id,))
            if cur.rowcount:
                await conn.execute(
                    """UPDATE reminders SET cancelled_at = ? WHERE user_id = ? AND kind =
                       'volunteer_digest' AND sent_at IS NULL AND cancelled_at IS NULL""",
                    (_ts(now), user_id),
                )
                await record_audit(conn, now, actor_id, "role_remove", target_id=user_id)
            return bool(cur.rowcount)

    # --- how staff are shown ---------------------------------------------------------
    async def profile(self, user_id: int) -> tuple[str, str | None] | None:
        """(name, own time zone or None) of a staff member, if ever recorded."""
        async with self.db.reading() as conn:
            row = _first(
                await conn.execute_fetchall(
                    "SELECT name, timezone FROM staff_profiles WHERE user_id = ?", (user_id,)
                )
            )
        return (self.db.cipher.open(row["name"]), row["timezone"]) if row else None

    async def names(self, user_ids: set[int] | None) -> dict[int, str]:
        """Names of these staff members (None: of all), for those recorded."""
        if user_ids is not None and not user_ids:
            return {}
        params: tuple[int, ...]
        query, params = "SELECT user_id, name FROM staff_profiles", ()
        if user_ids is not None:
            query += f" WHERE user_id IN ({','.join('?' * len(user_ids))})"
            params = tuple(user_ids)
        async with self.db.reading() as conn:
            rows = list(await conn.execute_fetchall(query, params))
        return {r["user_id"]: self.db.cipher.open(r["name"]) for r in rows}

    async def save_name(self, user_id: int, name: str, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT INTO staff_profiles(user_id, name, updated_at) VALUES (?, ?, ?)
                   ON CONFLICT(user_id) DO UPDATE SET name = excluded.name,
                        updated_at = excluded.updated_at""",
                (user_id, self.db.cipher.seal(name), _ts(now)),
            )

    async def save_timezone(self, user_id: int, tz: str | None, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                """UPDATE staff_profiles SET timezone = ?, updated_at = ? WHERE user_id = ?""",
                (tz, _ts(now), user_id),
            )

    # --- invitations ------------------------------------------------------------
    async def create_invitation(
        self, code: str, role: str, actor_id: int, now: datetime, expires_at: datetime
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT INTO invitations(code, role, created_by, created_at, expires_at)
                   VALUES (?, ?, ?, ?, ?)""",
                (code, role, actor_id, _ts(now), _ts(expires_at)),
            )
            await record_audit(conn, now, actor_id, "invite", detail={"role": role})

    async def open_invitations(self, now: datetime) -> list[Invitation]:
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(
                    """SELECT * FROM invitations WHERE used_by IS NULL AND revoked_at IS NULL
                   AND expires_at > ? ORDER BY created_at""",
                    (_ts(now),),
                )
            )
        return [_invitation(r) for r in rows]

    async def revoke_invitation(self, code: str, actor_id: int, now: datetime) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """UPDATE invitations SET revoked_at = ? WHERE code = ? AND used_by IS NULL
                   AND revoked_at IS NULL""",
                (_ts(now), code),
            )
            if cur.rowcount:
                await record_audit(conn, now, actor_id, "invite_revoke")
            return bool(cur.rowcount)

    async def redeem(
        self, code: str, user_id: int, chat_id: int, locale: str, now: datetime
    ) -> str | None:
        """Use a one-time invitation; the role it grants, or None if it is not valid now."""
        async with self.db.transaction() as conn:
            row = _first(
                await conn.execute_fetchall(
                    """SELECT * FROM invitations WHERE code = ? AND used_by IS NULL
                   AND revoked_at IS NULL AND expires_at > ?""",
                    (code, _ts(now)),
                )
            )
            if row is None:
                return None
            role = row["role"]
            await conn.execute(
                "UPDATE invitations SET used_by = ?, used_at = ? WHERE code = ?",
                (user_id, _ts(now), code),
            )
            await conn.execute(
                """INSERT INTO staff(user_id, chat_id, role, locale, granted_by, granted_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(user_id) DO UPDATE SET role = excluded.role,
                        granted_by = excluded.granted_by, granted_at = excluded.granted_at""",
                (
                    user_id,
                    self.db.cipher.seal(str(chat_id)),
                    role,
                    locale,
                    row["created_by"],
                    _ts(now),
                ),
            )
            await record_audit(
                conn,
                now,
                row["created_by"],
                "role_grant",
                target_id=user_id,
                detail={"role": role},
            )
            return str(role)

    # --- cases ------------------------------------------------------------------
    async def list_cases(
        self,
        flt: CaseFilter,
        today: str,
        limit: int,
        offset: int = 0,
        cursor: Cursor | None = None,
    ) -> tuple[list[CaseSummary], int]:
        """A page of cases, newest first, and how many match in all.

        With ``cursor`` the page is the one after (or before) a case of the page shown
        before: the cases are found by seeking the index from that case (keyset), so
        any page costs the same as the first. ``offset`` is for short lists only."""
        where, params = _case_filter(flt, today)
        counted, count_params = _case_filter(flt, today, counting=True)
        shown = "ASC" if flt.oldest_first else "DESC"
        order = shown
        if cursor is not None:
            where, params, order = _after(where, params, cursor, not flt.oldest_first)
            offset = 0
        base = f"FROM cases c WHERE {where}"
        async with self.db.reading() as conn:
            # Counting overdue cases, SQLite would look up each one's row (and its sealed
            # report) by id; the index of /cases has every column the filters need.
            index = "INDEXED BY cases_list " if flt.overdue else ""
            total_row = _first(
                await conn.execute_fetchall(
                    _count_query(flt) or f"SELECT COUNT(*) FROM cases c {index}WHERE {counted}",
                    count_params,
                )
            )
            rows = list(
                await conn.execute_fetchall(
                    f"""SELECT c.*, (SELECT group_concat(volunteer_id) FROM assignments a
                                 WHERE a.case_id = c.id) AS volunteers,
                           (SELECT COUNT(*) FROM letters l WHERE l.case_id = c.id AND l.closed = 0
                              AND l.sent_on IS NOT NULL AND l.due_on < ?) AS overdue,
                           (SELECT MIN(due_on) FROM letters l WHERE l.case_id = c.id
                              AND l.closed = 0 AND l.sent_on IS NOT NULL) AS next_due
                    {base} ORDER BY c.created_at {order}, c.id {order} LIMIT ? OFFSET ?""",
                    (today, *params, limit, offset),
                )
            )
        if order != shown:
            rows.reverse()
        return [_summary(r, self.db.cipher) for r in rows], int(total_row[0]) if total_row else 0

    async def volunteers_of(self, case_id: int) -> list[int]:
        async with self.db.reading() as conn:
            return [
                int(r[0])
                for r in list(
                    await conn.execute_fetchall(
                        "SELECT volunteer_id FROM assignments WHERE case_id = ? ORDER BY "
                        "assigned_at",
                        (case_id,),
                    )
                )
            ]

    async def is_assigned(self, case_id: int, volunteer_id: int) -> bool:
        async with self.db.reading() as conn:
            return (
                _first(
                    await conn.execute_fetchall(
                        "SELECT 1 FROM assignments WHERE case_id = ? AND volunteer_id = ?",
                        (case_id, volunteer_id),
                    )
                )
                is not None
            )

    async def assign(
        self,
        case_id: int,
        volunteer_id: int,
        actor_id: int,
        now: datetime,
        assigned: bool,
        digest: NewReminder | None = None,
        notice: NewNotice | None = None,
    ) -> bool:
        """Assign or unassign, with the audit entry, (``digest``) the volunteer's next
        daily summary and (``notice``) the volunteer's notice in the same transaction;
        False when nothing changed."""
        async with self.db.transaction() as conn:
            if assigned:
                cur = await conn.execute(
                    """INSERT OR IGNORE INTO assignments(case_id, volunteer_id, assigned_by,
                                                         assigned_at) VALUES (?, ?, ?, ?)""",
                    (case_id, volunteer_id, actor_id, _ts(now)),
                )
            else:
                cur = await conn.execute(
                    "DELETE FROM assignments WHERE case_id = ? AND volunteer_id = ?",
                    (case_id, volunteer_id),
                )
            if not cur.rowcount:  # assigned already, or not at all: nothing happened
                return False
            if digest is not None:
                await _schedule(conn, [digest], now)
            if notice is not None:
                await put_notice(conn, self.db, notice, now)
            await record_audit(
                conn,
                now,
                actor_id,
                "assign" if assigned else "unassign",
                case_id=case_id,
                target_id=volunteer_id,
            )
            return True

    async def set_flag(
        self, case_id: int, flag: str, value: bool, actor_id: int, now: datetime
    ) -> None:
        """verified, or volunteer_details (let volunteers see identity numbers and the account)."""
        column = {"verified": "verified", "details": "volunteer_details"}[flag]
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE cases SET {column} = ?, updated_at = ? WHERE id = ?",
                (int(value), _ts(now), case_id),
            )
            await record_audit(
                conn,
                now,
                actor_id,
                "verify" if flag == "verified" else "details",
                case_id=case_id,
                detail={"value": value},
            )

    async def set_status(
        self,
        case_id: int,
        status: CaseStatus,
        actor_id: int,
        now: datetime,
        notice: NewNotice | None = None,
    ) -> None:
        """A staff member changes the status: the case, its timeline, the audit and the
        family's ``notice`` at once."""
        async with self.db.transaction() as conn:
            if notice is not None:
                await put_notice(conn, self.db, notice, now)
            await conn.execute(
                "UPDATE cases SET status = ?, updated_at = ? WHERE id = ?",
                (status.value, _ts(now), case_id),
            )
            detail = {"status": status.value}
            await conn.execute(
                "INSERT INTO case_events(case_id, at, kind, actor_id, detail) VALUES (?, ?, "
                "?, ?, ?)",
                (case_id, _ts(now), "status", actor_id, _json(detail)),
            )
            await record_audit(conn, now, actor_id, "status", case_id=case_id, detail=detail)

    async def flags(self, case_id: int) -> dict[str, bool]:
        async with self.db.reading() as conn:
            row = _first(
                await conn.execute_fetchall(
                    "SELECT verified, volunteer_details FROM cases WHERE id = ?", (case_id,)
                )
            )
        return {"verified": bool(row[0]), "details": bool(row[1])} if row else {}

    async def due_letters(
        self, volunteer_id: int | None, until: str
    ) -> list[tuple[str, LetterRow]]:
        """(case number, letter) of open letters due by ``until`` (ISO date), most urgent first;
        only the volunteer's cases when ``volunteer_id`` is given."""
        query = """SELECT c.number AS case_number, l.* FROM letters l
                   JOIN cases c ON c.id = l.case_id
                   WHERE l.closed = 0 AND l.sent_on IS NOT NULL AND l.due_on <= ?"""
        params: list[Any] = [until]
        if volunteer_id is not None:
            query += (
                " AND EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id"
                " AND a.volunteer_id = ?)"
            )
            params.append(volunteer_id)
        async with self.db.reading() as conn:
            rows = list(await conn.execute_fetchall(query + " ORDER BY l.due_on, l.id", params))
        return [(r["case_number"], _letter(r, self.db.cipher)) for r in rows]

    async def due_page(
        self, volunteer_id: int | None, until: str, limit: int, cursor: DueCursor | None = None
    ) -> tuple[list[tuple[str, LetterRow]], int]:
        """A page of ``due_letters`` (the first, or the one ``cursor`` points to) and how
        many there are in all; read from the index of open letters by deadline."""
        where = "l.closed = 0 AND l.sent_on IS NOT NULL AND l.due_on <= ?"
        params: list[Any] = [until]
        if volunteer_id is not None:
            where += (
                " AND l.case_id IN (SELECT a.case_id FROM assignments a WHERE a.volunteer_id = ?)"
            )
            params.append(volunteer_id)
        # All open letters in deadline order; a volunteer's few through their cases.
        index = "INDEXED BY letters_open_due" if volunteer_id is None else ""
        page_where, page_params, order = where, list(params), "ASC"
        if cursor is not None:
            op, order = (">", "ASC") if cursor.forward else ("<", "DESC")
            page_where += f" AND l.due_on {op}= ? AND (l.due_on {op} ? OR l.id {op} ?)"
            page_params += [cursor.due_on, cursor.due_on, cursor.letter_id]
        async with self.db.reading() as conn:
            total = _first(
                await conn.execute_fetchall(
                    f"SELECT COUNT(*) FROM letters l {index} WHERE {where}", params
                )
            )
            rows = list(
                await conn.execute_fetchall(
                    f"""SELECT c.number AS case_number, l.* FROM letters l {index}
                    JOIN cases c ON c.id = l.case_id WHERE {page_where}
                    ORDER BY l.due_on {order}, l.id {order} LIMIT ?""",
                    (*page_params, limit),
                )
            )
        if order == "DESC":
            rows.reverse()
        return (
            [(r["case_number"], _letter(r, self.db.cipher)) for r in rows],
            int(total[0]) if total else 0,
        )

    # --- notes --------------------------------------------------------------------
    async def add_note(
        self,
        case_id: int,
        author_id: int,
        text: str,
        now: datetime,
        closing: FormClosing | None = None,
    ) -> None:
        """The note, its event and audit entry, and the closing of the form that asked
        for it (``closing``), in one transaction."""
        async with self.db.transaction() as conn:
            await close_form(conn, closing, now)
            await conn.execute(
                "INSERT INTO notes(case_id, author_id, text, created_at) VALUES (?, ?, ?, ?)",
                (case_id, author_id, self.db.cipher.seal(text), _ts(now)),
            )
            await conn.execute(
                "INSERT INTO case_events(case_id, at, kind, actor_id, detail) VALUES (?, ?, "
                "?, ?, ?)",
                (case_id, _ts(now), "note", author_id, "{}"),
            )
            await record_audit(conn, now, author_id, "note", case_id=case_id)

    async def notes(self, case_id: int) -> list[Note]:
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT * FROM notes WHERE case_id = ? ORDER BY created_at, id", (case_id,)
                )
            )
        return [
            Note(
                r["id"],
                r["case_id"],
                r["author_id"],
                self.db.cipher.open(r["text"]),
                _dt(r["created_at"]) or datetime.min,
            )
            for r in rows
        ]


def _count_query(flt: CaseFilter) -> str | None:
    """A cheaper count for the filters alone that no index of the cases holds (it takes
    the same parameters): overdue cases from the open letters' index, unassigned ones as
    all cases less the assigned, one volunteer's from their assignments."""
    mine = CaseFilter(volunteer_id=flt.volunteer_id, oldest_first=flt.oldest_first)
    if flt.volunteer_id is not None and flt == mine:
        # One volunteer's cases: their assignments (which go with their cases).
        return "SELECT COUNT(*) FROM assignments a WHERE a.volunteer_id = ?"
    alone = CaseFilter(
        overdue=flt.overdue, unassigned=flt.unassigned, oldest_first=flt.oldest_first
    )
    if flt != alone or flt.overdue == flt.unassigned:
        return None
    if flt.overdue:
        return (
            "SELECT COUNT(DISTINCT l.case_id) FROM letters l INDEXED BY letters_open "
            "WHERE l.closed = 0 AND l.sent_on IS NOT NULL AND l.due_on < ?"
        )
    return (
        "SELECT (SELECT COUNT(*) FROM cases) - "
        "(SELECT COUNT(DISTINCT a.case_id) FROM assignments a)"
    )


def _case_filter(flt: CaseFilter, today: str, counting: bool = False) -> tuple[str, list[Any]]:
    """The WHERE of /cases. ``counting``: for counting every match, where "overdue" reads
    the open letters' index once instead of looking up the letters of each case (which
    is right for a page: it stops at the first few matches, newest first)."""
    params: list[str | int]
    clauses, params = ["1 = 1"], []
    if flt.status:
        clauses.append("c.status = ?")
        params.append(flt.status)
    if flt.citizenship:
        clauses.append("c.citizenship = ?")
        params.append(flt.citizenship)
    if flt.region:
        clauses.append("c.region = ?")
        params.append(flt.region)
    if flt.verified is not None:
        clauses.append("c.verified = ?")
        params.append(int(flt.verified))
    if flt.unassigned:
        clauses.append("NOT EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id)")
    if flt.volunteer_id is not None and counting:
        # Counting reads the volunteer's assignments once, not one look-up per case.
        clauses.append(
            "c.id IN (SELECT a.case_id FROM assignments a INDEXED BY assignments_volunteer "
            "WHERE a.volunteer_id = ?)"
        )
        params.append(flt.volunteer_id)
    elif flt.volunteer_id is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM assignments a WHERE a.case_id = c.id AND a.volunteer_id = ?)"
        )
        params.append(flt.volunteer_id)
    if flt.overdue and counting:
        clauses.append(
            "c.id IN (SELECT l.case_id FROM letters l INDEXED BY letters_open "
            "WHERE l.closed = 0 AND l.sent_on IS NOT NULL AND l.due_on < ?)"
        )
        params.append(today)
    elif flt.overdue:
        clauses.append(
            "EXISTS (SELECT 1 FROM letters l WHERE l.case_id = c.id AND l.closed = 0 "
            "AND l.sent_on IS NOT NULL AND l.due_on < ?)"
        )
        params.append(today)
    return " AND ".join(clauses), params


def _member(row: aiosqlite.Row, cipher: Cipher) -> StaffMember:
    return StaffMember(
        row["user_id"],
        open_chat_id(row["chat_id"], cipher),
        row["role"],
        row["locale"],
        _dt(row["granted_at"]) or datetime.min,
    )


def _invitation(row: aiosqlite.Row) -> Invitation:
    return Invitation(
        row["code"],
        row["role"],
        row["created_by"],
        _dt(row["created_at"]) or datetime.min,
        _dt(row["expires_at"]) or datetime.min,
        row["used_by"],
        row["revoked_at"] is not None,
    )


def _summary(row: aiosqlite.Row, cipher: Cipher) -> CaseSummary:
    answers = load_answers(row["answers"], cipher)
    volunteers = tuple(int(x) for x in (row["volunteers"] or "").split(",") if x)
    return CaseSummary(
        row["id"],
        row["number"],
        row["status"],
        row["citizenship"],
        bool(row["verified"]),
        str(answers.get("m_name", "")),
        _dt(row["created_at"]) or datetime.min,
        volunteers,
        int(row["overdue"]),
        row["next_due"],
    )
