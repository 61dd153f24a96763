"""Exports and statistics for the organisation's caseworkers.

    exporter = Exporter(services.db, services.clock, services.catalogs)
    flt = ExportFilter(date_from=date(2026, 1, 1), statuses={"waiting"}, citizenship="KZ")
    await exporter.xlsx(path, flt, actor_id=user_id)            # identity numbers masked
    await exporter.csv(path, flt, actor_id=user_id)             # ZIP of one CSV per table
    await exporter.csv(path, flt, actor_id=user_id, table="letters")
    await exporter.json(path, flt, actor_id=user_id, full=True) # full: numbers in clear
    pdf = await exporter.dossier("KZ-2026-0042", "kk", actor_id=user_id)
    stats = await exporter.statistics(flt)
    charts = await exporter.charts("ru", flt, actor_id=user_id)  # PNGs and their data
    pdf = await exporter.stats_pdf("ky", flt, actor_id=user_id)

Who may export is the caller's decision; every export is recorded in the audit
log with its actor, format, filters, masking and row count.
"""

from bot.exports.service import FORMATS, Exporter, ExportResult
from bot.exports.stats import BodyStats, Statistics, region_of
from bot.exports.tables import TABLES
from bot.exports.writers import neutralise
from bot.readable import mask
from bot.storage.exports import ExportFilter

__all__ = [
    "FORMATS",
    "TABLES",
    "BodyStats",
    "ExportFilter",
    "ExportResult",
    "Exporter",
    "Statistics",
    "mask",
    "neutralise",
    "region_of",
]
