"""Exports as use cases: tables, a case's PDF dossier, statistics and the report on the
bodies, for the chat and the browser desk alike.

Each checks that the actor is a caseworker or an administrator and answers with what to
send (bytes or a written file, and its name); the exporter records every export in the
audit log with its filters and whether identity numbers were masked. File names carry the
moment in the reader's zone, so that two exports of one day can be told apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.exports import Exporter, ExportFilter
from bot.exports.stats import Statistics
from bot.replies.bodies import REPORT_LOCALES, bodies_report
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.staff import MANAGERS, Actor, StaffService
from bot.services.un import UnService

TABLE_FORMATS = {"xlsx": "xlsx", "csv": "zip", "json": "json"}  # format: file suffix


@dataclass(frozen=True)
class Document:
    """A file to send: its bytes and its name."""

    data: bytes
    filename: str


@dataclass(frozen=True)
class ExportFile:
    """A table export written to ``path`` (its name is the file's name to show)."""

    path: Path
    cases: int
    masked: bool


@dataclass(frozen=True)
class Figures:
    """The statistics in short, and the UN submissions (all and urgent)."""

    statistics: Statistics
    un_submitted: int
    un_urgent: int


@dataclass(frozen=True)
class BodiesReport:
    locale: str
    csv: Document
    pdf: Document


class ExportService:
    def __init__(
        self, staff: StaffService, exporter: Exporter, un: UnService, keys: Sequence[str]
    ) -> None:
        self.staff = staff
        self.exporter = exporter
        self.un = un
        self.keys = list(keys)  # the export process opens the database with them

    async def export(
        self,
        actor: Actor,
        fmt: str,
        flt: ExportFilter,
        *,
        full: bool,
        locale: str,
        folder: Path,
    ) -> ExportFile:
        """Write the ``fmt`` export (xlsx, csv, json) into ``folder`` by a process of its
        own; ``full`` keeps identity numbers unmasked (the audit log says so)."""
        self._require(actor)
        if fmt not in TABLE_FORMATS:
            raise Invalid("format", "unknown")
        tz = await self.staff.timezone_of(actor.user_id)
        name = f"izdeu-{fmt}-{await self._stamp(actor)}{'-full' if full else ''}"
        path = folder / f"{name}.{TABLE_FORMATS[fmt]}"
        options = {"locale": locale, "tz": tz} if fmt == "xlsx" else {}
        result = await self.exporter.in_process(
            fmt, path, flt, actor_id=actor.user_id, full=full, keys=self.keys, options=options
        )
        return ExportFile(path, result.rows.get("cases", 0), result.masked)

    async def dossier_pdf(self, actor: Actor, case_id: int, locale: str) -> Document:
        """A case's dossier as PDF in ``locale`` (identity numbers masked)."""
        self._require(actor)
        case = await self.staff.open_case(actor, case_id=case_id)
        if case is None:
            raise NotFound("case")
        tz = await self.staff.timezone_of(actor.user_id)
        pdf = await self.exporter.dossier(case.number, locale, actor_id=actor.user_id, tz=tz)
        if pdf is None:
            raise NotFound("case")
        return Document(pdf, f"{case.number}_dossier_{locale}.pdf")

    async def figures(self, actor: Actor, flt: ExportFilter) -> Figures:
        """The counts behind /stats (not an export: no file leaves)."""
        self._require(actor)
        submitted, urgent = await self.un.counts(actor)
        return Figures(await self.exporter.statistics(flt), submitted, urgent)

    async def charts(
        self, actor: Actor, flt: ExportFilter, locale: str, statistics: Statistics
    ) -> list[Any]:
        """The statistics as PNG charts titled in ``locale`` (recorded as an export)."""
        self._require(actor)
        return await self.exporter.charts(locale, flt, actor_id=actor.user_id, stats=statistics)

    async def statistics_in_chat(
        self,
        actor: Actor,
        flt: ExportFilter,
        locale: str,
        show_figures: Callable[[Figures], Awaitable[None]],
    ) -> list[Any]:
        """/stats: the figures, handed to ``show_figures`` as soon as counted (drawing
        the charts takes seconds), then the charts titled in ``locale`` (recorded as an
        export)."""
        figures = await self.figures(actor, flt)
        await show_figures(figures)
        return await self.charts(actor, flt, locale, figures.statistics)

    async def statistics_pdf(self, actor: Actor, flt: ExportFilter, locale: str) -> Document:
        """The statistics report as PDF, times in the reader's zone."""
        self._require(actor)
        tz = await self.staff.timezone_of(actor.user_id)
        pdf = await self.exporter.stats_pdf(locale, flt, actor_id=actor.user_id, tz=tz)
        return Document(pdf, f"izdeu-statistics-{await self._stamp(actor)}.pdf")

    async def bodies(self, actor: Actor, locale: str) -> BodiesReport:
        """The anonymised report on how the bodies answer, as CSV and PDF, in ``locale``
        (kk, ru, ky or en)."""
        self._require(actor)
        if locale not in REPORT_LOCALES:
            raise Invalid("locale", "unknown")
        store = self.exporter.store
        now = self.staff.clock.now()
        csv_data, pdf = await bodies_report(
            store.db, self.exporter.catalogs, locale, now, actor.user_id
        )
        tz = await self.staff.timezone_of(actor.user_id)  # the reader's day
        stem = f"izdeu-bodies-{locale}-{now.astimezone(ZoneInfo(tz)).date().isoformat()}"
        csv_file, pdf_file = Document(csv_data, f"{stem}.csv"), Document(pdf, f"{stem}.pdf")
        return BodiesReport(locale, csv_file, pdf_file)

    async def _stamp(self, actor: Actor) -> str:
        tz = await self.staff.timezone_of(actor.user_id)
        return self.staff.clock.now().astimezone(ZoneInfo(tz)).strftime("%Y%m%d-%H%M")

    @staticmethod
    def _require(actor: Actor) -> None:
        if actor.role not in MANAGERS:
            raise NotAllowed(actor.role)
