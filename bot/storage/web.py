"""SQL of the browser desk's login: one-time links and sessions, stored as hashes only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Database
from bot.storage.store import _dt, _first, _ts, record_audit


@dataclass(frozen=True)
class WebSessionRow:
    user_id: int
    locale: str
    csrf: str
    created_at: datetime
    last_seen: datetime


class WebStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_link(
        self, token_hash: str, user_id: int, locale: str, now: datetime, expires: datetime
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT INTO web_links(token_hash, user_id, locale, created_at, expires_at)
                   VALUES (?, ?, ?, ?, ?)""",
                (token_hash, user_id, locale, _ts(now), _ts(expires)),
            )
            # Old links are of no use to anyone: they go as new ones are made.
            await conn.execute("DELETE FROM web_links WHERE expires_at < ?", (_ts(now),))

    async def use_link(
        self, token_hash: str, now: datetime, session_hash: str, csrf: str
    ) -> tuple[int, str] | None:
        """Mark the link used and open its session, in one transaction, if it is unused
        and not expired: (user id, locale), else None."""
        async with self.db.transaction() as conn:
            row = _first(
                await conn.execute_fetchall(
                    """SELECT user_id, locale FROM web_links WHERE token_hash = ?
                       AND used_at IS NULL AND expires_at > ?""",
                    (token_hash, _ts(now)),
                )
            )
            if row is None:
                return None
            await conn.execute(
                "UPDATE web_links SET used_at = ? WHERE token_hash = ?", (_ts(now), token_hash)
            )
            await conn.execute(
                """INSERT INTO web_sessions(id_hash, user_id, locale, csrf, created_at,
                                            last_seen) VALUES (?, ?, ?, ?, ?, ?)""",
                (session_hash, row["user_id"], row["locale"], csrf, _ts(now), _ts(now)),
            )
            await record_audit(conn, now, row["user_id"], "web_login")
            return int(row["user_id"]), str(row["locale"])

    async def session(self, id_hash: str) -> WebSessionRow | None:
        async with self.db.looking_up() as conn:
            row = _first(
                await conn.execute_fetchall(
                    """SELECT user_id, locale, csrf, created_at, last_seen FROM web_sessions
                       WHERE id_hash = ? AND ended_at IS NULL""",
                    (id_hash,),
                )
            )
        if row is None:
            return None
        created, seen = _dt(row["created_at"]), _dt(row["last_seen"])
        assert created is not None and seen is not None
        return WebSessionRow(row["user_id"], row["locale"], row["csrf"], created, seen)

    async def touch(self, id_hash: str, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE web_sessions SET last_seen = ? WHERE id_hash = ?", (_ts(now), id_hash)
            )

    async def end(self, id_hash: str, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE web_sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL",
                (_ts(now), id_hash),
            )

    async def end_all(self, user_id: int, now: datetime) -> None:
        """Every open session of this person (their role was removed)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE web_sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
                (_ts(now), user_id),
            )
