"""Sending within Telegram's limits: 30 messages a second overall, one a second per chat.

PTB's ``AIORateLimiter`` enforces the overall limit and the group limit and
retries a 429 after its ``retry_after``, but it does not pace messages to one
private chat. Messages the bot sends on its own (reminders, digests, the
letters attached to them) are paced at one a second per chat: run them inside
``paced()``. Answers to what a user just typed are paced by the user and go
out at once.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Any, Callable, Coroutine

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

JSONish = Any
MAX_IDLE_LIMITERS = 1024
_PACED: ContextVar[bool] = ContextVar("paced", default=False)


@contextlib.contextmanager
def paced() -> Any:
    """Within this block, messages to one private chat leave at most one a second."""
    token = _PACED.set(True)
    try:
        yield
    finally:
        _PACED.reset(token)


class PerChatRateLimiter(AIORateLimiter):
    def __init__(self, per_chat_rate: float = 1.0, per_chat_period: float = 1.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rate = per_chat_rate
        self._period = per_chat_period
        self._chat_limiters: dict[int, AsyncLimiter] = {}

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._chat_limiters) > MAX_IDLE_LIMITERS:
            for key, limiter in list(self._chat_limiters.items()):
                if limiter.has_capacity(self._rate):  # unused for a full period: forget it
                    del self._chat_limiters[key]
        limiter = self._chat_limiters.get(chat_id)
        if limiter is None:
            limiter = self._chat_limiters[chat_id] = AsyncLimiter(self._rate, self._period)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONish]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONish:
        chat_id = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        if _PACED.get() and isinstance(chat_id, int) and chat_id > 0:
            async with self._chat_limiter(chat_id):
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                     rate_limit_args)
        return await super().process_request(callback, args, kwargs, endpoint, data,
                                             rate_limit_args)
