"""Seconds and peak memory of exporting every case to XLSX and to CSV.

Each export runs in a child process of its own (``python -m bench.exports``),
so its peak resident memory is the export's, not the benchmark's (see
``own_peak_rss_mb`` for why it is read from /proc rather than ``ru_maxrss``).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench.child import run_module
from bench.loopwatch import LoopWatch
from bench.report import own_peak_rss_mb

KEY_VARIABLE = "IZDEU_BENCH_KEY"  # the key goes to the child by environment, not argv
SUFFIX = {"xlsx": "xlsx", "csv": "zip", "csv-cases": "csv"}  # csv: one CSV per table, zipped


def run_export(db: Path, fmt: str, key: str, out_dir: Path) -> dict[str, Any]:
    """Export ``db`` in a fresh process; its figures."""
    out = out_dir / f"export-{fmt}.{SUFFIX[fmt]}"
    try:
        return run_module("bench.exports", fmt, str(db), str(out), env={KEY_VARIABLE: key})
    finally:
        out.unlink(missing_ok=True)


async def _export(db_path: Path, fmt: str, out: Path, key: str) -> dict[str, Any]:
    from bot.exports import Exporter
    from bot.storage.crypto import Cipher
    from bot.storage.database import Database

    db = Database(db_path, cipher=Cipher(key))
    await db.open(check=False)
    try:
        exporter = Exporter(db)
        before = own_peak_rss_mb()
        async with LoopWatch() as watch:
            began = time.perf_counter()
            if fmt == "xlsx":
                result = await exporter.xlsx(out, actor_id=0)
            elif fmt == "csv":  # a ZIP of one CSV per table
                result = await exporter.csv(out, actor_id=0)
            else:  # csv-cases: the cases table alone, one plain CSV
                result = await exporter.csv(out, actor_id=0, table="cases")
            seconds = time.perf_counter() - began
    finally:
        await db.close()
    return {
        "format": fmt,
        "seconds": seconds,
        "peak_rss_mb": own_peak_rss_mb(),
        "rss_before_mb": before,
        "stall_ms": watch.longest * 1000,
        "heartbeat_ms": watch.heartbeat * 1000,
        "cases": result.rows.get("cases", 0),
        "rows": result.total,
        "bytes": out.stat().st_size,
    }


def child(argv: list[str]) -> int:
    fmt, db, out = argv
    figures = asyncio.run(_export(Path(db), fmt, Path(out), os.environ[KEY_VARIABLE]))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(child(sys.argv[1:]))
