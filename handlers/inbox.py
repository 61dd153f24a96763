"""Updates stored before they are acknowledged, then processed in each chat's order.

Both ways of receiving (``handlers.polling``, ``handlers.webhook``) hand what
arrived to ``Receiver.accept``: it returns once the updates are committed to the
inbox, and only then is Telegram told they arrived. Processing runs through the
application's update processor (one chat at a time, chats concurrently); a
processed update leaves the inbox. At start-up, ``recover`` processes what the
previous run stored and did not finish, before anything new arrives.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import orjson
from telegram import Update
from telegram.ext import Application

from bot.services.delivery import Delivery, received
from handlers.app import RECOVERED

log = logging.getLogger(__name__)


class Receiver:
    def __init__(self, app: Application, delivery: Delivery) -> None:
        self.app = app
        self.delivery = delivery
        self.tasks: set[asyncio.Task[None]] = set()
        self.last_received: datetime | None = None  # last answer of Telegram, for health
        self.first_heard = asyncio.Event()  # wakes the heartbeat once, not 15 s later

    def heard_from_telegram(self) -> None:
        self.last_received = datetime.now(UTC)
        self.first_heard.set()

    async def accept(self, updates: list[tuple[Update, dict]]) -> None:
        """Store (commit) the updates, then start processing them. Raises if they could
        not be stored: the caller must then not acknowledge them."""
        items = [received(data) for _, data in updates]
        seqs = await self.delivery.receive(items)
        for (update, _), item, seq in zip(updates, items, seqs):
            if seq is None:
                log.info("update %s was delivered again; ignored", item.update_id)
            else:
                self._dispatch(update, seq, item.update_id, item.digest)

    async def recover(self) -> int:
        """Start processing what the previous run left in the inbox; how many."""
        pending = await self.delivery.recover()
        recovered: set[int] = self.app.bot_data.setdefault(RECOVERED, set())
        for item in pending:
            try:
                update = Update.de_json(orjson.loads(item.body), self.app.bot)
            except Exception as exc:  # noqa: BLE001 - a stored update that no longer parses
                log.error(
                    "stored update %s cannot be read (%s); dropped",
                    item.update_id,
                    type(exc).__name__,
                )
                await self.delivery.done(item.seq, item.update_id, item.digest)
                continue
            recovered.add(item.update_id)
            self._dispatch(update, item.seq, item.update_id, item.digest, recovered=True)
        return len(pending)

    def _dispatch(
        self, update: Update, seq: int, update_id: int, digest: str, recovered: bool = False
    ) -> None:
        task = asyncio.create_task(
            self._process(update, seq, update_id, digest, recovered), name=f"update-{update_id}"
        )
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _process(
        self, update: Update, seq: int, update_id: int, digest: str, recovered: bool
    ) -> None:
        async def run() -> None:  # in the chat's turn
            if recovered:  # counted, so that one that kills the bot is not tried forever
                await self.delivery.attempt(seq)
            await self.app.process_update(update)

        try:
            await self.app.update_processor.process_update(update, run())
        except Exception as exc:  # noqa: BLE001 - handlers' errors went to on_error already
            log.error("update %s: processing failed (%s)", update_id, type(exc).__name__)
        self.app.bot_data.get(RECOVERED, set()).discard(update_id)
        try:
            await self.delivery.done(seq, update_id, digest)
        except Exception as exc:  # noqa: BLE001 - it stays stored and is recognised next start
            log.error(
                "update %s: could not be marked processed (%s)", update_id, type(exc).__name__
            )

    async def drain(self, timeout: float) -> None:
        """Let updates in progress finish for up to ``timeout`` s; the rest stay stored
        and are processed at the next start."""
        if not self.tasks:
            return
        _, pending = await asyncio.wait(set(self.tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            log.info("%s update(s) left for the next start", len(pending))
            await asyncio.gather(*pending, return_exceptions=True)
