"""Whole-database work at scale: caseworker commands, retention, exports and reminders
next to families, start-up and memory, with N stored cases (100,000 by default).

    python -m bench.scale                          # 100k cases, about 3-4 minutes on 2 CPUs
    python -m bench.scale --cases 10000 --workdir /tmp/scale --keep

A database of synthetic cases (``bot.exports.synthetic.generate``, reminders from
``bench.data``) is made once per size and kept in the work folder with ``--keep``.
Every run works on a fresh copy, in a child process that is the bot as it runs:
the real application (``build_application``) with its services, on the local Bot
API stand-in (instant). The child is started and timed from the parent, so the
start-up figure includes the interpreter and every import. Commands are sent as
real updates and timed until their handler returns; the memory figure is the
child's own peak (``VmHWM``) after everything, exports included.

Families are ``--families`` simulated relatives answering the report at a human pace
(one update every ``PACE`` seconds each). Their latency is from the moment the update
was due to the end of its handling, so time an update waited for a blocked event loop
counts. Each job is measured next to its own measurement of the families alone, made
just before it (so that other work on the machine changing during the run does not count
against the job), each over at least ``--updates`` families' updates (1,000: the p99 is
then about the 10th slowest), the measurement alone over twice as many, since it is the
baseline of every ratio (its p99 over 1,000 updates moved from 3.9 to 5.9 ms between
runs of the same code). During a job only the updates that were due between its start
and its end count; a job shorter than that runs again on fresh data, up to a few rounds.
The jobs: an XLSX export of every case (pressed by a caseworker), a burst of due
reminders (``handlers.jobs.send_due_reminders``; each round makes ``BURST`` 'prepare'
reminders due again) and a retention run (``Services.purge_expired`` with a retention of
0 days: every closed case; each further round closes ``CLOSE`` more open cases first).
The longest write transaction (and the functions that opened it) and the longest single
callback of the event loop are printed for each. ``--delay 0.05`` gives the stand-in a
50 ms round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench import data
from bench.loopwatch import LoopWatch
from bench.report import Report, own_peak_rss_mb, percentile
from bench.throughput import TransactionTimer

ADMIN = 1  # the caseworker's Telegram id (an administrator)
PACE = 0.5  # seconds between two updates of one family
FAMILIES = 40  # families at once: 80 updates a second
UPDATES = 1000  # families' updates in each measurement, at least: p99 is the 10th slowest
ALONE = 2  # the measurement alone counts this many times more: the baseline of every ratio
BURST = 600  # 'prepare' reminders made due for each round of a burst (21 s at 28/s)
DB_NAME = "izdeu.sqlite3"


# --- the parent ---------------------------------------------------------------------------
def prepare(workdir: Path, cases: int) -> tuple[Path, str]:
    """The database of ``cases`` synthetic cases and its key, made once per size."""
    folder = workdir / f"cases-{cases}"
    path, key_file = folder / DB_NAME, folder / "key"
    if path.exists() and key_file.exists():
        key = key_file.read_text().strip()
        asyncio.run(settled(path, key))
        return path, key
    from bot.storage.crypto import new_key

    folder.mkdir(parents=True, exist_ok=True)
    key = new_key()
    seconds = asyncio.run(data.stored_cases(path, cases, key))
    rows = data.add_reminders(path)
    asyncio.run(settled(path, key))
    key_file.write_text(key)
    print(
        f"   {cases:,} synthetic cases written in {seconds:.1f} s, "
        f"{rows.rows:,} reminder rows ({rows.due:,} due)",
        flush=True,
    )
    return path, key


async def settled(path: Path, key: str) -> None:
    """The database as a bot that has run on it leaves it: migrated to the latest schema,
    its key recorded and stored ids in their keyed form (``check_key``, which the bot's
    first start after an upgrade does once), and the region of every case written
    (``Services.fill_regions``, a job of the bot)."""
    from bot.exports.stats import case_region
    from bot.storage.crypto import Cipher
    from bot.storage.database import Database
    from bot.storage.maintenance import fill_regions
    from bot.storage.sealing import check_key

    db = Database(path, cipher=Cipher(key))
    began = time.perf_counter()
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    await db.open(check=False)
    migrated = time.perf_counter()
    try:
        await check_key(db)
        filled = await fill_regions(db, case_region)
    finally:
        await db.close()
    if filled or version != await _version(path):
        print(
            f"   migrated from version {version} in {migrated - began:.1f} s; "
            f"region of {filled:,} cases written in {time.perf_counter() - migrated:.1f} s",
            flush=True,
        )


async def _version(path: Path) -> int:
    return int(sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0])


def run_child(
    template: Path, key: str, families: int, workdir: Path, updates: int, delay: float
) -> dict[str, Any]:
    """Copy the database and run the bot-like child on it; its figures."""
    with tempfile.TemporaryDirectory(dir=workdir, prefix="run-") as folder:
        copy = Path(folder) / DB_NAME
        shutil.copyfile(template, copy)
        began = time.time()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.scale",
                "--child",
                str(copy),
                "--families",
                str(families),
                "--updates",
                str(updates),
                "--delay",
                repr(delay),
            ],
            env={**os.environ, "IZDEU_BENCH_KEY": key, "IZDEU_BENCH_STARTED": repr(began)},
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )  # progress on stderr
        if proc.returncode != 0:
            raise RuntimeError("the child failed (its error is above)")
        return json.loads(proc.stdout.strip().splitlines()[-1])


def report(figures: dict[str, Any], cases: int, delay: float) -> int:
    rep = Report()
    rep.section(f"Whole-database work at scale: {cases:,} cases stored")
    ms = lambda s: f"{s * 1000:,.1f} ms"  # noqa: E731
    start = figures["startup"]
    rep.figure(
        "start-up (process start to ready)", f"{start['wall']:.2f} s", "< 2 s", start["wall"] < 2
    )
    rep.note(
        f"of which opening the database {start['open']:.2f} s, building and starting "
        f"the application {start['build']:.2f} s, settling {start['settle']:.2f} s"
    )
    for name, seconds, sent in figures["commands"]:
        if "charts" in name:  # the figures went first; the pictures follow
            rep.figure(name, ms(seconds) + f" ({sent} msg)")
            continue
        if delay:  # the targets are the bot's own time; here every call adds a round trip
            rep.figure(name, ms(seconds) + f" ({sent} msg)")
            continue
        limit = 2.0 if name.startswith("/stats") else 0.1
        rep.figure(name, ms(seconds) + f" ({sent} msg)", f"< {ms(limit)}", seconds < limit)
    due = figures["due"]
    rep.figure("/due: messages sent", str(due["messages"]), "1", due["messages"] == 1)
    rep.note(f"/due: {due['letters']:,} letters overdue or due this week, 8 a page")
    rep.note(f"the stand-in Bot API answers in {delay * 1000:.0f} ms")
    pairs = figures["phases"]
    for base, phase in zip(pairs[::2], pairs[1::2], strict=True):
        ratio = phase["p99"] / base["p99"]
        rep.figure(f"families' p99 alone, before {phase['name'][7:]}", ms(base["p99"]))
        _phase_notes(rep, base)
        rep.figure(
            f"families' p99, {phase['name']}",
            ms(phase["p99"]) + f" ({ratio:.2f}x)",
            "<= 1.5x alone",
            ratio <= 1.5,
        )
        _phase_notes(rep, phase)
        rep.figure(
            f"longest write transaction, {phase['name']}",
            ms(phase["held"]),
            "<= 10 ms",
            phase["held"] <= 0.010,
        )
    rep.figure(
        "memory of the bot after the commands",
        f"{figures['rss_commands']:.0f} MB",
        "< 200 MB",
        figures["rss_commands"] < 200,
    )
    rep.figure(
        "peak memory of the bot (commands, jobs, export)",
        f"{figures['rss']:.0f} MB",
        "< 200 MB",
        figures["rss"] < 200,
    )
    return rep.summary()


def _phase_notes(rep: Report, phase: dict[str, Any]) -> None:
    ms = lambda s: f"{s * 1000:,.1f} ms"  # noqa: E731
    rep.note(
        f"{phase['updates']} updates, p50 {ms(phase['p50'])}; {phase['job']}; "
        f"longest write transaction {ms(phase['held'])}, longest callback "
        f"{ms(phase['callback'])}"
    )
    rep.note(f"the slowest callback: {phase['slowest'][:90]}")
    rep.note(f"the longest write transaction: {phase['held_where'][:90]}")


# --- the child: the bot as it runs --------------------------------------------------------
class Families:
    """Simulated relatives filling in the report, one update every ``PACE`` seconds each;
    when one finishes, another starts under a new id."""

    def __init__(self, bot: Any, count: int) -> None:
        self.bot = bot
        self.count = count
        self.latencies: list[tuple[float, float]] = []  # (when due, latency), in seconds
        self.next_id = 7_000_000
        self.stop = asyncio.Event()

    async def run(self) -> None:
        self.stop.clear()
        await asyncio.gather(*(self._family(i * PACE / self.count) for i in range(self.count)))

    async def _family(self, offset: float) -> None:
        from tests.support import KZ_REPORT

        loop = asyncio.get_running_loop()
        due = loop.time() + offset
        while not self.stop.is_set():
            self.next_id += 1
            chat = self.bot.chat(self.next_id, "ru")
            steps: list[Callable[[], Awaitable[None]]] = [
                lambda chat=chat: chat.send("/start"),
                lambda chat=chat: chat.press("lang:ru"),
                lambda chat=chat: chat.press("consent:ru:y"),
            ]
            steps += [_step(chat, action, value) for action, value in KZ_REPORT]
            for step in steps:
                await asyncio.sleep(max(0.0, due - loop.time()))
                if self.stop.is_set():
                    return
                await step()
                self.latencies.append((due, loop.time() - due))
                due += PACE


def _step(chat: Any, action: str, value: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        if action == "send":
            await chat.send(value)
        elif action == "press":
            await chat.press(value)
        elif action == "contact":
            await chat.contact(value)
        elif action == "photo":
            await chat.process(chat.make.photo(None))
        else:
            await chat.process(chat.make.document(value))

    return run


async def _timed(chat: Any, send: Callable[[], Awaitable[None]]) -> tuple[float, int]:
    before = len(chat.messages())
    began = time.perf_counter()
    await send()
    return time.perf_counter() - began, len(chat.messages()) - before


async def commands(bot: Any, numbers: list[str]) -> list[tuple[str, float, int]]:
    """Each caseworker command as a real update, timed to the end of its handler."""
    chat = bot.chat(ADMIN, "ru")
    out: list[tuple[str, float, int]] = []

    async def timed(name: str, send: Callable[[], Awaitable[None]]) -> None:
        seconds, sent = await _timed(chat, send)
        out.append((name, seconds, sent))

    await timed("/cases", lambda: chat.send("/cases"))
    for page in range(2, 5):
        await timed(f"/cases page {page}", lambda: chat.press("➡"))
    for which, label in (
        ("s", "status"),
        ("c", "citizenship"),
        ("o", "overdue"),
        ("u", "unassigned"),
        ("v", "checked"),
    ):
        await chat.send("/cases")
        await timed(f"/cases filter {label}", _press(chat, f"staff:filter:{which}:"))
        if any(text == "➡" for text, _ in chat.last_with_buttons().buttons()):
            await timed(f"/cases filter {label}, page 2", lambda: chat.press("➡"))
    for number in numbers:
        await timed(f"/case {number}", lambda number=number: chat.send(f"/case {number}"))
    from bot.exports import Exporter

    exporter = Exporter(bot.services.db, bot.clock, bot.services.catalogs)
    await timed("/stats: its figures (Exporter.statistics)", exporter.statistics)
    await timed("/stats: figures, then charts drawn", lambda: chat.send("/stats"))
    return out


def _press(chat: Any, prefix: str) -> Callable[[], Awaitable[None]]:
    async def press() -> None:
        for _text, cb in chat.last_with_buttons().buttons():
            if cb and cb.startswith(prefix):
                await chat.press_data(cb, chat.last_with_buttons().result)
                return
        raise AssertionError(f"no button {prefix}")

    return press


@dataclasses.dataclass
class Watched:
    """Families' latencies over one or more rounds, and what held the loop meanwhile."""

    latencies: list[float] = dataclasses.field(default_factory=list)
    held: float = 0.0  # the longest write transaction (seconds)
    callback: float = 0.0  # the longest single callback of the loop (seconds)
    slowest: str = ""
    held_where: str = ""  # the functions that opened the longest write transaction
    jobs: list[str] = dataclasses.field(default_factory=list)

    def add(self, timer: TransactionTimer, watch: LoopWatch) -> None:
        if timer.slowest > self.held:
            self.held, self.held_where = timer.slowest, timer.slowest_where
        if watch.longest > self.callback:
            self.callback, self.slowest = watch.longest, watch.slowest_what

    def figures(self, name: str, job: str) -> dict[str, Any]:
        lat = self.latencies
        return {
            "name": name,
            "job": job,
            "updates": len(lat),
            "p50": percentile(lat, 50),
            "p99": percentile(lat, 99),
            "held": self.held,
            "callback": self.callback,
            "slowest": self.slowest,
            "held_where": self.held_where,
        }


async def alone(families: Families, updates: int) -> dict[str, Any]:
    """Families' latency with nothing else running, until ``updates`` were handled."""
    seen = Watched()
    families.latencies = []
    began = time.perf_counter()
    with TransactionTimer() as timer:
        async with LoopWatch() as watch:
            runner = asyncio.create_task(families.run())
            while len(families.latencies) < updates:
                await asyncio.sleep(0.2)
            families.stop.set()
            await runner
        seen.add(timer, watch)
    seen.latencies = [lat for _due, lat in families.latencies]
    return seen.figures("alone", f"{time.perf_counter() - began:.0f} s")


Setup = Callable[[], Awaitable[bool]]


async def during(
    name: str,
    families: Families,
    job: Callable[[], Awaitable[str]],
    fresh: Setup | None,
    updates: int,
    rounds: int,
) -> dict[str, Any]:
    """Families' latency while ``job`` runs: only the updates that were due between its
    start and its end count. A job shorter than ``updates`` families' updates runs again
    on fresh data (``fresh``, made while the families and the watches are stopped, False
    once there is none left), up to ``rounds`` times."""
    seen = Watched()
    loop = asyncio.get_running_loop()
    took = 0.0
    for _ in range(rounds):
        if len(seen.latencies) >= updates or (fresh is not None and not await fresh()):
            break
        families.latencies = []
        with TransactionTimer() as timer:
            async with LoopWatch() as watch:
                runner = asyncio.create_task(families.run())
                await asyncio.sleep(1.0)  # families under way before the job starts
                began = loop.time()
                seen.jobs.append(await job())
                ended = loop.time()
                families.stop.set()
                await runner
            seen.add(timer, watch)
        took += ended - began
        seen.latencies += [lat for due, lat in families.latencies if began <= due <= ended]
    what = (
        seen.jobs[0]
        if len(seen.jobs) == 1
        else f"{len(seen.jobs)} rounds: " + "; ".join(seen.jobs)
    )
    return seen.figures(name, f"{what}; {took:.1f} s in all")


async def child(db: Path, family_count: int, updates: int, delay: float) -> dict[str, Any]:
    from bot.clock import ManualClock
    from tests.support import Bot

    key = os.environ["IZDEU_BENCH_KEY"]
    started = float(os.environ["IZDEU_BENCH_STARTED"])
    began = time.perf_counter()
    bot = await Bot.start(
        db.parent,
        ManualClock(data.NOW),
        frozenset({ADMIN}),
        key,
        delay=delay,
        export_priority="idle",
    )
    bot.api.keep_files = False  # the stand-in reads uploads through, like a server
    opened = time.perf_counter()
    await bot.app.start()
    built = time.perf_counter()
    for job in bot.app.job_queue.jobs():  # the bench runs each job itself, when it chooses
        if job.name != "checkpoint":  # ...except the log's checkpoint, as the bot has it
            job.schedule_removal()
    await bot.services.settle()
    ready = time.time()
    startup = {
        "wall": ready - started,
        "open": opened - began,
        "build": built - opened,
        "settle": time.perf_counter() - built,
    }
    raw = sqlite3.connect(db)
    numbers = [
        r[0]
        for r in raw.execute(
            """SELECT number FROM cases WHERE id IN (SELECT MIN(id) FROM cases UNION
           SELECT MAX(id) FROM cases UNION SELECT MAX(id) / 2 FROM cases)"""
        )
    ]
    raw.close()
    figures: dict[str, Any] = {"startup": startup}
    print("   commands…", file=sys.stderr, flush=True)
    try:
        figures["commands"] = await commands(bot, numbers)
        chat = bot.chat(ADMIN, "ru")
        seconds, sent = await _timed(chat, lambda: chat.send("/due"))
        head = chat.last_text().splitlines()[0]  # "...: 112,495 · 1/14,062"
        letters = int("".join(ch for ch in head.split("·")[0] if ch.isdigit()) or 0)
        figures["commands"].append(("/due", seconds, sent))
        figures["due"] = {"messages": sent, "letters": letters}
        figures["rss_commands"] = _rss_mb()
        figures["phases"] = await phases(bot, family_count, updates)
        figures["rss"] = own_peak_rss_mb()
    finally:
        await bot.stop()
    return figures


def _rss_mb() -> float:
    """Resident memory of this process now (``VmRSS``), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def phases(bot: Any, family_count: int, updates: int) -> list[dict[str, Any]]:
    """Each job next to its own measurement of the families alone, just before it."""
    from handlers import jobs

    families = Families(bot, family_count)
    chat = bot.chat(ADMIN, "ru")
    s = bot.services
    path = s.db.path

    async def export() -> str:
        await chat.send("/export")
        before = len(chat.messages())
        await _press(chat, "export:xlsx:0:")()
        docs = [c for c in chat.messages()[before:] if c.method == "sendDocument"]
        return f"XLSX export, {len(docs)} file"

    async def retention() -> str:
        s.config = dataclasses.replace(s.config, retention_days=0)
        return f"retention run, {await s.purge_expired():,} cases purged"

    async def burst() -> str:
        sent = await jobs.send_due_reminders(bot.app)
        return f"reminder burst, {sent:,} sent"

    async def due_reminders() -> bool:
        """BURST 'prepare' reminders due now, those of the last burst again."""
        return await asyncio.to_thread(_write, path, _DUE_REMINDERS, (_now(), BURST)) > 0

    first = True

    async def closed_cases() -> bool:
        """The cases closed in the data first; then CLOSE more open cases at each round."""
        nonlocal first
        if first:
            first = False
            return True
        return await asyncio.to_thread(_write, path, _CLOSE_CASES, (CLOSE,)) > 0

    out = []
    chosen = os.environ.get("IZDEU_BENCH_JOBS", ",".join(JOBS)).split(",")
    for key, name, job, fresh, rounds in (
        ("export", "during an export", export, None, 3),
        ("burst", "during a reminder burst", burst, due_reminders, 8),
        ("retention", "during a retention run", retention, closed_cases, 12),
    ):
        if key not in chosen:
            continue
        print(f"   alone, then {name}…", file=sys.stderr, flush=True)
        bot.api.clear()  # the stand-in keeps every call, sent files included
        out.append(await alone(families, updates * ALONE))
        out.append(await during(name, families, job, fresh, updates, rounds))
    return out


JOBS = ("export", "burst", "retention")  # measured next to families, in this order
CLOSE = 10_000  # open cases closed for each further round of the retention run
_CLOSE_CASES = """UPDATE cases SET status = 'closed' WHERE id IN (SELECT id FROM cases
    WHERE purged_at IS NULL AND status NOT IN ('closed', 'returned', 'dead')
    ORDER BY id DESC LIMIT ?)"""
_DUE_REMINDERS = """UPDATE reminders SET due_at = ?, sent_at = NULL WHERE id IN (
    SELECT id FROM reminders WHERE cancelled_at IS NULL AND kind = 'prepare'
    ORDER BY id LIMIT ?)"""


def _now() -> str:
    return data._ts(data.NOW)


def _write(path: Path, sql: str, params: tuple[Any, ...]) -> int:
    """One write on a connection of its own (fresh data between rounds, never timed)."""
    raw = sqlite3.connect(path, timeout=30)
    try:
        with raw:
            return raw.execute(sql, params).rowcount
    finally:
        raw.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--families", type=int, default=FAMILIES)
    parser.add_argument(
        "--updates", type=int, default=UPDATES, help="families' updates per measurement, at least"
    )
    parser.add_argument(
        "--delay", type=float, default=0.0, help="the stand-in's round trip, in seconds"
    )
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--jobs",
        default=",".join(JOBS),
        help=f"the jobs measured next to families, of {','.join(JOBS)} (all by default)",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child:
        os.environ["IZDEU_BENCH_JOBS"] = args.jobs  # read by the child
    if args.child:
        print(json.dumps(asyncio.run(child(args.child, args.families, args.updates, args.delay))))
        return 0
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="izdeu-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        print(f"== Preparing {args.cases:,} cases in {workdir}", flush=True)
        template, key = prepare(workdir, args.cases)
        figures = run_child(template, key, args.families, workdir, args.updates, args.delay)
        report(figures, args.cases, args.delay)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
