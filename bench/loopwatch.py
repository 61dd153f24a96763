"""How long the event loop was kept from running other work.

A bot with one event loop answers nobody while one callback runs: a letter PDF
or a spreadsheet built on the loop would freeze every chat. Three views:

- a heartbeat task that asks to wake every 10 ms and records how late it
  woke: that is how long any update would have waited, whatever the cause
  (one slow callback, or many ready ones in a row under full load);
- optionally asyncio's debug mode, which names each single callback that ran
  longer than ``slow_callback_duration`` ("Executing ... took 0.123 seconds").
  Debug mode slows everything, so it is kept off while throughput is timed, and
  a watch in debug mode reports its slowest callback, not its heartbeat;
- the garbage collector's pauses (``gc.callbacks``): a full collection walks
  every object of the process and stops the loop meanwhile.

Objects that exist when a watch starts (the benchmark's prepared updates, the
loaded modules) are frozen out of the collector (``gc.freeze``) while it runs,
so a watch shows what the measured work itself does to the loop, not how big
the benchmark process is. The pause of a full collection over a bot-like
process is measured on its own (``bench.gcpause``).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from dataclasses import dataclass, field

SLOW_CALLBACK = 0.05  # the target: no stall longer than this
NAMED_FROM = 0.01  # debug mode names every callback at least this slow
TICK = 0.01


@dataclass
class Stall:
    seconds: float
    what: str


class _SlowCallbacks(logging.Handler):
    """Collects asyncio's 'Executing <handle> took N seconds' warnings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.found: list[Stall] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("Executing") and isinstance(record.args, tuple):
            what, seconds = record.args[0], record.args[-1]
            self.found.append(Stall(float(seconds), str(what)[:120]))


@dataclass
class LoopWatch:
    """``async with LoopWatch() as watch:`` then read ``watch.longest`` (seconds)."""

    debug: bool = False
    lateness: list[float] = field(default_factory=list)  # the heartbeat's, in seconds
    slow: list[Stall] = field(default_factory=list)  # from debug mode
    collections: list[float] = field(default_factory=list)  # seconds of each full collection
    _task: asyncio.Task[None] | None = None
    _handler: _SlowCallbacks | None = None
    _log_state: tuple[int, bool] = (logging.NOTSET, True)
    _gc_began: float = 0.0

    async def __aenter__(self) -> "LoopWatch":
        loop = asyncio.get_running_loop()
        if self.debug:
            self._handler = _SlowCallbacks()
            log = logging.getLogger("asyncio")
            self._log_state = (log.level, log.propagate)
            log.setLevel(logging.WARNING)  # heard here, not printed
            log.propagate = False
            log.addHandler(self._handler)
            loop.slow_callback_duration = NAMED_FROM
            loop.set_debug(True)
        gc.freeze()
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.create_task(self._beat())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        gc.callbacks.remove(self._on_gc)
        gc.unfreeze()
        if self._handler is not None:
            asyncio.get_running_loop().set_debug(False)
            log = logging.getLogger("asyncio")
            log.removeHandler(self._handler)
            log.setLevel(self._log_state[0])
            log.propagate = self._log_state[1]
            self.slow = self._handler.found

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_began = time.perf_counter()
        elif info["generation"] == 2:
            self.collections.append(time.perf_counter() - self._gc_began)

    async def _beat(self) -> None:
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(TICK)
            self.lateness.append(time.perf_counter() - asked - TICK)

    @property
    def longest(self) -> float:
        """The longest stall seen: the heartbeat's worst lateness, or in debug mode the
        slowest callback.

        In debug mode the heartbeat is not counted: debug mode makes every callback several
        times slower (the report pass runs at a quarter of its normal rate), so its lateness
        describes debug mode, not the bot. What it is for is naming single slow callbacks.
        """
        if self.debug:
            return max((s.seconds for s in self.slow), default=0.0)
        return self.heartbeat

    @property
    def heartbeat(self) -> float:
        """The heartbeat's worst lateness (seconds)."""
        return max(self.lateness, default=0.0)

    @property
    def longest_gc(self) -> float:
        return max(self.collections, default=0.0)

    def over(self, limit: float = SLOW_CALLBACK) -> int:
        return sum(1 for x in self.lateness if x > limit) + sum(
            1 for s in self.slow if s.seconds > limit)
