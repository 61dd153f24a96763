"""SQL of the organisation's side: roles, invitations, assignments, notes, audit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.database import Database
from bot.storage.store import _dt, _json, _ts


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


async def record_audit(conn: aiosqlite.Connection, now: datetime, actor_id: int, action: str,
                       case_id: int | None = None, target_id: int | None = None,
                       detail: dict[str, Any] | None = None) -> None:
    """Write one audit entry inside the caller's transaction (ids and codes only)."""
    await conn.execute(
        "INSERT INTO audit(at, actor_id, action, case_id, target_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (_ts(now), actor_id, action, case_id, target_id, _json(detail or {})),
    )


class AuditStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, now: datetime, actor_id: int, action: str, case_id: int | None = None,
                     target_id: int | None = None, detail: dict[str, Any] | None = None) -> None:
        async with self.db.transaction() as conn:
            await record_audit(conn, now, actor_id, action, case_id, target_id, detail)

    async def entries(self, limit: int = 50, offset: int = 0,
                      since: datetime | None = None) -> list[AuditEntry]:
        query = "SELECT * FROM audit"
        params: list[Any] = []
        if since is not None:
            query += " WHERE at >= ?"
            params.append(_ts(since))
        query += " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?"
        params += [limit, offset]
        async with self.db.reading() as conn:
            async with conn.execute(query, params) as cur:
                rows = await cur.fetchall()
        return [_audit(r) for r in rows]


def _audit(row: aiosqlite.Row) -> AuditEntry:
    at = _dt(row["at"])
    assert at is not None
    return AuditEntry(row["id"], at, row["actor_id"], row["action"], row["case_id"],
                      row["target_id"], json.loads(row["detail"]))
