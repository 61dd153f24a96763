"""A local stand-in for the Telegram Bot API, plugged in as PTB's request object.

The offline terminal chat, the tests and the benchmark all run the real
``Application`` against this class instead of the network. It answers every
method the bot uses with well-formed objects, records each call, and can
delay calls or fail them the way Telegram does (429, 403, 400, time-outs).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Izdeu",
    "username": "izdeu_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


def message_result(
    params: dict[str, Any], message_id: int, sender: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """The Message object Telegram answers a send or edit with (inline keyboard echoed)."""
    chat_id = int(params.get("chat_id") or 0)
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
        "from": sender,
    }
    for key in ("text", "caption"):
        if key in params:
            message[key] = params[key]
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    message.update(extra)
    return message


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):  # a channel's @name
            return None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        markup = self.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        return markup if isinstance(markup, dict) else None

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data or '') of every button in the markup, in order."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [(b.get("text", ""), b.get("callback_data", "")) for row in rows for b in row]


@dataclass
class Fault:
    """What the next matching call should suffer."""

    status: int = 400
    description: str = "Bad Request"
    retry_after: int | None = None
    timeout: bool = False
    network: bool = False


class LocalBotAPI(BaseRequest):
    """Answers Bot API calls in-process; see the module docstring."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: list[Call] = []
        # The same calls by chat: a test or a simulated family looks up its own chat's
        # messages at every step, which must not cost a scan of every chat's calls.
        self.by_chat: dict[int | None, list[Call]] = {}
        self.faults: dict[str, deque[Fault]] = {}
        self.listeners: list[Callable[[Call], None]] = []
        self._message_ids = itertools.count(1)
        # What a download of a file the user sent returns, by file id (empty otherwise).
        self.downloads: dict[str, bytes] = {}
        # Whether a file streamed from disk is kept in ``calls``; off, it is read through in
        # chunks and dropped, as a server receiving it would (a benchmark's memory figure
        # is then the bot's own).
        self.keep_files = True

    # --- BaseRequest -----------------------------------------------------
    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api = url.rsplit("/", 1)[-1]
        if "/file/" in url:  # a download: the bytes themselves, not a JSON answer
            return 200, self.downloads.get(api, b"")
        params = dict(request_data.parameters) if request_data else {}
        files: dict[str, tuple[str, bytes, str]] = {}
        if request_data is not None and request_data.contains_files:
            # Telegram reads an upload on its own servers: the stand-in reads it in a
            # thread, so that a benchmark does not charge the bot's loop for it.
            files = await asyncio.to_thread(_files, request_data, self.keep_files)
        if self.delay:
            await asyncio.sleep(self.delay)
        fault = self._take_fault(api)
        if fault is not None:
            if fault.timeout:
                raise TimedOut("simulated time-out")
            if fault.network:
                raise NetworkError("simulated network error")
            body: dict[str, Any] = {
                "ok": False,
                "error_code": fault.status,
                "description": fault.description,
            }
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return fault.status, json.dumps(body).encode()
        result = self._result(api, params, files)
        call = Call(api, params, files, result)
        self.calls.append(call)
        self.by_chat.setdefault(call.chat_id, []).append(call)
        for listener in self.listeners:
            listener(call)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # --- faults ------------------------------------------------------------
    def fail_next(self, method: str, fault: Fault) -> None:
        self.faults.setdefault(method, deque()).append(fault)

    def _take_fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method)
        return queue.popleft() if queue else None

    # --- answers -----------------------------------------------------------
    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message_id = int(params.get("message_id") or next(self._message_ids))
        return message_result(params, message_id, BOT_USER, **extra)

    def _result(self, api: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if api == "getMe":
            return BOT_USER
        if api == "getUpdates":
            return []
        if api in (
            "sendMessage",
            "editMessageText",
            "editMessageReplyMarkup",
            "editMessageCaption",
        ):
            return self._message(params)
        if api in ("sendDocument", "sendPhoto"):
            field_name = "document" if api == "sendDocument" else "photo"
            name, data, mime = files.get(field_name, ("file", b"", "application/octet-stream"))
            uid = f"local{next(self._message_ids)}"
            attachment = {"file_id": uid, "file_unique_id": uid, "file_size": len(data)}
            if api == "sendDocument":
                return self._message(
                    params, document={**attachment, "file_name": name, "mime_type": mime}
                )
            return self._message(params, photo=[{**attachment, "width": 1, "height": 1}])
        if api == "sendMediaGroup":
            media = params.get("media")
            items = json.loads(media) if isinstance(media, str) else (media or [])
            return [
                self._message(
                    params,
                    photo=[
                        {
                            "file_id": f"g{next(self._message_ids)}",
                            "file_unique_id": "g",
                            "width": 1,
                            "height": 1,
                        }
                    ],
                )
                for _ in items
            ]
        if api == "getFile":
            return {
                "file_id": params.get("file_id"),
                "file_unique_id": "u",
                "file_path": f"files/{params.get('file_id')}",
            }
        # setMyCommands, answerCallbackQuery, deleteMessage, sendChatAction, set/deleteWebhook...
        return True

    # --- helpers for tests ---------------------------------------------------
    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        calls = self.calls if chat_id is None else self.by_chat.get(chat_id, [])
        return [c for c in calls if method is None or c.method == method]

    def messages(self, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.sent(chat_id)
            if c.method in ("sendMessage", "sendDocument", "sendPhoto", "editMessageText")
        ]

    def last_message(self, chat_id: int | None = None) -> Call:
        found = self.messages(chat_id)
        if not found:
            raise AssertionError("no message was sent")
        return found[-1]

    def clear(self) -> None:
        self.calls.clear()
        self.by_chat.clear()


def _files(request_data: RequestData | None, keep: bool) -> dict[str, tuple[str, bytes, str]]:
    if request_data is None or not request_data.contains_files:
        return {}
    out = {}
    for name, value in request_data.multipart_data.items():
        if not isinstance(value, tuple) or len(value) < 2:
            continue
        content = value[1]
        if not isinstance(content, bytes) and hasattr(content, "read"):
            content.seek(0)  # a file streamed from disk (``InputFile(read_file_handle=False)``)
            if keep:
                content = content.read()
            else:
                while content.read(1 << 16):
                    pass
                content = b""
        if isinstance(content, bytes):
            out[name] = (str(value[0]), content, str(value[2]) if len(value) > 2 else "")
    return out
