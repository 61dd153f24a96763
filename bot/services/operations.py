"""Use cases of running the bot itself: updates already handled, a family that blocked
the bot, the language an administrator reads reports in.

The front end's runtime (building the application, the error handler, the operator's
jobs) calls these instead of the store, so the storage layer stays behind the core.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.storage.database import StorageUnavailable
from bot.storage.followup import FollowupStore
from bot.storage.store import DuplicateUpdate, Store

# The storage errors the runtime must tell apart (a re-delivered update, a database that
# cannot be used): named here so that the front end needs no storage import.
__all__ = ["DuplicateUpdate", "Operations", "StorageUnavailable"]


class Operations:
    """What the runtime around the handlers asks of the core."""

    def __init__(self, store: Store, followups: FollowupStore, clock: Clock) -> None:
        self.store = store
        self.followups = followups
        self.clock = clock

    async def already_handled(self, update_id: int) -> bool:
        """Telegram re-sends an update it did not see acknowledged: apply each once."""
        return await self.store.seen_update(update_id)

    async def handled(self, update_id: int) -> None:
        """Remember an update that changed nothing (the others recorded themselves)."""
        await self.store.mark_update(update_id, self.clock.now())

    async def user_blocked(self, user_key: int) -> None:
        """The person blocked the bot: reminders stop, cases stay."""
        await self.followups.user_blocked(user_key, self.clock.now())

    async def locale_of(self, user_key: int) -> str | None:
        """The language a registered person reads in (None if not registered)."""
        user = await self.store.get_user(user_key)
        return user.locale if user else None
