"""``python -m bench [--quick]`` (or ``make bench``): the benchmark, section by section.

0. replies first, as shipped: families typing at a human pace while thousands of
   reminders are due, with the production rate limiter and jobs, a caseworker at work,
   against a stand-in enforcing Telegram's limits with a 50 ms round trip; next to a bare
   python-telegram-bot echo bot;
1. complete reports from many families through the whole bot, next to a bare echo bot,
   with 1k, 10k and 100k cases stored, with an instant and a 50 ms Bot API (the bot's
   own capacity: no rate limiter);
2. the longest stall of the event loop meanwhile;
3. letter PDFs;
4. exports of every case to XLSX and CSV;
5. the reminder job's query over many letters;
6. the reminder fan-out within Telegram's limits;
7. peak memory.

The sections run in the order of ``SECTIONS``; a module with figures of its own adds
one entry there. Every figure is printed next to its target with PASS or FAIL; the run
itself always exits 0 (a benchmark reports, it does not gate). The product never
imports this package.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import logging
import os
import platform
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import telegram

from bench import data, exports, gcpause, letters, reminders, replies, throughput
from bench.loopwatch import NAMED_FROM, SLOW_CALLBACK, LoopWatch
from bench.report import Report, median, peak_rss_mb, percentile
from bot.clock import ManualClock
from bot.services.followup import FollowupService
from bot.storage.crypto import new_key
from handlers import jobs
from handlers.ratelimit import Limits

MS = 1000.0
FIRST_USER = 10_000_000  # Telegram user ids of the simulated families


@dataclass(frozen=True)
class Sizes:
    stored: tuple[int, ...]  # cases already in the database for the report runs
    families: int  # sending a complete report at once; more than the 64 updates the bot
    #                handles at once, so that its concurrency is used in full
    warmup: int  # families sent first, untimed
    letter_reports: int  # sample reports whose letters are timed (x every body)
    fanout_chats: int  # over 30: with fewer, one a second per chat is the tighter limit
    fanout_per_chat: int
    fanout_cap: float  # seconds a fan-out may run before it is stopped and measured
    repeats: int  # runs of each report configuration; the median is reported
    load: replies.Load  # replies first, as shipped

    @property
    def large(self) -> int:
        return self.stored[-1]


FULL = Sizes(
    stored=(1_000, 10_000, 100_000),
    families=200,
    warmup=10,
    letter_reports=5,
    fanout_chats=100,
    fanout_per_chat=3,
    fanout_cap=30.0,
    repeats=3,
    load=replies.Load(
        families=50, steps=36, reminders=5_000, pause=(1.5, 4.0), delay=0.05, cap=600.0
    ),
)
QUICK = Sizes(
    stored=(1_000, 10_000),
    families=70,
    warmup=5,
    letter_reports=1,
    fanout_chats=40,
    fanout_per_chat=2,
    fanout_cap=5.0,
    repeats=1,
    load=replies.Load(families=20, steps=8, reminders=400, pause=(1.0, 2.0), delay=0.05, cap=40.0),
)
DELAYS = (0.0, 0.05)  # seconds per Bot API call: instant, and a realistic round trip


def _n(count: int) -> str:
    return f"{count // 1000}k" if count >= 1000 and count % 1000 == 0 else str(count)


def _ms(seconds: float, digits: int = 1) -> str:
    return f"{seconds * MS:.{digits}f}"


def _due_batch() -> int:
    """How many reminders one run of the reminder job takes (``FollowupService.due``)."""
    return int(inspect.signature(FollowupService.due).parameters["limit"].default)


def _median_run(runs: list[throughput.Run]) -> throughput.Run:
    """The run with the median rate (the machine is shared and noisy: one run can be off)."""
    return sorted(runs, key=lambda run: run.rate)[len(runs) // 2]


def _spread(runs: list[throughput.Run]) -> str:
    if len(runs) < 2:
        return ""
    rates = [run.rate for run in runs]
    return f" ({min(rates):,.0f}-{max(rates):,.0f})"


class Bench:
    """Runs the sections in order, sharing the databases and the report."""

    def __init__(self, sizes: Sizes, workdir: Path) -> None:
        self.sizes = sizes
        self.workdir = workdir
        self.key = new_key()  # a throwaway key: every database is sealed, as for real
        self.report = Report()
        self.stalls: dict[str, LoopWatch] = {}
        self.child_stalls: dict[str, tuple[float, float]] = {}  # (stall, heartbeat)
        self.dbs: dict[int, Path] = {}
        self.next_user = FIRST_USER  # every report run gets families never seen before
        self.peaks: list[tuple[str, float]] = []  # peak memory after each section
        self.reminder_rows: data.ReminderRows | None = None
        self.probe: dict[str, float] = {}  # the garbage-collection probe's figures

    def done(self, section: str) -> None:
        self.peaks.append((section, peak_rss_mb()))

    # --- preparing ---------------------------------------------------------------------
    async def prepare(self) -> list[throughput.Step]:
        r = self.report
        r.section("Preparing (not timed as part of any figure)")
        for count in self.sizes.stored:
            path = self.workdir / f"stored-{_n(count)}.sqlite3"
            seconds = await data.stored_cases(path, count, self.key)
            self.dbs[count] = path
            r.note(
                f"{count:,} synthetic cases written in {seconds:.1f} s "
                f"({path.stat().st_size / 1e6:.0f} MB)"
            )
        rows = data.add_reminders(self.dbs[self.sizes.large])
        r.note(
            f"{rows.rows:,} reminder rows for {rows.letters:,} open sent letters of the "
            f"{_n(self.sizes.large)} database ({rows.pending:,} pending, {rows.due:,} due)"
        )
        self.reminder_rows = rows
        record_dir = self.workdir / "record"
        record_dir.mkdir()
        steps = await throughput.record_report(record_dir)
        r.note(
            f"one complete report recorded: {len(steps)} updates "
            "(/start, language, consent, every answer of KZ_REPORT, confirm)"
        )
        return steps

    # --- 0. replies first, as shipped -----------------------------------------------------
    async def replies_first(self, steps: list[throughput.Step]) -> None:
        load = self.sizes.load
        r = self.report
        r.section(
            f"0. Replies first, as shipped: {load.families} families typing "
            f"({load.steps} steps each, {load.pause[0]:g}-{load.pause[1]:g} s between "
            f"steps), {load.reminders:,} reminders due at once, a caseworker; rate "
            f"limiter and jobs as in production; stand-in enforcing Telegram's limits, "
            f"{load.delay * MS:.0f} ms round trip"
        )
        shipped = await replies.shipped(
            self.workdir / "replies-first.sqlite3", self.key, steps, load
        )
        echo = await replies.echo(steps, load)
        assert shipped.watch is not None
        self.stalls["replies first, as shipped"] = shipped.watch
        p99 = percentile(shipped.latencies, 99)
        r.figure(
            "families' replies p50 / p99",
            f"{_ms(percentile(shipped.latencies, 50), 0)} / {_ms(p99, 0)} ms",
            "p99 < 1000 ms",
            p99 < 1.0,
        )
        echo_p99 = percentile(echo.latencies, 99)
        r.figure(
            "  echo bot, same families, no reminders, p50 / p99",
            f"{_ms(percentile(echo.latencies, 50), 0)} / {_ms(echo_p99, 0)} ms",
        )
        r.figure("  shipped p99 / echo p99", f"{p99 / echo_p99:.2f}x")
        r.figure(
            "caseworker's replies p50 / max",
            f"{_ms(percentile(shipped.caseworker, 50), 0)} / "
            f"{_ms(max(shipped.caseworker, default=float('nan')), 0)} ms",
        )
        r.figure(
            "updates without an answer within 30 s",
            str(shipped.missing),
            "0",
            shipped.missing == 0,
        )
        r.figure(
            "reminders delivered",
            f"{shipped.reminders_delivered:,} of {shipped.reminders_due:,}",
            "all",
            shipped.reminders_delivered >= shipped.reminders_due,
        )
        r.figure(
            "429 answers (shipped / echo)",
            f"{shipped.refused} / {echo.refused}",
            "0",
            shipped.refused == 0,
        )
        rate = shipped.reminders_delivered / shipped.seconds if shipped.seconds else 0.0
        r.note(
            f"{len(shipped.latencies):,} family replies, {len(shipped.caseworker)} caseworker "
            f"commands, {shipped.errors} handler errors; everything delivered after "
            f"{shipped.seconds:.0f} s ({rate:.1f} reminders/s on average"
            + (f"; stopped at the {load.cap:g} s cap" if shipped.capped else "")
            + ")"
        )

    # --- 1. reports ----------------------------------------------------------------------
    async def reports(self, steps: list[throughput.Step]) -> None:
        s = self.sizes
        for delay in DELAYS:
            api = "instant" if not delay else f"{delay * MS:.0f} ms RTT"
            rates: dict[int, float] = {}
            services: dict[int, float] = {}
            for stored in s.stored:
                tag = f"{api}, {_n(stored)} stored"
                self.report.section(
                    f"1. Complete reports: {s.families} families x {len(steps)} updates, "
                    f"{stored:,} cases stored, Bot API {api}"
                    + (f"; median of {s.repeats} runs each" if s.repeats > 1 else "")
                )
                fulls, echos, sames = await self._pairs(steps, self.dbs[stored], delay)
                full = _median_run(fulls)
                self.stalls[f"reports, {tag}"] = max(
                    (run.watch for run in fulls if run.watch), key=lambda w: w.longest
                )
                rates[stored] = full.rate
                services[stored] = median(full.service)
                self._print_pair(tag, fulls, echos, sames, delay)
            small, large = s.stored[0], s.stored[-1]
            self.report.section(
                f"1. Flat with data ({api}): {_n(small)} vs {_n(large)} cases stored"
            )
            ratio = rates[small] / rates[large]
            self.report.figure(
                f"[{api}] rate {_n(small)} / rate {_n(large)}",
                f"{ratio:.2f}x",
                "<= 1.3x",
                ratio <= 1.3,
            )
            self.report.figure(
                f"[{api}] service p50 {_n(large)} / {_n(small)}",
                f"{services[large] / services[small]:.2f}x",
            )

    async def _pairs(
        self, steps: list[throughput.Step], db: Path, delay: float
    ) -> tuple[list[throughput.Run], list[throughput.Run], list[throughput.Run]]:
        """The full bot, the echo bot and the same-calls bot, in turn, ``repeats`` times each."""
        s = self.sizes
        fulls, echos, sames = [], [], []
        for _ in range(s.repeats):
            fulls.append(
                await throughput.full_run(
                    db, self.key, steps, s.families, s.warmup, delay, self.next_user, "full"
                )
            )
            self.next_user += s.families + s.warmup
            echos.append(await throughput.echo_run(steps, s.families, s.warmup, delay, "echo"))
            sames.append(
                await throughput.echo_run(
                    steps, s.families, s.warmup, delay, "same calls", same_calls=True
                )
            )
        return fulls, echos, sames

    def _print_pair(
        self,
        tag: str,
        fulls: list[throughput.Run],
        echos: list[throughput.Run],
        sames: list[throughput.Run],
        delay: float,
    ) -> None:
        r = self.report
        full, echo, same = _median_run(fulls), _median_run(echos), _median_run(sames)
        r.figure(
            f"[{tag}] full bot rate",
            f"{full.rate:,.0f} upd/s" + _spread(fulls),
            *((">= 300 upd/s", full.rate >= 300) if delay else ()),
        )
        r.figure(f"[{tag}] echo bot rate", f"{echo.rate:,.0f} upd/s" + _spread(echos))
        ratio = full.rate / echo.rate
        r.figure(f"[{tag}] full / echo rate", f"{ratio:.3f}x", ">= 1/3", ratio >= 1 / 3)
        r.figure(f"[{tag}] same-calls bot rate", f"{same.rate:,.0f} upd/s" + _spread(sames))
        r.figure(f"[{tag}] same calls / echo rate", f"{same.rate / echo.rate:.3f}x")
        r.figure(f"[{tag}] full / same calls rate", f"{full.rate / same.rate:.3f}x")
        r.note(
            "same calls: a bare application making, for each update, the Bot API calls the "
            f"bot made for it ({same.api_calls / same.updates:.1f} per update, echo "
            f"{echo.api_calls / echo.updates:.1f}); the bot's own work costs "
            f"{(1 / full.rate - 1 / same.rate) * 1e6:,.0f} us per update beyond them"
        )
        for run in (full, echo):
            r.figure(
                f"[{tag}] {run.label} latency p50 / p99 (from enqueue)",
                f"{_ms(percentile(run.latency, 50), 0)} / "
                f"{_ms(percentile(run.latency, 99), 0)} ms",
            )
            r.figure(
                f"[{tag}] {run.label} service time p50 / p99 (handlers)",
                f"{_ms(percentile(run.service, 50))} / {_ms(percentile(run.service, 99))} ms",
            )
        tx = full.transactions
        assert tx is not None
        r.figure(
            f"[{tag}] commit-before-reply p50 / p99",
            f"{_ms(percentile(tx.whole, 50), 2)} / {_ms(percentile(tx.whole, 99), 2)} ms",
            "p99 <= 2 ms",
            percentile(tx.whole, 99) <= 0.002,
        )
        r.figure(
            f"[{tag}]   of which BEGIN..COMMIT p50 / p99",
            f"{_ms(percentile(tx.held, 50), 2)} / {_ms(percentile(tx.held, 99), 2)} ms",
        )
        per = full.updates
        r.note(
            f"per update: {len(tx.whole) / per:.1f} write transactions, "
            f"{full.lock_count / per:.1f} takes of the shared connection, held "
            f"{full.lock_held / per * MS:.2f} ms in all, "
            f"{full.api_calls / per:.1f} Bot API calls; the connection "
            f"was held {full.lock_held / full.seconds:.0%} of the time"
        )
        created = sum(run.cases_created for run in fulls)
        r.note(
            f"{created} of {self.sizes.families * len(fulls)} cases created, "
            f"{sum(run.errors for run in fulls)} handler errors "
            f"(echo: {sum(run.errors for run in echos)})"
        )

    async def stall_pass(self, steps: list[throughput.Step]) -> None:
        """The report run again, untimed, in asyncio's debug mode, to name any single slow
        callback (debug mode is too slow to leave on while throughput is measured)."""
        s = self.sizes
        families = max(10, s.families // 4)
        run = await throughput.full_run(
            self.dbs[s.large], self.key, steps, families, 0, 0.0, 90_000_000, "full", debug=True
        )
        assert run.watch is not None
        self.stalls[f"reports in asyncio debug mode, {families} families"] = run.watch

    # --- 3. letters ----------------------------------------------------------------------
    async def letters(self) -> None:
        r = self.report
        r.section("3. Letter PDFs (render_letter + letter_pdf, sample reports, Russian)")
        times = letters.time_letters_apart(self.sizes.letter_reports)
        warm = median(times.total)
        r.figure(
            "worker's preparation at start-up (fonts, templates, a sample)",
            f"{_ms(times.fonts, 0)} ms",
        )
        r.figure(
            "letter PDF, first after start-up",
            f"{_ms(times.first, 0)} ms",
            "< 150 ms",
            times.first < 0.150,
        )
        r.figure(
            f"letter PDF, warm median of {len(times.total)}",
            f"{_ms(warm, 0)} ms",
            "< 150 ms",
            warm < 0.150,
        )
        r.figure("  of which render_letter, median", f"{_ms(median(times.render), 2)} ms")
        r.figure(
            "  of which letter_pdf, median / max",
            f"{_ms(median(times.pdf), 0)} / {_ms(max(times.pdf), 0)} ms",
        )
        r.note(f"PDFs of {median(times.sizes) / 1000:.0f} KB (median)")
        services = await data.services_for(
            self.dbs[self.sizes.stored[0]], self.key, ManualClock(data.NOW)
        )
        try:
            users = [FIRST_USER + i for i in range(3)]  # warm-up families of the first run
            count, seconds, watch = await letters.produce_on_loop(services, users)
        finally:
            await services.close()
        self.stalls[f"{count} letters produced at once (LetterService.produce)"] = watch
        r.figure(f"{count} letters (PDF + DOCX) produced at once", f"{seconds:.1f} s")

    # --- 4. exports ----------------------------------------------------------------------
    def exports(self) -> None:
        r = self.report
        n = self.sizes.large
        r.section(
            f"4. Exports of every case ({n:,} synthetic + the reports above), "
            "each in a child process"
        )
        scale = n / 100_000  # the targets are for 100k cases
        for fmt, limit in (("xlsx", 30.0), ("csv", 3.0)):
            figures = exports.run_export(self.dbs[n], fmt, self.key, self.workdir)
            seconds, peak = figures["seconds"], figures["peak_rss_mb"]
            r.figure(
                f"{fmt.upper()} export of {_n(n)} cases",
                f"{seconds:.1f} s",
                f"< {limit * scale:g} s",
                seconds < limit * scale,
            )
            r.figure(f"{fmt.upper()} export peak memory", f"{peak:.0f} MB", "< 100 MB", peak < 100)
            r.note(
                f"{figures['cases']:,} cases, {figures['rows']:,} rows in all tables, "
                f"{figures['bytes'] / 1e6:.1f} MB file; the child had "
                f"{figures['rss_before_mb']:.0f} MB before the export began"
            )
            self.child_stalls[f"{fmt.upper()} export (child process)"] = (
                figures["stall_ms"] / MS,
                figures["heartbeat_ms"] / MS,
            )
        figures = exports.run_export(self.dbs[n], "csv-cases", self.key, self.workdir)
        r.figure("CSV of the cases table alone", f"{figures['seconds']:.1f} s")
        r.note(
            f"{figures['rows']:,} rows, {figures['bytes'] / 1e6:.1f} MB, peak "
            f"{figures['peak_rss_mb']:.0f} MB: one plain CSV of the cases, the scope of "
            "the reference's 1.1 s"
        )
        if n != 100_000:
            r.note(f"time targets scaled to {_n(n)} cases (XLSX 30 s, CSV 3 s per 100k)")

    # --- 5. reminder scan ----------------------------------------------------------------
    async def scan(self) -> None:
        r = self.report
        rows = self.reminder_rows
        assert rows is not None
        r.section(
            f"5. Reminder scan: {rows.letters:,} open sent letters, {rows.rows:,} reminder rows"
        )
        async with LoopWatch() as watch:
            scan = await reminders.reminder_scan(self.dbs[self.sizes.large], self.key)
        self.stalls["reminder scan"] = watch
        r.figure(
            f"followup.due(), first ({scan.found} found)",
            f"{_ms(scan.first, 2)} ms",
            "< 1000 ms",
            scan.first < 1,
        )
        r.figure(
            "followup.due(), warm median",
            f"{_ms(scan.median, 2)} ms",
            "< 1000 ms",
            scan.median < 1,
        )
        r.figure(
            f"every due reminder, no batch limit ({scan.all_found:,})",
            f"{_ms(scan.all_due, 1)} ms",
        )

    # --- 6. fan-out ----------------------------------------------------------------------
    async def fanout(self) -> None:
        r = self.report
        s = self.sizes
        n = s.fanout_chats * s.fanout_per_chat
        r.section(
            f"6. Reminder fan-out: {n} reminders, {s.fanout_chats} chats x "
            f"{s.fanout_per_chat}, production rate limiter, stand-in enforcing "
            "30/s overall and 1/s per chat"
        )
        for interleave in (True, False):
            result = await reminders.fanout(
                self.workdir, self.key, s.fanout_chats, s.fanout_per_chat, interleave, s.fanout_cap
            )
            self.stalls[f"fan-out, {result.order}"] = result.watch
            tag = f"[{result.order}]"
            r.figure(f"{tag} 429 answers", str(result.refused), "0", result.refused == 0)
            share = result.rate / Limits().overall
            r.figure(
                f"{tag} achieved rate / the limiter's {Limits().overall} per s",
                f"{share:.2f}x ({result.rate:.1f}/s)",
                ">= 0.9x",
                share >= 0.9,
            )
            r.note(
                f"{result.sent} of {result.reminders} sent in {result.seconds:.1f} s"
                + (f" (stopped at the {s.fanout_cap:g} s cap)" if result.capped else "")
            )
        r.note(
            "interleaved: consecutive due reminders go to different chats; clumped: a "
            "family's reminders are due together and come one after another"
        )
        r.note(
            f"send_due_reminders is called again as soon as it returns; the bot's job runs "
            f"it every {jobs.INTERVAL_SECONDS} s for at most {_due_batch()} reminders"
        )

    # --- 2. stalls -----------------------------------------------------------------------
    def stall_summary(self) -> None:
        r = self.report
        r.section(
            "2. Longest event-loop stall (the slowest single callback of the loop, "
            "garbage collection included), with the heartbeat's worst lateness and the "
            "longest full garbage collection beside it"
        )
        worst = 0.0
        for name, watch in self.stalls.items():
            what = f"; {watch.slowest_what[:40]}" if watch.slowest_callback >= NAMED_FROM else ""
            r.figure(
                name,
                f"{_ms(watch.longest)} ms",
                f"heartbeat {_ms(watch.heartbeat, 0)} ms, full GC "
                f"{_ms(watch.longest_gc, 0)} ms" + (" (debug mode)" if watch.debug else "") + what,
            )
            worst = max(worst, watch.longest)
        for name, (seconds, heartbeat) in self.child_stalls.items():
            r.figure(name, f"{_ms(seconds)} ms", f"heartbeat {_ms(heartbeat, 0)} ms")
            worst = max(worst, seconds)
        r.figure(
            "longest stall of all runs", f"{_ms(worst)} ms", "<= 50 ms", worst <= SLOW_CALLBACK
        )
        probe = self.probe = gcpause.measure_in_child(self.workdir / "gc-probe.sqlite3")
        r.figure(
            f"full collection, started bot ({probe['objects_after']:,} objects not frozen)",
            f"{probe['frozen_ms']:.1f} ms",
            "<= 50 ms",
            probe["frozen_ms"] <= 50,
        )
        r.figure(
            f"  the same without its start-up gc.freeze() ({probe['objects']:,} objects)",
            f"{probe['full_ms']:.1f} ms",
        )

    def memory(self) -> None:
        r = self.report
        r.section("7. Memory (ru_maxrss of the benchmark process; exports: their own child)")
        for section, peak in self.peaks:
            r.figure(f"peak after {section}", f"{peak:.0f} MB")
        if self.probe:
            r.figure(
                "a bot-like process: started, one letter made",
                f"{self.probe['peak_rss_mb']:.0f} MB",
            )
            r.figure(
                "  and its letter worker process", f"{self.probe['worker_peak_rss_mb']:.0f} MB"
            )


Section = Callable[["Bench", list[throughput.Step]], Awaitable[None]]


async def _reports(bench: Bench, steps: list[throughput.Step]) -> None:
    await bench.reports(steps)
    await bench.stall_pass(steps)


async def _exports(bench: Bench, steps: list[throughput.Step]) -> None:
    bench.exports()


# (what the memory figures call it, the section). Another module's figures: add a line,
# e.g. ("scale", scale.run) with ``async def run(bench, steps)`` printing through
# ``bench.report`` (``section``, ``figure`` with a target, ``note``) and using
# ``bench.sizes``, ``bench.dbs`` (stored cases by count), ``bench.key``, ``bench.workdir``.
SECTIONS: list[tuple[str, Section]] = [
    ("replies first", lambda bench, steps: bench.replies_first(steps)),
    ("report runs", _reports),
    ("letters", lambda bench, steps: bench.letters()),
    ("exports", _exports),
    ("reminder scan", lambda bench, steps: bench.scan()),
    ("fan-out", lambda bench, steps: bench.fanout()),
]


async def _bench(bench: Bench) -> None:
    steps = await bench.prepare()
    bench.done("preparing")
    for name, section in SECTIONS:
        await section(bench, steps)
        bench.done(name)
    bench.stall_summary()


def _header(sizes: Sizes, quick: bool) -> None:
    import aiosqlite

    print("Izdeu benchmark" + (" (--quick)" if quick else ""))
    print(
        f"   Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"python-telegram-bot {telegram.__version__}, aiosqlite {aiosqlite.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}"
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"   load average at the start {load} (other processes share the CPUs)")
    print(
        f"   stored cases {', '.join(f'{n:,}' for n in sizes.stored)}; {sizes.families} "
        f"families per report run; Bot API delays {', '.join(f'{d * MS:g} ms' for d in DELAYS)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes (1k and 10k cases, fewer families and reminders): about a minute",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep the databases here (default: a temporary folder, removed)",
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="whole-database work at 100k cases instead (bench/scale.py)",
    )
    args = parser.parse_args(argv)
    if args.scale:  # its own entry point: python -m bench.scale --help
        from bench import scale

        return scale.main(
            ["--cases", "10000"] * args.quick
            + ["--workdir", str(args.workdir)] * bool(args.workdir)
            + ["--keep"] * bool(args.workdir)
        )
    sizes = QUICK if args.quick else FULL
    # The figures are the output; the bot's own logging (retries, failed reminders) is not.
    logging.getLogger().setLevel(logging.CRITICAL)
    _header(sizes, args.quick)
    began = time.perf_counter()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="izdeu-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        bench = Bench(sizes, workdir)
        asyncio.run(_bench(bench))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    bench.memory()
    r = bench.report
    r.summary()
    print(f"\n   whole run: {time.perf_counter() - began:.0f} s")
    return 0
