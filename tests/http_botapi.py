"""A stand-in for the Telegram Bot API over real HTTP, for end-to-end tests.

The bot runs as a separate process and talks to this server the way it talks
to Telegram (``TELEGRAM_API_BASE_URL=http://127.0.0.1:<port>/bot``): requests
``/bot<token>/<method>`` with form-encoded, JSON or multipart bodies. The
server answers the methods the bot uses with well-formed Bot API objects,
records every call, and hands out the updates a test queues to ``getUpdates``
(long polling). ``TelegramUser`` builds the updates one simulated person sends.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from handlers.localapi import Call as LocalCall
from handlers.localapi import message_result

BOT_ID = 123456
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Izdeu",
    "username": "izdeu_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

MESSAGE_METHODS = ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")


class Call(LocalCall):
    """One request the bot made: the method, its parameters, uploaded files, our answer."""

    def find_button(self, wanted: str) -> str:
        """Callback data of the button whose data is ``wanted`` or ends with ``:wanted``."""
        for text, data in self.buttons():
            if data and (data == wanted or data.endswith(":" + wanted) or text == wanted):
                return data
        raise AssertionError(f"no button {wanted!r} in {self.buttons()}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # A bot that starts with a backlog opens dozens of connections at once; with the
    # default listen queue of 5 some were dropped and their calls failed (ReadError).
    request_queue_size = 128
    api: BotAPIServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (the bot was stopped mid long poll) is no error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30  # an idle keep-alive connection is dropped after this long

    def setup(self) -> None:
        super().setup()
        self.server.api._connections_add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.api._connections_discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return None

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, payload = self.server.api._handle(
            self.command, self.path, self.headers.get("Content-Type", ""), body
        )
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


Files = dict[str, tuple[str, bytes, str]]  # parameter name: (file name, bytes, MIME type)


def parse_body(content_type: str, body: bytes, query: str = "") -> tuple[dict[str, Any], Files]:
    """Parameters and uploaded files of a Bot API request, whatever its encoding."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    files: Files = {}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" and body:
        params.update(json.loads(body))
    elif kind == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                files[str(name)] = (filename, payload, part.get_content_type())
            else:
                charset = part.get_content_charset() or "utf-8"
                params[str(name)] = payload.decode(charset)
    return params, files


class BotAPIServer:
    """The Bot API on 127.0.0.1 in a background thread; see the module docstring.

    ``max_hold`` caps how long a ``getUpdates`` call is held open when there is
    nothing to deliver (the bot asks for longer), so shutdown stays quick.
    """

    def __init__(self, token: str = "123456:TEST", max_hold: float = 1.0) -> None:
        self.token = token
        self.max_hold = max_hold
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] | None = None
        self.enqueued: list[dict[str, Any]] = []
        self._updates: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1000)
        self._file_ids = itertools.count(1)
        self._connections: set[socket.socket] = set()
        self._stopping = False
        self.held: set[str] = set()  # methods whose calls wait (see ``hold``)
        self._faults: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.api = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- life cycle --------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> BotAPIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._httpd.shutdown()
        with self._cond:
            connections = list(self._connections)
        for conn in connections:  # wake handlers waiting on idle keep-alive connections
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with self._cond:
                if not self._connections:
                    break
            time.sleep(0.01)
        self._httpd.server_close()
        self._thread.join(5)

    def __enter__(self) -> BotAPIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _connections_add(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.add(conn)

    def _connections_discard(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.discard(conn)

    # --- requests ---------------------------------------------------------------
    def _handle(
        self, verb: str, path: str, content_type: str, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        url = urlsplit(path)
        parts = url.path.strip("/").split("/")
        if len(parts) < 2 or parts[0] != f"bot{self.token}":
            if parts and parts[0] == "file":
                return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = parts[1]
        try:
            params, files = parse_body(content_type, body, url.query)
        except (ValueError, UnicodeDecodeError) as exc:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        refusal = self._held_or_failed(method)
        if refusal is not None:
            return refusal
        if method == "getUpdates":
            result: Any = self._get_updates(params)
        else:
            result = self._result(method, params, files)
        call = Call(method, params, files, result)
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
        return int(HTTPStatus.OK), {"ok": True, "result": result}

    def _held_or_failed(self, method: str) -> tuple[int, dict[str, Any]] | None:
        """A held call waits until ``release`` and then fails, unrecorded (the bot that made
        it was killed meanwhile); a call with a fault queued fails with it."""
        with self._cond:
            if method in self.held:
                while method in self.held and not self._stopping:
                    self._cond.wait(0.5)
                return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            faults = self._faults.get(method)
            if faults:
                status, extra = faults.pop(0)
                return status, {
                    "ok": False,
                    "error_code": status,
                    "description": "Internal Server Error",
                    **extra,
                }
        return None

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        hold = min(float(params.get("timeout") or 0), self.max_hold)
        deadline = time.monotonic() + hold
        with self._cond:
            if offset:  # Telegram forgets the updates below the offset: they were confirmed
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self._updates[:limit])

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message_id = params.get("message_id")
        number = int(message_id) if message_id else next(self._message_ids)
        return message_result(params, number, BOT_USER, **extra)

    def _result(self, method: str, params: dict[str, Any], files: Files) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "setWebhook":
            self.webhook = dict(params)
            return True
        if method == "deleteWebhook":
            self.webhook = None
            return True
        if method == "getWebhookInfo":
            return {
                "url": (self.webhook or {}).get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
        if method in (
            "sendMessage",
            "editMessageText",
            "editMessageReplyMarkup",
            "editMessageCaption",
        ):
            return self._message(params)
        if method in ("sendDocument", "sendPhoto"):
            key = "document" if method == "sendDocument" else "photo"
            name, data, mime = files.get(key, (str(params.get(key, "file")), b"", ""))
            fid = f"sent{next(self._file_ids)}"
            attachment = {"file_id": fid, "file_unique_id": fid, "file_size": len(data)}
            if method == "sendDocument":
                return self._message(
                    params, document={**attachment, "file_name": name, "mime_type": mime}
                )
            return self._message(params, photo=[{**attachment, "width": 1, "height": 1}])
        if method == "getFile":
            return {
                "file_id": params.get("file_id"),
                "file_unique_id": "u",
                "file_path": f"files/{params.get('file_id')}",
            }
        # setMyCommands, answerCallbackQuery, sendChatAction, deleteMessage...
        return True

    # --- for tests --------------------------------------------------------------
    def hold(self, *methods: str) -> None:
        """Calls of ``methods`` wait, as if Telegram never answered, until ``release``."""
        with self._cond:
            self.held.update(methods)

    def release(self) -> None:
        with self._cond:
            self.held.clear()
            self._cond.notify_all()

    def fail_next(
        self, method: str, times: int = 1, status: int = 500, retry_after: int | None = None
    ) -> None:
        """The next ``times`` calls of ``method`` fail with ``status`` (429: flood control)."""
        extra = {"parameters": {"retry_after": retry_after}} if retry_after is not None else {}
        with self._cond:
            self._faults.setdefault(method, []).extend([(status, extra)] * times)

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Hand an update to the next ``getUpdates`` call."""
        with self._cond:
            self.enqueued.append(update)
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def snapshot(self) -> list[Call]:
        with self._cond:
            return list(self.calls)

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        return [
            c
            for c in self.snapshot()
            if (chat_id is None or c.chat_id == chat_id) and (method is None or c.method == method)
        ]

    def messages(self, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.sent(chat_id) if c.method in MESSAGE_METHODS]

    def mark(self) -> int:
        """A position in the call log, for ``wait_for(..., since=mark)``."""
        with self._cond:
            return len(self.calls)

    def wait_for(
        self, predicate: Callable[[Call], bool], *, since: int = 0, timeout: float = 10.0
    ) -> Call:
        """The first call at or after ``since`` matching ``predicate``; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for call in self.calls[since:]:
                    if predicate(call):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    recent = [(c.method, c.text[:80]) for c in self.calls[-8:]]
                    raise AssertionError(f"timed out after {timeout} s; last calls: {recent}")
                self._cond.wait(left)

    def wait_method(
        self, method: str, *, since: int = 0, timeout: float = 10.0, chat_id: int | None = None
    ) -> Call:
        return self.wait_for(
            lambda c: c.method == method and (chat_id is None or c.chat_id == chat_id),
            since=since,
            timeout=timeout,
        )

    def last_with_buttons(self, chat_id: int | None = None) -> Call:
        for call in reversed(self.messages(chat_id)):
            if call.buttons():
                return call
        raise AssertionError("no message with buttons")

    def last_buttons(self, chat_id: int | None = None) -> list[tuple[str, str]]:
        return self.last_with_buttons(chat_id).buttons()


def bot_environment(api: BotAPIServer, data_dir: Path, key: str, **extra: str) -> dict[str, str]:
    """The environment of a bot process (``python -m bot run``) talking to ``api``: this
    machine's variables without the bot's own settings or any proxy, then these."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("IZDEU_", "TELEGRAM_")) and "proxy" not in k.lower()
    }
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_API_FILE_URL": api.file_url,
            "IZDEU_DATA_DIR": str(data_dir),
            "IZDEU_ENCRYPTION_KEY": key,
            "IZDEU_LOG_LEVEL": "INFO",
            "IZDEU_WEB_PORT": "0",  # the desk on a free port: bot processes run side by side
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


class TelegramUser:
    """Bot API update dicts sent by one person in a private chat with the bot.

    ``deliver`` takes an update and hands it to the bot: ``BotAPIServer.enqueue``
    for long polling, a POST to the bot's webhook for webhook mode.
    """

    def __init__(
        self,
        api: BotAPIServer,
        deliver: Callable[[dict[str, Any]], Any],
        user_id: int = 4242,
        first_name: str = "Aigul",
        language_code: str | None = "kk",
    ) -> None:
        self.api = api
        self.deliver = deliver
        self.user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.user["language_code"] = language_code
        self.chat = {"id": user_id, "type": "private", "first_name": first_name}
        self._message_ids = itertools.count(100_000)
        self._last_delivery = 0

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def _message(self, **fields: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            **fields,
        }

    def update(self, **fields: Any) -> dict[str, Any]:
        return {"update_id": self.api.next_update_id(), **fields}

    def text_update(self, text: str) -> dict[str, Any]:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.update(message=self._message(**fields))

    def press_update(self, data: str, message: dict[str, Any]) -> dict[str, Any]:
        query = {
            "id": str(next(self._message_ids)),
            "from": self.user,
            "chat_instance": f"ci{self.id}",
            "data": data,
            "message": message,
        }
        return self.update(callback_query=query)

    def contact_update(self, phone: str) -> dict[str, Any]:
        return self.update(
            message=self._message(
                contact={
                    "phone_number": phone,
                    "first_name": self.user["first_name"],
                    "user_id": self.id,
                }
            )
        )

    def photo_update(self, caption: str | None = None) -> dict[str, Any]:
        fid = f"photo{next(self._message_ids)}"
        fields: dict[str, Any] = {
            "photo": [
                {
                    "file_id": fid,
                    "file_unique_id": fid,
                    "width": 1280,
                    "height": 960,
                    "file_size": 200_000,
                }
            ]
        }
        if caption:
            fields["caption"] = caption
        return self.update(message=self._message(**fields))

    def document_update(self, name: str, mime: str = "application/pdf") -> dict[str, Any]:
        fid = f"doc{next(self._message_ids)}"
        return self.update(
            message=self._message(
                document={
                    "file_id": fid,
                    "file_unique_id": fid,
                    "file_name": name,
                    "mime_type": mime,
                    "file_size": 300_000,
                }
            )
        )

    # --- sending and waiting for the reply -------------------------------------------
    def _send(self, update: dict[str, Any], *, timeout: float) -> Call:
        """Deliver, wait for the first reply, then until the bot stops talking."""
        mark = self.api.mark()
        self._last_delivery = mark
        self.deliver(update)
        reply = self.api.wait_for(
            lambda c: c.method in MESSAGE_METHODS and c.chat_id == self.id,
            since=mark,
            timeout=timeout,
        )
        self.settle(timeout=timeout)
        return reply

    def settle(self, quiet: float = 0.1, timeout: float = 10.0) -> None:
        """Wait until no call has arrived for ``quiet`` seconds (the bot finished replying)."""
        deadline = time.monotonic() + timeout
        count, since = self.api.mark(), time.monotonic()
        while time.monotonic() - since < quiet:
            if time.monotonic() > deadline:
                raise AssertionError("the bot never stopped sending")
            time.sleep(0.01)
            now = self.api.mark()
            if now != count:
                count, since = now, time.monotonic()

    def send(self, text: str, *, timeout: float = 10.0) -> Call:
        return self._send(self.text_update(text), timeout=timeout)

    def share_contact(self, phone: str, *, timeout: float = 10.0) -> Call:
        return self._send(self.contact_update(phone), timeout=timeout)

    def send_photo(self, caption: str | None = None, *, timeout: float = 10.0) -> Call:
        return self._send(self.photo_update(caption), timeout=timeout)

    def send_document(self, name: str, *, timeout: float = 10.0) -> Call:
        return self._send(self.document_update(name), timeout=timeout)

    def button_message(self, wanted: str, *, timeout: float = 10.0) -> tuple[str, Call]:
        """The newest reply to the last update that has the button ``wanted``, and its data."""

        def has_it(call: Call) -> bool:
            if call.method not in MESSAGE_METHODS or call.chat_id != self.id:
                return False
            try:
                call.find_button(wanted)
            except AssertionError:
                return False
            return True

        self.api.wait_for(has_it, since=self._last_delivery, timeout=timeout)
        source = [c for c in self.api.snapshot()[self._last_delivery :] if has_it(c)][-1]
        return source.find_button(wanted), source

    def press(self, wanted: str, *, timeout: float = 10.0) -> Call:
        """Tap the button ``wanted`` (see ``Call.find_button``) the bot showed last."""
        data, source = self.button_message(wanted, timeout=timeout)
        return self._send(self.press_update(data, source.result), timeout=timeout)
