"""The organisation's side as use cases: cases, dossier, assignment, notes, messages,
invitations, roles, settings and the audit log.

The chat and the browser desk call the same functions, so each one checks the role on
every call and answers with plain data (frozen dataclasses). A case someone may not
see raises ``NotFound`` exactly like a case that does not exist. What a use case writes
and its audit entry are one transaction; sending a message is left to the front end,
which gets the recipient (chat and language) in the result, or, for a message typed
into a chat form, hands the use case a ``Deliver`` it calls before the form is closed.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import forms
from bot.domain.forms import Form
from bot.domain.inputs import Input
from bot.domain.models import Case, CaseEvent, CaseStatus
from bot.domain.staff_forms import SPECS, STAFF_FORMS, TEXT_MAX
from bot.domain.validators import InvalidInput, clean_text
from bot.i18n import DEFAULT_LOCALE
from bot.letters.translations import Needed
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.followup import at_local
from bot.services.forms import FormRunner
from bot.storage.followup import FollowupStore, NewReminder, Reply
from bot.storage.notices import NewNotice
from bot.storage.staff import (
    AuditEntry,
    AuditStore,
    CaseFilter,
    CaseSummary,
    Cursor,
    DueCursor,
    Invitation,
    Note,
    StaffStore,
)
from bot.storage.store import FormClosing, LetterRow, LetterStore, Store
from bot.vocabulary import TIMEZONE_NAMES

# Re-exported: the front ends name filters, cursors and rows through the use cases.
__all__ = [
    "ASSIGNED",
    "STATUS_CHANGED",
    "FLAGS",
    "Invited",
    "MANAGERS",
    "MAY_INVITE",
    "NOTE_LIMIT",
    "PAGE_SIZE",
    "RESTRICTED_FIELDS",
    "STAFF_FORMS",
    "STAFF_ROLES",
    "VOLUNTEER_STATUSES",
    "Actor",
    "Assignment",
    "AuditEntry",
    "AuditPage",
    "CaseFilter",
    "CaseList",
    "CasePage",
    "CaseRef",
    "CaseSummary",
    "CopyReviewed",
    "Cursor",
    "Deliver",
    "Dossier",
    "DueCursor",
    "DueLetter",
    "DuePage",
    "DueScreen",
    "FlagSet",
    "Form",
    "FormAnswered",
    "FormQuestion",
    "Invalid",
    "Invitation",
    "InvitationList",
    "Member",
    "NotAllowed",
    "NotFound",
    "Note",
    "NoteAdded",
    "Recipient",
    "Relay",
    "Reply",
    "Role",
    "StaffScreen",
    "StaffService",
    "StaffSettings",
    "StatusChanged",
    "TranslationAsked",
    "TranslationWritten",
    "TranslationWriter",
    "VolunteerChoice",
    "VolunteerList",
]


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
FLAGS = ("verified", "details")  # details: volunteers see identity numbers and the account
PAGE_SIZE = 8
# A case is named by its id; a front end that already holds the Case may pass it (it is
# read again, and the permission checked again, either way).
CaseRef = int | Case
NOTE_LIMIT = TEXT_MAX  # characters of a note or of a message relayed through the bot
DUE_DAYS = 7  # "due this week"


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: Role


@dataclass(frozen=True)
class Recipient:
    """Where a front end sends what a use case asks it to tell someone, in their language."""

    user_id: int
    chat_id: int
    locale: str


@dataclass(frozen=True)
class CasePage:
    cases: tuple[CaseSummary, ...]
    total: int
    page_size: int
    names: Mapping[int, str]  # the assigned volunteers' names


@dataclass(frozen=True)
class DueLetter:
    case_number: str
    letter: LetterRow


@dataclass(frozen=True)
class DuePage:
    items: tuple[DueLetter, ...]
    total: int
    page_size: int


@dataclass(frozen=True)
class Dossier:
    """Everything a staff member may read of one case (the view is in the audit log).

    ``answers`` has the restricted fields left out for a volunteer the caseworkers did
    not allow (``masked``); labels for the organisation come from ``bot.readable``
    (``label(t, key, staff=True)``)."""

    case: Case
    answers: Mapping[str, Any]
    masked: bool
    evidence: tuple[Mapping[str, Any], ...]
    letters: tuple[LetterRow, ...]  # made, sent or follow-up letters, with their deadlines
    replies: tuple[Reply, ...]
    events: tuple[CaseEvent, ...]
    notes: tuple[Note, ...]
    volunteers: tuple[int, ...]
    verified: bool
    details: bool
    names: Mapping[int, str]  # volunteers and note authors
    may_manage: bool  # the caseworkers' buttons: flags, assignment, PDF, form replies

    @property
    def copies_to_review(self) -> tuple[Reply, ...]:
        """Likely form replies a caseworker has not confirmed or rejected yet."""
        return tuple(r for r in self.replies if r.copies and r.copy_review is None)


@dataclass(frozen=True)
class StatusChanged:
    case_number: str
    status: CaseStatus
    family: Recipient | None  # to be told "the status of your case is now…"


@dataclass(frozen=True)
class FlagSet:
    case_number: str
    flag: str
    value: bool


@dataclass(frozen=True)
class VolunteerChoice:
    user_id: int
    name: str | None
    assigned: bool


@dataclass(frozen=True)
class VolunteerList:
    case_id: int
    case_number: str
    choices: tuple[VolunteerChoice, ...]


@dataclass(frozen=True)
class Assignment:
    case_number: str
    volunteer_id: int
    assigned: bool
    changed: bool
    volunteer: Recipient | None  # told when newly assigned
    volunteers: VolunteerList | None = None  # the choices after it (``toggle_assignment``)


@dataclass(frozen=True)
class NoteAdded:
    case_number: str
    text: str


@dataclass(frozen=True)
class Relay:
    """A message through the bot: the front end sends ``text`` to ``recipient`` with an
    Answer button back to ``sender_id`` (the family never sees who wrote)."""

    case_id: int
    case_number: str
    sender_id: int
    recipient: Recipient
    text: str
    delivered: bool = True  # False: the recipient blocked the bot


# The front end's way to hand a message to the messenger: False when the recipient
# cannot be reached (blocked the bot). Called by the use case before it records the message.
Deliver = Callable[[Relay], Awaitable[bool]]


@dataclass(frozen=True)
class TranslationWritten:
    """A staff member's translation of the family's text, kept by the letters' use case:
    the next text left (its form is open now), or none and the family to tell."""

    case: Case
    next: Needed | None
    family: Recipient | None


@dataclass(frozen=True)
class TranslationAsked:
    """The first text left to translate, its form open now; None when none is left."""

    case: Case
    next: Needed | None


class TranslationWriter(Protocol):
    """The letters' use case that keeps a staff member's translation (``bot.services.
    letters``, which depends on this module and is therefore handed in, not imported)."""

    async def write_translation(
        self,
        actor: Actor,
        case_id: int,
        field: str,
        language: str,
        text: str,
        *,
        closing: FormClosing | None = None,
    ) -> list[Needed]: ...

    async def texts_left(self, actor: Actor, case_id: int) -> tuple[Case, list[Needed]]: ...


# The kind of a volunteer's notice of being assigned to a case.
ASSIGNED = "assigned"
# The kind of the family's notice that a staff member changed its case's status.
STATUS_CHANGED = "status_changed"


@dataclass(frozen=True)
class FormQuestion:
    """What an open staff form asks (its ``name``) about ``case``; ``item`` is the text
    to translate for the translation form."""

    name: str
    case: Case
    item: Needed | None = None


@dataclass(frozen=True)
class FormAnswered:
    """A text given to a staff form: refused (``error``, the form stays open at its
    step), or acted on: exactly one of ``note``, ``relay`` or ``translation``."""

    name: str
    error: InvalidInput | None = None
    note: NoteAdded | None = None
    relay: Relay | None = None
    translation: TranslationWritten | None = None


@dataclass(frozen=True)
class InvitationList:
    invitations: tuple[Invitation, ...]
    names: Mapping[int, str]  # who made them


@dataclass(frozen=True)
class Member:
    user_id: int
    role: str
    name: str | None
    removable: bool  # by the actor who asked


@dataclass(frozen=True)
class CaseList:
    """A page of cases with the volunteers a manager may filter it by (none for a
    volunteer, whose list holds only their own cases)."""

    page: CasePage
    volunteers: tuple[Member, ...]


@dataclass(frozen=True)
class DueScreen:
    """Letters due (``DuePage``) with the volunteers a manager may narrow them to, and
    the one chosen, if it is one of them (a volunteer sees their own only)."""

    page: DuePage
    volunteers: tuple[Member, ...]
    chosen: int | None


@dataclass(frozen=True)
class StaffScreen:
    """People with a role and the open invitations, for the desk's staff page."""

    members: tuple[Member, ...]
    invitations: InvitationList


@dataclass(frozen=True)
class Invited:
    """A new invitation and the staff page with it listed, for the desk: the link is
    shown once, on the page the invitation was made from."""

    invitation: Invitation
    screen: StaffScreen


@dataclass(frozen=True)
class StaffSettings:
    timezone: str  # the zone the member sees times in
    own: bool  # chosen by the member (else the organisation's)
    organisation_timezone: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]
    names: Mapping[int, str]  # for audit_sentences.sentence


@dataclass(frozen=True)
class CopyReviewed:
    case_number: str
    reply_id: int
    confirmed: bool


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
        self.letters = LetterStore(store.db)  # the dossier's letters and deadlines
        self.forms = FormRunner(followups, clock)  # the staff forms, one engine for all
        self.clock = clock
        self.admin_ids = frozenset(admin_chats) if admin_chats is not None else admin_ids
        self.admin_chats = admin_chats or {}
        self.invite_hours = invite_hours
        self.timezone = timezone  # the organisation's, for staff without their own
        # The letters' use case for the translation form, handed in once both exist.
        self.translations: TranslationWriter | None = None

    def admin_chat(self, user_id: int) -> int:
        """The private chat of an administrator, who has no stored chat id: their
        Telegram id from the configuration."""
        return self.admin_chats.get(user_id, user_id)

    async def actor(self, user_id: int) -> Actor:
        if user_id in self.admin_ids:
            return Actor(user_id, Role.ADMIN)
        member = await self.staff.get(user_id)
        return Actor(user_id, Role(member.role) if member else Role.RELATIVE)

    async def acting(self, user_id: int, name: str) -> Actor:
        """The person acting in the chat, with their role; a staff member's Telegram name
        is refreshed on the way (``remember_name``), so a chat action reads who acts in
        one call."""
        actor = await self.actor(user_id)
        await self.remember_name(actor, name)
        return actor

    async def staff_locale(self, user_id: int) -> str | None:
        """The language a staff member chose when joining (None for others)."""
        member = await self.staff.get(user_id)
        return member.locale if member else None

    async def recipient(self, user_id: int) -> Recipient | None:
        """Where to write to a staff member: their stored chat, an administrator's own."""
        member = await self.staff.get(user_id)
        if member is not None:
            return Recipient(user_id, member.chat_id, member.locale)
        if user_id in self.admin_ids:
            return Recipient(user_id, self.admin_chat(user_id), DEFAULT_LOCALE)
        return None

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

    async def settings(self, actor: Actor) -> StaffSettings:
        """The member's time zone and the zones they may choose."""
        self._require(actor, STAFF_ROLES)
        known = await self.staff.profile(actor.user_id)
        own = known[1] if known and known[1] else None
        return StaffSettings(
            own or self.timezone,
            own is not None,
            self.timezone,
            tuple(dict.fromkeys([self.timezone, *TIMEZONE_NAMES])),
        )

    async def set_timezone(self, actor: Actor, tz: str | None) -> StaffSettings:
        """Choose a zone (one of ``settings().choices``); None or the organisation's own
        zone goes back to following the organisation's."""
        self._require(actor, STAFF_ROLES)
        if tz is not None and tz not in TIMEZONE_NAMES and tz != self.timezone:
            raise Invalid("timezone", "unknown")
        own = None if tz == self.timezone else tz
        await self.staff.save_timezone(actor.user_id, own, self.clock.now())
        return await self.settings(actor)

    # --- invitations and roles ---------------------------------------------------
    async def invite(self, actor: Actor, role: str) -> Invitation:
        """A one-time invitation (audited with its role); NotAllowed for a role the
        actor may not hand out (``MAY_INVITE``)."""
        if role not in MAY_INVITE.get(actor.role, ()):
            raise NotAllowed(role)
        now = self.clock.now()
        code = secrets.token_urlsafe(12)
        expires = now + timedelta(hours=self.invite_hours)
        await self.staff.create_invitation(code, role, actor.user_id, now, expires)
        return Invitation(code, role, actor.user_id, now, expires, None, False)

    async def invite_on_page(self, actor: Actor, role: str) -> Invited:
        """``invite``, then the staff page that shows the new invitation among the open
        ones: one call for the desk's answer."""
        invitation = await self.invite(actor, role)
        return Invited(invitation, await self.staff_screen(actor))

    async def invitations(self, actor: Actor) -> InvitationList:
        self._require(actor, MANAGERS)
        found = tuple(await self.staff.open_invitations(self.clock.now()))
        return InvitationList(found, await self.names({i.created_by for i in found}))

    async def revoke(self, actor: Actor, code: str) -> None:
        """Revoke an open invitation; NotFound when it was used, revoked or is unknown."""
        self._require(actor, MANAGERS)
        if not await self.staff.revoke_invitation(code, actor.user_id, self.clock.now()):
            raise NotFound("invitation")

    async def redeem(
        self, code: str, user_id: int, chat_id: int, locale: str, name: str = ""
    ) -> Role:
        """The invited person takes the role (audited as granted by the inviter); NotFound
        when the invitation was used, revoked or has expired."""
        role = await self.staff.redeem(code, user_id, chat_id, locale, self.clock.now())
        if role is None:
            raise NotFound("invitation")
        actor = await self.actor(user_id)
        await self.remember_name(actor, name)  # known by name from the start
        return Role(role)

    async def members(self, actor: Actor) -> tuple[Member, ...]:
        """People with a role; caseworkers may remove volunteers, administrators anyone."""
        self._require(actor, MANAGERS)
        found = await self.staff.members()
        names = await self.names({m.user_id for m in found})
        return tuple(
            Member(
                m.user_id,
                m.role,
                names.get(m.user_id),
                actor.role is Role.ADMIN or m.role == Role.VOLUNTEER,
            )
            for m in found
        )

    async def remove_role(self, actor: Actor, user_id: int) -> None:
        """Take a role away (the member's pending daily summaries go with it)."""
        self._require(actor, MANAGERS)
        member = await self.staff.get(user_id)
        if member is None:
            raise NotFound("member")
        if actor.role is Role.CASEWORKER and member.role != Role.VOLUNTEER:
            raise NotAllowed("caseworkers remove volunteers only")
        if not await self.staff.remove(user_id, actor.user_id, self.clock.now()):
            raise NotFound("member")

    async def audit_log(self, actor: Actor, limit: int = 30, offset: int = 0) -> AuditPage:
        """The newest entries with the staff names their sentences need."""
        self._require(actor, MANAGERS)
        entries = tuple(await self.audit.entries(limit=limit, offset=offset))
        ids = {e.actor_id for e in entries} | {e.target_id for e in entries if e.target_id}
        return AuditPage(entries, await self.names(ids))

    # --- cases ----------------------------------------------------------------------
    async def may_see(self, actor: Actor, case: Case) -> bool:
        """The one place for "this family owns this case" and "this volunteer is assigned"."""
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

    async def dossier(
        self, actor: Actor, *, number: str | None = None, case_id: int | None = None
    ) -> Dossier:
        """Open a case for a staff member: the whole dossier as data, the view audited."""
        self._require(actor, STAFF_ROLES)
        case = await self.open_case(actor, number=number, case_id=case_id)
        if case is None:
            raise NotFound("case")
        answers = await self.visible_answers(actor, case)
        flags = await self.staff.flags(case.id)
        volunteers = tuple(await self.staff.volunteers_of(case.id))
        notes = tuple(await self.staff.notes(case.id))
        letters = await self.letters.letters_of(case.id)
        evidence = answers.get("evidence") or []
        return Dossier(
            case=case,
            answers=answers,
            masked=len(answers) < len(case.answers),
            evidence=tuple(e for e in evidence if isinstance(e, Mapping))
            if isinstance(evidence, list)
            else (),
            letters=tuple(r for r in letters if r.generated_at or r.sent_on or r.parent_id),
            replies=tuple(await self.followups.replies_of_case(case.id)),
            events=case.events,
            notes=notes,
            volunteers=volunteers,
            verified=bool(flags.get("verified")),
            details=bool(flags.get("details")),
            names=await self.names(set(volunteers) | {n.author_id for n in notes}),
            may_manage=actor.role in MANAGERS,
        )

    async def list_cases(
        self, actor: Actor, flt: CaseFilter, cursor: Cursor | None = None
    ) -> CasePage:
        """A page of cases (``PAGE_SIZE``), the first or the one ``cursor`` points to;
        a volunteer's list holds only their own cases."""
        if actor.role is Role.VOLUNTEER:
            flt = replace(flt, volunteer_id=actor.user_id)
        else:
            self._require(actor, MANAGERS)
        today = self.clock.now().date().isoformat()
        rows, total = await self.staff.list_cases(flt, today, PAGE_SIZE, cursor=cursor)
        names = await self.names({v for c in rows for v in c.volunteers})
        return CasePage(tuple(rows), total, PAGE_SIZE, names)

    async def case_list(
        self, actor: Actor, flt: CaseFilter, cursor: Cursor | None = None
    ) -> CaseList:
        """The desk's list of cases: ``list_cases`` and, for a manager, the volunteers."""
        page = await self.list_cases(actor, flt, cursor)
        if actor.role not in MANAGERS:
            return CaseList(page, ())
        found = await self.members(actor)
        return CaseList(page, tuple(m for m in found if m.role == Role.VOLUNTEER))

    async def my_cases(self, actor: Actor, limit: int = 50) -> CasePage:
        """The cases assigned to the actor (volunteers; caseworkers may be assigned too)."""
        self._require(actor, STAFF_ROLES)
        today = self.clock.now().date().isoformat()
        flt = CaseFilter(volunteer_id=actor.user_id)
        rows, total = await self.staff.list_cases(flt, today, limit, 0)
        return CasePage(tuple(rows), total, limit, {})

    async def due(
        self, actor: Actor, cursor: DueCursor | None = None, volunteer_id: int | None = None
    ) -> DuePage:
        """A page (``PAGE_SIZE``) of letters overdue or due within a week, most urgent first,
        and how many there are: a volunteer's own cases; for caseworkers every case, or
        those of ``volunteer_id``."""
        self._require(actor, STAFF_ROLES)
        until = (self.clock.now().date() + timedelta(days=DUE_DAYS)).isoformat()
        if actor.role is Role.VOLUNTEER:
            volunteer_id = actor.user_id
        items, total = await self.staff.due_page(volunteer_id, until, PAGE_SIZE, cursor)
        return DuePage(tuple(DueLetter(n, r) for n, r in items), total, PAGE_SIZE)

    async def due_screen(
        self, actor: Actor, cursor: DueCursor | None = None, volunteer_id: int | None = None
    ) -> DueScreen:
        """The desk's due page: ``due`` narrowed to ``volunteer_id`` when a manager chose
        one of the volunteers, with the volunteers to choose from."""
        volunteers: tuple[Member, ...] = ()
        if actor.role in MANAGERS:
            volunteers = tuple(m for m in await self.members(actor) if m.role == Role.VOLUNTEER)
        chosen = volunteer_id if volunteer_id in {m.user_id for m in volunteers} else None
        return DueScreen(await self.due(actor, cursor, chosen), volunteers, chosen)

    async def staff_screen(self, actor: Actor) -> StaffScreen:
        """The members and the open invitations (managers)."""
        return StaffScreen(await self.members(actor), await self.invitations(actor))

    async def set_status(
        self, actor: Actor, case_id: CaseRef, status: CaseStatus
    ) -> StatusChanged:
        """Change the status (volunteers: ``VOLUNTEER_STATUSES`` on their cases); the
        family's notice (``STATUS_CHANGED``) is written with it, unless the family blocked
        the bot, and the result names the family to tell."""
        case = await self._case(actor, case_id)
        if actor.role is Role.VOLUNTEER and status not in VOLUNTEER_STATUSES:
            raise NotAllowed(status)
        family = await self.store.get_user(case.reporter_id)
        told = notice = None
        if family is not None and family.blocked_at is None:
            told = Recipient(family.user_id, family.chat_id, family.locale)
            values = {"case_number": case.number, "status": status.value}
            notice = NewNotice(told.user_id, told.chat_id, told.locale, STATUS_CHANGED, values)
        await self.staff.set_status(case.id, status, actor.user_id, self.clock.now(), notice)
        return StatusChanged(case.number, status, told)

    async def set_flag(self, actor: Actor, case_id: CaseRef, flag: str, value: bool) -> FlagSet:
        """Mark the case checked with the family (``verified``) or let its volunteers see
        identity numbers and the account (``details``)."""
        if flag not in FLAGS:
            raise Invalid("flag", "unknown")
        self._require(actor, MANAGERS)
        case = await self._case(actor, case_id)
        await self.staff.set_flag(case.id, flag, value, actor.user_id, self.clock.now())
        return FlagSet(case.number, flag, value)

    async def toggle_flag(self, actor: Actor, case_id: CaseRef, flag: str) -> FlagSet:
        """Turn a flag over (a button that says what it will do by its tick)."""
        if flag not in FLAGS:
            raise Invalid("flag", "unknown")
        self._require(actor, MANAGERS)
        case = await self._case(actor, case_id)
        flags = await self.staff.flags(case.id)
        return await self.set_flag(actor, case, flag, not flags.get(flag, False))

    async def volunteers(self, actor: Actor, case_id: CaseRef) -> VolunteerList:
        """Every volunteer by name, and whether they are assigned to the case."""
        self._require(actor, MANAGERS)
        case = await self._case(actor, case_id)
        found = await self.staff.members(Role.VOLUNTEER)
        assigned = set(await self.staff.volunteers_of(case.id))
        names = await self.names({v.user_id for v in found})
        choices = tuple(
            VolunteerChoice(v.user_id, names.get(v.user_id), v.user_id in assigned) for v in found
        )
        return VolunteerList(case.id, case.number, choices)

    async def toggle_assignment(
        self, actor: Actor, case_id: CaseRef, volunteer_id: int
    ) -> Assignment:
        """Assign the volunteer if not assigned, else unassign; with the volunteers'
        choices as they are now (the chat's menu shows them again)."""
        self._require(actor, MANAGERS)
        case = await self._case(actor, case_id)
        assigned = volunteer_id in await self.staff.volunteers_of(case.id)
        done = await self.assign(actor, case, volunteer_id, not assigned)
        return replace(done, volunteers=await self.volunteers(actor, case))

    async def assign(
        self, actor: Actor, case_id: CaseRef, volunteer_id: int, assigned: bool
    ) -> Assignment:
        """Assign (or unassign) a volunteer chosen by id. A newly assigned volunteer gets
        a daily summary from tomorrow, scheduled in the same transaction, and is told at
        once by a notice written in it too (``ASSIGNED``: a crash loses no assignment's
        word)."""
        self._require(actor, MANAGERS)
        case = await self._case(actor, case_id)
        member = await self.staff.get(volunteer_id)
        if member is None or member.role != Role.VOLUNTEER:
            raise Invalid("volunteer", "not a volunteer")
        digest = notice = None
        if assigned:
            tz = await self.timezone_of(volunteer_id)
            day = (self.clock.now() + timedelta(days=1)).astimezone(ZoneInfo(tz)).date()
            digest = NewReminder(volunteer_id, None, None, "volunteer_digest", at_local(day, tz))
            values = {"case_number": case.number}
            notice = NewNotice(volunteer_id, member.chat_id, member.locale, ASSIGNED, values)
        changed = await self.staff.assign(
            case.id, volunteer_id, actor.user_id, self.clock.now(), assigned, digest, notice
        )
        told = Recipient(volunteer_id, member.chat_id, member.locale)
        return Assignment(
            case.number, volunteer_id, assigned, changed, told if assigned and changed else None
        )

    async def add_note(
        self,
        actor: Actor,
        case_id: CaseRef,
        text: str,
        *,
        closing: FormClosing | None = None,
    ) -> NoteAdded:
        """A note for the organisation (sealed; the audit says a note was added, not what),
        with the closing of the chat form that asked for it in the same transaction."""
        self._require(actor, STAFF_ROLES)
        case = await self._case(actor, case_id)
        clean = _text(text)
        await self.staff.add_note(case.id, actor.user_id, clean, self.clock.now(), closing)
        return NoteAdded(case.number, clean)

    async def message_family(self, actor: Actor, case_id: CaseRef, text: str) -> Relay:
        """A message to the family through the bot (audited; the front end sends it)."""
        relay = await self._to_family(actor, case_id, text)
        await self.audit.record(
            self.clock.now(),
            actor.user_id,
            "message",
            case_id=relay.case_id,
            target_id=relay.recipient.user_id,
        )
        return relay

    async def _to_family(self, actor: Actor, case_id: CaseRef, text: str) -> Relay:
        """A message to the family, checked, not yet recorded."""
        self._require(actor, STAFF_ROLES)
        case = await self._case(actor, case_id)
        clean = _text(text)
        family = await self.store.get_user(case.reporter_id)
        if family is None:
            raise NotFound("family")
        recipient = Recipient(family.user_id, family.chat_id, family.locale)
        return Relay(case.id, case.number, actor.user_id, recipient, clean)

    async def start_form(
        self, actor: Actor, case_id: CaseRef, name: str, data: Mapping[str, Any] | None = None
    ) -> Case:
        """Open a staff form in the chat (``STAFF_FORMS``: its next text message is the note,
        the message or the translation) on a case the actor may act on; the case back."""
        if name not in STAFF_FORMS:
            raise Invalid("form", "unknown")
        case = await self._case(actor, case_id)
        await self.forms.begin(actor.user_id, SPECS[name], {**(data or {}), "case_id": case.id})
        return case

    async def reply_form(self, actor: Actor, case_id: int, to: int) -> Case:
        """The family taps Answer under a message from the organisation: its next text
        goes back to ``to``. Only its own case."""
        case = await self.store.get_case_by_id(case_id)
        if case is None or case.reporter_id != actor.user_id:
            raise NotFound("case")
        await self.forms.begin(actor.user_id, SPECS["relay_back"], {"case_id": case.id, "to": to})
        return case

    async def answer_form(
        self,
        actor: Actor,
        form: Form,
        value: Input,
        update_id: int | None = None,
        *,
        deliver: Deliver | None = None,
    ) -> FormAnswered:
        """The text of an open staff form (``STAFF_FORMS``), checked by the form engine
        and acted on: the note added, the message relayed (``deliver`` hands it to the
        messenger; needed for ``relay`` and ``relay_back``) or the translation written.

        The form stays open until its action is done and is closed by the action's own
        transaction, which also claims ``update_id``: a crash before it keeps the form,
        so the stored update, processed again, does the action; a crash after it leaves
        the update claimed, so it is skipped. A message is delivered before the form is
        closed (at least once: a crash between the two sends it again). A refused text
        keeps the form open; a refused action (the case out of reach, the role gone)
        closes it, since nothing more can be done with it, and raises."""
        if form.name not in STAFF_FORMS:
            raise Invalid("form", "unknown")
        today = self.clock.now().date()
        asked = await self.forms.answer(actor.user_id, form, value, today, update_id, close=False)
        if asked.error is not None:
            return FormAnswered(form.name, error=asked.error)
        closing = FormClosing(actor.user_id, update_id)
        try:
            return await self._act_on_form(
                actor, form.name, forms.values(asked.form), closing, deliver
            )
        except (NotFound, NotAllowed, Invalid):
            await self.forms.cancel(actor.user_id)
            raise

    async def _act_on_form(
        self,
        actor: Actor,
        name: str,
        data: Mapping[str, Any],
        closing: FormClosing,
        deliver: Deliver | None,
    ) -> FormAnswered:
        case_id, text = int(data.get("case_id") or 0), str(data["text"])
        if name == "note":
            added = await self.add_note(actor, case_id, text, closing=closing)
            return FormAnswered(name, note=added)
        if name == "translation":
            try:
                written = await self._write_translation(actor, case_id, data, closing)
            except InvalidInput as err:  # in another language: type it again
                return FormAnswered(name, error=err)
            return FormAnswered(name, translation=written)
        if deliver is None:
            raise TypeError("a message needs a way to deliver it")
        if name == "relay":
            relay = await self._to_family(actor, case_id, text)
        else:
            relay = await self._back_to(actor, case_id, int(data.get("to") or 0), text)
        if not await deliver(relay):  # the recipient blocked the bot: nothing to record
            await self.forms.cancel(actor.user_id)
            return FormAnswered(name, relay=replace(relay, delivered=False))
        await self.audit.record(
            self.clock.now(),
            actor.user_id,
            "message",
            case_id=relay.case_id,
            target_id=relay.recipient.user_id,
            closing=closing,
        )
        return FormAnswered(name, relay=relay)

    async def form_question(self, actor: Actor, form: Form) -> FormQuestion:
        """The question of an open staff form, to ask it again after a restart (the text
        before it may have been acted on and the reply never sent). Raises ``NotFound`` or
        ``NotAllowed`` when the case is out of reach, or the text was written meanwhile."""
        if form.name not in STAFF_FORMS:
            raise Invalid("form", "unknown")
        case_id = int(form.data.get("case_id") or 0)
        if form.name == "relay_back":
            case = await self.store.get_case_by_id(case_id)
            if case is None or case.reporter_id != actor.user_id:
                raise NotFound("case")
            return FormQuestion(form.name, case)
        case = await self._case(actor, case_id)
        if form.name != "translation":
            return FormQuestion(form.name, case)
        if self.translations is None:
            raise NotAllowed("translations")
        _, left = await self.translations.texts_left(actor, case.id)
        wanted = (form.data.get("field"), form.data.get("language"))
        for item in left:
            if (item.field, item.language) == wanted:
                return FormQuestion(form.name, case, item)
        raise NotFound("translation")

    async def start_translation(self, actor: Actor, case_id: CaseRef) -> TranslationAsked:
        """Open the translation form on the first text the family left to the organisation
        that this actor may read (the dossier's "Write the translations")."""
        if self.translations is None:
            raise NotAllowed("translations")
        case = await self._case(actor, case_id)
        _, left = await self.translations.texts_left(actor, case.id)
        if not left:
            return TranslationAsked(case, None)
        item = left[0]
        data = {"field": item.field, "language": item.language}
        await self.start_form(actor, case, "translation", data)
        return TranslationAsked(case, item)

    async def _write_translation(
        self, actor: Actor, case_id: int, data: Mapping[str, Any], closing: FormClosing
    ) -> TranslationWritten:
        """The letters' use case keeps the text and, in the same transaction, puts the form
        of the next text left in place of this one (a crash after it leaves that question
        open, asked again at start-up); or the family is named to be told that none is
        left. Should another staff member have written that next text meanwhile, the form
        of the first text still left is opened afterwards."""
        if self.translations is None:
            raise NotAllowed("translations")
        case = await self._case(actor, case_id)
        field, language = str(data.get("field")), str(data.get("language"))
        _, before = await self.translations.texts_left(actor, case.id)
        then = next((n for n in before if (n.field, n.language) != (field, language)), None)
        if then is not None:
            opened = {"case_id": case.id, "field": then.field, "language": then.language}
            closing = self.forms.closing_then(closing, SPECS["translation"], opened)
        left = await self.translations.write_translation(
            actor, case.id, field, language, str(data["text"]), closing=closing
        )
        if left:
            item = left[0]
            if item != then:
                await self.start_form(
                    actor, case, "translation", {"field": item.field, "language": item.language}
                )
            return TranslationWritten(case, item, None)
        if then is not None:  # written meanwhile by someone else: nothing left to ask
            await self.forms.cancel(actor.user_id)
        family = await self.store.get_user(case.reporter_id)
        told = (
            Recipient(family.user_id, family.chat_id, family.locale)
            if family is not None and family.blocked_at is None
            else None
        )
        return TranslationWritten(case, None, told)

    async def relay_back(self, actor: Actor, case_id: int, to: int, text: str) -> Relay:
        """The family answers a staff member's message; only its own case, only to someone
        who may still see the case."""
        relay = await self._back_to(actor, case_id, to, text)
        await self.audit.record(
            self.clock.now(), actor.user_id, "message", case_id=relay.case_id, target_id=to
        )
        return relay

    async def _back_to(self, actor: Actor, case_id: int, to: int, text: str) -> Relay:
        """The family's answer to a staff member, checked, not yet recorded."""
        case = await self.store.get_case_by_id(case_id)
        if case is None or case.reporter_id != actor.user_id:
            raise NotFound("case")
        clean = _text(text)
        target = await self.actor(to)
        recipient = await self.recipient(to)
        if target.role not in STAFF_ROLES or recipient is None:
            raise NotFound("staff member")
        if not await self.may_see(target, case):
            raise NotFound("staff member")
        return Relay(case.id, case.number, actor.user_id, recipient, clean)

    async def review_copy(
        self, actor: Actor, case_id: CaseRef, reply_id: int, confirmed: bool
    ) -> CopyReviewed:
        """A caseworker confirms or rejects the text match that marked a reply as a likely
        form reply: the report on the bodies counts the confirmed ones apart."""
        self._require(actor, MANAGERS)
        case = await self._case(actor, case_id)
        replies = await self.followups.replies_of_case(case.id)
        if not any(r.id == reply_id and r.copies for r in replies):
            raise NotFound("reply")
        verdict = "confirmed" if confirmed else "rejected"
        if not await self.followups.review_copy(
            reply_id, verdict, self.clock.now(), actor.user_id
        ):
            raise NotFound("reply")
        return CopyReviewed(case.number, reply_id, confirmed)

    async def _case(self, actor: Actor, case_id: CaseRef) -> Case:
        """The case a staff action is about, read afresh, if the actor may act on it (not
        audited as a view: the action itself is)."""
        self._require(actor, STAFF_ROLES)
        case = await self.store.get_case_by_id(
            case_id.id if isinstance(case_id, Case) else case_id
        )
        if case is None or not await self.may_see(actor, case):
            raise NotFound("case")
        return case

    @staticmethod
    def _require(actor: Actor, roles: frozenset[Role]) -> None:
        if actor.role not in roles:
            raise NotAllowed(actor.role)


def _text(text: str) -> str:
    """A note or a message as it is kept: cleaned, not empty, not over ``NOTE_LIMIT``."""
    try:
        clean, _ = clean_text(text, NOTE_LIMIT, truncate=False)
    except InvalidInput as err:
        raise Invalid("text", err.code) from err
    return clean
