"""The dossier screen of the organisation's chat: one read, one result.

A staff member opening a case sees the dossier, the case's UN (WGEID) summary and the
texts the family left to the organisation to translate. The three come from three
services (staff, UN, letters), and this module is above all of them, so the front end
calls one use case and renders one frozen result.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.letters.translations import Needed
from bot.services.letters import LetterService
from bot.services.staff import Actor, Dossier, StaffService
from bot.services.un import Overview, UnService


@dataclass(frozen=True)
class DossierScreen:
    dossier: Dossier  # the view is audited when it is read
    un: Overview  # the UN checklist's summary, in the reader's language
    translations_waiting: tuple[Needed, ...]  # texts left to the organisation


class DossierScreens:
    def __init__(self, staff: StaffService, un: UnService, letters: LetterService) -> None:
        self.staff = staff
        self.un = un
        self.letters = letters

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
