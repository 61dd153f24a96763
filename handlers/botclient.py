"""The bot's Bot API client: python-telegram-bot's own ``ExtBot``, as its builder makes it.

Only public constructor arguments are used: the request objects (the network, or
the local stand-in of the offline chat, the tests and the benchmark), a
self-hosted Bot API server's URLs and the rate limiter. Nothing of the library
is overridden, so any 22.x release can be used (``python-telegram-bot~=22.8``).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import ExtBot
from telegram.request import BaseRequest, HTTPXRequest

# What python-telegram-bot's ApplicationBuilder would give the bot by default.
POOL_SIZE = 256
UPDATES_POOL_SIZE = 1


def client(
    token: str,
    *,
    base_url: str | None = None,
    base_file_url: str | None = None,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limiter: Any = None,
) -> ExtBot[Any]:
    """The client, with the requests python-telegram-bot's builder would have made."""
    urls = {
        name: value
        for name, value in (("base_url", base_url), ("base_file_url", base_file_url))
        if value
    }
    return ExtBot(
        token,
        request=request or HTTPXRequest(connection_pool_size=POOL_SIZE),
        get_updates_request=(
            updates_request or request or HTTPXRequest(connection_pool_size=UPDATES_POOL_SIZE)
        ),
        rate_limiter=rate_limiter,
        **urls,
    )
