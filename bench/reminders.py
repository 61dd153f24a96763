"""The reminder job: finding what is due among many letters, and sending it within limits.

The fan-out goes through ``handlers.jobs.send_due_reminders`` with the
production rate limiter against a stand-in that enforces Telegram's limits
strictly (30 messages in any second overall, one a second per chat) and
answers 429 with ``retry_after`` instead of delivering, so any burst the
limiter lets through is counted.
"""

from __future__ import annotations

import asyncio
import json
import math
import statistics
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram.ext import Application
from telegram.request import RequestData

from bot.clock import ManualClock
from bench.data import NOW, fanout_reminders, services_for
from bench.loopwatch import LoopWatch
from handlers.app import build_application, default_rate_limiter
from handlers.jobs import send_due_reminders
from handlers.localapi import LocalBotAPI

SENDING = frozenset({"sendMessage", "sendDocument", "sendPhoto", "sendVideo", "sendVoice",
                     "sendAudio", "sendAnimation", "sendMediaGroup", "sendLocation",
                     "sendContact", "copyMessage", "forwardMessage"})


# --- scan ----------------------------------------------------------------------------------
@dataclass
class Scan:
    first: float  # the first due() on a freshly opened database
    median: float  # due() again, warm
    found: int  # reminders one due() returns (the job's batch)
    all_due: float  # every due reminder at once, no batch limit
    all_found: int


async def reminder_scan(db: Path, key: str, rounds: int = 5) -> Scan:
    """Time ``services.followup.due()``, the query the reminder job runs every minute."""
    services = await services_for(db, key, ManualClock(NOW))
    try:
        times = []
        for _ in range(rounds + 1):
            began = time.perf_counter()
            found = await services.followup.due()
            times.append(time.perf_counter() - began)
        began = time.perf_counter()
        every = await services.followup.due(limit=10**9)
        all_due = time.perf_counter() - began
    finally:
        await services.close()
    return Scan(times[0], statistics.median(times[1:]), len(found), all_due, len(every))


# --- fan-out -------------------------------------------------------------------------------
class EnforcingBotAPI(LocalBotAPI):
    """``LocalBotAPI`` that refuses a message with 429 when, counting it, more than
    ``overall`` messages would fall within one second, or when the same chat got one
    less than ``per_chat_gap`` seconds before (with 5 ms of slack for timer jitter)."""

    def __init__(self, overall: int = 30, per_chat_gap: float = 1.0, slack: float = 0.005) -> None:
        super().__init__()
        self.overall = overall
        self.per_chat_gap = per_chat_gap
        self.slack = slack
        self.accepted: list[tuple[float, int]] = []  # (time, chat)
        self.refused = 0
        self._window: deque[float] = deque()
        self._last: dict[int, float] = {}

    def _wait(self, chat: int, now: float) -> float:
        """Seconds until this message would be within the limits (0: it is)."""
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        overall = self._window[0] + 1.0 - now if len(self._window) >= self.overall else 0.0
        last = self._last.get(chat)
        per_chat = last + self.per_chat_gap - self.slack - now if last is not None else 0.0
        return max(overall, per_chat, 0.0)

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        api = url.rsplit("/", 1)[-1]
        if api in SENDING and request_data is not None:
            chat = int(request_data.parameters["chat_id"])
            now = time.monotonic()
            wait = self._wait(chat, now)
            if wait > 0:
                self.refused += 1
                body = {"ok": False, "error_code": 429,
                        "description": f"Too Many Requests: retry after {math.ceil(wait)}",
                        "parameters": {"retry_after": math.ceil(wait)}}
                return 429, json.dumps(body).encode()
            self._window.append(now)
            self._last[chat] = now
            self.accepted.append((now, chat))
        return await super().do_request(url, method, request_data, *args, **kwargs)


@dataclass
class Fanout:
    order: str
    reminders: int
    chats: int
    sent: int  # messages Telegram accepted
    refused: int  # 429 answers
    seconds: float
    capped: bool  # stopped at the time cap before every reminder was sent
    watch: LoopWatch  # the event loop while sending

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


async def _send_all(app: Application) -> None:
    """What the periodic job would do on successive runs: send until nothing is left."""
    for _ in range(100):
        if not await send_due_reminders(app):
            return


async def fanout(workdir: Path, key: str, chats: int, per_chat: int, interleaved: bool,
                 time_cap: float) -> Fanout:
    """Send ``chats * per_chat`` due reminders; stop after ``time_cap`` seconds."""
    order = "interleaved" if interleaved else "clumped"
    services = await services_for(workdir / f"fanout-{order}.sqlite3", key, ManualClock(NOW))
    try:
        reminders = await fanout_reminders(services, chats, per_chat, interleaved)
        await services.settle()  # as the started bot has done (handlers.online)
        api = EnforcingBotAPI()
        app = build_application(services, request=api, rate_limiter=default_rate_limiter())
        await app.initialize()
        try:
            async with LoopWatch() as watch:
                began = time.perf_counter()
                task = asyncio.create_task(_send_all(app))
                done, _ = await asyncio.wait({task}, timeout=time_cap)
                if not done:
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
                else:
                    task.result()
                seconds = time.perf_counter() - began
        finally:
            await app.shutdown()
    finally:
        await services.close()
    return Fanout(order, reminders, chats, len(api.accepted), api.refused, seconds, not done,
                  watch)
