"""A stand-in Bot API that enforces Telegram's message limits strictly: a message beyond
``overall`` in any ``period``, or to a private chat less than ``per_chat_gap`` after the
last one, is refused with 429 and ``retry_after`` instead of delivered, and counted."""

from __future__ import annotations

import json
import math
import time
from collections import deque
from typing import Any

from telegram.request import RequestData

from handlers.localapi import LocalBotAPI
from handlers.ratelimit import counted


class EnforcingBotAPI(LocalBotAPI):
    """``LocalBotAPI`` that refuses what Telegram would refuse (5 ms of slack per chat for
    timer jitter)."""

    def __init__(
        self,
        overall: int = 30,
        period: float = 1.0,
        per_chat_gap: float = 1.0,
        delay: float = 0.0,
        slack: float = 0.005,
        keep_calls: bool = True,
    ) -> None:
        super().__init__(delay)
        self.overall, self.period = overall, period
        self.per_chat_gap, self.slack = per_chat_gap, slack
        self.keep_calls = keep_calls
        self.accepted: list[tuple[float, int, str]] = []  # (time, chat, text)
        self.refused = 0
        self._window: deque[float] = deque()
        self._last: dict[int, float] = {}

    def wait(self, chat: int, now: float) -> float:
        """Seconds until a message to ``chat`` would be within the limits (0: it is)."""
        while self._window and self._window[0] <= now - self.period:
            self._window.popleft()
        overall = self._window[0] + self.period - now if len(self._window) >= self.overall else 0.0
        last = self._last.get(chat) if chat > 0 else None
        per_chat = last + self.per_chat_gap - self.slack - now if last is not None else 0.0
        return max(overall, per_chat, 0.0)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        api = url.rsplit("/", 1)[-1]
        if counted(api) and request_data is not None:
            params = request_data.parameters
            chat = int(params["chat_id"])
            now = time.monotonic()
            wait = self.wait(chat, now)
            if wait > 0:
                self.refused += 1
                body = {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {math.ceil(wait)}",
                    "parameters": {"retry_after": math.ceil(wait)},
                }
                return 429, json.dumps(body).encode()
            self._window.append(now)
            self._last[chat] = now
            self.accepted.append((now, chat, str(params.get("text", ""))))
        answer = await super().do_request(url, method, request_data, *args, **kwargs)
        if not self.keep_calls:
            self.clear()
        return answer
