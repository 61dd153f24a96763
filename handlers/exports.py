"""Exports and statistics in the chat, for caseworkers and administrators.

The files are built by ``bot.exports`` (streamed from the database, written in
a process of its own) and sent as documents; every export is in the audit log with
its filters and whether identity numbers were masked.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from telegram import InlineKeyboardMarkup, InputMediaPhoto, Update

from bot import regions
from bot.domain.models import STATUS_CODES, CaseStatus
from bot.exports import ExportFilter
from bot.exports.presentation import COUNTRIES
from bot.i18n import N_, Translator
from bot.services.exports import TABLE_FORMATS, Figures
from bot.services.staff import MANAGERS, Actor
from handlers import texts
from handlers.common import Context, chat_id, drop_buttons, flush_replies, say, services
from handlers.keyboards import button
from handlers.views.exports import send_document, send_file
from handlers.views.staff import staff_only

PREFIX = "export"  # export:<format>:<full 0|1>:<filter code>; the old "X:" is an old button
STATS = "stats"
FORMAT_NAMES = {
    "xlsx": N_("Excel workbook (XLSX)"),
    "csv": N_("CSV tables (ZIP)"),
    "json": N_("JSON, everything"),
    "stats": N_("Statistics report (PDF)"),
}
STATUSES = list(CaseStatus)
CITIZENSHIP_CODES = {"K": "KZ", "G": "KG", "O": "other"}

USAGE = N_(
    "Exports. Filters may follow the command, for example:\n"
    "/export from=2026-01-01 to=2026-06-30 status=waiting citizenship=KZ\n"
    "Identity numbers (IIN/PIN, passport) are masked unless you choose a full export, which is "
    "recorded in the audit log."
)


def _button(text: str, *parts: object):  # type: ignore[no-untyped-def]
    return button(text, PREFIX, *parts)


def parse_filters(args: list[str]) -> ExportFilter:
    """``from=YYYY-MM-DD to=YYYY-MM-DD status=S citizenship=KZ|KG|other region=R``, where R
    is an ISO 3166-2 code or a region's name in kk, ru or ky; raises ValueError."""
    values: dict[str, str] = {}
    for arg in args:
        key, _, value = arg.partition("=")
        if key not in ("from", "to", "status", "citizenship", "region") or not value:
            raise ValueError(arg)
        values[key] = value
    region = None
    if "region" in values:
        typed = values["region"]
        found = regions.get(typed.upper()) or next(iter(regions.search(typed, 1)), None)
        if found is None:
            raise ValueError(typed)
        region = found.code
    return ExportFilter(
        date_from=date.fromisoformat(values["from"]) if "from" in values else None,
        date_to=date.fromisoformat(values["to"]) if "to" in values else None,
        statuses=frozenset({values["status"]}) if "status" in values else frozenset(),
        citizenship=values.get("citizenship"),
        region=region,
    )


def filter_code(flt: ExportFilter) -> str:
    """The filter in at most 29 ASCII characters, for callback data."""
    day = lambda d: d.strftime("%Y%m%d") if d else "-"  # noqa: E731
    status = (
        format(STATUSES.index(CaseStatus(next(iter(flt.statuses)))), "x") if flt.statuses else "-"
    )
    cit = {v: k for k, v in CITIZENSHIP_CODES.items()}.get(flt.citizenship or "", "-")
    region = f".{flt.region}" if flt.region else ""
    return f"{day(flt.date_from)}.{day(flt.date_to)}.{status}.{cit}{region}"


def filter_from_code(code: str) -> ExportFilter:
    start, end, status, cit, region = (code.split(".") + ["-"] * 5)[:5]
    day = lambda s: date(int(s[:4]), int(s[4:6]), int(s[6:8])) if s != "-" else None  # noqa: E731
    return ExportFilter(
        date_from=day(start),
        date_to=day(end),
        statuses=frozenset({STATUSES[int(status, 16)].value}) if status != "-" else frozenset(),
        citizenship=CITIZENSHIP_CODES.get(cit),
        region=region if regions.get(region) else None,
    )


@staff_only(MANAGERS)
async def export_command(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    try:
        flt = parse_filters(context.args or [])
    except ValueError:
        await say(update, context, t(USAGE))
        return
    code = filter_code(flt)
    rows = [[_button(t(name), fmt, 0, code)] for fmt, name in FORMAT_NAMES.items()]
    rows += [
        [
            _button(
                "⚠ " + t("{format}, full identity numbers", format=t(FORMAT_NAMES[fmt])),
                fmt,
                1,
                code,
            )
        ]
        for fmt in ("xlsx", "csv", "json")
    ]
    await say(
        update,
        context,
        t(USAGE) + "\n\n" + t("Filters: {filters}", filters=_describe(t, flt)),
        InlineKeyboardMarkup(rows),
    )


def _describe(t: Translator, flt: ExportFilter) -> str:
    parts = []
    if flt.date_from or flt.date_to:
        parts.append(
            f"{t.date(flt.date_from, 'short') if flt.date_from else '…'} – "
            f"{t.date(flt.date_to, 'short') if flt.date_to else '…'}"
        )
    parts += sorted(texts.status_name(t, CaseStatus(s)) for s in flt.statuses if s in STATUS_CODES)
    if flt.citizenship:
        parts.append(t(COUNTRIES.get(flt.citizenship, N_("Other country"))))
    return ", ".join(parts) or t("none (all cases)")


@staff_only(MANAGERS)
async def on_export_button(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    """export:<format>:<full>:<filters> (the role check answers the tap of anyone else)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    try:
        _, fmt, full, code = query.data.split(":", 3)
        flt = filter_from_code(code)
    except (ValueError, IndexError):
        return
    if fmt not in (*TABLE_FORMATS, STATS):
        return
    await drop_buttons(update)
    await say(update, context, t("Preparing the export…"))
    await flush_replies()  # shown while the export is made
    exports = services(context).exports
    if fmt == "stats":
        await send_document(update, context, await exports.statistics_pdf(actor, flt, t.locale))
        return
    with tempfile.TemporaryDirectory(prefix="izdeu-export-") as folder:
        written = await exports.export(
            actor, fmt, flt, full=full == "1", locale=t.locale, folder=Path(folder)
        )
        caption = t(
            "{n} cases; identity numbers {masked}.",
            n=written.cases,
            masked=t("masked") if written.masked else t("in full"),
        )
        await send_file(update, context, written.path, caption)


@staff_only(MANAGERS)
async def stats_command(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    """/stats: the numbers in short, and the charts as pictures."""
    try:
        flt = parse_filters(context.args or [])
    except ValueError:
        await say(update, context, t(USAGE))
        return

    async def show_figures(figures: Figures) -> None:
        stats = figures.statistics
        lines = [
            t("Cases: {n}", n=stats.cases),
            t("Overdue letters: {n}", n=stats.overdue),
            t("Deleted by families (counted only): {n}", n=stats.deleted_cases),
        ]
        lines.append(
            t(
                "Submitted to the UN: {n}, of them under the urgent procedure: {urgent}",
                n=figures.un_submitted,
                urgent=figures.un_urgent,
            )
        )
        report_label = FORMAT_NAMES[STATS]
        await say(
            update,
            context,
            "\n".join(lines),
            InlineKeyboardMarkup([[_button(t(report_label), STATS, 0, filter_code(flt))]]),
        )

    # The figures first; drawing the charts takes seconds.
    charts = await services(context).exports.statistics_in_chat(actor, flt, t.locale, show_figures)
    target = chat_id(update)
    assert target is not None
    await flush_replies()  # the figures before their charts
    photos = [InputMediaPhoto(c.png, caption=c.title[:1024]) for c in charts if c.png]
    for start in range(0, len(photos), 10):  # Telegram takes up to ten pictures in one album
        await context.bot.send_media_group(target, photos[start : start + 10])
