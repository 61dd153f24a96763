"""Replies first, as shipped: families typing while thousands of reminders go out.

The bot is built as ``bot run`` builds it: ``build_application`` with
``default_rate_limiter()`` and its periodic jobs (the reminder job finds the
reminders due and sends them). The stand-in Bot API enforces Telegram's limits
strictly (``tests.limits_api``: 30 messages in any second, one a second per
chat, a 429 for anything beyond) after a simulated round trip. Meanwhile:

- ``families`` families send a complete report (the recorded steps), each
  waiting for the bot's answer and then a human pause before the next step;
- a caseworker opens ``/cases`` and a case now and then;
- ``reminders`` reminders are due at once, two per family of other families.

A reply's latency runs from the update being put on the queue to the stand-in
accepting the first message (send or edit) the bot makes to that chat for it.
The bare python-telegram-bot echo bot gets the same families, the same pauses
and the same stand-in, without reminders.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bench.data import NOW, fanout_reminders
from bench.loopwatch import LoopWatch
from bench.throughput import Step, family_updates
from bot.app import open_services
from bot.clock import ManualClock
from bot.config import Config
from handlers.app import OFFLINE_TOKEN, build_application, default_rate_limiter
from handlers.ratelimit import counted
from handlers.updates import UpdateFactory
from tests.limits_api import EnforcingBotAPI

CASEWORKER = 7_000_001
FAMILY_BASE = 20_000_000
REPLY_TIMEOUT = 30.0  # seconds: an answer later than this counts as missing


@dataclass
class Load:
    families: int
    steps: int  # of the recorded report, from its start
    reminders: int
    pause: tuple[float, float]  # seconds a person takes between an answer and the next step
    delay: float  # simulated round trip per Bot API call
    cap: float  # seconds after which the run stops, delivered or not


@dataclass
class Outcome:
    label: str
    latencies: list[float] = field(default_factory=list)  # families' replies
    caseworker: list[float] = field(default_factory=list)
    missing: int = 0  # updates that got no answer within REPLY_TIMEOUT
    refused: int = 0  # 429 answers of the stand-in
    reminders_due: int = 0
    reminders_delivered: int = 0
    seconds: float = 0.0  # until everything was delivered (or the cap)
    capped: bool = False
    errors: int = 0
    watch: LoopWatch | None = None


class Replies:
    """Notices when the stand-in accepts a message for a chat."""

    def __init__(self, api: EnforcingBotAPI) -> None:
        self.waiting: dict[int, asyncio.Event] = {}
        self.first: dict[int, float] = {}
        api.listeners.append(self._on_call)

    def _on_call(self, call: object) -> None:
        method, chat = getattr(call, "method", ""), getattr(call, "chat_id", None)
        if counted(method) and chat in self.waiting and chat not in self.first:
            self.first[chat] = time.perf_counter()
            self.waiting[chat].set()

    async def ask(self, app: Application, update: Update, chat: int) -> float | None:
        """Put ``update`` on the queue; seconds until its answer arrived, or None."""
        self.first.pop(chat, None)
        event = self.waiting[chat] = asyncio.Event()
        began = time.perf_counter()
        await app.update_queue.put(update)
        try:
            await asyncio.wait_for(event.wait(), REPLY_TIMEOUT)
        except TimeoutError:
            return None
        finally:
            self.waiting.pop(chat, None)
        return self.first.pop(chat) - began


async def _family(
    app: Application,
    replies: Replies,
    updates: Sequence[Update],
    chat: int,
    load: Load,
    rng: random.Random,
    out: Outcome,
) -> None:
    await asyncio.sleep(rng.uniform(0, load.pause[1]))  # families do not start in step
    for update in updates:
        took = await replies.ask(app, update, chat)
        if took is None:
            out.missing += 1
        else:
            out.latencies.append(took)
        await asyncio.sleep(rng.uniform(*load.pause))


async def _caseworker(
    app: Application,
    replies: Replies,
    until: asyncio.Event,
    load: Load,
    rng: random.Random,
    out: Outcome,
) -> None:
    make = UpdateFactory(app.bot, CASEWORKER, "ru")
    commands = ["/cases", "/due", "/stats"]
    i = 0
    while not until.is_set():
        took = await replies.ask(app, make.text(commands[i % len(commands)]), CASEWORKER)
        if took is None:
            out.missing += 1
        else:
            out.caseworker.append(took)
        i += 1
        await asyncio.sleep(rng.uniform(3 * load.pause[0], 3 * load.pause[1]))


async def shipped(db: Path, key: str, steps: Sequence[Step], load: Load) -> Outcome:
    """The bot as shipped, with the reminder burst and the caseworker."""
    out = Outcome("shipped bot")
    config = Config(
        db_path=db, data_dir=db.parent, encryption_key=key, admin_ids=frozenset({CASEWORKER})
    )
    services = await open_services(config, ManualClock(NOW))
    rng = random.Random(14)
    try:
        out.reminders_due = await fanout_reminders(
            services, load.reminders // 2, 2, False, first_user=30_000_000
        )
        due_before = len(await services.followup.due(limit=10**9))
        await services.settle()
        api = EnforcingBotAPI(delay=load.delay, keep_calls=False)
        delivered = _count_to(api, lambda chat: chat >= 30_000_000)
        app = build_application(services, request=api, rate_limiter=default_rate_limiter())
        app.add_error_handler(lambda _u, _c: _count_error(out))
        replies = Replies(api)
        families = [
            family_updates(app.bot, FAMILY_BASE + i, steps[: load.steps])
            for i in range(load.families)
        ]
        await app.initialize()
        await app.start()  # the job queue too: its reminder job starts 5 s in
        try:
            began = time.perf_counter()
            done = asyncio.Event()
            async with LoopWatch() as watch:
                worker = asyncio.create_task(_caseworker(app, replies, done, load, rng, out))
                await asyncio.gather(
                    *(
                        _family(app, replies, updates, FAMILY_BASE + i, load, rng, out)
                        for i, updates in enumerate(families)
                    )
                )
                while delivered[0] < due_before and time.perf_counter() - began < load.cap:
                    await asyncio.sleep(0.2)
                done.set()
                await worker
            out.seconds = time.perf_counter() - began
            out.capped = delivered[0] < due_before
        finally:
            await app.stop()
            await app.shutdown()
        out.reminders_due = due_before
        out.reminders_delivered = delivered[0]
        out.refused = api.refused
        out.watch = watch
    finally:
        await services.close()
    return out


def _count_to(api: EnforcingBotAPI, wanted: Callable[[int], bool]) -> list[int]:
    """A counter of messages accepted for chats ``wanted`` says yes to."""
    count = [0]

    def on_call(call: object) -> None:
        chat = getattr(call, "chat_id", None)
        if counted(getattr(call, "method", "")) and isinstance(chat, int) and wanted(chat):
            count[0] += 1

    api.listeners.append(on_call)
    return count


async def _count_error(out: Outcome) -> None:
    out.errors += 1


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    await context.bot.send_message(update.effective_chat.id, "ok")


async def echo(steps: Sequence[Step], load: Load) -> Outcome:
    """A bare python-telegram-bot echo bot, the same families, no reminders."""
    out = Outcome("echo bot")
    api = EnforcingBotAPI(delay=load.delay, keep_calls=False)
    app = (
        ApplicationBuilder()
        .token(OFFLINE_TOKEN)
        .request(api)
        .get_updates_request(api)
        .concurrent_updates(64)
        .build()
    )
    app.add_handler(TypeHandler(Update, _echo))
    replies = Replies(api)
    rng = random.Random(14)
    families = [
        family_updates(app.bot, FAMILY_BASE + i, steps[: load.steps]) for i in range(load.families)
    ]
    await app.initialize()
    await app.start()
    try:
        began = time.perf_counter()
        await asyncio.gather(
            *(
                _family(app, replies, updates, FAMILY_BASE + i, load, rng, out)
                for i, updates in enumerate(families)
            )
        )
        out.seconds = time.perf_counter() - began
    finally:
        await app.stop()
        await app.shutdown()
    out.refused = api.refused
    return out
