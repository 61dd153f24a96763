"""The webhook's web server: refuse early, store, then answer 200.

Built on tornado, which python-telegram-bot's ``webhooks`` extra already
installs (PTB's own webhook server uses it), and which can look at a request's
headers before reading its body (``stream_request_body``): the secret token and
the declared size are checked first, so a stranger cannot make the bot read
100 MB, and the body is read into memory only up to ``MAX_BODY``. A 200 goes out
only after the update was committed to the inbox (``Receiver.accept``); Telegram
re-sends anything that got another answer.

``GET /health`` reports whether the webhook is registered, the database takes
writes and the letter worker answers (200 if all do, 503 otherwise).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import tornado.web
from telegram import Update
from tornado.httpserver import HTTPServer

from handlers.inbox import Receiver

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20  # 1 MB: an update is a few kB
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/telegram"

HealthCheck = Callable[[], Awaitable[dict[str, Any]]]


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """POST /telegram: one update from Telegram."""

    def initialize(self, receiver: Receiver, secret: str) -> None:
        self.receiver = receiver
        self.secret = secret.encode()
        self.refused = False
        self.chunks: list[bytes] = []
        self.size = 0

    def prepare(self) -> None:
        if self.request.method != "POST":
            self.refuse(405)
            return
        token = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(token, self.secret):
            self.refuse(403)
            return
        declared = self.request.headers.get("Content-Length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
            self.refuse(413)

    def data_received(self, chunk: bytes) -> None:
        if self.refused:
            return
        self.size += len(chunk)
        if self.size > MAX_BODY:  # a chunked body that never said its size
            self.chunks.clear()
            self.refuse(413)
            return
        self.chunks.append(chunk)

    async def post(self) -> None:
        if self.refused:
            return
        try:
            data = orjson.loads(b"".join(self.chunks))
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, self.receiver.app.bot)
        except Exception:  # noqa: BLE001 - whatever a malformed body raises
            log.warning("webhook: a request that is not an update was refused")
            self.refuse(400)
            return
        try:
            await self.receiver.accept([(update, data)])
        except Exception as exc:  # noqa: BLE001 - not stored, so not acknowledged
            log.error(
                "webhook: update %s could not be stored (%s); Telegram will send it again",
                data["update_id"],
                type(exc).__name__,
            )
            self.refuse(500)
            return
        self.receiver.heard_from_telegram()
        self.finish()

    def refuse(self, status: int) -> None:
        self.refused = True
        self.set_status(status)
        self.finish()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish()  # no traceback, no page: a bare status


class HealthHandler(tornado.web.RequestHandler):
    """GET /health: see the module docstring."""

    def initialize(self, check: HealthCheck) -> None:
        self.check = check

    async def get(self) -> None:
        report = await self.check()
        self.set_status(200 if report["ok"] else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(orjson.dumps(report))


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """Access log: refusals only (status and path; never a body)."""
    status = handler.get_status()
    if status >= 400 and handler.request.path == PATH:
        log.info("webhook: %s %s", status, handler.request.method)


def start_server(
    receiver: Receiver, secret: str, check: HealthCheck, listen: str, port: int
) -> HTTPServer:
    """Listen now (on the running loop); ``server.stop()`` stops listening."""
    app = tornado.web.Application(
        [
            (PATH, UpdateHandler, {"receiver": receiver, "secret": secret}),
            ("/health", HealthHandler, {"check": check}),
        ],
        log_function=_quiet,
    )
    server = HTTPServer(app, max_body_size=MAX_BODY, idle_connection_timeout=60)
    server.listen(port, listen)
    return server
