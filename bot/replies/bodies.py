"""What the bodies do, published safely: an anonymised report of each body's conduct.

Nothing in it names a person or a case: it holds counts per body only. A count from 1
to ``MIN_COUNT - 1`` could point at a family the reader knows ("the only letter to this
body from that town"), so it is suppressed (printed as "<5"); so is the median of fewer
than ``MIN_COUNT`` answers. ``MIN_COUNT`` = 5 follows the common rule of official
statistics for small cells. Because in-time, late, never answered and still waiting add
up to the letters, one suppressed cell among them could be worked out by subtraction: the
next smallest is then suppressed too (secondary suppression), until the hidden ones add
up to at least ``MIN_COUNT``. A body with fewer than
``MIN_COUNT`` letters is left out, with all its figures.
"""

from __future__ import annotations

import csv
import io
import statistics
import struct
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from fpdf import FPDF

from bot.i18n import N_, Translator
from bot.letters.directory import load_directory
from bot.storage.bodies import BodyCounts, body_counts, record_report

if TYPE_CHECKING:
    from bot.i18n import Catalogs
    from bot.storage.database import Database

MIN_COUNT = 5


class _Flow(TypedDict):
    """Where ``multi_cell`` leaves the cursor (fpdf2's names of ``XPos`` and ``YPos``)."""

    new_x: str
    new_y: str


NEXT: _Flow = {"new_x": "LMARGIN", "new_y": "NEXT"}  # each block starts on a line of its own
SUPPRESSED = "<5"
FONT = Path(__file__).resolve().parent.parent / "letters" / "fonts" / "DejaVuSans.ttf"
# The parts of the letters that add up to their number: a lone suppressed one among them
# could be computed back, so another is suppressed with it.
PARTITION = ("in_time", "late", "never", "waiting")
COLUMNS = (
    ("letters", N_("Letters received")),
    ("in_time", N_("Answered within the legal term")),
    ("late", N_("Answered late")),
    ("never", N_("Never answered (term passed)")),
    ("waiting", N_("Term not over yet")),
    ("form_marked", N_("Form replies (marked by the family or a caseworker)")),
    ("form_matched", N_("Form replies (same text sent to other families)")),
    ("median_days", N_("Median days to answer")),
)


@dataclass(frozen=True)
class BodyRow:
    """One body's published figures: numbers, or ``SUPPRESSED``."""

    addressee_id: str
    cells: dict[str, int | str]


def publishable(counts: list[BodyCounts]) -> list[BodyRow]:
    """The figures that may be published: small counts suppressed, as described above."""
    rows = []
    for c in counts:
        if c.letters < MIN_COUNT:
            continue
        cells: dict[str, int | str] = {
            "letters": c.letters,
            "in_time": c.in_time,
            "late": c.late,
            "never": c.never,
            "waiting": c.waiting,
            "form_marked": c.form_marked,
            "form_matched": c.form_matched,
        }
        for key, value in list(cells.items()):
            if 0 < int(value) < MIN_COUNT:
                cells[key] = SUPPRESSED
        _hide_recoverable(cells, {k: getattr(c, k) for k in PARTITION})
        cells["median_days"] = (
            round(statistics.median(c.days))
            if len(c.days) >= MIN_COUNT
            else SUPPRESSED
            if c.days
            else 0
        )
        rows.append(BodyRow(c.addressee_id, cells))
    return rows


def _hide_recoverable(cells: dict[str, int | str], raw: dict[str, int]) -> None:
    """Suppress more parts of the letters until the hidden ones, worked out together by
    subtraction from the total, add up to 0 or at least ``MIN_COUNT`` and are never one
    alone."""

    def hidden() -> list[str]:
        return [k for k in PARTITION if cells[k] == SUPPRESSED]

    while hidden() and (len(hidden()) == 1 or 0 < sum(raw[k] for k in hidden()) < MIN_COUNT):
        shown = sorted((k for k in PARTITION if cells[k] != SUPPRESSED), key=lambda k: raw[k])
        if not shown:
            break
        cells[shown[0]] = SUPPRESSED


def _header(t: Translator) -> list[str]:
    return [t("Body")] + [t(label) for _, label in COLUMNS]


def _name(t: Translator, row: BodyRow) -> str:
    """The body's name in the report's language (English included)."""
    directory = load_directory()
    return (
        directory[row.addressee_id].name(t.locale)
        if row.addressee_id in directory
        else row.addressee_id
    )


def _line(t: Translator, row: BodyRow) -> list[str]:
    name = _name(t, row)
    return [name] + [
        t.number(v) if isinstance(v, int) else v for v in (row.cells[k] for k, _ in COLUMNS)
    ]


def bodies_csv(t: Translator, rows: list[BodyRow]) -> bytes:
    """The report as CSV (UTF-8 with a byte-order mark, so spreadsheets read Cyrillic)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header(t))
    for row in rows:
        writer.writerow(_line(t, row))
    return out.getvalue().encode("utf-8-sig")


# The figures drawn as charts, one bar per body; a suppressed figure is not drawn.
CHARTED = ("in_time", "late", "never", "form_marked", "form_matched", "median_days")


def body_charts(t: Translator, rows: list[BodyRow]) -> list[tuple[str, bytes]]:
    """(title, PNG) of each charted figure across the bodies, in the reader's language.
    Only published numbers are drawn: a body whose figure is "<5" has no bar."""
    from bot.exports.charts import Chart, render_png

    charts = []
    for key, label in COLUMNS:
        if key not in CHARTED:
            continue
        bars = [(_name(t, row), row.cells[key]) for row in rows]
        drawn = [(name, value) for name, value in bars if isinstance(value, int)]
        chart = Chart(key, t(label), tuple(n for n, _ in drawn), tuple(float(v) for _, v in drawn))
        charts.append((t(label), render_png(chart, t("No figure large enough to publish"))))
    return charts


def bodies_pdf(t: Translator, rows: list[BodyRow], as_of: str) -> bytes:
    """The report as a PDF: one block per body, with how small counts are hidden, then
    the figures as charts."""
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=14)
    pdf.multi_cell(0, 8, t("How the bodies answer families' letters"), **NEXT)
    pdf.set_font("DejaVu", size=9)
    pdf.multi_cell(
        0,
        5,
        t(
            "As of {date}. Counts per body only: no person or case is named. "
            "Counts below {n} are shown as \u201c<{n}\u201d so that no family "
            "can be recognised.",
            date=as_of,
            n=MIN_COUNT,
        ),
        **NEXT,
    )
    header = _header(t)
    for row in rows:
        line = _line(t, row)
        pdf.ln(3)
        pdf.set_font("DejaVu", size=11)
        pdf.multi_cell(0, 6, line[0], **NEXT)
        pdf.set_font("DejaVu", size=9)
        for label, value in zip(header[1:], line[1:]):
            pdf.multi_cell(0, 5, f"{label}: {value}", **NEXT)
    if not rows:
        pdf.ln(3)
        pdf.multi_cell(0, 5, t("Too few letters yet to publish anything."), **NEXT)
        return bytes(pdf.output())
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for title, png in body_charts(t, rows):
        width_px, height_px = struct.unpack(">II", png[16:24])  # the PNG header
        height = width * height_px / width_px
        if pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()
        pdf.image(io.BytesIO(png), x=pdf.l_margin, w=width, h=height, alt_text=title)
        pdf.ln(4)
    return bytes(pdf.output())


def bodies_pdf_in(locale: str, rows: list[BodyRow], as_of: str) -> bytes:
    """The PDF, laid out in the letter worker process (charts and layout take a few hundred
    milliseconds that must not hold up the families' chats)."""
    from bot.i18n import default_catalogs

    return bodies_pdf(report_translator(default_catalogs(), locale), rows, as_of)


REPORT_LOCALES = ("ru", "kk", "ky", "en")


def report_translator(catalogs: Catalogs, locale: str) -> Translator:
    """The family languages from the catalogs; English is the messages' own language."""
    if locale == "en":
        from babel.support import NullTranslations

        return Translator("en", NullTranslations())  # type: ignore[arg-type]
    return catalogs.get(locale)


async def bodies_report(
    db: Database, catalogs: Catalogs, locale: str, now: datetime, actor_id: int
) -> tuple[bytes, bytes]:
    """The report on the bodies in ``locale``: (CSV, PDF); the export is audited."""
    t = report_translator(catalogs, locale)
    today = now.date()
    rows = publishable(await body_counts(db, today))
    await record_report(db, actor_id, now, locale)
    from bot.letters.worker import WORKER

    pdf = await WORKER.run(partial(bodies_pdf_in, locale, rows, t.date(today, "long")))
    return bodies_csv(t, rows), pdf
