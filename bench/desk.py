"""The browser desk at scale: the server time of every page with N stored cases, and the
families' p99 in the chat with and without a caseworker using the desk.

    python -m bench.desk                                 # 100k cases (made once, minutes)
    python -m bench.desk --cases 10000 --workdir /tmp/desk --keep

The database is ``bench.scale``'s (synthetic cases, made once per size and kept with
``--keep``), copied for the run. The bot runs as in ``bench.scale``'s child (the real
application on the local Bot API stand-in), with the desk listening beside it in the
same event loop, as ``make run`` starts them. A caseworker (the administrator) logs in
by the bot's link like a person does; each page is then requested ``--repeat`` times,
one after the other, over HTTP on the loopback. The time of a request is from sending
it to the last byte of the page: the server's time plus a loopback round trip and the
client's reading, so an upper bound of the server's. Families' latency is measured as
in ``bench.scale``: alone, then while a caseworker's browser (another program: a
thread of its own here) goes through every page, one a second, then without pause.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench import data
from bench.loopwatch import LoopWatch
from bench.report import percentile
from bench.scale import ADMIN, DB_NAME, Families, phase, prepare

TARGET_MS = 200.0
NAME = "Нұрлан"  # a first name of the synthetic cases: a search with thousands of matches


def pages(number: str, volunteer: int) -> list[tuple[str, str, dict[str, str] | None]]:
    """(label, path, form data for a POST or None) of every page of the desk."""
    return [
        ("cases, first page", "/cases", None),
        ("cases, status filter", "/cases?status=waiting", None),
        ("cases, overdue", "/cases?overdue=1", None),
        ("cases, KG unassigned", "/cases?citizenship=KG&unassigned=1", None),
        ("cases, one volunteer's", f"/cases?volunteer={volunteer}", None),
        ("dossier", f"/cases/{number}", None),
        ("search by name", "/cases/search", {"name": NAME}),
        ("due this week, organisation", "/due", None),
        ("due this week, one volunteer", f"/due?volunteer={volunteer}", None),
        ("statistics", "/statistics", None),
        ("exports", "/exports", None),
        ("audit log", "/audit", None),
        ("staff and invitations", "/staff", None),
    ]


async def request(http: Any, path: str, form: dict[str, str] | None, csrf: str) -> float:
    began = time.perf_counter()
    if form is None:
        async with http.get(path) as page:
            await page.read()
            status = page.status
    else:
        async with http.post(path, data={**form, "csrf": csrf}) as page:
            await page.read()
            status = page.status
    if status != 200:
        raise RuntimeError(f"{path}: HTTP {status}")
    return time.perf_counter() - began


async def child(db: Path, key: str, families: int, repeat: int) -> dict[str, Any]:
    from bot.clock import ManualClock
    from bot.exports.synthetic import VOLUNTEERS
    from tests.support import Bot
    from tests.web_support import DeskRun, csrf_of

    bot = await Bot.start(
        db.parent, ManualClock(data.NOW), frozenset({ADMIN}), key, export_priority="idle"
    )
    await bot.app.start()
    for job in bot.app.job_queue.jobs():  # as in bench.scale: only the log's checkpoint
        if job.name != "checkpoint":
            job.schedule_removal()
    await bot.services.settle()
    figures: dict[str, Any] = {}
    began = time.perf_counter()
    figures["indexed"] = await bot.services.fill_name_index()
    figures["index_seconds"] = time.perf_counter() - began
    raw = sqlite3.connect(db)
    number = raw.execute("SELECT number FROM cases WHERE id = (SELECT MAX(id) / 2 FROM cases)")
    figures["number"] = number.fetchone()[0]
    raw.close()
    desk = await DeskRun.start(bot)
    try:
        http = await desk.login(bot.chat(ADMIN, "ru"))
        async with http:
            async with http.get("/exports") as page:
                csrf = csrf_of(await page.text())
            volunteer = VOLUNTEERS[0]  # stored as the synthetic data wrote it
            timings: dict[str, list[float]] = {}
            stalls: dict[str, float] = {}
            for label, path, form in pages(figures["number"], volunteer):
                await request(http, path, form, csrf)  # the first, warming caches
                async with LoopWatch() as watch:
                    timings[label] = [await request(http, path, form, csrf) for _ in range(repeat)]
                stalls[label] = watch.longest
                print(
                    f"   {label}: {percentile(timings[label], 50) * 1000:.0f} ms",
                    file=sys.stderr,
                    flush=True,
                )
            figures["pages"] = timings
            figures["stalls"] = stalls
            cookie = "; ".join(f"{c.key}={c.value}" for c in http.cookie_jar)
            crowd = Families(bot, families)
            visits = pages(figures["number"], volunteer)

            def use_desk(pause: float) -> Callable[[], Awaitable[str]]:
                async def job() -> str:
                    # The caseworker's browser is another program: its requests come from
                    # a thread of their own, not from the bot's event loop.
                    served = await asyncio.to_thread(
                        browse, desk.url, cookie, csrf, visits, 8.0, pause
                    )
                    return f"desk in use, {served} pages"

                return job

            figures["alone"] = await phase("alone", crowd, None)
            figures["with_desk"] = await phase("desk at a person's pace", crowd, use_desk(1.0))
            figures["hammered"] = await phase("desk without pause", crowd, use_desk(0.0))
    finally:
        await desk.stop()
        await bot.stop()
    return figures


def browse(
    url: str,
    cookie: str,
    csrf: str,
    visits: list[tuple[str, str, dict[str, str] | None]],
    seconds: float,
    pause: float,
) -> int:
    """Request the pages in turn for ``seconds``, ``pause`` seconds apart (in a thread)."""
    address = urlsplit(url)
    conn = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port)
    served = 0
    stop = time.monotonic() + seconds
    try:
        while time.monotonic() < stop:
            for _, path, form in visits:
                headers = {"Cookie": cookie}
                if form is None:
                    conn.request("GET", path, headers=headers)
                else:
                    body = urlencode({**form, "csrf": csrf})
                    headers["Content-Type"] = "application/x-www-form-urlencoded"
                    conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"{path}: HTTP {response.status}")
                served += 1
                time.sleep(pause)
                if time.monotonic() >= stop:
                    break
    finally:
        conn.close()
    return served


def report(figures: dict[str, Any], cases: int) -> None:
    print(f"\n== The desk with {cases:,} cases (ms; request to last byte on the loopback)")
    print(
        f"   name index of {figures['indexed']:,} cases built in "
        f"{figures['index_seconds']:.1f} s (once, in the background, after the upgrade)"
    )
    print(f"   {'page':<32} {'p50':>8} {'p95':>8} {'stall':>8}  target")
    for label, values in figures["pages"].items():
        p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
        stall = figures["stalls"][label] * 1000
        verdict = "PASS" if p95 < TARGET_MS else "FAIL"
        print(f"   {label:<32} {p50:8.1f} {p95:8.1f} {stall:8.1f}  < {TARGET_MS:.0f} {verdict}")
    print("   (stall: the longest the event loop ran one piece of work while the page was made)")
    alone = figures["alone"]
    print(f"   families' p99 alone: {alone['p99'] * 1000:.1f} ms ({alone['updates']} updates)")
    for key in ("with_desk", "hammered"):
        used = figures[key]
        ratio = used["p99"] / alone["p99"] if alone["p99"] else float("nan")
        print(
            f"   families' p99, {used['name']}: {used['p99'] * 1000:.1f} ms "
            f"({used['updates']} updates; {used['job']}); ratio {ratio:.2f}; "
            f"longest loop callback {used['callback'] * 1000:.1f} ms"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.desk",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--families", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20, help="requests of each page")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="izdeu-desk-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        print(f"== Preparing {args.cases:,} cases in {workdir}", flush=True)
        template, key = prepare(workdir, args.cases)
        with tempfile.TemporaryDirectory(dir=workdir, prefix="run-") as folder:
            copy = Path(folder) / DB_NAME
            shutil.copyfile(template, copy)
            figures = asyncio.run(child(copy, key, args.families, args.repeat))
        report(figures, args.cases)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
