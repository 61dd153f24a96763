"""The dossier screens of the organisation's chat and desk: one read, one result each.

A staff member opening a case in the chat sees the dossier, the case's UN (WGEID)
summary and the texts the family left to the organisation to translate; on the desk,
the dossier, the volunteers to assign and the case's letters waiting for review. These
come from several services (staff, UN, letters, review), and this module is above all
of them, so a front end calls one use case and renders one frozen result.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.letters.translations import Needed
from bot.services.errors import Invalid
from bot.services.letters import LetterService
from bot.services.review import ReviewEntry, ReviewService
from bot.services.staff import (
    MANAGERS,
    Actor,
    Dossier,
    NoteAdded,
    Relay,
    StaffService,
    VolunteerChoice,
)
from bot.services.un import Overview, UnService


@dataclass(frozen=True)
class DossierScreen:
    dossier: Dossier  # the view is audited when it is read
    un: Overview  # the UN checklist's summary, in the reader's language
    translations_waiting: tuple[Needed, ...]  # texts left to the organisation


@dataclass(frozen=True)
class DeskDossier:
    dossier: Dossier  # the view is audited when it is read
    volunteers: tuple[VolunteerChoice, ...]  # to assign (managers only, else empty)
    in_review: tuple[ReviewEntry, ...]  # letters waiting for review (managers only)


class RefusedOnPage(Invalid):
    """A text typed on the desk's dossier page was refused (nothing changed); it carries
    the page as it reads now, so the desk shows it again with the reason in one call."""

    def __init__(self, err: Invalid, page: DeskDossier) -> None:
        super().__init__(err.field, err.reason, **err.params)
        self.page = page


class DossierScreens:
    def __init__(
        self, staff: StaffService, un: UnService, letters: LetterService, review: ReviewService
    ) -> None:
        self.staff = staff
        self.un = un
        self.letters = letters
        self.review = review

    async def open(
        self,
        actor: Actor,
        locale: str,
        *,
        number: str | None = None,
        case_id: int | None = None,
    ) -> DossierScreen:
        """Everything the dossier screen shows; ``NotFound`` / ``NotAllowed`` like
        ``StaffService.dossier``."""
        dossier = await self.staff.dossier(actor, number=number, case_id=case_id)
        overview = await self.un.overview(actor, dossier.case, locale)
        _, waiting = await self.letters.texts_left(actor, dossier.case.id)
        return DossierScreen(dossier, overview, tuple(waiting))

    async def desk(self, actor: Actor, number: str) -> DeskDossier:
        """The desk's dossier page: the dossier and, for a caseworker or administrator,
        the volunteers to assign and the case's letters waiting for review."""
        dossier = await self.staff.dossier(actor, number=number)
        if actor.role not in MANAGERS:
            return DeskDossier(dossier, (), ())
        choices = (await self.staff.volunteers(actor, dossier.case.id)).choices
        in_review = await self.review.of_case(actor, dossier.case.id)
        return DeskDossier(dossier, choices, tuple(in_review))

    async def add_note(self, actor: Actor, case_id: int, number: str, text: str) -> NoteAdded:
        """The desk's note (``StaffService.add_note``); refused: ``RefusedOnPage`` with the
        page of case ``number`` (its view audited, as when it is opened)."""
        try:
            return await self.staff.add_note(actor, case_id, text)
        except Invalid as err:
            raise RefusedOnPage(err, await self.desk(actor, number)) from err

    async def message_family(self, actor: Actor, case_id: int, number: str, text: str) -> Relay:
        """The desk's message to the family (``StaffService.message_family``); refused:
        ``RefusedOnPage`` with the page of case ``number``."""
        try:
            return await self.staff.message_family(actor, case_id, text)
        except Invalid as err:
            raise RefusedOnPage(err, await self.desk(actor, number)) from err

    async def toggle_flag(
        self, actor: Actor, case_id: int, flag: str, locale: str
    ) -> DossierScreen:
        """Turn a flag of the case over (``StaffService.toggle_flag``) and show the
        dossier with it: the chat's button edits the dossier in place."""
        await self.staff.toggle_flag(actor, case_id, flag)
        return await self.open(actor, locale, case_id=case_id)

    async def review_copy(
        self, actor: Actor, case_id: int, reply_id: int, confirmed: bool, locale: str
    ) -> DossierScreen:
        """Confirm or reject a likely form reply (``StaffService.review_copy``) and show
        the dossier without its buttons."""
        await self.staff.review_copy(actor, case_id, reply_id, confirmed)
        return await self.open(actor, locale, case_id=case_id)
