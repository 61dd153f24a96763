"""Charts of the statistics as SVG for the browser desk: drawn on the server, no script.

The same ``Chart`` data as the PNG charts of the chat (``bot.exports.charts``), plus
the share of form replies per body. Each chart is an accessible image: a title and a
description, every bar labelled with its name and its number as text, so a screen
reader (or a printout) reads the figures. The page shows the same figures as a table.
Drawing is a few string joins: milliseconds even for every body and week.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from bot.exports.charts import Chart, chart_data
from bot.exports.dossier import body_name
from bot.exports.stats import Statistics
from bot.i18n import Translator

WIDTH = 480  # drawn about this wide: its text is then as large as the page's small print
BAR = 22  # height of a horizontal bar's row
GAP = 6
LABEL_WIDTH = 220  # the names' column of a horizontal chart
# Longer names are cut with "…" (the whole name is in the bar's title): 24 wide Cyrillic
# letters at 12 px fit the names' column; 28 ran past its left edge.
LABEL_CHARS = 24
VALUE_WIDTH = 60
COLUMN_HEIGHT = 180  # the bars' area of a vertical chart
COLOUR = "#3b6ea8"


def desk_charts(stats: Statistics, t: Translator) -> list[Chart]:
    """The chat's charts and the share of form replies per body (of bodies that replied)."""
    replied = [b for b in stats.bodies if b.replies]
    return [
        *chart_data(stats, t),
        Chart(
            "form_share",
            t("Form replies among the replies per body, %"),
            tuple(body_name(t, b.body) for b in replied),
            tuple(round((b.form_share or 0.0) * 100, 1) for b in replied),
            percent=True,
            integer=False,
        ),
    ]


def svg(chart: Chart, number: Callable[[float], str], empty: str) -> str:
    """One chart as an inline ``<svg>`` (markup, every text in it escaped); ``number``
    writes a value in the reader's locale, ``empty`` is said when there is nothing to draw."""
    shown = [f"{number(v)}{' %' if chart.percent else ''}" for v in chart.values]
    ident = f"chart-{chart.key}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        'font-family="system-ui, sans-serif" '
        f'aria-labelledby="{ident}-t" viewBox="0 0 {WIDTH} {{height}}">'
        f'<title id="{ident}-t">{escape(chart.title)}</title>'
    )
    if not chart.values or max(chart.values) <= 0:
        body = f'<text x="0" y="20" font-size="14">{escape(empty)}</text>'
        return head.format(height=30) + body + "</svg>"
    if chart.horizontal:
        height, body = _horizontal(chart, shown)
    else:
        height, body = _vertical(chart, shown)
    return head.format(height=height) + body + "</svg>"


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _horizontal(chart: Chart, shown: list[str]) -> tuple[int, str]:
    top = max(chart.values)
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = []
    for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        y = i * (BAR + GAP)
        length = max(1, round(room * value / top)) if value > 0 else 0
        parts.append(
            f"<g><title>{escape(label)}: {escape(shown[i])}</title>"
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" font-size="12">'
            f"{escape(_cut(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{length}" height="{BAR - 4}" '
            f'fill="{COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 16}" font-size="12">'
            f"{escape(shown[i])}</text></g>"
        )
    return len(chart.values) * (BAR + GAP), "".join(parts)


def _vertical(chart: Chart, shown: list[str]) -> tuple[int, str]:
    top = max(chart.values)
    step = WIDTH / len(chart.values)
    width = min(40.0, max(2.0, step * 0.7))
    every = max(1, round(len(chart.values) / 8))  # at most about 8 labels under the bars
    parts = []
    for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        height = round(COLUMN_HEIGHT * value / top) if value > 0 else 0
        x = i * step + (step - width) / 2
        parts.append(
            f"<g><title>{escape(label)}: {escape(shown[i])}</title>"
            f'<rect x="{x:.1f}" y="{20 + COLUMN_HEIGHT - height}" width="{width:.1f}" '
            f'height="{height}" fill="{COLOUR}"/>'
        )
        if len(chart.values) <= 16:
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{14 + COLUMN_HEIGHT - height}" '
                f'text-anchor="middle" font-size="11">{escape(shown[i])}</text>'
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{COLUMN_HEIGHT + 36}" '
                f'text-anchor="middle" font-size="11">{escape(label)}</text>'
            )
        parts.append("</g>")
    return COLUMN_HEIGHT + 44, "".join(parts)
