"""Finding a case by the missing person's name, while every name stays sealed.

The words typed are folded to their skeletons (``bot.domain.names``) and looked up
as keyed tokens in the name index (``bot.storage.names``): no report is opened to
search, and the search is audited (how many words, how many cases found; never
the words, which would put a name in the log).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.clock import Clock
from bot.domain.names import name_words
from bot.i18n import N_
from bot.services.errors import Invalid, NotAllowed
from bot.services.staff import MANAGERS, Actor, Role
from bot.storage.database import Database
from bot.storage.names import NameIndex
from bot.storage.staff import CaseSummary, StaffStore
from bot.storage.store import record_audit

MAX_QUERY = 200  # characters: longer is not a name
LIMIT = 50  # cases shown for one search


@dataclass(frozen=True)
class NameSearchResult:
    cases: tuple[CaseSummary, ...]  # the latest reported first, at most ``LIMIT``
    total: int  # every case found (a volunteer: of their cases)
    names: Mapping[int, str]  # staff names of the volunteers on these cases


class NameSearch:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.index = NameIndex(db)
        self.clock = clock

    async def search_by_name(self, actor: Actor, text: str) -> NameSearchResult:
        """Cases whose missing person's name has every word of ``text`` (any spelling:
        Kazakh or Kyrgyz letters, Russian, the passport's Latin). Caseworkers search
        every case, volunteers their assigned ones."""
        if actor.role is Role.VOLUNTEER:
            volunteer: int | None = actor.user_id
        elif actor.role in MANAGERS:
            volunteer = None
        else:
            raise NotAllowed(actor.role)
        if len(text) > MAX_QUERY:
            raise Invalid("name", N_("A name is shorter than that: type a few words of it."))
        words = name_words(text)
        if not words:
            raise Invalid("name", N_("Type a word of the name, two letters or more."))
        today = self.clock.now().date().isoformat()
        found, total = await self.index.find(words, volunteer, today, LIMIT)
        async with self.db.transaction() as conn:
            await record_audit(
                conn,
                self.clock.now(),
                actor.user_id,
                "search_name",
                detail={"words": len(words), "found": total},
            )
        names = await StaffStore(self.db).names({v for c in found for v in c.volunteers})
        return NameSearchResult(tuple(found), total, names)
