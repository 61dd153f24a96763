"""The organisation's side: who may do what, invitations, assignment, notes.

Every entry point checks the role on every call; a case someone may not see
is reported exactly like a case that does not exist.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.domain.models import Case, CaseStatus
from bot.services.errors import NotAllowed
from bot.storage.followup import FollowupStore
from bot.storage.staff import (
    AuditStore,
    CaseFilter,
    CaseSummary,
    Cursor,
    DueCursor,
    Invitation,
    StaffStore,
)
from bot.storage.store import LetterRow, Store


class Role(StrEnum):
    ADMIN = "admin"
    CASEWORKER = "caseworker"
    VOLUNTEER = "volunteer"
    RELATIVE = "relative"


STAFF_ROLES = frozenset({Role.ADMIN, Role.CASEWORKER, Role.VOLUNTEER})
MANAGERS = frozenset({Role.ADMIN, Role.CASEWORKER})
# Who may hand out which role by invitation.
MAY_INVITE = {Role.ADMIN: ("caseworker", "volunteer"), Role.CASEWORKER: ("volunteer",)}
# Statuses a volunteer may set while following up; the rest is the caseworkers'.
VOLUNTEER_STATUSES = (
    CaseStatus.WAITING,
    CaseStatus.ANSWER_RECEIVED,
    CaseStatus.LOCATED,
    CaseStatus.IN_CONTACT,
)
# Fields a volunteer sees only when a caseworker allows it.
RESTRICTED_FIELDS = ("r_id", "m_id", "m_passport", "e_story", "r_phone", "r_email", "r_addr")
PAGE_SIZE = 8


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: Role


class StaffService:
    def __init__(
        self,
        staff: StaffStore,
        audit: AuditStore,
        store: Store,
        followups: FollowupStore,
        clock: Clock,
        admin_ids: frozenset[int],
        invite_hours: int = 72,
        admin_chats: dict[int, int] | None = None,
        timezone: str = "Asia/Almaty",
    ) -> None:
        self.staff = staff
        self.followups = followups
        self.audit = audit
        self.store = store
        self.clock = clock
        self.admin_ids = frozenset(admin_chats) if admin_chats is not None else admin_ids
        self.admin_chats = admin_chats or {}
        self.invite_hours = invite_hours
        self.timezone = timezone  # the organisation's, for staff without their own

    def admin_chat(self, user_id: int) -> int:
        """The private chat of an administrator, who has no stored chat id: their
        Telegram id from the configuration."""
        return self.admin_chats.get(user_id, user_id)

    async def actor(self, user_id: int) -> Actor:
        if user_id in self.admin_ids:
            return Actor(user_id, Role.ADMIN)
        member = await self.staff.get(user_id)
        return Actor(user_id, Role(member.role) if member else Role.RELATIVE)

    # --- how staff are shown, and when ---------------------------------------------
    async def remember_name(self, actor: Actor, name: str) -> None:
        """Keep the Telegram name a staff member is shown by; refreshed when it changes.
        Relatives' names are never kept this way."""
        if actor.role not in STAFF_ROLES or not name:
            return
        known = await self.staff.profile(actor.user_id)
        if known is None or known[0] != name:
            await self.staff.save_name(actor.user_id, name, self.clock.now())

    async def names(self, user_ids: set[int]) -> dict[int, str]:
        """Staff names by id; an id without a recorded name is left out."""
        return await self.staff.names(user_ids)

    async def timezone_of(self, user_id: int) -> str:
        """The zone a staff member sees times in: their own, else the organisation's."""
        known = await self.staff.profile(user_id)
        return (known[1] if known and known[1] else None) or self.timezone

    async def set_timezone(self, actor: Actor, tz: str | None) -> None:
        self._require(actor, STAFF_ROLES)
        await self.staff.save_timezone(actor.user_id, tz, self.clock.now())

    # --- invitations and roles ---------------------------------------------------
    async def invite(self, actor: Actor, role: str) -> Invitation:
        if role not in MAY_INVITE.get(actor.role, ()):
            raise NotAllowed(role)
        now = self.clock.now()
        code = secrets.token_urlsafe(12)
        expires = now + timedelta(hours=self.invite_hours)
        await self.staff.create_invitation(code, role, actor.user_id, now, expires)
        return Invitation(code, role, actor.user_id, now, expires, None, False)

    async def invitations(self, actor: Actor) -> list[Invitation]:
        self._require(actor, MANAGERS)
        return await self.staff.open_invitations(self.clock.now())

    async def revoke(self, actor: Actor, code: str) -> bool:
        self._require(actor, MANAGERS)
        return await self.staff.revoke_invitation(code, actor.user_id, self.clock.now())

    async def redeem(self, code: str, user_id: int, chat_id: int, locale: str) -> str | None:
        return await self.staff.redeem(code, user_id, chat_id, locale, self.clock.now())

    async def remove_role(self, actor: Actor, user_id: int) -> bool:
        self._require(actor, MANAGERS)
        member = await self.staff.get(user_id)
        if member is None:
            return False
        if actor.role is Role.CASEWORKER and member.role != "volunteer":
            raise NotAllowed("caseworkers remove volunteers only")
        return await self.staff.remove(user_id, actor.user_id, self.clock.now())

    async def review_copy(self, actor: Actor, case: Case, reply_id: int, confirmed: bool) -> bool:
        """A caseworker confirms or rejects the text match that marked a reply as a likely
        form reply: the report on the bodies counts the confirmed ones apart."""
        self._require(actor, MANAGERS)
        replies = await self.followups.replies_of_case(case.id)
        if not any(r.id == reply_id and r.copies for r in replies):
            return False
        return await self.followups.review_copy(
            reply_id, "confirmed" if confirmed else "rejected", self.clock.now(), actor.user_id
        )

    # --- cases ----------------------------------------------------------------------
    async def may_see(self, actor: Actor, case: Case) -> bool:
        if case.reporter_id == actor.user_id:
            return True
        if actor.role in MANAGERS:
            return True
        if actor.role is Role.VOLUNTEER:
            return await self.staff.is_assigned(case.id, actor.user_id)
        return False

    async def open_case(
        self, actor: Actor, number: str | None = None, case_id: int | None = None
    ) -> Case | None:
        """The case if this actor may see it (audited when it is not their own), else None."""
        case = (
            await self.store.get_case(number)
            if number is not None
            else await self.store.get_case_by_id(case_id or 0)
        )
        if case is None or not await self.may_see(actor, case):
            return None
        if case.reporter_id != actor.user_id:
            await self.audit.record(self.clock.now(), actor.user_id, "view_case", case_id=case.id)
        return case

    async def visible_answers(self, actor: Actor, case: Case) -> dict[str, object]:
        """What this actor may read of the report: volunteers get no identity numbers,
        contacts or account unless a caseworker allowed it."""
        answers = dict(case.answers)
        if actor.role is Role.VOLUNTEER and case.reporter_id != actor.user_id:
            flags = await self.staff.flags(case.id)
            if not flags.get("details"):
                for key in RESTRICTED_FIELDS:
                    answers.pop(key, None)
        return answers

    async def list_cases(
        self, actor: Actor, flt: CaseFilter, cursor: Cursor | None = None
    ) -> tuple[list[CaseSummary], int]:
        """A page of cases (``PAGE_SIZE``), the first or the one ``cursor`` points to."""
        if actor.role is Role.VOLUNTEER:
            flt = CaseFilter(**{**flt.__dict__, "volunteer_id": actor.user_id})
        else:
            self._require(actor, MANAGERS)
        today = self.clock.now().date().isoformat()
        return await self.staff.list_cases(flt, today, PAGE_SIZE, cursor=cursor)

    async def due(
        self, actor: Actor, cursor: DueCursor | None = None
    ) -> tuple[list[tuple[str, LetterRow]], int]:
        """A page (``PAGE_SIZE``) of letters overdue or due within a week, most urgent first,
        and how many there are: a volunteer's own cases, or every case."""
        self._require(actor, STAFF_ROLES)
        until = (self.clock.now().date() + timedelta(days=7)).isoformat()
        volunteer = actor.user_id if actor.role is Role.VOLUNTEER else None
        return await self.staff.due_page(volunteer, until, PAGE_SIZE, cursor)

    async def set_status(self, actor: Actor, case: Case, status: CaseStatus) -> None:
        if actor.role is Role.VOLUNTEER:
            if status not in VOLUNTEER_STATUSES or not await self.staff.is_assigned(
                case.id, actor.user_id
            ):
                raise NotAllowed(status)
        else:
            self._require(actor, MANAGERS)
        await self.followups.set_status(case.id, status, self.clock.now(), actor.user_id)
        await self.audit.record(
            self.clock.now(),
            actor.user_id,
            "status",
            case_id=case.id,
            detail={"status": status.value},
        )

    async def set_flag(self, actor: Actor, case: Case, flag: str, value: bool) -> None:
        self._require(actor, MANAGERS)
        await self.staff.set_flag(case.id, flag, value, actor.user_id, self.clock.now())

    async def assign(self, actor: Actor, case: Case, volunteer_id: int, assigned: bool) -> None:
        self._require(actor, MANAGERS)
        member = await self.staff.get(volunteer_id)
        if member is None or member.role != "volunteer":
            raise NotAllowed("not a volunteer")
        await self.staff.assign(case.id, volunteer_id, actor.user_id, self.clock.now(), assigned)

    async def add_note(self, actor: Actor, case: Case, text: str) -> None:
        if not await self.may_see(actor, case) or actor.role is Role.RELATIVE:
            raise NotAllowed("note")
        await self.staff.add_note(case.id, actor.user_id, text, self.clock.now())

    @staticmethod
    def _require(actor: Actor, roles: frozenset[Role]) -> None:
        if actor.role not in roles:
            raise NotAllowed(actor.role)
