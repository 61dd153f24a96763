"""Milliseconds per letter PDF, and what producing letters does to the event loop.

``letter_pdf`` lays out a page with a TrueType font, by far the most expensive
thing the bot does for a family; the bot runs it in its letter worker process
(``LetterService.produce``) so the event loop keeps answering others. Here it is
timed as in that worker: in a fresh process (``python -m bench.letters``, see
``time_letters_apart``), after the same preparation the worker makes. In the
benchmark's own process, big after the report runs, a garbage collection could
land in the first letter and the figure would not be the worker's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import time
from dataclasses import dataclass, field

from bench.child import run_module
from bench.loopwatch import LoopWatch
from bot.app import Services
from bot.letters import letter_pdf, load_directory, render_letter
from bot.letters.sample import SAMPLE_TODAY, sample_reports
from bot.letters.worker import prepare


@dataclass
class LetterTimes:
    fonts: float  # what the letter worker does when it starts (``prepare``: the fonts,
    #               the templates and a sample letter), before the bot answers anyone
    first: float  # render + PDF of the first letter in this process after that
    total: list[float] = field(default_factory=list)  # render + PDF, warm
    render: list[float] = field(default_factory=list)
    pdf: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)


def _one(kind: str, addressee_id: str, report: object) -> tuple[float, float, int]:
    """Seconds to render, seconds to lay out the PDF, and its size."""
    began = time.perf_counter()
    letter = render_letter(
        kind,
        addressee_id,
        report,
        "ru",  # type: ignore[arg-type]
        case_number="SAMPLE-2026-0001",
        today=SAMPLE_TODAY,
    )
    rendered = time.perf_counter()
    pdf = letter_pdf(letter)
    return rendered - began, time.perf_counter() - rendered, len(pdf)


def time_letters(reports: int) -> LetterTimes:
    """The first letter of every body, in Russian (every body has it), for the first
    ``reports`` sample reports of ``bot.letters.sample``."""
    jobs = [
        (a.letter_kind, a.id, report)
        for report in list(sample_reports().values())[:reports]
        for a in load_directory().values()
    ]
    began = time.perf_counter()
    prepare()  # as the letter worker does when it starts (``Services.settle`` waits for it)
    fonts = time.perf_counter() - began
    render, pdf, size = _one(*jobs[0])
    times = LetterTimes(fonts=fonts, first=render + pdf)
    for job in jobs[1:] + jobs[:1]:  # the first letter again, warm this time
        render, pdf, size = _one(*job)
        times.render.append(render)
        times.pdf.append(pdf)
        times.total.append(render + pdf)
        times.sizes.append(size)
    return times


def time_letters_apart(reports: int) -> LetterTimes:
    """``time_letters`` in a fresh process, as the letter worker is one."""
    return LetterTimes(**run_module("bench.letters", str(reports)))


async def produce_on_loop(services: Services, user_ids: list[int]) -> tuple[int, float, LoopWatch]:
    """Produce every selected letter of these families' cases at once, the way the chat
    does (``LetterService.produce``), with asyncio's debug mode naming slow callbacks.
    Returns (letters, seconds, watch)."""
    work = []
    for uid in user_ids:
        for case in await services.store.cases_of(uid):
            for row in await services.letters.letter_set(case):
                if row.selected:
                    work.append((case, row, uid))
    async with LoopWatch(debug=True) as watch:
        began = time.perf_counter()
        await asyncio.gather(*(services.letters.produce(c, r, u) for c, r, u in work))
        seconds = time.perf_counter() - began
    return len(work), seconds, watch


if __name__ == "__main__":
    print(json.dumps(dataclasses.asdict(time_letters(int(sys.argv[1])))))
