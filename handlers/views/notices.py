"""Sending the notices to other people that wait in the notices table.

An action writes the notice it causes in its own transaction (``bot.services.notices``);
this sends what waits, each in its recipient's language, right after such an action
and at start-up, and marks each one sent once Telegram took it. A notice Telegram did
not take (a network error, a limit) stays for the next round; one to a person who
blocked the bot is dropped, since it can never arrive. Sent without a reply's priority:
the rate limiter gives it the background's turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.app import Services
from bot.i18n import Translator
from bot.services.notices import Notice

log = logging.getLogger(__name__)


Text = Callable[[Translator, Services, dict[str, Any]], str]

# What each kind of notice says, registered by the view of the feature that writes it
# (``says``), from the texts that view already has.
TEXTS: dict[str, Text] = {}


def says(kind: str) -> Callable[[Text], Text]:
    """Register the function that words notices of ``kind`` in the recipient's language."""

    def register(text: Text) -> Text:
        TEXTS[kind] = text
        return text

    return register


async def send_notices(bot: Bot, s: Services) -> list[Notice]:
    """Send every notice waiting; the ones Telegram took."""
    taken: list[Notice] = []
    async with s.notices.sending:
        for notice in await s.notices.waiting():
            text = TEXTS.get(notice.kind)
            if text is None:  # written by a newer version of the bot: kept for it
                continue
            t = s.catalogs.get(notice.locale or None)
            try:
                await bot.send_message(notice.chat_id, text(t, s, notice.values))
            except Forbidden:
                log.warning("notice %s dropped: the recipient blocked the bot", notice.id)
                await s.notices.sent(notice)
                continue
            except TelegramError as error:
                log.warning("notice %s not sent yet: %s", notice.id, type(error).__name__)
                continue
            await s.notices.sent(notice)
            taken.append(notice)
    return taken
