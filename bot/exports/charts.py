"""Charts of the statistics as PNG images, titled in the reader's language.

``chart_data`` gives what each chart plots (labels and values), so it can be
checked without looking at pixels; ``render_charts`` adds the PNG of each.
matplotlib draws with its Agg backend and the DejaVu Sans font it ships (which
has the Kazakh and Kyrgyz letters), through the object API only: no pyplot
state, so charts can be drawn in a worker thread. It is imported on first use.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot import regions
from bot.exports.dossier import body_name, status_name
from bot.exports.stats import UNKNOWN_REGION, Statistics
from bot.i18n import N_, Translator
from bot.readable import week_label

CITIZENSHIP_NAMES: Mapping[str, str] = {
    "KZ": N_("Kazakhstan"),
    "KG": N_("Kyrgyzstan"),
    "other": N_("Other country"),
}
TOP_REGIONS = 15  # the rest are summed up as "Other"
WIDTH_IN = 8.0
DPI = 110
BAR_COLOUR = "#3b6ea8"
WRAP = 34


@dataclass(frozen=True)
class Chart:
    key: str  # status, citizenship, region, letters, reply_rate, median_days, overdue, weekly
    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    horizontal: bool = True
    percent: bool = False
    integer: bool = True  # counts: whole numbers on the value axis
    png: bytes = b""


def citizenship_name(t: Translator, code: str) -> str:
    name = CITIZENSHIP_NAMES.get(code)
    return t(name) if name else code


def region_name(t: Translator, key: str) -> str:
    """A region code as the reader's language names it."""
    if key == UNKNOWN_REGION:
        return t("Unknown")
    if key == "":
        return t("Other")
    return regions.name(key, t.locale)


def top_regions(stats: Statistics, limit: int = TOP_REGIONS) -> list[tuple[str, int]]:
    """The regions with most cases; the rest summed up under the key ''."""
    items = list(stats.by_region.items())
    if len(items) <= limit:
        return items
    return items[:limit] + [("", sum(n for _, n in items[limit:]))]


def chart_data(stats: Statistics, t: Translator) -> list[Chart]:
    """What each chart shows, in order; values are counts, percentages or days."""
    bodies = stats.bodies
    replied = [b for b in bodies if b.median_days_to_first_reply is not None]
    return [
        Chart(
            "status",
            t("Cases by status"),
            tuple(status_name(t, k) for k in stats.by_status),
            tuple(float(n) for n in stats.by_status.values()),
        ),
        Chart(
            "citizenship",
            t("Cases by citizenship"),
            tuple(citizenship_name(t, k) for k in stats.by_citizenship),
            tuple(float(n) for n in stats.by_citizenship.values()),
        ),
        Chart(
            "region",
            t("Cases by region"),
            tuple(region_name(t, k) for k, _ in top_regions(stats)),
            tuple(float(n) for _, n in top_regions(stats)),
        ),
        Chart(
            "letters",
            t("Letters sent per body"),
            tuple(body_name(t, b.body) for b in bodies),
            tuple(float(b.sent) for b in bodies),
        ),
        Chart(
            "reply_rate",
            t("Reply rate per body, %"),
            tuple(body_name(t, b.body) for b in bodies),
            tuple(round((b.reply_rate or 0.0) * 100, 1) for b in bodies),
            percent=True,
            integer=False,
        ),
        Chart(
            "median_days",
            t("Median days to the first reply"),
            tuple(body_name(t, b.body) for b in replied),
            tuple(float(b.median_days_to_first_reply or 0) for b in replied),
            integer=False,
        ),
        Chart(
            "overdue",
            t("Overdue letters per body"),
            tuple(body_name(t, b.body) for b in bodies),
            tuple(float(b.overdue) for b in bodies),
        ),
        Chart(
            "weekly",
            t("New cases per week"),
            tuple(week_label(t, w) for w, _ in stats.weekly),
            tuple(float(n) for _, n in stats.weekly),
            horizontal=False,
        ),
    ]


def render_charts(stats: Statistics, t: Translator) -> list[Chart]:
    """Every chart of ``chart_data`` with its PNG."""
    empty = t("No data")
    return [replace(chart, png=render_png(chart, empty)) for chart in chart_data(stats, t)]


def render_charts_in(stats: Statistics, locale: str) -> list[Chart]:
    """``render_charts`` in the bot's catalog for ``locale``: for the letter worker process,
    which draws with matplotlib away from the bot (a translator is not sent there)."""
    from bot.i18n import default_catalogs

    return render_charts(stats, default_catalogs().get(locale))


def stats_pdf_in(stats: Statistics, locale: str, generated_at: datetime, tz: str) -> bytes:
    """The statistics report with its charts, laid out in the letter worker process."""
    from bot.exports.pdf import stats_pdf
    from bot.i18n import default_catalogs

    t = default_catalogs().get(locale)
    return stats_pdf(stats, render_charts(stats, t), t, generated_at, tz)


# --- drawing ----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _matplotlib() -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.ft2font import FT2Font
    from matplotlib.ticker import MaxNLocator

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    regular, bold = fonts / "DejaVuSans.ttf", fonts / "DejaVuSans-Bold.ttf"
    return {
        "Figure": Figure,
        "MaxNLocator": MaxNLocator,
        "Canvas": FigureCanvasAgg,
        "regular": FontProperties(fname=regular, size=9),
        "bold": FontProperties(fname=bold, size=12),
        "cmap": frozenset(FT2Font(str(regular)).get_charmap()),
        "version": matplotlib.__version__,
    }


def _drawable(text: str, cmap: frozenset[int]) -> str:
    """Leave out characters the font has no glyph for (emoji in a typed place name)."""
    if all(ord(ch) in cmap or ch == "\n" for ch in text):
        return text
    return "".join(ch for ch in text if ch == "\n" or ord(ch) in cmap)


def _number(value: float, percent: bool) -> str:
    text = f"{value:g}"
    return f"{text}%" if percent else text


def render_png(chart: Chart, empty_text: str = "No data") -> bytes:
    """One chart as PNG bytes: horizontal bars for categories, columns for weeks."""
    mpl = _matplotlib()
    cmap, regular, bold = mpl["cmap"], mpl["regular"], mpl["bold"]
    labels = [textwrap.fill(_drawable(label, cmap), WRAP) or "—" for label in chart.labels]
    values = list(chart.values)
    lines = sum(label.count("\n") + 1 for label in labels)
    if chart.horizontal:
        height = max(2.4, 1.3 + 0.28 * max(lines, len(labels)))
    else:
        height = 4.0
    fig = mpl["Figure"](figsize=(WIDTH_IN, height), dpi=DPI)
    canvas = mpl["Canvas"](fig)
    ax = fig.add_subplot()
    ax.set_title(_drawable(chart.title, cmap), fontproperties=bold, loc="left")
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    for tick in ax.get_xticklabels() + ax.get_yticklabels():
        tick.set_fontproperties(regular)
    if not values or not any(values):
        ax.set_axis_off()
        ax.text(
            0.5,
            0.5,
            _drawable(empty_text, cmap),
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontproperties=regular,
        )
        fig.subplots_adjust(left=0.05, right=0.95, top=0.85, bottom=0.1)
        return _png(fig)
    positions = list(range(len(values)))
    top = max(values)
    if chart.horizontal:
        ax.barh(positions, values, color=BAR_COLOUR)
        ax.set_yticks(positions, labels=labels, fontproperties=regular)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.15)
        if chart.integer:
            ax.xaxis.set_major_locator(mpl["MaxNLocator"](integer=True))
        for y, v in zip(positions, values):
            ax.text(
                v + top * 0.01, y, _number(v, chart.percent), va="center", fontproperties=regular
            )
        # Room on the left for the longest label, measured as drawn.
        renderer = canvas.get_renderer()
        widest = max(label.get_window_extent(renderer).width for label in ax.get_yticklabels())
        left = min(0.65, (widest + 20) / (WIDTH_IN * DPI))
        fig.subplots_adjust(left=left, right=0.95, top=1 - 0.55 / height, bottom=0.4 / height)
    else:
        ax.bar(positions, values, color=BAR_COLOUR)
        step = max(1, len(labels) // 12)
        ticks = positions[::step]
        ax.set_xticks(
            ticks,
            labels=[labels[i] for i in ticks],
            fontproperties=regular,
            rotation=45,
            ha="right",
        )
        ax.set_ylim(0, top * 1.15)
        if chart.integer:
            ax.yaxis.set_major_locator(mpl["MaxNLocator"](integer=True))
        fig.subplots_adjust(left=0.08, right=0.97, top=0.88, bottom=0.25)
    for tick in ax.get_xticklabels() + ax.get_yticklabels():
        tick.set_fontproperties(regular)
    return _png(fig)


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def chart_series(charts: Sequence[Chart]) -> dict[str, dict[str, float]]:
    """{chart key: {label: value}}: the data behind the pictures, for checks and tables."""
    return {c.key: dict(zip(c.labels, c.values)) for c in charts}
