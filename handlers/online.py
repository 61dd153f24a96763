"""Running against Telegram (or a self-hosted Bot API server): polling or webhook.

The Application is built without PTB's Updater: our own polling loop
(``handlers.polling``) or web server (``handlers.webhook``) stores every update
in the inbox before Telegram is told it arrived, and feeds it to the
Application (PTB's "custom webhook bot" pattern). Start-up calls are retried
while Telegram hiccups (``handlers.startup``); SIGINT and SIGTERM stop the bot,
its letter worker included, without a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import Application

from bot.app import Services, open_services
from bot.config import Config, ConfigError
from bot.services.delivery import BEAT_SECONDS, STALE_POLL
from handlers.app import build_application, default_rate_limiter, publish_commands
from handlers.inbox import Receiver
from handlers.polling import poll
from handlers.startup import retrying
from handlers.views.notices import send_notices
from handlers.web.desk import start_desk
from handlers.webhook import start_server

log = logging.getLogger(__name__)

DRAIN_SECONDS = 5.0  # updates in progress at a stop get this long; the rest wait in the inbox


def run_online(config: Config) -> None:
    """Open the core, build the bot and run it until SIGINT or SIGTERM."""
    try:
        asyncio.run(serve(config))
    except KeyboardInterrupt:  # Ctrl-C before the signal handlers were in place
        log.info("stopped while starting")
    except InvalidToken:
        raise ConfigError("Telegram refused TELEGRAM_BOT_TOKEN (invalid token)") from None


class Vitals:
    """What the health check reports, and the heartbeat that lets another process see it."""

    def __init__(self, services: Services, receiver: Receiver, mode: str) -> None:
        self.services = services
        self.receiver = receiver
        self.mode = mode
        self.registered_at: datetime | None = None  # the webhook, once setWebhook succeeded

    def receiving(self) -> bool:
        if self.mode == "webhook":
            return self.registered_at is not None
        last = self.receiver.last_received
        return last is not None and datetime.now(UTC) - last <= STALE_POLL

    async def check(self) -> dict[str, Any]:
        """Ask the worker, write the heartbeat (proving the database takes writes)."""
        worker = await self.services.letters.worker_alive()
        seen = self.registered_at if self.mode == "webhook" else self.receiver.last_received
        try:
            await self.services.delivery.beat(self.mode, seen, worker)
            database = True
        except Exception as exc:  # noqa: BLE001 - whatever the database raised
            log.error("health: the database refused a write (%s)", type(exc).__name__)
            database = False
        receiving = self.receiving()
        return {
            "ok": receiving and database and worker,
            "mode": self.mode,
            "receiving": receiving,
            "database_writable": database,
            "letter_worker": worker,
        }

    async def beat_forever(self) -> None:
        """A heartbeat every ``BEAT_SECONDS``, and one as soon as Telegram first answered."""
        woken = self.receiver.first_heard
        while True:
            report = await self.check()
            if not report["ok"] and woken.is_set():
                log.warning("health: %s", {k: v for k, v in report.items() if v is False})
            if woken.is_set():
                await asyncio.sleep(BEAT_SECONDS)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), BEAT_SECONDS)


async def serve(config: Config) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    services = await open_services(config)
    app = build_application(services, rate_limiter=default_rate_limiter())
    started = False
    background: list[asyncio.Task[Any]] = []
    receiver = Receiver(app, services.delivery)
    server = None
    desk = None
    try:
        if not await retrying("getMe", lambda: _initialize(app), stop):
            return
        await services.settle()
        await app.start()
        started = True
        desk = await start_desk(services, app.bot, app.bot_data)
        await receiver.recover()  # before anything new, so each chat keeps its order
        # Notices to other people an action wrote before the last stop and never sent.
        background.append(asyncio.create_task(send_notices(app.bot, services)))
        mode = "webhook" if config.webhook_url else "polling"
        vitals = Vitals(services, receiver, mode)
        background.append(asyncio.create_task(_publish(app, stop)))
        if config.webhook_url:
            # Without a secret anyone who finds the URL could post updates in any user's
            # name: make one for this run (Telegram receives it with setWebhook).
            secret = config.webhook_secret or secrets.token_urlsafe(32)
            server = start_server(
                receiver, secret, vitals.check, config.webhook_listen, config.webhook_port
            )
            log.info("webhook listening on %s:%s", config.webhook_listen, config.webhook_port)
            background.append(
                asyncio.create_task(_register(app, config.webhook_url, secret, vitals, stop))
            )
        else:
            log.info("starting long polling")
            background.append(asyncio.create_task(_poll(app, receiver, stop)))
        background.append(asyncio.create_task(vitals.beat_forever()))
        await _until_stopped(stop, background)
    finally:
        log.info("stopping")
        if desk is not None:
            await desk.stop()
        if server is not None:
            server.stop()
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await receiver.drain(DRAIN_SECONDS)
        if server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.close_all_connections(), 2)
        if started:
            await app.stop()
        with contextlib.suppress(Exception):
            await app.shutdown()
        await asyncio.to_thread(services.letters.stop_worker)
        await services.close()
        log.info("stopped")


async def _until_stopped(stop: asyncio.Event, tasks: list[asyncio.Task[Any]]) -> None:
    """Wait for the stop signal; a task that failed (an invalid token) ends the run."""
    stopping = asyncio.create_task(stop.wait())
    waiting: set[asyncio.Task[Any]] = {stopping, *tasks}
    try:
        while stopping in waiting:
            done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            for task in done - {stopping}:
                if not task.cancelled() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
    finally:
        stopping.cancel()


async def _initialize(app: Application) -> bool:
    await app.initialize()  # getMe
    return True


async def _publish(app: Application, stop: asyncio.Event) -> None:
    async def call() -> bool:
        await publish_commands(app)
        return True

    await retrying("setMyCommands", call, stop)


async def _register(
    app: Application, url: str, secret: str, vitals: Vitals, stop: asyncio.Event
) -> None:
    async def call() -> bool:
        return await app.bot.set_webhook(
            url, secret_token=secret, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
        )

    if await retrying("setWebhook", call, stop):
        vitals.registered_at = datetime.now(UTC)
        vitals.receiver.first_heard.set()
        log.info("webhook registered")


async def _poll(app: Application, receiver: Receiver, stop: asyncio.Event) -> None:
    async def clear() -> bool:  # getUpdates is refused while a webhook is set
        return await app.bot.delete_webhook(drop_pending_updates=False)

    if await retrying("deleteWebhook", clear, stop):
        await poll(app.bot, receiver, stop)
