"""A family deletes everything it entered (/delete).

One use case, so that the chat and any other front end delete the same things the same
way: the person, their report in progress, cases, letters, files' references, reminders
and open forms go; anonymous counts stay for the statistics, and the audit keeps what
was done without anything that leads back to the person (``Store.delete_user_data``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.domain.models import User
from bot.services.errors import NotFound
from bot.storage.store import Store


@dataclass(frozen=True)
class Deleted:
    cases: int  # how many cases were removed with the person


class PrivacyService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def delete_everything(self, user: User | None) -> Deleted:
        """Remove all the person's data in one transaction. ``NotFound`` when nothing
        about them is stored (never registered, or already deleted)."""
        if user is None or await self.store.get_user(user.user_id) is None:
            raise NotFound("user")
        removed = await self.store.delete_user_data(user.user_id, self.clock.now())
        return Deleted(removed)
