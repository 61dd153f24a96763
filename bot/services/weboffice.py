"""The desk's office pages (beyond the cases): plain data, permission, audit.

Due this week (the organisation's or one volunteer's), the statistics, exports, the
audit log and the staff with their invitations. Each use case takes the acting
person and checks their role here, as the chat's commands do, so that the desk and
the chat cannot drift apart; changes of roles and invitations are the staff
service's use cases (``StaffService.invite``, ``revoke``, ``remove_role``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.exports.service import Exporter
from bot.exports.stats import Statistics
from bot.services.errors import Invalid, NotAllowed
from bot.staff import MANAGERS, MAY_INVITE, STAFF_ROLES, Actor, Role, StaffService
from bot.storage.database import Database
from bot.storage.exports import ExportFilter
from bot.storage.staff import AuditEntry, Invitation
from bot.storage.staff import DueCursor as DueCursor
from bot.storage.store import record_audit

log = logging.getLogger(__name__)

STATS_FRESH = timedelta(minutes=5)  # statistics older than this are counted again
DUE_PAGE = 25  # letters on one page of "due this week"
AUDIT_PAGE = 50  # entries on one page of the audit log
EXPORT_FORMATS = ("xlsx", "csv", "json", "stats")  # as the chat's /export offers them
EXPORT_SUFFIX = {"xlsx": "xlsx", "csv": "zip", "json": "json", "stats": "pdf"}


@dataclass(frozen=True)
class DueLetter:
    letter_id: int
    case_number: str
    body: str  # addressee id (bot/data/addressees.json)
    due_on: date
    overdue: bool  # the deadline has passed
    estimated: bool  # the deadline counts from an estimated delivery


@dataclass(frozen=True)
class DueWeek:
    letters: tuple[DueLetter, ...]
    total: int  # letters overdue or due within a week, on every page
    volunteer_id: int | None  # whose cases; None: the whole organisation
    next: DueCursor | None  # the following page, if any
    previous: DueCursor | None


@dataclass(frozen=True)
class Member:
    user_id: int  # the keyed id (never the Telegram id)
    name: str | None  # the Telegram name they had when they joined, if known
    role: str
    since: datetime | None  # None for administrators (they are configured)
    removable: bool  # whether this actor may remove the role


@dataclass(frozen=True)
class StaffOverview:
    members: tuple[Member, ...]
    invitations: tuple[Invitation, ...]  # open ones, oldest first
    names: Mapping[int, str]  # who made each invitation
    may_invite: tuple[str, ...]  # roles this actor may invite


@dataclass(frozen=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]  # newest first
    names: Mapping[int, str]  # staff named in the entries
    page: int
    more: bool


@dataclass(frozen=True)
class Counted:
    stats: Statistics
    at: datetime  # when the figures were counted


@dataclass(frozen=True)
class ExportFile:
    path: Path
    filename: str
    media_type: str
    cases: int
    masked: bool


MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "json": "application/json",
    "pdf": "application/pdf",
}


@dataclass
class DeskOffice:
    db: Database
    staff: StaffService
    clock: Clock
    keys: Sequence[str] = field(default_factory=tuple)  # to open the sealed data in exports
    _counted: dict[ExportFilter, Counted] = field(default_factory=dict, repr=False)
    _counting: dict[ExportFilter, asyncio.Future[Counted]] = field(
        default_factory=dict, repr=False
    )

    def exporter(self) -> Exporter:
        return Exporter(self.db, self.clock)

    # --- due this week -------------------------------------------------------------------
    async def due_this_week(
        self, actor: Actor, volunteer_id: int | None = None, cursor: DueCursor | None = None
    ) -> DueWeek:
        """Letters overdue or due within seven days, most urgent first: of the whole
        organisation, or of one volunteer's cases (a volunteer: always their own)."""
        if actor.role is Role.VOLUNTEER:
            volunteer_id = actor.user_id
        elif actor.role not in MANAGERS:
            raise NotAllowed(actor.role)
        elif volunteer_id is not None:
            member = await self.staff.staff.get(volunteer_id)
            if member is None or member.role != Role.VOLUNTEER:
                raise Invalid("volunteer", "not a volunteer")
        today = self.clock.now().date()
        until = (today + timedelta(days=7)).isoformat()
        # One letter more than a page tells whether another page follows that way.
        rows, total = await self.staff.staff.due_page(volunteer_id, until, DUE_PAGE + 1, cursor)
        backward = cursor is not None and not cursor.forward
        extra = len(rows) > DUE_PAGE
        if extra:
            rows = rows[1:] if backward else rows[:DUE_PAGE]
        letters = tuple(
            DueLetter(
                letter.id,
                number,
                letter.addressee_id,
                letter.due_on or today,
                (letter.due_on or today) < today,
                letter.registered_on is None and letter.delivered_on is None,
            )
            for number, letter in rows
        )
        has_next = bool(letters) and (backward or extra)
        has_previous = bool(letters) and (
            backward and extra or cursor is not None and not backward
        )
        return DueWeek(
            letters,
            total,
            volunteer_id,
            DueCursor(letters[-1].due_on.isoformat(), letters[-1].letter_id) if has_next else None,
            DueCursor(letters[0].due_on.isoformat(), letters[0].letter_id, forward=False)
            if has_previous
            else None,
        )

    # --- statistics ----------------------------------------------------------------------
    async def statistics(self, actor: Actor, flt: ExportFilter | None = None) -> Counted:
        """The figures of the charts; recorded like the chat's /stats.

        Counting every letter and reply of 100,000 cases takes SQLite about a second (in a
        thread: nobody waits for it but this page), so the figures are kept for
        ``STATS_FRESH`` and recounted in the background once older: a view shows figures
        at most that old, with the time they were counted, and never waits for a count
        except the first after a start."""
        self._managers(actor)
        flt = flt or ExportFilter()
        now = self.clock.now()
        kept = self._counted.get(flt)
        if kept is None:
            kept = await self._count(flt)
        elif now - kept.at >= STATS_FRESH and flt not in self._counting:
            recount = asyncio.ensure_future(self._count(flt))
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
                    "rows": kept.stats.cases,
                },
            )
        return kept

    async def _count(self, flt: ExportFilter) -> Counted:
        try:
            at = self.clock.now()
            counted = Counted(await self.exporter().statistics(flt), at)
            self._counted[flt] = counted
            return counted
        finally:
            self._counting.pop(flt, None)

    # --- exports -------------------------------------------------------------------------
    def export_formats(self, actor: Actor) -> tuple[str, ...]:
        self._managers(actor)
        return EXPORT_FORMATS

    async def export(
        self,
        actor: Actor,
        fmt: str,
        folder: Path,
        *,
        full: bool = False,
        flt: ExportFilter | None = None,
        locale: str = "ru",
        tz: str = "Asia/Almaty",
    ) -> ExportFile:
        """Write the export into ``folder`` (the caller removes it once sent): tables by a
        process of their own as in the chat, the statistics report as PDF; recorded in
        the audit log with whether identity numbers were masked."""
        self._managers(actor)
        if fmt not in EXPORT_FORMATS:
            raise Invalid("format", fmt)
        flt = flt or ExportFilter()
        stamp = self.clock.now().astimezone(ZoneInfo(tz)).strftime("%Y%m%d-%H%M")
        suffix = EXPORT_SUFFIX[fmt]
        ex = self.exporter()
        if fmt == "stats":
            path = folder / f"izdeu-statistics-{stamp}.pdf"
            path.write_bytes(await ex.stats_pdf(locale, flt, actor_id=actor.user_id, tz=tz))
            return ExportFile(path, path.name, MEDIA_TYPES[suffix], 0, True)
        path = folder / f"izdeu-{fmt}-{stamp}{'-full' if full else ''}.{suffix}"
        more = {"locale": locale, "tz": tz} if fmt == "xlsx" else {}
        result = await ex.in_process(
            fmt, path, flt, actor_id=actor.user_id, full=full, keys=self.keys, options=more
        )
        return ExportFile(
            path, path.name, MEDIA_TYPES[suffix], result.rows.get("cases", 0), result.masked
        )

    # --- the audit log -------------------------------------------------------------------
    async def audit_log(self, actor: Actor, page: int = 0) -> AuditPage:
        """A page of the audit log, newest first, with the names of the staff in it (the
        view reads each entry as a sentence, ``bot.audit_sentences``)."""
        self._managers(actor)
        page = max(0, page)
        entries = await self.staff.audit.entries(limit=AUDIT_PAGE + 1, offset=page * AUDIT_PAGE)
        shown = tuple(entries[:AUDIT_PAGE])
        ids = {e.actor_id for e in shown} | {e.target_id for e in shown if e.target_id}
        names = await self.staff.names(ids)
        return AuditPage(shown, names, page, len(entries) > AUDIT_PAGE)

    # --- staff and invitations -----------------------------------------------------------
    async def staff_overview(self, actor: Actor) -> StaffOverview:
        """Everyone with a role (administrators first), the open invitations, and what
        this actor may do about them."""
        self._managers(actor)
        members = await self.staff.staff.members()
        invitations = await self.staff.invitations(actor)
        ids = (
            set(self.staff.admin_ids)
            | {m.user_id for m in members}
            | {i.created_by for i in invitations}
        )
        names = await self.staff.names(ids)
        admins = [
            Member(a, names.get(a), Role.ADMIN.value, None, False)
            for a in sorted(self.staff.admin_ids)
        ]
        others = [
            Member(
                m.user_id,
                names.get(m.user_id),
                m.role,
                m.granted_at,
                actor.role is Role.ADMIN or m.role == Role.VOLUNTEER,
            )
            for m in members
            if m.user_id not in self.staff.admin_ids
        ]
        return StaffOverview(
            tuple(admins + others),
            tuple(invitations),
            names,
            tuple(MAY_INVITE.get(actor.role, ())),
        )

    async def volunteers(self, actor: Actor) -> dict[int, str | None]:
        """Volunteers by id with their names, for choosing whose week to see."""
        if actor.role not in STAFF_ROLES:
            raise NotAllowed(actor.role)
        if actor.role is Role.VOLUNTEER:
            return {}
        members = await self.staff.staff.members("volunteer")
        names = await self.staff.names({m.user_id for m in members})
        return {m.user_id: names.get(m.user_id) for m in members}

    @staticmethod
    def _managers(actor: Actor) -> None:
        if actor.role not in MANAGERS:
            raise NotAllowed(actor.role)


def _log_failure(done: asyncio.Future[Counted]) -> None:
    """A recount in the background that failed: the last figures stay; say why, once."""
    if not done.cancelled() and done.exception() is not None:
        log.error("statistics could not be counted: %s", type(done.exception()).__name__)
