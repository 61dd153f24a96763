"""Calls the bot needs at start-up, retried while Telegram hiccups.

One failed ``getMe``, ``setWebhook`` or ``setMyCommands`` used to stop the whole
bot, and a process manager restarting it in a loop would keep it down for as
long as Telegram answered badly. Each is now retried with growing pauses and
logged; only a token Telegram refuses (``InvalidToken``) is fatal, since no
retry can fix it.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram.error import InvalidToken, RetryAfter, TelegramError

log = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_PAUSE = 1.0  # seconds
LONGEST_PAUSE = 60.0


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # its type changes from int to timedelta in PTB 22
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def pause(stop: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds`` or until ``stop`` is set; whether it was set."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


async def retrying(
    what: str,
    call: Callable[[], Awaitable[T]],
    stop: asyncio.Event,
    first: float = FIRST_PAUSE,
    longest: float = LONGEST_PAUSE,
) -> T | None:
    """``call()`` until it succeeds; None if ``stop`` was set meanwhile."""
    delay = first
    while not stop.is_set():
        try:
            return await call()
        except InvalidToken:
            raise
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            reason = type(exc).__name__
        except TelegramError as exc:
            wait, delay = delay, min(delay * 2, longest)
            reason = type(exc).__name__
        log.warning("%s failed (%s); trying again in %.0f s", what, reason, wait)
        if await pause(stop, wait):
            break
    return None
