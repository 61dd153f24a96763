"""Notices to other people waiting in the notices table, for the front end to send.

An action writes the notice it causes in its own transaction (e.g. ``bot.services.
review`` for a letter sent back with the caseworker's note), so a crash between its
commit and the send loses nothing. The front end sends what waits right after such an
action and at start-up, and marks each notice sent once the messenger took it; a crash
in between sends it again (at least once: a duplicate is better than a lost note).
"""

from __future__ import annotations

import asyncio

from bot.storage.notices import Notice, NoticeStore

__all__ = ["Notice", "NoticeService"]


class NoticeService:
    def __init__(self, store: NoticeStore) -> None:
        self.store = store
        # One sender at a time: two actions finishing together would send a notice twice.
        self.sending = asyncio.Lock()

    async def waiting(self, limit: int = 100) -> list[Notice]:
        """The oldest notices not sent yet, each with its recipient's chat and language."""
        return await self.store.waiting(limit)

    async def sent(self, notice: Notice) -> None:
        """The messenger took ``notice`` (or can never take it: the bot is blocked)."""
        await self.store.sent(notice.id)
