"""The reminder job: finding what is due among many letters, and sending it within limits.

The fan-out goes through ``handlers.jobs.send_due_reminders`` with the
production rate limiter against a stand-in that enforces Telegram's limits
strictly (30 messages in any second overall, one a second per chat) and
answers 429 with ``retry_after`` instead of delivering, so any burst the
limiter lets through is counted.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from telegram.ext import Application

from bench.data import NOW, fanout_reminders, services_for
from bench.loopwatch import LoopWatch
from bot.clock import ManualClock
from handlers.app import build_application, default_rate_limiter
from handlers.jobs import send_due_reminders
from tests.limits_api import EnforcingBotAPI


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


async def fanout(
    workdir: Path, key: str, chats: int, per_chat: int, interleaved: bool, time_cap: float
) -> Fanout:
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
    return Fanout(
        order, reminders, chats, len(api.accepted), api.refused, seconds, not done, watch
    )
