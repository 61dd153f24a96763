"""Letters (and a case's PDF dossier) laid out in a process of their own.

Laying out a PDF is a good part of a second of pure-Python work (fpdf2 and
fontTools). In a thread it still shares the interpreter lock with the event loop
that serves every family, and parts of it keep that lock for 40-60 ms at a
time; in a separate process it cannot hold up the loop at all, and it runs on
the second CPU. One worker: letters are made one after another, and the loop
keeps the other CPU.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait
from typing import Any, TypeVar

from bot.letters.directory import load_directory
from bot.letters.model import Letter
from bot.letters.pdf import warm_up as warm_up_fonts
from bot.letters.render import compile_templates, letter_docx, letter_pdf, render_letter
from bot.letters.sample import SAMPLE_TODAY, sample_reports

T = TypeVar("T")


def make_letter(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Letter, bytes, bytes]:
    """``render_letter``'s arguments in; the letter, its PDF and its DOCX out."""
    letter = render_letter(*args, **kwargs)
    return letter, letter_pdf(letter), letter_docx(letter)


def prepare() -> None:
    """What the worker does before its first letter: parse the fonts, compile every
    template, render a sample letter in each language the first body accepts (Babel's
    dates and the render code) and lay out one of them, so that the first family's letter
    costs what any later one does (it took 140-180 ms, the next ones about 90)."""
    warm_up_fonts()
    compile_templates()
    report = sample_reports()["kz_male"]  # has its texts in both of the first body's languages
    body = next(iter(load_directory().values()))
    settings: dict[str, Any] = {"case_number": "SAMPLE-0000-0000", "today": SAMPLE_TODAY}
    for language in body.languages[1:]:
        render_letter(body.letter_kind, body.id, report, language, **settings)
    make_letter((body.letter_kind, body.id, report, body.languages[0]), settings)


def _ready() -> int:
    """Nothing but the worker's pid: the worker got ready when it started (its
    initializer, ``prepare``)."""
    return os.getpid()


def _start() -> None:
    """The worker's first act: follow the bot if it dies, then get ready for letters.

    Ctrl-C reaches every process of the terminal's group; the bot stops its worker
    itself, so the worker ignores SIGINT instead of printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, name="izdeu-parent-watch", daemon=True).start()
    prepare()


def _exit_with_parent() -> None:
    """A killed bot cannot stop its worker, and the worker would not notice (it holds
    its own end of the task queue): wait for the parent to be gone, then exit."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        wait([parent.sentinel])
        os._exit(0)


class LetterWorker:
    """The worker process, started on first use (``spawn``: a fresh interpreter, so
    nothing of the bot's threads or open database is copied into it)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_start
            )
        return self._pool

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the worker; a worker that died (killed, out of memory) is
        replaced once, so one lost process does not stop every family's letters."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), fn, *args)
        except BrokenProcessPool:
            self._pool = None
            return await loop.run_in_executor(self._executor(), fn, *args)

    async def warm_up(self) -> None:
        """Start the worker now (it gets ready: ``prepare``), so the first family waits less."""
        await self.run(_ready)

    async def alive(self, timeout: float = 20.0) -> bool:
        """Whether the worker answers within ``timeout`` (a letter it is making first
        takes about a second)."""
        try:
            await asyncio.wait_for(self.run(_ready), timeout)
        except Exception:  # noqa: BLE001 - any failure means: not alive
            return False
        return True

    def close(self) -> None:
        """Stop the worker (the shared one is stopped when the program exits)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


WORKER = LetterWorker()
