"""The bot as a separate process, over real HTTP, in both modes.

``python -m bot run`` talks to ``tests/http_botapi.py`` on 127.0.0.1 through
``TELEGRAM_API_BASE_URL``: with long polling it fetches the updates a test
queues; with a webhook the test posts updates to the bot's own web server,
with and without the secret token.
"""

from __future__ import annotations

import http.client
import io
import json
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import IO, Any

import httpx
from pypdf import PdfReader

from bot.storage.crypto import Cipher, new_key
from tests.http_botapi import BotAPIServer, Call, TelegramUser, bot_environment, parse_body
from tests.support import KZ_REPORT, KZ_REPORT_TRANSLATIONS

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST"
KEY = new_key()
STARTUP = 20.0  # seconds a cold start (imports, migrations) may take
WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class BotProcess:
    """``python -m bot run`` with its output in a log file (no pipes to drain or leak)."""

    def __init__(
        self, data_dir: Path, api: BotAPIServer, new_session: bool = False, **extra: str
    ) -> None:
        env = bot_environment(api, data_dir, KEY, **extra)
        self.log_path = data_dir / "bot.log"
        self._log: IO[bytes] = open(self.log_path, "wb")  # noqa: SIM115 - closed in close()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=new_session,
            )
        except BaseException:
            self._log.close()
            raise

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def alive(self) -> None:
        if self.proc.poll() is not None:
            raise AssertionError(
                f"the bot exited with {self.proc.returncode}:\n{self.log()[-3000:]}"
            )

    def terminate(self, timeout: float = 40.0) -> int:
        """Stop as systemd would; the bot first sends what it still has to send, at most
        one message a second to a chat (a case's letters take up to about 20 s)."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def close(self) -> None:
        """Kill the bot if a test left it running (its log then goes to the test's output)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
            print(f"--- bot log (killed) ---\n{self.log()[-5000:]}")
        self._log.close()


def wait_until_polling(api: BotAPIServer, bot: BotProcess) -> None:
    deadline = time.monotonic() + STARTUP
    while not api.sent(method="getUpdates"):
        bot.alive()
        if time.monotonic() > deadline:
            raise AssertionError(f"the bot never polled:\n{bot.log()[-3000:]}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post_update(port: int, update: dict[str, Any], secret: str | None) -> int:
    """POST an update to the bot's webhook; the HTTP status."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", WEBHOOK_PATH, json.dumps(update).encode(), headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def wait_for_webhook_server(port: int, bot: BotProcess) -> None:
    deadline = time.monotonic() + STARTUP
    while True:
        bot.alive()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"the webhook never listened:\n{bot.log()[-3000:]}") from None
            time.sleep(0.05)


def drive_report(user: TelegramUser) -> None:
    for action, value in KZ_REPORT:
        if action == "send":
            user.send(value)
        elif action == "press":
            user.press(value)
        elif action == "contact":
            user.share_contact(value)
        elif action == "photo":
            user.send_photo(value or None)
        elif action == "doc":
            user.send_document(value)
        else:
            raise AssertionError(action)


def db_rows(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def assert_clean_exit(bot: BotProcess) -> None:
    code = bot.terminate()
    log = bot.log()
    assert code == 0, log[-3000:]
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]


def is_pdf(call: Call) -> bool:
    return call.method == "sendDocument" and call.files.get("document", ("",))[0].endswith(".pdf")


def test_long_polling_from_start_to_pdf(tmp_path: Path) -> None:
    with BotAPIServer(TOKEN) as api:
        bot = BotProcess(tmp_path, api)
        try:
            wait_until_polling(api, bot)
            user = TelegramUser(api, api.enqueue, user_id=4242, language_code="kk")
            user.send("/start")
            user.press("lang:kk")
            user.press("consent:kk:y")
            drive_report(user)
            user.press("confirm")

            # The letters set of the new case: "Prepare the letters" carries the case id.
            prepare, _ = _prepare_button(user)
            case_id = int(prepare.rsplit(":", 1)[1])
            user.press(prepare)
            user.press("nonames")  # the legal-risk question
            mark = api.mark()
            user.press(f"letters:language:{case_id}:kk")  # letters to Kazakh bodies in Kazakh
            # Texts not in a letter's language are asked for one by one, then letters come.
            for _ in range(len(KZ_REPORT_TRANSLATIONS) + 1):
                # (the first prompt may be the pressed message, edited into it)
                call = api.wait_for(
                    lambda c: (
                        is_pdf(c)
                        or (c.method in ("sendMessage", "editMessageText") and "«" in c.text)
                    ),
                    since=mark,
                    timeout=20,
                )
                if is_pdf(call):
                    break
                original = call.text.split("«", 1)[1].split("»", 1)[0]
                mark = api.mark()
                user.send(next(iter(KZ_REPORT_TRANSLATIONS[original].values())))
            pdf = api.wait_for(is_pdf, since=mark, timeout=20)
            docx = api.wait_for(
                lambda c: (
                    c.method == "sendDocument"
                    and c.files.get("document", ("",))[0].endswith(".docx")
                ),
                since=mark,
                timeout=20,
            )
            with zipfile.ZipFile(io.BytesIO(docx.files["document"][1])) as archive:
                assert archive.testzip() is None  # the upload arrived byte for byte
            name, data, _mime = pdf.files["document"]
            assert pdf.chat_id == user.id and data.startswith(b"%PDF")
            text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
            assert "Айгүл" in text and "Төлөгөнова" in text

            rows = db_rows(
                tmp_path / "izdeu.sqlite3",
                "SELECT id, number, status, answers FROM cases WHERE reporter_id = ?",
                Cipher(KEY).pseudonym(user.id),
            )
            assert len(rows) == 1
            row_id, number, _status, answers = rows[0]
            assert row_id == case_id and re.fullmatch(r"KZ-\d{4}-\d{4}", number)
            assert name.startswith(number) and name.endswith(".pdf")
            assert "Айгүл" not in answers  # sealed at rest
            assert json.loads(Cipher(KEY).open(answers))["r_name"] == "Айгүл Төлөгөнова"
            # Every method reached the stand-in over HTTP, the uploads as files.
            methods = {c.method for c in api.snapshot()}
            assert {
                "getMe",
                "deleteWebhook",
                "setMyCommands",
                "getUpdates",
                "sendMessage",
                "answerCallbackQuery",
                "editMessageText",
                "sendDocument",
            } <= methods
            assert_clean_exit(bot)
            # Stopping confirmed every update, so Telegram would not deliver any of them again.
            last_poll = api.sent(method="getUpdates")[-1]
            assert int(last_poll.params["offset"]) > max(u["update_id"] for u in api.enqueued)
        finally:
            bot.close()


def _prepare_button(user: TelegramUser) -> tuple[str, Call]:
    """The callback data of "Prepare the letters" (``letters:prepare:<id>``) in the letter set."""
    source = user.api.wait_for(
        lambda c: (
            c.chat_id == user.id and any(d.startswith("letters:prepare:") for _, d in c.buttons())
        ),
        timeout=10,
    )
    data = next(d for _, d in source.buttons() if d.startswith("letters:prepare:"))
    return data, source


def test_stand_in_reads_uploads_byte_for_byte() -> None:
    """The stand-in's multipart parser, fed what httpx (PTB's HTTP client) sends."""
    data = bytes(range(256)) * 64 + b"\r\n--boundary\r\n\r\n\n\r"
    request = httpx.Request(
        "POST",
        "http://127.0.0.1/",
        data={"chat_id": "5", "caption": "Ай\r\nгүл"},
        files={"document": ("KZ-2026-0001_embassy-kz_kk.pdf", data, "application/pdf")},
    )
    params, files = parse_body(request.headers["Content-Type"], request.read())
    assert params == {"chat_id": "5", "caption": "Ай\r\nгүл"}
    assert files == {"document": ("KZ-2026-0001_embassy-kz_kk.pdf", data, "application/pdf")}


def test_webhook_with_secret_token(tmp_path: Path) -> None:
    secret = secrets.token_urlsafe(24)
    port = free_port()
    with BotAPIServer(TOKEN) as api:
        bot = BotProcess(
            tmp_path,
            api,
            IZDEU_WEBHOOK_URL="https://example.invalid/telegram",
            IZDEU_WEBHOOK_LISTEN="127.0.0.1",
            IZDEU_WEBHOOK_PORT=str(port),
            IZDEU_WEBHOOK_SECRET=secret,
        )
        try:
            hook = api.wait_method("setWebhook", timeout=STARTUP)
            assert hook.params["url"] == "https://example.invalid/telegram"
            assert hook.params["secret_token"] == secret
            wait_for_webhook_server(port, bot)

            # Without the secret, or with a wrong one: rejected, never processed.
            stranger = TelegramUser(api, lambda u: None, user_id=666, language_code="ru")
            rejected = [stranger.text_update("/start"), stranger.text_update("/start")]
            assert post_update(port, rejected[0], None) == 403
            assert post_update(port, rejected[1], "not-the-secret") == 403

            def deliver(update: dict[str, Any]) -> None:
                assert post_update(port, update, secret) == 200

            user = TelegramUser(api, deliver, user_id=4343, language_code="kk")
            user.send("/start")
            user.press("lang:kk")
            user.press("consent:kk:y")
            user.send("Айгүл Төлөгөнова")
            user.button_message("mother")  # the next question: the relationship

            db = tmp_path / "izdeu.sqlite3"
            step, answers = db_rows(
                db,
                "SELECT step, answers FROM drafts WHERE user_id = ?",
                Cipher(KEY).pseudonym(user.id),
            )[0]
            assert step == "r_rel"
            assert json.loads(Cipher(KEY).open(answers)) == {"r_name": "Айгүл Төлөгөнова"}
            assert api.sent(stranger.id) == []
            handled = {r[0] for r in db_rows(db, "SELECT update_id FROM processed_updates")}
            assert not handled & {u["update_id"] for u in rejected}
            assert not api.sent(method="getUpdates")  # a webhook, not polling
            assert_clean_exit(bot)
        finally:
            bot.close()
