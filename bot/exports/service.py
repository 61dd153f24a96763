"""Exports, dossiers and statistics for the organisation: the async entry points.

How a large export runs without stalling the bot: a reader process of the
export's own steps through one read transaction and hands the rows over in
batches (see ``ExportStore.snapshot``); a single worker thread takes each batch,
decodes, masks and writes it, while the reader prepares the next. A batch or
two is alive at a time, so memory stays flat whatever the size of the
database, and the event loop only ever awaits.

Every export is written to the audit log (actor, format, filters, whether
identity numbers were masked, the number of rows) once it is complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from bot.clock import Clock, SystemClock, local_today
from bot.exports import tables as tb
from bot.exports.presentation import Presentation
from bot.exports.stats import Statistics, StatsBuilder, case_region, region_of
from bot.exports.writers import CsvWriter, JsonWriter, XlsxWriter
from bot.i18n import Catalogs, default_catalogs
from bot.storage.crypto import Cipher
from bot.storage.database import Database
from bot.storage.exports import (
    BATCH_SIZE,
    ExportFilter,
    ExportReader,
    ExportStore,
    stats_case_record,
    stats_letter_record,
)
from bot.storage.staff import AuditStore, StaffStore
from bot.storage.statistics import Counts
from bot.storage.statistics import count as count_statistics
from bot.storage.store import load_answers

T = TypeVar("T")
# The organisation's time zone (as bot.services.followup.DEFAULT_TZ, not imported: it pulls in the
# whole letters package, which the command line does not need for a table export).
ORGANISATION_TZ = "Asia/Almaty"
FORMATS = ("xlsx", "csv", "json", "dossier", "stats")
Output = Path | str | BinaryIO


@dataclass(frozen=True)
class ExportResult:
    format: str
    masked: bool
    filters: Mapping[str, Any]
    rows: Mapping[str, int] = field(default_factory=dict)  # data rows per table

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@contextlib.contextmanager
def _target(out: Output) -> Iterator[BinaryIO]:
    """A file object for ``out``; a path is written under a temporary name (readable by
    the owner only) and renamed when complete, and removed if the export fails."""
    if not isinstance(out, (str, Path)):
        yield out
        return
    path = Path(out)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


class _Worker:
    """One thread for one export: the reader's pipe and the writer's objects never change
    threads."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="izdeu-export")

    def run(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        return asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def feed(
        self, batches: Callable[[], Iterator[list[Any]]], sink: Callable[[list[Any]], None]
    ) -> int:
        """Give each batch of ``batches()`` to ``sink``, all in the worker; the number of
        rows. Cancelled, the worker stops before its next batch."""
        stop = threading.Event()

        def feed() -> int:
            total = 0
            with contextlib.closing(batches()) as stream:  # type: ignore[type-var]
                for rows in stream:
                    if stop.is_set():
                        break
                    sink(rows)
                    total += len(rows)
            return total

        try:
            return await self.run(feed)
        except BaseException:
            stop.set()
            raise

    def close(self) -> None:
        self._pool.shutdown(wait=False)


class Exporter:
    """Exports (XLSX, CSV, JSON), case dossiers (PDF) and statistics (data, charts, PDF).

    ``actor_id`` is who asked: a Telegram user id, or 0 for the command line. The
    caller checks that this person may export; the exporter records that they did.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock | None = None,
        catalogs: Catalogs | None = None,
        *,
        batch_size: int = BATCH_SIZE,
        record: bool = True,
        priority: str = "idle",
    ) -> None:
        self.store = ExportStore(db, batch_size)
        self.priority = priority  # of the export's own process (Config.export_priority)
        self.recording = record  # False in an export's own process: the bot records it
        self.audit = AuditStore(db)
        self.clock = clock or SystemClock()
        self._catalogs = catalogs

    @property
    def cipher(self) -> Cipher:
        return self.store.db.cipher

    @property
    def catalogs(self) -> Catalogs:
        if self._catalogs is None:
            self._catalogs = default_catalogs()
        return self._catalogs

    def today(self) -> date:
        """The organisation's day (Almaty), against which deadlines count as overdue."""
        return local_today(self.clock, ORGANISATION_TZ)

    # --- tables ----------------------------------------------------------------------------
    async def xlsx(
        self,
        out: Output,
        flt: ExportFilter | None = None,
        *,
        actor_id: int,
        full: bool = False,
        today: date | None = None,
        locale: str | None = None,
        tz: str = ORGANISATION_TZ,
    ) -> ExportResult:
        """A workbook with the sheets cases, letters, replies, events, audit and stats, for
        a reader of ``locale`` in the zone ``tz`` (see ``bot.exports.presentation``)."""
        flt = flt or ExportFilter()
        ctx = tb.RowContext(full=full, today=today or self.today())
        props = {
            "title": "Izdeu export",
            "creator": "Izdeu",
            "description": "identity numbers masked" if not full else "full export",
        }
        names = await StaffStore(self.store.db).names(None)
        shown = Presentation(self.catalogs.get(locale), tz, names)
        return await self._tables(
            "xlsx",
            out,
            flt,
            ctx,
            list(tb.TABLES.values()),
            actor_id,
            lambda fh: XlsxWriter(fh, ctx=ctx, properties=props, presentation=shown),
        )

    async def csv(
        self,
        out: Output,
        flt: ExportFilter | None = None,
        *,
        actor_id: int,
        full: bool = False,
        table: str | None = None,
        today: date | None = None,
    ) -> ExportResult:
        """A ZIP of ``cases.csv``, ``letters.csv``, ``replies.csv``, ``events.csv``,
        ``audit.csv`` and ``stats.csv``; or, with ``table``, that one CSV alone."""
        flt = flt or ExportFilter()
        ctx = tb.RowContext(full=full, today=today or self.today())
        if table is not None and table not in tb.TABLES and table != tb.STATS_TABLE:
            raise ValueError(
                f"unknown table {table!r}; one of {', '.join([*tb.TABLES, tb.STATS_TABLE])}"
            )
        if table == tb.STATS_TABLE:
            return await self._stats_csv(out, flt, ctx, actor_id)
        chosen = [tb.TABLES[table]] if table else list(tb.TABLES.values())
        return await self._tables(
            "csv",
            out,
            flt,
            ctx,
            chosen,
            actor_id,
            lambda fh: CsvWriter(fh, bundle=table is None, ctx=ctx),
            with_stats=table is None,
            detail={"table": table} if table else None,
        )

    async def json(
        self,
        out: Output,
        flt: ExportFilter | None = None,
        *,
        actor_id: int,
        full: bool = False,
        today: date | None = None,
    ) -> ExportResult:
        """One JSON document: ``export`` (when, filters, masked), every table, the notes
        and the statistics."""
        flt = flt or ExportFilter()
        ctx = tb.RowContext(full=full, today=today or self.today())
        header = {
            "format": "izdeu-export",
            "version": 1,
            "generated_at": self.clock.now().isoformat(timespec="seconds"),
            "today": ctx.today.isoformat(),
            "filters": flt.describe(),
            "masked": not full,
        }
        return await self._tables(
            "json",
            out,
            flt,
            ctx,
            list(tb.JSON_TABLES.values()),
            actor_id,
            lambda fh: JsonWriter(fh, header, ctx=ctx),
        )

    async def _tables(
        self,
        fmt: str,
        out: Output,
        flt: ExportFilter,
        ctx: tb.RowContext,
        tables: Sequence[tb.Table],
        actor_id: int,
        make_writer: Callable[[BinaryIO], Any],
        *,
        with_stats: bool = True,
        detail: Mapping[str, Any] | None = None,
    ) -> ExportResult:
        counts: dict[str, int] = {}
        worker = _Worker()
        try:
            with _target(out) as fh:
                writer = await worker.run(make_writer, fh)
                try:
                    stats = StatsBuilder(ctx.today, flt.describe()) if with_stats else None
                    async with self.store.snapshot(worker.run) as reader:
                        for table in tables:
                            await worker.run(writer.begin, table)
                            sink = partial(_write_batch, writer, table, stats, self.cipher)
                            counts[table.name] = await worker.feed(
                                partial(table.stream, reader, flt), sink
                            )
                            await worker.run(writer.end, table)
                        if stats is not None:
                            await self._fold(
                                reader,
                                flt,
                                stats,
                                worker,
                                cases="cases" not in counts,
                                letters="letters" not in counts,
                            )
                    await worker.run(lambda: writer.finish(stats.result() if stats else None))
                except BaseException:
                    await asyncio.wait([worker.run(writer.abort)])
                    raise
        finally:
            worker.close()
        result = ExportResult(fmt, not ctx.full, flt.describe(), counts)
        await self._record(actor_id, result, detail=detail)
        return result

    async def _stats_csv(
        self, out: Output, flt: ExportFilter, ctx: tb.RowContext, actor_id: int
    ) -> ExportResult:
        stats = await self.statistics(flt, today=ctx.today)
        rows = list(stats.rows())
        worker = _Worker()
        try:
            with _target(out) as fh:

                def write() -> None:
                    writer = CsvWriter(fh, bundle=False, ctx=ctx)
                    writer.stats(stats)
                    writer.finish(None)  # ends its writing thread

                await worker.run(write)
        finally:
            worker.close()
        result = ExportResult("csv", not ctx.full, flt.describe(), {tb.STATS_TABLE: len(rows)})
        await self._record(actor_id, result, detail={"table": tb.STATS_TABLE})
        return result

    async def in_process(
        self,
        fmt: str,
        out: Path,
        flt: ExportFilter,
        *,
        actor_id: int,
        full: bool,
        keys: Sequence[str],
        options: dict[str, str] | None = None,
    ) -> ExportResult:
        """The ``fmt`` table export (xlsx, csv, json) written by a process of its own
        (``bot.exports.process``), recorded here once it is complete."""
        from bot.exports.process import export_in_process

        result = await export_in_process(
            self.store.db.path,
            keys,
            fmt,
            out,
            flt,
            full=full,
            today=self.today(),
            now=self.clock.now(),
            options=options,
            priority=self.priority,
        )
        await self._record(actor_id, result)
        return result

    async def _record(
        self,
        actor_id: int,
        result: ExportResult,
        *,
        case_id: int | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        if not self.recording:
            return
        entry = {
            "format": result.format,
            "filters": dict(result.filters),
            "masked": result.masked,
            "rows": result.total,
            **(detail or {}),
        }
        await self.audit.record(
            self.clock.now(), actor_id, "export", case_id=case_id, detail=entry
        )

    # --- statistics ------------------------------------------------------------------------
    async def statistics(
        self, flt: ExportFilter | None = None, *, today: date | None = None
    ) -> Statistics:
        """Cases by status, citizenship, region and week; letters and replies per body.

        Counted by SQLite in one pass over each table (``bot.storage.statistics``), in a
        thread with a connection of its own; only cases whose region is not written yet
        have their report opened, in the same thread."""
        flt = flt or ExportFilter()
        stats = StatsBuilder(today or self.today(), flt.describe())
        path, cipher = self.store.db.path, self.cipher

        def build() -> Statistics:
            fold_counts(stats, count_statistics(path, flt, stats.today), cipher)
            return stats.result()

        return await asyncio.to_thread(build)

    async def _fold(
        self,
        reader: ExportReader,
        flt: ExportFilter,
        stats: StatsBuilder,
        worker: _Worker,
        *,
        cases: bool,
        letters: bool,
    ) -> None:
        """Add to ``stats`` what the tables written so far did not bring."""
        stats.deleted_cases = await worker.run(reader.deleted_cases, flt)
        stats.un_submitted, stats.un_urgent = await worker.run(reader.un_submitted, flt)
        if cases:
            await worker.feed(
                partial(reader.stats_cases, flt), partial(_fold_cases, stats, self.cipher)
            )
        if letters:
            await worker.feed(
                partial(reader.stats_letters, flt), partial(_fold_letters, stats, self.cipher)
            )

    async def charts(
        self,
        locale: str,
        flt: ExportFilter | None = None,
        *,
        actor_id: int | None = None,
        today: date | None = None,
        stats: Statistics | None = None,
    ) -> list[Any]:
        """The statistics (``stats``, or counted now) as PNG charts, titled in ``locale``
        (see ``bot.exports.charts``); recorded as an export (format "charts") when
        ``actor_id`` is given."""
        from bot.exports.charts import render_charts_in
        from bot.letters.worker import WORKER

        flt = flt or ExportFilter()
        if stats is None:
            stats = await self.statistics(flt, today=today)
        # Drawn in the letter worker's process: matplotlib holds the interpreter for
        # seconds and weighs tens of MB, neither of which the bot should carry.
        charts = await WORKER.run(
            partial(render_charts_in, stats, self.catalogs.get(locale).locale)
        )
        if actor_id is not None:
            await self._record(
                actor_id, ExportResult("charts", True, flt.describe(), {"cases": stats.cases})
            )
        return charts

    async def stats_pdf(
        self,
        locale: str,
        flt: ExportFilter | None = None,
        *,
        actor_id: int,
        today: date | None = None,
        tz: str = ORGANISATION_TZ,
    ) -> bytes:
        """A PDF report of the statistics with their charts (laid out in the letter
        worker's process); recorded as an export."""
        from bot.exports.charts import stats_pdf_in
        from bot.letters.worker import WORKER

        flt = flt or ExportFilter()
        stats = await self.statistics(flt, today=today)
        data = await WORKER.run(
            partial(stats_pdf_in, stats, self.catalogs.get(locale).locale, self.clock.now(), tz)
        )
        await self._record(
            actor_id, ExportResult("stats", True, flt.describe(), {"cases": stats.cases})
        )
        return data

    # --- one case ----------------------------------------------------------------------------
    async def dossier(
        self,
        number: str,
        locale: str,
        *,
        actor_id: int,
        full: bool = False,
        tz: str = ORGANISATION_TZ,
    ) -> bytes | None:
        """The PDF dossier of one case in ``locale``, times in ``tz`` (the reader's zone),
        staff by name; None when there is no such case.

        Laid out in the letter worker process: fpdf2 in a thread holds up the event loop
        for tens of milliseconds at a time (see ``bot.letters.worker``)."""
        from bot.exports.pdf import dossier_pdf_in
        from bot.letters.worker import WORKER

        data = await self.store.dossier(number)
        if data is None:
            return None
        ids = set(data.case.volunteers) | {n.author_id for n in data.notes}
        names = await StaffStore(self.store.db).names(ids)
        layout = partial(
            dossier_pdf_in,
            self.catalogs.get(locale).locale,
            data,
            full=full,
            today=self.today(),
            generated_at=self.clock.now(),
            tz=tz,
            names=names,
        )
        pdf = await WORKER.run(layout)
        await self._record(
            actor_id,
            ExportResult("dossier", not full, {"case": number}, {"cases": 1}),
            case_id=data.case.id,
        )
        return pdf


def _write_batch(
    writer: Any, table: tb.Table, stats: StatsBuilder | None, cipher: Cipher, rows: list[Any]
) -> None:
    if isinstance(writer, CsvWriter) and table.csv is not None:
        writer.batch(table, rows, cipher, stats)  # column by column, straight from the rows
        return
    record = table.record
    records = [record(r, cipher) for r in rows]
    if stats is not None:
        if table is tb.CASES:
            for rec in records:
                stats.add_case(rec.status, rec.citizenship, rec.created_at, region_of(rec.answers))
        elif table is tb.LETTERS:
            for rec in records:
                stats.add_letter(
                    rec.addressee_id,
                    rec.sent_on,
                    rec.closed,
                    rec.due_on,
                    rec.replies,
                    rec.form_replies,
                    rec.first_reply_on,
                )
    writer.rows(table, records)


def fold_counts(stats: StatsBuilder, counts: Counts, cipher: Cipher) -> None:
    """Add what SQLite counted to ``stats``; place the cases without a region yet."""
    for status, citizenship, day, region, n in counts.cases:
        stats.add_case_counts(status, citizenship, date.fromisoformat(day), region, n)
    for status, citizenship, created_at, answers in counts.unplaced:
        stats.add_case_counts(
            status,
            citizenship,
            datetime.fromisoformat(created_at).date(),
            case_region(load_answers(answers, cipher)),
            1,
        )
    for body, sent, overdue in counts.letters:
        stats.add_body_counts(body, sent=sent, overdue=overdue)
    for body, replies, form_replies in counts.replies:
        stats.add_body_counts(body, replies=replies, form_replies=form_replies)
    days: dict[str, dict[int, int]] = {}
    for body, after, n in counts.first_replies:
        days.setdefault(body, {})[after] = n
    for body, histogram in days.items():
        stats.add_body_counts(body, first_reply_days=histogram)
    stats.deleted_cases = counts.deleted
    stats.un_submitted, stats.un_urgent = counts.un_submitted


def _fold_cases(stats: StatsBuilder, cipher: Cipher, rows: list[Any]) -> None:
    for row in rows:
        rec = stats_case_record(row, cipher)
        stats.add_case(rec.status, rec.citizenship, rec.created_at, rec.region)


def _fold_letters(stats: StatsBuilder, cipher: Cipher, rows: list[Any]) -> None:
    for row in rows:
        rec = stats_letter_record(row, cipher)
        stats.add_letter(
            rec.addressee_id,
            rec.sent_on,
            rec.closed,
            rec.due_on,
            rec.replies,
            rec.form_replies,
            rec.first_reply_on,
        )
