"""The use cases of the browser desk's case pages: the list, the dossier and its actions.

A thin layer over ``StaffService`` (the chat's rules): the same permission checks (a
volunteer sees assigned cases only, with the chat's masking), the same audit entries (every
open of a case is a ``view_case``), so the desk holds no rule of its own. Each action
returns whom the bot should tell (the family, a volunteer) in whose language; the front end
sends the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.models import Case, CaseStatus
from bot.domain.validators import InvalidInput, clean_text
from bot.followup import at_local
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.staff import MANAGERS, STAFF_ROLES, VOLUNTEER_STATUSES, Actor, StaffService
from bot.storage.followup import FollowupStore, NewReminder, Reply
from bot.storage.staff import CaseFilter as CaseFilter
from bot.storage.staff import CaseSummary, Note
from bot.storage.staff import Cursor as Cursor
from bot.storage.store import LetterRow, LetterStore, Store

TEXT_LIMIT = 3000  # a note or a message to the family, as in the chat


@dataclass(frozen=True)
class CasePage:
    rows: tuple[CaseSummary, ...]
    total: int
    names: dict[int, str]  # staff names of the volunteers on these rows


@dataclass(frozen=True)
class Dossier:
    case: Case
    answers: dict[str, object]  # what this actor may read (volunteers: masked)
    verified: bool
    details_shown: bool  # volunteers see identity numbers and the account
    volunteers: tuple[int, ...]
    notes: tuple[Note, ...]
    letters: tuple[LetterRow, ...]
    replies: tuple[Reply, ...]
    names: dict[int, str]  # staff names: volunteers and note authors
    statuses: tuple[CaseStatus, ...]  # the statuses this actor may set
    may_manage: bool  # assignment and the verified flag
    timezone: str  # the reader's, for the times shown
    today: date


@dataclass(frozen=True)
class Recipient:
    """Someone the bot writes to after an action, in their language."""

    chat_id: int
    locale: str | None
    case_number: str
    case_id: int


class DeskCases:
    def __init__(
        self,
        staff: StaffService,
        store: Store,
        letters: LetterStore,
        followups: FollowupStore,
        clock: Clock,
    ) -> None:
        self.staff = staff
        self.store = store
        self.letters = letters
        self.followups = followups
        self.clock = clock

    async def list_cases(
        self, actor: Actor, flt: CaseFilter, cursor: Cursor | None = None
    ) -> CasePage:
        rows, total = await self.staff.list_cases(actor, flt, cursor)
        ids = {v for row in rows for v in row.volunteers}
        return CasePage(tuple(rows), total, await self.staff.names(ids))

    async def volunteers(self, actor: Actor) -> list[tuple[int, str]]:
        """The volunteers by name (for the filter and the assignment): managers only."""
        if actor.role not in MANAGERS:
            return []
        members = await self.staff.staff.members("volunteer")
        names = await self.staff.names({m.user_id for m in members})
        return [(m.user_id, names.get(m.user_id, "")) for m in members]

    async def open(self, actor: Actor, number: str) -> Case:
        """The case if this actor may see it (the view audited as in the chat)."""
        if actor.role not in STAFF_ROLES:
            raise NotAllowed(actor.role)
        case = await self.staff.open_case(actor, number=number)
        if case is None:
            raise NotFound(number)
        return case

    async def dossier(self, actor: Actor, number: str) -> Dossier:
        case = await self.open(actor, number)
        flags = await self.staff.staff.flags(case.id)
        volunteers = tuple(await self.staff.staff.volunteers_of(case.id))
        notes = tuple(await self.staff.staff.notes(case.id))
        names = await self.staff.names(set(volunteers) | {n.author_id for n in notes})
        manager = actor.role in MANAGERS
        return Dossier(
            case=case,
            answers=await self.staff.visible_answers(actor, case),
            verified=bool(flags.get("verified")),
            details_shown=bool(flags.get("details")),
            volunteers=volunteers,
            notes=notes,
            letters=tuple(await self.letters.letters_of(case.id)),
            replies=tuple(await self.followups.replies_of_case(case.id)),
            names=names,
            statuses=tuple(CaseStatus) if manager else VOLUNTEER_STATUSES,
            may_manage=manager,
            timezone=await self.staff.timezone_of(actor.user_id),
            today=self.clock.now().date(),
        )

    async def assign(
        self, actor: Actor, number: str, volunteer_id: int, assigned: bool
    ) -> Recipient | None:
        """Assign (or un-assign) a volunteer; the volunteer to tell when newly assigned."""
        case = await self.open(actor, number)
        before = volunteer_id in await self.staff.staff.volunteers_of(case.id)
        await self.staff.assign(actor, case, volunteer_id, assigned)
        if not assigned or before:
            return None
        member = await self.staff.staff.get(volunteer_id)
        # As in the chat: the volunteer's digest of due letters starts tomorrow morning.
        tz = await self.staff.timezone_of(volunteer_id)
        day = (self.clock.now() + timedelta(days=1)).astimezone(ZoneInfo(tz)).date()
        digest = NewReminder(volunteer_id, None, None, "volunteer_digest", at_local(day, tz))
        await self.followups.schedule([digest], self.clock.now())
        return Recipient(member.chat_id, member.locale, case.number, case.id) if member else None

    async def add_note(self, actor: Actor, number: str, text: str) -> None:
        case = await self.open(actor, number)
        await self.staff.add_note(actor, case, _text(text))

    async def set_status(self, actor: Actor, number: str, status: CaseStatus) -> Recipient | None:
        """Change the status; the family to tell (as the chat does), unless it blocked the bot."""
        case = await self.open(actor, number)
        await self.staff.set_status(actor, case, status)
        return await self._family(case)

    async def set_verified(self, actor: Actor, number: str, value: bool) -> None:
        case = await self.open(actor, number)
        await self.staff.set_flag(actor, case, "verified", value)

    async def message_family(self, actor: Actor, number: str, text: str) -> tuple[Recipient, str]:
        """A message to the family through the bot (audited as in the chat): to whom, what."""
        case = await self.open(actor, number)
        cleaned = _text(text)
        family = await self._family(case)
        if family is None:
            raise NotFound("family")
        await self.staff.audit.record(
            self.clock.now(), actor.user_id, "message", case_id=case.id, target_id=case.reporter_id
        )
        return family, cleaned

    async def _family(self, case: Case) -> Recipient | None:
        family = await self.store.get_user(case.reporter_id)
        if family is None or family.blocked_at:
            return None
        return Recipient(family.chat_id, family.locale, case.number, case.id)

    def now(self) -> datetime:
        return self.clock.now()


def _text(text: str) -> str:
    try:
        return clean_text(text, TEXT_LIMIT, truncate=False)[0]
    except InvalidInput as err:
        raise Invalid("text", err.code) from err
