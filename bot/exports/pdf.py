"""PDF documents for caseworkers: a case dossier and the statistics report.

A4, pages numbered, the DejaVu font shipped with the letters (embedded and
subset, parsed once and shared; see ``bot.letters.pdf``), so Kazakh and Kyrgyz
letters print the same on every machine.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

from bot.exports.charts import Chart
from bot.exports.dossier import Block, body_name, dossier_blocks, status_name
from bot.exports.stats import Statistics
from bot.i18n import Translator, default_catalogs
from bot.letters.pdf import FAMILY, attach_fonts, printable
from bot.readable import week_label
from bot.services.followup import DEFAULT_TZ
from bot.storage.exports import CaseDossier

MARGIN = 18.0
FONT_SIZE = 10.0
LINE = 5.0
LABEL_WIDTH = 55.0


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        text = (
            f"{self.footer_text} · {self.page_no()}/{{nb}}"
            if self.footer_text
            else f"{self.page_no()}/{{nb}}"
        )
        self.cell(0, 4, text, align=Align.C)


def _document(
    title: str,
    language: str,
    footer: str,
    created: datetime,
    texts: Iterable[str] | None = None,
) -> _Document:
    """An empty document; ``texts``, what it will show, if known (``attach_fonts``)."""
    pdf = _Document(format="A4", unit="mm")
    attach_fonts(pdf, None if texts is None else (printable(x) for x in (footer, *texts)))
    pdf.footer_text = printable(footer)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_title(printable(title))
    pdf.set_lang(language)
    pdf.set_creator("Izdeu")
    pdf.set_creation_date(created)
    pdf.add_page()
    return pdf


def _width(pdf: FPDF) -> float:
    return pdf.w - pdf.l_margin - pdf.r_margin


def _write(
    pdf: FPDF,
    text: str,
    *,
    style: str = "",
    size: float = FONT_SIZE,
    height: float = LINE,
    indent: float = 0.0,
    align: Align = Align.L,
) -> None:
    pdf.set_font(FAMILY, style, size)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(
        _width(pdf) - indent,
        height,
        printable(text),
        align=align,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )


def _heading(pdf: FPDF, text: str, size: float = 12.5) -> None:
    if pdf.get_y() + 3 * LINE > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(3)
    _write(pdf, text, style="B", size=size, height=LINE + 1.5)
    pdf.ln(1)


def _field(pdf: FPDF, label: str, value: str) -> None:
    """``label`` in bold on the left, the value beside it; a long value goes below."""
    label, value = printable(label), printable(value)
    pdf.set_font(FAMILY, "B", FONT_SIZE)
    label_fits = pdf.get_string_width(label + " ") < LABEL_WIDTH - 1
    pdf.set_font(FAMILY, "", FONT_SIZE)
    value_fits = "\n" not in value and pdf.get_string_width(value) < _width(pdf) - LABEL_WIDTH - 1
    if label_fits and value_fits:
        if pdf.get_y() + LINE > pdf.h - pdf.b_margin:
            pdf.add_page()
        pdf.set_font(FAMILY, "B", FONT_SIZE)
        pdf.cell(LABEL_WIDTH, LINE, label)
        pdf.set_font(FAMILY, "", FONT_SIZE)
        pdf.cell(_width(pdf) - LABEL_WIDTH, LINE, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    _write(pdf, label, style="B")
    _write(pdf, value, indent=4.0, align=Align.L)


def render_blocks(pdf: FPDF, blocks: Sequence[Block]) -> None:
    for block in blocks:
        if block.kind == "title":
            _write(pdf, block.text, style="B", size=16, height=8)
            pdf.ln(2)
        elif block.kind == "heading":
            _heading(pdf, block.text)
        elif block.kind == "subheading":
            pdf.ln(1.5)
            _write(pdf, block.text, style="B")
        elif block.kind == "field":
            _field(pdf, block.label, block.text)
        elif block.kind == "item":
            _write(pdf, block.text, indent=4.0)
        else:
            _write(pdf, block.text)


def dossier_pdf(
    d: CaseDossier,
    t: Translator,
    *,
    full: bool,
    today: date,
    generated_at: datetime,
    tz: str = DEFAULT_TZ,
    names: Mapping[int, str] | None = None,
) -> bytes:
    """The dossier of one case as an A4 PDF (see ``bot.exports.dossier``)."""
    blocks = dossier_blocks(
        d, t, full=full, today=today, generated_at=generated_at, tz=tz, names=names or {}
    )
    texts = (x for block in blocks for x in (block.label, block.text))
    pdf = _document(blocks[0].text, t.locale, d.case.number, generated_at, texts)
    render_blocks(pdf, blocks)
    return bytes(pdf.output())


# --- statistics -------------------------------------------------------------------------------
def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _table(
    pdf: FPDF, rows: Sequence[Sequence[str]], widths: Sequence[float], *, headings: bool = False
) -> None:
    if not rows:
        return
    pdf.set_font(FAMILY, "", 9)
    with pdf.table(
        col_widths=tuple(widths),
        width=_width(pdf),
        line_height=4.6,
        text_align=("LEFT",) + ("RIGHT",) * (len(widths) - 1),
        headings_style=FontFace(emphasis="BOLD"),
        first_row_as_headings=headings,
    ) as table:
        for data in rows:
            row = table.row()
            for value in data:
                row.cell(printable(value))
    pdf.ln(3)


def dossier_pdf_in(
    locale: str,
    d: CaseDossier,
    *,
    full: bool,
    today: date,
    generated_at: datetime,
    tz: str = DEFAULT_TZ,
    names: Mapping[int, str] | None = None,
) -> bytes:
    """``dossier_pdf`` in the bot's catalog for ``locale``: for the letter worker process,
    which lays the dossier out away from the event loop (a translator is not sent there)."""
    return dossier_pdf(
        d,
        default_catalogs().get(locale),
        full=full,
        today=today,
        generated_at=generated_at,
        tz=tz,
        names=names,
    )


def stats_pdf(
    stats: Statistics,
    charts: Sequence[Chart],
    t: Translator,
    generated_at: datetime,
    tz: str = DEFAULT_TZ,
) -> bytes:
    """The statistics report: figures in tables, then every chart."""
    from bot.exports.charts import citizenship_name, region_name, top_regions

    title = t("Statistics")
    pdf = _document(title, t.locale, title, generated_at)
    _write(pdf, title, style="B", size=16, height=8)
    _write(pdf, t("Generated on {date}", date=t.datetime(generated_at, "short", tz=tz)))
    filters = ", ".join(
        f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in stats.filters.items()
    )
    _write(pdf, t("Filters: {filters}", filters=filters or "—"))
    _write(pdf, t("Cases: {n}", n=t.number(stats.cases)))
    _write(pdf, t("Overdue letters: {n}", n=t.number(stats.overdue)))
    if stats.deleted_cases:
        _write(pdf, t("Cases deleted by their families: {n}", n=t.number(stats.deleted_cases)))
    if stats.un_submitted:
        _write(
            pdf,
            t(
                "Submitted to the UN: {n}, of them under the urgent procedure: {urgent}",
                n=t.number(stats.un_submitted),
                urgent=t.number(stats.un_urgent),
            ),
        )

    _heading(pdf, t("Cases by status"))
    _table(pdf, [(status_name(t, k), t.number(n)) for k, n in stats.by_status.items()], (3, 1))
    _heading(pdf, t("Cases by citizenship"))
    _table(
        pdf,
        [(citizenship_name(t, k), t.number(n)) for k, n in stats.by_citizenship.items()],
        (3, 1),
    )
    _heading(pdf, t("Cases by region"))
    _table(pdf, [(region_name(t, k), t.number(n)) for k, n in top_regions(stats)], (3, 1))
    if stats.bodies:
        _heading(pdf, t("Letters sent per body"))
        header = (
            t("Body"),
            t("Sent"),
            t("Reply rate"),
            t("Median days to the first reply"),
            t("Form replies"),
            t("Overdue"),
        )
        _table(
            pdf,
            [header]
            + [
                (
                    body_name(t, b.body),
                    t.number(b.sent),
                    _percent(b.reply_rate),
                    _days(b.median_days_to_first_reply),
                    _percent(b.form_share),
                    t.number(b.overdue),
                )
                for b in stats.bodies
            ],
            (5, 1.2, 1.4, 1.8, 1.4, 1.4),
            headings=True,
        )
    if stats.weekly:
        _heading(pdf, t("New cases per week"))
        _table(pdf, [(week_label(t, week), t.number(n)) for week, n in stats.weekly], (3, 1))

    pdf.add_page()
    for chart in charts:  # as many to a page as fit
        width_px, height_px = struct.unpack(">II", chart.png[16:24])  # the PNG header
        height = _width(pdf) * height_px / width_px
        if pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()
        pdf.image(
            io.BytesIO(chart.png),
            x=pdf.l_margin,
            w=_width(pdf),
            h=height,
            alt_text=printable(chart.title),
        )
        pdf.ln(4)
    return bytes(pdf.output())
