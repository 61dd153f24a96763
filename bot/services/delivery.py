"""Receiving updates so that none Telegram considers delivered can be lost.

Telegram forgets an update once the webhook answered 200 or the next
``getUpdates`` carried a higher offset. So each update is stored (committed) in
the inbox first, then acknowledged, then processed; a processed update leaves
the inbox and its id and a hash of its content are kept for a week, so that a
re-delivery is recognised and a new update that reuses an old id is not.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from bot.clock import Clock
from bot.storage.database import Database
from bot.storage.inbox import Heartbeat, InboxStore, Pending, Received

log = logging.getLogger(__name__)

# Telegram keeps an undelivered update for a day; a week covers every re-delivery.
KEEP_HANDLED = timedelta(days=7)
# A stored update whose processing began this many times after restarts, each time ending
# with the process dying, is given up (and logged): it must not keep the bot in a crash loop.
MAX_ATTEMPTS = 10
# The heartbeat is written this often; `health` calls a bot silent for 3x as long dead.
BEAT_SECONDS = 15
# A polling bot asks Telegram at least every POLL_TIMEOUT seconds (see handlers.polling).
STALE_POLL = timedelta(seconds=90)


def digest(update: dict[str, Any]) -> str:
    """A hash of the update's content, independent of key order."""
    canonical = orjson.dumps(update, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(canonical, digest_size=16).hexdigest()


def received(update: dict[str, Any]) -> Received:
    return Received(int(update["update_id"]), digest(update), orjson.dumps(update))


class Delivery:
    """The inbox's use cases: receive, done, recover, prune, heartbeat."""

    def __init__(self, store: InboxStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def receive(self, updates: list[Received]) -> list[int | None]:
        """Store updates before they are acknowledged; None for a re-delivery."""
        return await self.store.receive(updates, self.clock.now())

    async def done(self, seq: int, update_id: int, digest_: str) -> None:
        await self.store.done(seq, update_id, digest_, self.clock.now())

    async def attempt(self, seq: int) -> None:
        await self.store.attempt(seq)

    async def recover(self) -> list[Pending]:
        """What a previous run stored and did not finish, oldest first."""
        pending, dropped = await self.store.take_pending(MAX_ATTEMPTS)
        for update_id in dropped:
            log.error(
                "update %s was given up: the bot stopped %s times while processing it",
                update_id,
                MAX_ATTEMPTS,
            )
        if pending:
            log.info(
                "%s stored update(s) left unprocessed by the last run; processing them",
                len(pending),
            )
        return pending

    async def prune(self) -> int:
        """Forget handled updates older than ``KEEP_HANDLED``."""
        return await self.store.prune_handled(self.clock.now() - KEEP_HANDLED)

    async def beat(self, mode: str, received_at: datetime | None, worker_alive: bool) -> None:
        await self.store.beat(
            Heartbeat(self.clock.now(), os.getpid(), mode, received_at, worker_alive)
        )


@dataclass(frozen=True)
class Health:
    """What `python -m bot health` and GET /health report."""

    receiving: bool
    database: bool
    worker: bool
    lines: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.receiving and self.database and self.worker


def judge(beat: Heartbeat | None, now: datetime, writable: bool, running: bool) -> Health:
    """Health from the heartbeat a running bot writes, seen from another process.

    ``running`` says whether the process that wrote the heartbeat still exists."""
    lines = [f"database: {'writable' if writable else 'NOT writable'}"]
    if beat is None:
        return Health(False, writable, False, (*lines, "bot: has never run on this database"))
    silent = now - beat.at
    alive = running and silent <= timedelta(seconds=3 * BEAT_SECONDS)
    lines.append(
        f"bot: {'running' if alive else 'NOT running'} (pid {beat.pid}, "
        f"{beat.mode}, last sign of life {int(silent.total_seconds())} s ago)"
    )
    if beat.mode == "polling":
        last = beat.received_at
        receiving = alive and last is not None and now - last <= STALE_POLL
        ago = f"{int((now - last).total_seconds())} s ago" if last else "never"
        lines.append(f"polling: {'yes' if receiving else 'NO'} (last answer {ago})")
    else:
        receiving = alive and beat.received_at is not None
        lines.append(f"webhook: {'registered' if receiving else 'NOT registered'}")
    worker = alive and beat.worker_alive
    lines.append(f"letter worker: {'alive' if worker else 'NOT alive'}")
    return Health(receiving, writable, worker, tuple(lines))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


async def check_health(path: Path, now: datetime | None = None) -> Health:
    """``judge`` for the database at ``path``, from another process than the bot's."""
    db = Database(path)
    await db.open(check=False)
    try:
        try:
            async with db.transaction():
                pass  # BEGIN IMMEDIATE: the write lock can be had
            writable = True
        except Exception:  # noqa: BLE001 - read-only file, full disk, locked for 5 s
            writable = False
        beat = await InboxStore(db).last_beat()
    finally:
        await db.close()
    moment = now or datetime.now(UTC)
    return judge(beat, moment, writable, beat is not None and _running(beat.pid))
