"""SQL of the international route: consent, translations and the UN submission of a case."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.storage.database import Database
from bot.storage.notices import NewNotice, put_notice
from bot.storage.store import (
    FormClosing,
    _dt,
    _first,
    _ts,
    close_form,
    dump_answers,
    load_answers,
    record_audit,
)


@dataclass(frozen=True)
class UnRecord:
    """What is stored about a case's submission; ``None`` means "not answered yet"."""

    case_id: int
    may_name: bool | None = None
    on_behalf: bool | None = None
    consent_at: datetime | None = None
    translations: Mapping[str, str] = field(default_factory=dict)
    submitted_on: date | None = None
    reference: str = ""
    urgent: bool | None = None
    submitted_by: int | None = None


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _int(value: bool | None) -> int | None:
    return None if value is None else int(value)


class UnStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, case_id: int) -> UnRecord:
        async with self.db.looking_up() as conn:
            row = _first(
                await conn.execute_fetchall(
                    "SELECT * FROM un_submissions WHERE case_id = ?", (case_id,)
                )
            )
        if row is None:
            return UnRecord(case_id)
        cipher = self.db.cipher
        return UnRecord(
            case_id=case_id,
            may_name=_flag(row["may_name"]),
            on_behalf=_flag(row["on_behalf"]),
            consent_at=_dt(row["consent_at"]),
            translations=load_answers(row["translations"], cipher) if row["translations"] else {},
            submitted_on=date.fromisoformat(row["submitted_on"]) if row["submitted_on"] else None,
            reference=cipher.open(row["reference"]) if row["reference"] else "",
            urgent=_flag(row["urgent"]),
            submitted_by=row["submitted_by"],
        )

    async def _ensure(self, conn: Any, case_id: int, now: datetime) -> None:
        await conn.execute(
            "INSERT INTO un_submissions(case_id, updated_at) VALUES (?, ?) "
            "ON CONFLICT(case_id) DO NOTHING",
            (case_id, _ts(now)),
        )

    async def set_consent(
        self,
        case_id: int,
        *,
        may_name: bool | None,
        on_behalf: bool | None,
        actor_id: int,
        now: datetime,
    ) -> None:
        """The family's answer; an event in the timeline records that (not what) it answered."""
        async with self.db.transaction() as conn:
            await self._ensure(conn, case_id, now)
            await conn.execute(
                "UPDATE un_submissions SET may_name = ?, on_behalf = ?, consent_at = ?, "
                "updated_at = ? WHERE case_id = ?",
                (_int(may_name), _int(on_behalf), _ts(now), _ts(now), case_id),
            )
            await conn.execute(
                "INSERT INTO case_events(case_id, at, kind, actor_id, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                (case_id, _ts(now), "un_consent", actor_id, "{}"),
            )

    async def set_translation(
        self,
        case_id: int,
        key: str,
        text: str,
        actor_id: int,
        now: datetime,
        closing: FormClosing | None = None,
    ) -> None:
        """The English text of one answer and the audit entry (with the form that asked
        for it closed, ``closing``)."""
        async with self.db.transaction() as conn:
            await close_form(conn, closing, now)
            await self._ensure(conn, case_id, now)
            row = _first(
                await conn.execute_fetchall(
                    "SELECT translations FROM un_submissions WHERE case_id = ?", (case_id,)
                )
            )
            current = (
                load_answers(row["translations"], self.db.cipher)
                if row and row["translations"]
                else {}
            )
            current[key] = text
            await conn.execute(
                "UPDATE un_submissions SET translations = ?, updated_at = ? WHERE case_id = ?",
                (dump_answers(current, self.db.cipher), _ts(now), case_id),
            )
            await record_audit(
                conn, now, actor_id, "un_translation", case_id=case_id, detail={"field": key}
            )

    async def mark_submitted(
        self,
        case_id: int,
        on: date,
        reference: str,
        urgent: bool,
        actor_id: int,
        now: datetime,
        closing: FormClosing | None = None,
        notice: NewNotice | None = None,
    ) -> None:
        """The case went to the Working Group: a timeline event and an audit entry (and the
        form that asked for it closed, ``closing``, and the family's ``notice`` written)."""
        async with self.db.transaction() as conn:
            await close_form(conn, closing, now)
            if notice is not None:
                await put_notice(conn, self.db, notice, now)
            await self._ensure(conn, case_id, now)
            await conn.execute(
                "UPDATE un_submissions SET submitted_on = ?, reference = ?, urgent = ?, "
                "submitted_by = ?, updated_at = ? WHERE case_id = ?",
                (
                    on.isoformat(),
                    self.db.cipher.seal(reference),
                    int(urgent),
                    actor_id,
                    _ts(now),
                    case_id,
                ),
            )
            await conn.execute(
                "INSERT INTO case_events(case_id, at, kind, actor_id, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    case_id,
                    _ts(now),
                    "un_submitted",
                    actor_id,
                    json.dumps({"on": on.isoformat(), "urgent": urgent}),
                ),
            )
            await record_audit(conn, now, actor_id, "un_submitted", case_id=case_id)

    async def record_produced(self, case_id: int, actor_id: int, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await record_audit(conn, now, actor_id, "un_submission_made", case_id=case_id)

    async def counts(self) -> tuple[int, int]:
        """(cases submitted to the UN, of them within the urgent window), for statistics."""
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT COUNT(*) AS n, COALESCE(SUM(urgent), 0) AS u FROM un_submissions "
                    "WHERE submitted_on IS NOT NULL"
                )
            )
        return int(rows[0]["n"]), int(rows[0]["u"])
