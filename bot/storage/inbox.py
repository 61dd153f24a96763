"""The inbox of received updates, the record of handled ones, and the heartbeat.

An update is written here, and committed, before Telegram is told it arrived; it
is deleted once it was processed. Between the two, a crash leaves it here for
the next start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.storage.database import Database


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Received:
    """One update as it arrived: its id, a hash of its content, its JSON."""

    update_id: int
    digest: str
    body: bytes


@dataclass(frozen=True)
class Pending:
    """A stored update still to be processed."""

    seq: int
    update_id: int
    digest: str
    body: bytes


@dataclass(frozen=True)
class Heartbeat:
    at: datetime
    pid: int
    mode: str
    received_at: datetime | None
    worker_alive: bool


class InboxStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def receive(self, updates: list[Received], now: datetime) -> list[int | None]:
        """Store the updates in one transaction; for each, its inbox number, or None when
        it is a re-delivery (handled before, or waiting already, with the same content).

        A handled id that arrives with other content is a new update: the record of the
        old one is dropped so that the new one is processed."""
        seqs: list[int | None] = []
        async with self.db.transaction() as conn:
            for item in updates:
                rows = await conn.execute_fetchall(
                    "SELECT digest FROM processed_updates WHERE update_id = ?", (item.update_id,)
                )
                if rows:
                    if rows[0]["digest"] in (None, item.digest):
                        seqs.append(None)
                        continue
                    await conn.execute(
                        "DELETE FROM processed_updates WHERE update_id = ?", (item.update_id,)
                    )
                waiting = await conn.execute_fetchall(
                    "SELECT 1 FROM inbox WHERE update_id = ? AND digest = ?",
                    (item.update_id, item.digest),
                )
                if waiting:
                    seqs.append(None)
                    continue
                cur = await conn.execute(
                    "INSERT INTO inbox(update_id, digest, body, received_at) VALUES (?, ?, ?, ?)",
                    (item.update_id, item.digest, self.db.cipher.seal_data(item.body), _ts(now)),
                )
                seqs.append(cur.lastrowid)
        return seqs

    async def done(self, seq: int, update_id: int, digest: str, now: datetime) -> None:
        """The update was processed: remember its id and content, forget its body."""
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT INTO processed_updates(update_id, at, digest) VALUES (?, ?, ?)
                   ON CONFLICT(update_id) DO UPDATE SET digest = excluded.digest""",
                (update_id, _ts(now), digest),
            )
            await conn.execute("DELETE FROM inbox WHERE seq = ?", (seq,))

    async def take_pending(self, max_attempts: int) -> tuple[list[Pending], list[int]]:
        """At start-up: the updates a previous run stored but did not finish, in the order
        they arrived. Those whose processing began ``max_attempts`` times already (each
        time the process died) are dropped; their ids are returned second."""
        async with self.db.transaction() as conn:
            dropped = [
                int(r[0])
                for r in await conn.execute_fetchall(
                    "SELECT update_id FROM inbox WHERE attempts >= ? ORDER BY seq", (max_attempts,)
                )
            ]
            await conn.execute("DELETE FROM inbox WHERE attempts >= ?", (max_attempts,))
        async with self.db.reading() as reader:
            rows = list(
                await reader.execute_fetchall(
                    "SELECT seq, update_id, digest, body FROM inbox ORDER BY seq"
                )
            )
        pending = []
        for row in rows:
            body = self.db.cipher.open_data(row["body"])
            pending.append(
                Pending(
                    int(row["seq"]),
                    int(row["update_id"]),
                    str(row["digest"]),
                    body if isinstance(body, bytes) else body.encode("utf-8"),
                )
            )
        return pending, dropped

    async def attempt(self, seq: int) -> None:
        """Processing of a stored update left by a previous run begins (now, not when it
        was queued: a run killed before reaching it has not tried it)."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE inbox SET attempts = attempts + 1 WHERE seq = ?", (seq,))

    async def waiting(self) -> int:
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall("SELECT count(*) FROM inbox")
        return int(list(rows)[0][0])

    async def prune_handled(self, before: datetime) -> int:
        """Forget handled updates older than ``before`` (Telegram re-delivers for a day)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute("DELETE FROM processed_updates WHERE at < ?", (_ts(before),))
            return cur.rowcount

    # --- heartbeat -------------------------------------------------------------------
    async def beat(self, beat: Heartbeat) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT INTO heartbeat(id, at, pid, mode, received_at, worker_alive)
                   VALUES (1, ?, ?, ?, ?, ?)
                   ON CONFLICT(id) DO UPDATE SET at = excluded.at, pid = excluded.pid,
                       mode = excluded.mode, received_at = excluded.received_at,
                       worker_alive = excluded.worker_alive""",
                (
                    _ts(beat.at),
                    beat.pid,
                    beat.mode,
                    _ts(beat.received_at) if beat.received_at else None,
                    int(beat.worker_alive),
                ),
            )

    async def last_beat(self) -> Heartbeat | None:
        async with self.db.reading() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT at, pid, mode, received_at, worker_alive FROM heartbeat WHERE id = 1"
                )
            )
        if not rows:
            return None
        at, pid, mode, received, alive = rows[0]
        return Heartbeat(
            datetime.fromisoformat(at),
            int(pid),
            str(mode),
            datetime.fromisoformat(received) if received else None,
            bool(alive),
        )
