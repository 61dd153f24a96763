"""How long the event loop was kept from running other work.

A bot with one event loop answers nobody while one callback runs: a letter PDF
or a spreadsheet built on the loop would freeze every chat. Four views:

- every callback the loop runs, timed (``asyncio.events.Handle._run`` wrapped
  while the watch is on): the slowest one is the longest *stall*, one piece of
  work that kept the loop from everything else (garbage collection included,
  since it runs inside whatever callback allocated);
- a heartbeat task that asks to wake every 10 ms and records how late it
  woke: that is how long any update would have waited, whatever the cause
  (one slow callback, or many ready ones in a row under full load: with 64
  updates handled at once and an instant Bot API, one turn of the loop runs
  64 updates' steps one after another);
- optionally asyncio's debug mode (``slow_callback_duration`` from 10 ms), the
  reference's way to find stalls, with its other checks on. Its "Executing ...
  took N seconds" warnings are not printed: the timed callbacks above find the
  same callbacks and name the slowest (``slowest_what``). Debug mode slows
  everything, so it is kept off while throughput is timed;
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


_HANDLE_RUN = asyncio.events.Handle._run
_WATCHING: LoopWatch | None = None


def _timed_run(handle: asyncio.events.Handle) -> None:
    """``Handle._run``, timed for the active watch (a task's every step is such a handle)."""
    began = time.perf_counter()
    try:
        _HANDLE_RUN(handle)
    finally:
        took = time.perf_counter() - began
        watch = _WATCHING
        if watch is not None and took > watch.slowest_callback:
            watch.slowest_callback = took
            watch.slowest_what = repr(handle)[:120]


@dataclass
class LoopWatch:
    """``async with LoopWatch() as watch:`` then read ``watch.longest`` (seconds)."""

    debug: bool = False
    lateness: list[float] = field(default_factory=list)  # the heartbeat's, in seconds
    collections: list[float] = field(default_factory=list)  # seconds of each full collection
    _task: asyncio.Task[None] | None = None
    _quiet: logging.Handler | None = None  # takes asyncio's warnings in debug mode
    _log_state: tuple[int, bool] = (logging.NOTSET, True)
    _gc_began: float = 0.0
    slowest_callback: float = 0.0  # seconds of the longest single callback
    slowest_what: str = ""

    async def __aenter__(self) -> LoopWatch:
        global _WATCHING
        loop = asyncio.get_running_loop()
        _WATCHING = self
        asyncio.events.Handle._run = _timed_run  # type: ignore[method-assign]
        if self.debug:
            self._quiet = logging.NullHandler()
            log = logging.getLogger("asyncio")
            self._log_state = (log.level, log.propagate)
            log.setLevel(logging.WARNING)
            log.propagate = False
            log.addHandler(self._quiet)
            loop.slow_callback_duration = NAMED_FROM
            loop.set_debug(True)
        gc.freeze()
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.create_task(self._beat())
        return self

    async def __aexit__(self, *exc: object) -> None:
        global _WATCHING
        assert self._task is not None
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        asyncio.events.Handle._run = _HANDLE_RUN  # type: ignore[method-assign]
        _WATCHING = None
        gc.callbacks.remove(self._on_gc)
        gc.unfreeze()
        if self._quiet is not None:
            asyncio.get_running_loop().set_debug(False)
            log = logging.getLogger("asyncio")
            log.removeHandler(self._quiet)
            log.setLevel(self._log_state[0])
            log.propagate = self._log_state[1]

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
        """The longest stall seen: the slowest single callback, or a full garbage collection
        if one took longer (it normally happens inside a callback and is counted there)."""
        return max(self.slowest_callback, self.longest_gc)

    @property
    def heartbeat(self) -> float:
        """The heartbeat's worst lateness (seconds)."""
        return max(self.lateness, default=0.0)

    @property
    def longest_gc(self) -> float:
        return max(self.collections, default=0.0)
