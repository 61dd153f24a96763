"""The desk's statistics page: the chat's figures, kept a few minutes.

Everything else the office pages show (due letters, exports, the audit log, staff and
invitations) is the staff and export services' use cases, called as the chat calls
them. The statistics are too: ``ExportService.figures``. Counting every letter and
reply of 100,000 cases takes SQLite about a second (in a thread: nobody waits for it
but the page), so the desk keeps the figures ``STATS_FRESH`` and counts them again in
the background once older: a view shows figures at most that old, with the time they
were counted, and waits for a count only the first time after a start.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.services.errors import NotAllowed
from bot.services.exports import TABLE_FORMATS, ExportService, Figures
from bot.services.staff import MANAGERS, Actor
from bot.storage.database import Database
from bot.storage.exports import ExportFilter
from bot.storage.store import record_audit

log = logging.getLogger(__name__)

STATS_FRESH = timedelta(minutes=5)  # statistics older than this are counted again


@dataclass(frozen=True)
class Counted:
    figures: Figures
    at: datetime  # when the figures were counted


@dataclass
class DeskOffice:
    db: Database
    exports: ExportService
    clock: Clock
    _counted: dict[ExportFilter, Counted] = field(default_factory=dict, repr=False)
    _counting: dict[ExportFilter, asyncio.Future[Counted]] = field(
        default_factory=dict, repr=False
    )

    def export_formats(self, actor: Actor) -> tuple[str, ...]:
        """What the exports page offers (caseworkers only): the chat's /export formats."""
        if actor.role not in MANAGERS:
            raise NotAllowed(actor.role)
        return (*TABLE_FORMATS, "stats")

    async def statistics(self, actor: Actor, flt: ExportFilter | None = None) -> Counted:
        """The figures of the charts, for caseworkers; each view is recorded as the chat
        records its charts (an export of the format "charts")."""
        if actor.role not in MANAGERS:
            raise NotAllowed(actor.role)
        flt = flt or ExportFilter()
        now = self.clock.now()
        kept = self._counted.get(flt)
        if kept is None:
            kept = await self._count(actor, flt)
        elif now - kept.at >= STATS_FRESH and flt not in self._counting:
            recount = asyncio.ensure_future(self._count(actor, flt))
            recount.add_done_callback(_log_failure)
            self._counting[flt] = recount
        async with self.db.transaction() as conn:
            await record_audit(
                conn,
                now,
                actor.user_id,
                "export",
                detail={
                    "format": "charts",
                    "filters": dict(flt.describe()),
                    "masked": True,
                    "rows": kept.figures.statistics.cases,
                },
            )
        return kept

    async def _count(self, actor: Actor, flt: ExportFilter) -> Counted:
        try:
            at = self.clock.now()
            counted = Counted(await self.exports.figures(actor, flt), at)
            self._counted[flt] = counted
            return counted
        finally:
            self._counting.pop(flt, None)


def _log_failure(done: asyncio.Future[Counted]) -> None:
    """A recount in the background that failed: the last figures stay; say why, once."""
    if not done.cancelled() and done.exception() is not None:
        log.error("statistics could not be counted: %s", type(done.exception()).__name__)
