"""Updates per second of the whole bot, side by side with a bare python-telegram-bot echo bot.

Many families send complete reports at once: every update of every family is
put on ``app.update_queue`` of a started application, interleaved family by
family, so the real ``PerChatUpdateProcessor`` decides what runs concurrently.
The Bot API is the in-process ``LocalBotAPI``, instant or with a simulated
round trip per call. The echo bot gets as many updates, of the same shapes,
on the same stand-in, with PTB's own concurrency of the same width, and
answers each with one sendMessage: the difference is what the bot itself costs.

Latency of an update runs from the moment it is put on the queue to the end of
its last handler (a ``TypeHandler`` in a late group); service time from the
start of its first handler (an early group), i.e. without the time it waited
in the queue or for its chat's earlier updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import time
import traceback
import warnings
from collections.abc import AsyncIterator, Awaitable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Bot, Message, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.warnings import PTBUserWarning

from bench.data import NOW, services_for
from bench.loopwatch import LoopWatch
from bot.app import Services
from bot.clock import ManualClock
from bot.storage.database import Database
from handlers.app import OFFLINE_TOKEN, PerChatUpdateProcessor, build_application
from handlers.localapi import LocalBotAPI
from handlers.updates import UpdateFactory

CONCURRENCY = 64  # build_application's default width, given to the echo bot too
RECORD_USER = 4_000_000
GET_UPDATES_LIMIT = 100  # the most updates one getUpdates call returns


# --- one family's report, recorded once --------------------------------------------------
@dataclass(frozen=True)
class Step:
    kind: str  # text, press, contact, photo, doc
    value: str  # the text, the button's callback data, the phone, the file name
    # The Bot API calls the bot made for this update: (method, parameters), replayed by
    # the "same calls" bot to show what python-telegram-bot alone costs for them.
    calls: tuple[tuple[str, dict[str, Any]], ...] = ()


def _as_step(update: Update) -> Step:
    if update.callback_query is not None:
        return Step("press", update.callback_query.data or "")
    message = update.message
    assert message is not None
    if message.contact is not None:
        return Step("contact", message.contact.phone_number)
    if message.photo:
        return Step("photo", message.caption or "")
    if message.document is not None:
        return Step("doc", message.document.file_name or "file.pdf")
    return Step("text", message.text or "")


async def record_report(workdir: Path) -> list[Step]:
    """The steps of one complete report: /start, language, consent, every answer of
    ``KZ_REPORT``, confirm.

    Recorded by driving the real bot once through the tests' harness, which reads
    each reply to find the button to press. With the callback data known in
    advance, many families can then send everything at once without waiting
    for replies."""
    from tests.support import KZ_REPORT, consent, fill
    from tests.support import Bot as Harness

    harness = await Harness.start(workdir)
    try:
        chat = harness.chat(RECORD_USER, "kk")
        steps: list[Step] = []
        process = chat.process

        async def recording(update: Update) -> None:
            before = len(harness.api.calls)
            await process(update)
            made = tuple((c.method, dict(c.params)) for c in harness.api.calls[before:])
            steps.append(dataclasses.replace(_as_step(update), calls=made))

        chat.process = recording  # type: ignore[method-assign]
        await consent(chat, "kk")
        await fill(chat, KZ_REPORT)
        await chat.press("confirm")
        if len(await harness.services.store.cases_of(RECORD_USER)) != 1:
            raise RuntimeError("the recorded report created no case: the bench needs updating")
    finally:
        await harness.stop()
    return steps


def family_updates(bot: Bot, user_id: int, steps: Sequence[Step]) -> list[Update]:
    """Fresh updates (new ids) of one family replaying ``steps``."""
    make = UpdateFactory(bot, user_id, "kk")
    # The message a pressed button sat on; the bot only uses its chat and id.
    source: Message = make.message(text="…")
    out = []
    for step in steps:
        if step.kind == "text":
            out.append(make.text(step.value))
        elif step.kind == "press":
            out.append(make.press(step.value, source))
        elif step.kind == "contact":
            out.append(make.contact(step.value))
        elif step.kind == "photo":
            out.append(make.photo(step.value or None))
        elif step.kind == "doc":
            out.append(make.document(step.value))
        else:
            raise ValueError(step.kind)
    return out


def interleaved(bot: Bot, first_user: int, families: int, steps: Sequence[Step]) -> list[Update]:
    """Every family's first update, then every family's second, and so on."""
    per_family = [family_updates(bot, first_user + i, steps) for i in range(families)]
    return [u for row in itertools.zip_longest(*per_family) for u in row if u is not None]


# --- measuring ---------------------------------------------------------------------------
@dataclass
class Batch:
    """The updates of one ``feed`` and what was measured of them."""

    expected: int
    enqueued: dict[int, float] = field(default_factory=dict)  # update id -> time put on queue
    started: dict[int, float] = field(default_factory=dict)  # update id -> first handler
    latency: list[float] = field(default_factory=list)
    service: list[float] = field(default_factory=list)
    errors: int = 0
    began: float = field(default_factory=time.perf_counter)
    finished: float = 0.0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def seconds(self) -> float:
        """From the first update put on the queue to the end of the last one's handlers."""
        return self.finished - self.began


class Timing:
    """Times each update from a handler in the first group to its end: the last handler
    group for the bare bots, which answer inside their handler; for the bot, the end of
    its update processor's work, which sends the update's reply after the handlers
    (``handlers.outbox``)."""

    def __init__(self) -> None:
        self.batch = Batch(0)

    def install(self, app: Application) -> None:
        app.add_handler(TypeHandler(Update, self._first), group=-1000)
        processor = app.update_processor
        if isinstance(processor, PerChatUpdateProcessor):
            handle = processor.do_process_update

            async def timed(update: object, coroutine: Awaitable[Any]) -> None:
                await handle(update, coroutine)
                if isinstance(update, Update):
                    self._done(update)

            processor.do_process_update = timed  # type: ignore[method-assign]
        else:
            app.add_handler(TypeHandler(Update, self._last), group=1000)
        app.add_error_handler(self._error)

    async def _first(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.batch.started[update.update_id] = time.perf_counter()

    async def _last(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self._done(update)

    def _done(self, update: Update) -> None:
        now = time.perf_counter()
        batch = self.batch
        batch.latency.append(now - batch.enqueued.pop(update.update_id))
        batch.service.append(now - batch.started.pop(update.update_id))
        if len(batch.latency) == batch.expected:
            batch.finished = now
            batch.done.set()

    async def _error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.batch.errors += 1


class TransactionTimer:
    """Times every write transaction while active, by wrapping ``Database.transaction``
    (for the benchmark only; the class is restored on exit).

    ``whole``: from asking for the transaction to the end of COMMIT, waiting for the
    shared connection included; that is what stands between an answer and its reply.
    ``held``: from BEGIN done to COMMIT done, the transaction's own work."""

    def __init__(self) -> None:
        self.whole: list[float] = []
        self.held: list[float] = []
        self.slowest = 0.0  # the longest held, and the functions that opened it
        self.slowest_where = ""

    def __enter__(self) -> TransactionTimer:
        original = Database.transaction
        timer = self

        @contextlib.asynccontextmanager
        async def timed(db: Database) -> AsyncIterator[object]:
            asked = time.perf_counter()
            async with original(db) as conn:
                began = time.perf_counter()
                yield conn
            done = time.perf_counter()
            timer.whole.append(done - asked)
            timer.held.append(done - began)
            if done - began > timer.slowest:  # still inside the caller's ``async with``
                timer.slowest = done - began
                timer.slowest_where = _caller()

        self._original = original
        Database.transaction = timed  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        Database.transaction = self._original  # type: ignore[method-assign]


def _caller() -> str:
    """The bot's functions on the stack (innermost last), for naming a slow transaction."""
    frames = [
        f"{Path(frame.filename).stem}.{frame.name}"
        for frame in traceback.extract_stack(limit=12)
        if "/bot/" in frame.filename or "/handlers/" in frame.filename
    ]
    return " < ".join(reversed(frames[-3:]))


class MeteredLock(asyncio.Lock):
    """Stands in for ``Database.lock`` to count how often and how long the one shared
    connection is held: when it is held nearly all the time, updates queue for it."""

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        self.held = 0.0
        self.count = 0
        self._since = 0.0

    async def acquire(self) -> bool:
        await super().acquire()
        self._since = time.perf_counter()
        self.count += 1
        return True

    def release(self) -> None:
        self.held += time.perf_counter() - self._since
        super().release()


@dataclass
class Run:
    label: str
    updates: int
    seconds: float
    latency: list[float]
    service: list[float]
    errors: int
    transactions: TransactionTimer | None = None
    cases_created: int = 0
    api_calls: int = 0
    lock_held: float = 0.0  # seconds the shared connection was held
    lock_count: int = 0  # times it was taken
    watch: LoopWatch | None = None  # the event loop while the timed updates were handled

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


async def feed(app: Application, timing: Timing, updates: list[Update]) -> Batch:
    """Put every update on the queue at once, 100 at a time as getUpdates delivers them,
    and wait until the last one is handled."""
    batch = timing.batch = Batch(len(updates))
    if not updates:
        return batch
    for start in range(0, len(updates), GET_UPDATES_LIMIT):
        for update in updates[start : start + GET_UPDATES_LIMIT]:
            batch.enqueued[update.update_id] = time.perf_counter()
            app.update_queue.put_nowait(update)
        # One getUpdates answer at a time: PTB's fetcher takes queued updates without
        # yielding, so thousands at once would make one long callback no bot ever sees.
        await asyncio.sleep(0)
    await asyncio.wait_for(batch.done.wait(), timeout=max(120.0, len(updates) / 20))
    return batch


class CountingBotAPI(LocalBotAPI):
    """``LocalBotAPI`` that counts calls instead of keeping each one: a log of every call
    would grow the benchmark's heap, and with it the bot's garbage-collection pauses."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(delay)
        self.count = 0

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        answer = await super().do_request(*args, **kwargs)
        self.count += 1
        self.clear()
        return answer


def _without_jobs(app: Application) -> None:
    """The periodic reminder and purge jobs would run in the middle of the measurement."""
    if app.job_queue is not None:
        for job in app.job_queue.jobs():
            job.schedule_removal()


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = (
        update.callback_query.data
        if update.callback_query
        else update.effective_message.text
        if update.effective_message
        else None
    )
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, text or "ok")


def echo_bot(api: LocalBotAPI) -> Application:
    app = (
        ApplicationBuilder()
        .token(OFFLINE_TOKEN)
        .request(api)
        .get_updates_request(api)
        .concurrent_updates(CONCURRENCY)
        .build()
    )
    app.add_handler(TypeHandler(Update, _echo))
    return app


class SameCalls:
    """A bare application that answers each update with the Bot API calls the bot made
    for the same step of the recorded report (same methods, same parameters, the
    update's own chat): python-telegram-bot's cost for those calls, and nothing else."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self._steps = steps
        self._position: dict[int, int] = {}  # chat -> index of its next step

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        chat = update.effective_chat.id
        index = self._position.get(chat, 0)
        self._position[chat] = (index + 1) % len(self._steps)
        for method, params in self._steps[index].calls:
            if "chat_id" in params:
                params = {**params, "chat_id": chat}
            returns = Message if method.startswith(("send", "edit")) else None
            with warnings.catch_warnings():
                # PTB suggests its named methods; replaying recorded calls needs this one.
                warnings.simplefilter("ignore", PTBUserWarning)
                await context.bot.do_api_request(method, api_kwargs=params, return_type=returns)


def same_calls_bot(api: LocalBotAPI, steps: Sequence[Step]) -> Application:
    app = (
        ApplicationBuilder()
        .token(OFFLINE_TOKEN)
        .request(api)
        .get_updates_request(api)
        .concurrent_updates(CONCURRENCY)
        .build()
    )
    app.add_handler(TypeHandler(Update, SameCalls(steps)))
    return app


@contextlib.asynccontextmanager
async def running(app: Application, timing: Timing) -> AsyncIterator[Application]:
    timing.install(app)
    await app.initialize()
    await app.start()
    try:
        yield app
    finally:
        await app.stop()
        await app.shutdown()


async def full_run(
    db: Path,
    key: str,
    steps: Sequence[Step],
    families: int,
    warmup: int,
    delay: float,
    first_user: int,
    label: str,
    debug: bool = False,
) -> Run:
    """The whole bot on ``db``: a few warm-up families, then ``families`` timed ones,
    with the event loop watched (in asyncio's debug mode if ``debug``)."""
    services: Services = await services_for(db, key, ManualClock(NOW))
    await services.settle()  # as the started bot has done (handlers.online)
    lock = services.db.lock = MeteredLock()
    api = CountingBotAPI(delay=delay)
    app = build_application(services, request=api)
    _without_jobs(app)
    timing = Timing()
    try:
        async with running(app, timing):
            await feed(app, timing, interleaved(app.bot, first_user, warmup, steps))
            updates = interleaved(app.bot, first_user + warmup, families, steps)
            before = await services.store.count_cases()
            calls = api.count
            lock.reset()
            with TransactionTimer() as tx:
                async with LoopWatch(debug=debug) as watch:
                    batch = await feed(app, timing, updates)
            held, taken = lock.held, lock.count
            created = await services.store.count_cases() - before
    finally:
        await services.close()
    return Run(
        label,
        len(updates),
        batch.seconds,
        batch.latency,
        batch.service,
        batch.errors,
        tx,
        created,
        api.count - calls,
        held,
        taken,
        watch,
    )


async def echo_run(
    steps: Sequence[Step],
    families: int,
    warmup: int,
    delay: float,
    label: str,
    same_calls: bool = False,
) -> Run:
    """The bare echo bot, the same number of updates of the same shapes; or, with
    ``same_calls``, the bare application making the bot's own Bot API calls."""
    api = CountingBotAPI(delay=delay)
    app = same_calls_bot(api, steps) if same_calls else echo_bot(api)
    timing = Timing()
    async with running(app, timing):
        await feed(app, timing, interleaved(app.bot, 1, warmup, steps))
        updates = interleaved(app.bot, 1 + warmup, families, steps)
        calls = api.count
        batch = await feed(app, timing, updates)
    return Run(
        label,
        len(updates),
        batch.seconds,
        batch.latency,
        batch.service,
        batch.errors,
        api_calls=api.count - calls,
    )
