"""How long one full garbage collection takes in a process like the running bot.

Run as a child (``python -m bench.gcpause DB``) so that none of the benchmark's
own objects are counted: the bot's modules, the application built, one letter
made (which loads the PDF and Word libraries and the font). A full collection
walks every object and holds the event loop meanwhile; ``gc.freeze()`` after
start-up moves the objects that live for the whole run out of its way.
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
    """Objects, milliseconds of a full collection before and after ``gc.freeze()``, and
    the process's peak memory."""
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
    from handlers.app import build_application
    from handlers.localapi import LocalBotAPI

    services = await open_services(Config(db_path=db, data_dir=db.parent))
    app = build_application(services, request=LocalBotAPI())
    await app.initialize()
    try:
        report = next(iter(sample_reports().values()))
        letter = render_letter("consular_request", "embassy_kz", report, "ru",
                               case_number="SAMPLE-2026-0001", today=SAMPLE_TODAY)
        letter_pdf(letter), letter_docx(letter)
        objects = len(gc.get_objects())
        full = _full_collection()
        gc.freeze()
        frozen = _full_collection()
        gc.unfreeze()
    finally:
        await app.shutdown()
        await services.close()
    return {"objects": objects, "full_ms": full * 1000, "frozen_ms": frozen * 1000,
            "peak_rss_mb": own_peak_rss_mb()}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_probe(Path(sys.argv[1])))))
