"""Sending within Telegram's limits, replies first.

Telegram allows a bot about 30 messages a second overall, about one a second in a
private chat and 20 a minute in a group; beyond that it answers 429 and makes the
bot wait. Every message the bot sends shares that budget, and what the bot sends
on its own (reminders, digests, relayed messages, long lists) can come in
thousands at once. A family that just pressed a button must not wait behind them.

``RepliesFirstRateLimiter`` is python-telegram-bot's public extension point for
this (``BaseRateLimiter``). A call that sends or edits a message waits for its turn;
the turn goes to the oldest waiting reply (``rate_limit_args=Priority.REPLY``, given
by ``handlers.outbox`` to the answer of each update) before any other call, and
otherwise to the oldest call whose chat may receive a message now. Calls that
Telegram does not count against these limits (answering a button press, reading
updates, setting commands) go out at once.

In one private chat a message the bot sends on its own waits a second after any
other; a reply waits only after such a message. Replies follow one another as fast
as the person acts: one per update, and Telegram tolerates the short bursts of a
quick thumb in a private chat, whereas a bot's own messages can be many at once.

The rules live in ``Pacer``, which takes the time as an argument, so that tests can
check order and limits against a fake clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
JSONish = Any


class Priority(IntEnum):
    """``rate_limit_args`` of a call: what it is for."""

    # Not 0: python-telegram-bot passes on only a true ``rate_limit_args``.
    REPLY = 1  # the answer to what a person just did
    BACKGROUND = 2  # everything else: reminders, digests, relays, further messages


# Bot API methods that Telegram counts as messages (sendChatAction is not one).
COUNTED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage", "stopPoll")
UNCOUNTED = frozenset({"sendChatAction"})


def counted(endpoint: str) -> bool:
    """Whether a call of this Bot API method counts against the message limits."""
    return endpoint.startswith(COUNTED_PREFIXES) and endpoint not in UNCOUNTED


@dataclass(frozen=True)
class Limits:
    """Telegram's limits, a little inside them so that timer jitter never crosses them."""

    overall: int = 28  # messages ...
    period: float = 1.0  # ... per this many seconds, spread evenly over it
    per_chat_gap: float = 1.0  # seconds before a message of the bot's own in a private chat
    group: int = 20  # messages to one group ...
    group_period: float = 60.0  # ... per this many seconds


@dataclass
class Waiting:
    """A call waiting for its turn."""

    priority: Priority
    chat: int | None
    seq: int
    turn: asyncio.Future[None] | None = None  # resolved when it may go

    @property
    def abandoned(self) -> bool:
        return self.turn is not None and self.turn.done()


@dataclass
class Pacer:
    """Who goes next, and when: replies first, then the rest in order of arrival, each
    only when the overall, per-chat and group limits let it go at ``now``."""

    limits: Limits = field(default_factory=Limits)
    queues: tuple[deque[Waiting], deque[Waiting]] = field(
        default_factory=lambda: (deque(), deque())
    )
    granted: deque[float] = field(default_factory=deque)  # times of grants in the last period
    last_in_chat: dict[int, tuple[float, Priority]] = field(default_factory=dict)
    group_granted: dict[int, deque[float]] = field(default_factory=dict)
    held_until: float = 0.0  # after a 429: nothing goes before this
    _seq: itertools.count[int] = field(default_factory=itertools.count)

    def add(
        self, priority: Priority, chat: int | None, turn: asyncio.Future[None] | None = None
    ) -> Waiting:
        waiting = Waiting(priority, chat, next(self._seq), turn)
        self.queues[priority - Priority.REPLY].append(waiting)
        return waiting

    def __len__(self) -> int:
        return sum(len(q) for q in self.queues)

    def hold(self, until: float) -> None:
        """Telegram asked to wait (429): nothing goes before ``until``."""
        self.held_until = max(self.held_until, until)

    def take(self, now: float) -> tuple[Waiting | None, float]:
        """The call that goes now, or None and how many seconds until one may."""
        overall = self._overall_wait(now)
        if overall > 0:
            return None, overall
        soonest = float("inf")
        for queue in self.queues:
            for waiting in queue:
                if waiting.abandoned:
                    continue
                wait = self._chat_wait(waiting.chat, waiting.priority, now)
                if wait <= 0:
                    queue.remove(waiting)
                    self._grant(waiting.chat, waiting.priority, now)
                    return waiting, 0.0
                soonest = min(soonest, wait)
            self._drop_abandoned(queue)
        return None, soonest

    def _overall_wait(self, now: float) -> float:
        limits = self.limits
        while self.granted and self.granted[0] <= now - limits.period:
            self.granted.popleft()
        waits = [self.held_until - now]
        if self.granted:
            waits.append(self.granted[-1] + limits.period / limits.overall - now)
            if len(self.granted) >= limits.overall:
                waits.append(self.granted[0] + limits.period - now)
        return max(waits)

    def _chat_wait(self, chat: int | None, priority: Priority, now: float) -> float:
        if chat is None:
            return 0.0
        if chat > 0:
            last = self.last_in_chat.get(chat)
            if last is None or (priority is Priority.REPLY and last[1] is Priority.REPLY):
                return 0.0
            return last[0] + self.limits.per_chat_gap - now
        sent = self.group_granted.get(chat)
        if not sent:
            return 0.0
        while sent and sent[0] <= now - self.limits.group_period:
            sent.popleft()
        return sent[0] + self.limits.group_period - now if len(sent) >= self.limits.group else 0.0

    def _grant(self, chat: int | None, priority: Priority, now: float) -> None:
        self.granted.append(now)
        if chat is None:
            return
        if chat > 0:
            self.last_in_chat[chat] = (now, priority)
            if len(self.last_in_chat) > 4096:  # forget chats not written to for a while
                gap = self.limits.per_chat_gap
                self.last_in_chat = {
                    c: last for c, last in self.last_in_chat.items() if last[0] > now - gap
                }
        else:
            self.group_granted.setdefault(chat, deque()).append(now)

    @staticmethod
    def _drop_abandoned(queue: deque[Waiting]) -> None:
        while queue and queue[0].abandoned:
            queue.popleft()


def chat_of(data: dict[str, Any] | None) -> int | None:
    """The numeric chat a call writes to (None for inline messages or a channel's @name)."""
    value = (data or {}).get("chat_id")
    with contextlib.suppress(TypeError, ValueError):
        return int(value)  # type: ignore[arg-type]
    return None


class RepliesFirstRateLimiter(BaseRateLimiter[int]):
    """python-telegram-bot's rate limiter interface around ``Pacer``; a 429 holds every
    call for its ``retry_after`` and the call is tried again, up to ``max_retries``."""

    def __init__(
        self,
        limits: Limits | None = None,
        max_retries: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pacer = Pacer(limits or Limits())
        self.max_retries = max_retries
        self._clock = clock
        self._timer: asyncio.TimerHandle | None = None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONish]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONish:
        if not counted(endpoint):
            return await callback(*args, **kwargs)
        priority = Priority.REPLY if rate_limit_args == Priority.REPLY else Priority.BACKGROUND
        chat = chat_of(data)
        for attempt in itertools.count():
            await self._turn(priority, chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as refused:
                if attempt >= self.max_retries:
                    raise
                wait = refused.retry_after
                seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
                log.info("Telegram asked to wait %.0f s (429); holding every message", seconds)
                self.pacer.hold(self._clock() + seconds + 0.1)
        raise AssertionError("unreachable")

    async def _turn(self, priority: Priority, chat: int | None) -> None:
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pacer.add(priority, chat, turn)
        self._dispatch()
        await turn

    def _dispatch(self) -> None:
        """Let go every call whose turn it is; set a timer for the next one."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while len(self.pacer):
            waiting, wait = self.pacer.take(self._clock())
            if waiting is None:
                if wait != float("inf"):
                    loop = asyncio.get_running_loop()
                    self._timer = loop.call_later(max(wait, 0.001), self._dispatch)
                return
            assert waiting.turn is not None
            waiting.turn.set_result(None)
