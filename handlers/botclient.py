"""The bot's Bot API client: python-telegram-bot's ``ExtBot``, minus reading answers
that nothing reads.

Telegram answers a sent or edited message with the whole message, and
python-telegram-bot turns it into a ``Message`` object: 50 µs for a plain one and
about 110 µs for one with an inline keyboard, more than the rest of the call. The
bot makes two such calls for most updates and never looks at what they return.
This client still sends every call through the same path (defaults, the rate
limiter, retries, errors), and hands back ``True``, as Telegram itself does for
an edit of an inline message, instead of a ``Message``.

Code that needs the sent message (its id, its file) must not be written against
this client; ``tests/test_botclient.py`` pins which methods answer ``True`` and fails
if a handler keeps what a send returns. ``Bot._post`` is python-telegram-bot's own
(private) funnel for every call; the pinned version (22.8) is the one this was
written and tested against.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import ExtBot
from telegram.request import BaseRequest, HTTPXRequest

# Methods whose answer is a Message the handlers never read.
UNREAD_ANSWERS = frozenset({
    "sendMessage", "sendDocument", "sendPhoto",
    "editMessageText", "editMessageReplyMarkup", "editMessageCaption",
})

# What python-telegram-bot's ApplicationBuilder would give the bot by default.
POOL_SIZE = 256
UPDATES_POOL_SIZE = 1


class Client(ExtBot[None]):
    """``ExtBot`` whose sends and edits answer ``True`` instead of a parsed ``Message``."""

    __slots__ = ()

    async def _post(self, endpoint: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, **kwargs)
        return True if endpoint in UNREAD_ANSWERS else result


def client(token: str, *, base_url: str | None = None, base_file_url: str | None = None,
           request: BaseRequest | None = None, updates_request: BaseRequest | None = None,
           rate_limiter: Any = None) -> Client:
    """The client, with the requests python-telegram-bot's builder would have made."""
    urls = {name: value for name, value in (("base_url", base_url),
                                            ("base_file_url", base_file_url)) if value}
    return Client(
        token,
        request=request or HTTPXRequest(connection_pool_size=POOL_SIZE),
        get_updates_request=(updates_request or request
                             or HTTPXRequest(connection_pool_size=UPDATES_POOL_SIZE)),
        rate_limiter=rate_limiter,
        **urls,
    )
