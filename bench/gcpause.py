"""How long one full garbage collection takes in a process like the running bot.

Run as a child (``python -m bench.gcpause DB``) so that none of the benchmark's
own objects are counted: the bot's modules, the application built, one letter
made (which loads the PDF and Word libraries and the font). A full collection
walks every object and holds the event loop meanwhile. The started bot calls
``Services.settle`` (fonts parsed, then ``gc.freeze()``), which moves the objects
that live for the whole run out of its way: the figure that counts is a full
collection after that, with a letter made since, as in the running bot.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.child import run_module
from bench.report import own_peak_rss_mb


def measure_in_child(db: Path) -> dict[str, Any]:
    """Objects, milliseconds of a full collection before and after the bot's start-up
    ``settle()``, and the process's peak memory."""
    return run_module("bench.gcpause", str(db))


def _full_collection() -> float:
    times = []
    for _ in range(3):
        began = time.perf_counter()
        gc.collect()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


async def _probe(db: Path) -> dict[str, Any]:
    from bot.app import open_services
    from bot.config import Config
    from bot.letters import letter_docx, letter_pdf, render_letter
    from bot.letters.sample import SAMPLE_TODAY, sample_reports
    from bot.letters.worker import WORKER, make_letter
    from handlers.app import build_application
    from handlers.localapi import LocalBotAPI

    services = await open_services(Config(db_path=db, data_dir=db.parent))
    app = build_application(services, request=LocalBotAPI())
    await app.initialize()
    try:
        report = next(iter(sample_reports().values()))

        def one_letter() -> None:
            letter = render_letter(
                "consular_request",
                "embassy_kz",
                report,
                "ru",
                case_number="SAMPLE-2026-0001",
                today=SAMPLE_TODAY,
            )
            letter_pdf(letter), letter_docx(letter)

        one_letter()
        objects = len(gc.get_objects())
        full = _full_collection()
        await services.settle()  # what the started bot does (handlers.online, handlers.terminal)
        one_letter()
        frozen = _full_collection()
        after = len(gc.get_objects())
        gc.unfreeze()
        # The letter worker process, after making a letter the way the bot does.
        args = (
            ("consular_request", "embassy_kz", report, "ru"),
            {"case_number": "SAMPLE-2026-0001", "today": SAMPLE_TODAY},
        )
        await WORKER.run(make_letter, *args)
        worker_peak = await WORKER.run(own_peak_rss_mb)
    finally:
        await app.shutdown()
        await services.close()
    return {
        "objects": objects,
        "full_ms": full * 1000,
        "frozen_ms": frozen * 1000,
        "objects_after": after,
        "peak_rss_mb": own_peak_rss_mb(),
        "worker_peak_rss_mb": worker_peak,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_probe(Path(sys.argv[1])))))
