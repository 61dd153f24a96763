"""Long polling that confirms an update to Telegram only once it is stored.

``getUpdates`` with an offset tells Telegram that every update below it was
received, and Telegram then forgets them. PTB's Updater moves the offset as soon
as it has put the updates in a queue in memory, so a crash between fetch and
processing lost them. Here the offset moves only after the inbox committed them.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut

from handlers.inbox import Receiver
from handlers.startup import FIRST_PAUSE, LONGEST_PAUSE, pause, retry_after_seconds

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates open when nothing arrives


async def poll(bot: Bot, receiver: Receiver, stop: asyncio.Event) -> None:
    """Fetch, store, then confirm (with the next call's offset), until ``stop`` is set."""
    offset: int | None = None
    delay = FIRST_PAUSE
    while not stop.is_set():
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES
            )
        except InvalidToken:
            raise
        except TimedOut:
            continue  # a long poll that outlived the connection: ask again
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            log.warning("getUpdates: flood control; trying again in %.0f s", wait)
            await pause(stop, wait)
            continue
        except TelegramError as exc:
            log.warning(
                "getUpdates failed (%s); trying again in %.0f s", type(exc).__name__, delay
            )
            await pause(stop, delay)
            delay = min(delay * 2, LONGEST_PAUSE)
            continue
        delay = FIRST_PAUSE
        receiver.heard_from_telegram()
        if not updates:
            continue
        try:
            await receiver.accept([(u, u.to_dict()) for u in updates])
        except Exception as exc:  # noqa: BLE001 - the database; Telegram keeps them meanwhile
            log.error(
                "%s update(s) could not be stored (%s); not confirmed, asking again",
                len(updates),
                type(exc).__name__,
            )
            await pause(stop, delay)
            delay = min(delay * 2, LONGEST_PAUSE)
            continue
        offset = updates[-1].update_id + 1
