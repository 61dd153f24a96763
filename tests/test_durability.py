"""Nothing acknowledged is lost: SIGKILL after the webhook's 200s and between a poll and
processing; start-up through Telegram's hiccups; a webhook that refuses early; a clean
stop on SIGINT and SIGTERM; the health check. The bot runs as its own process over real
HTTP against the stand-in Bot API (``tests/http_botapi.py``).

The stand-in holds every ``sendMessage`` before the kill, so no update can have been
answered by then: each answer seen afterwards comes from an update the restarted bot
found in its inbox.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.http_botapi import BotAPIServer, TelegramUser
from tests.test_e2e_http import (
    ROOT,
    SECRET_HEADER,
    STARTUP,
    TOKEN,
    WEBHOOK_PATH,
    BotProcess,
    db_rows,
    free_port,
    post_update,
    wait_for_webhook_server,
    wait_until_polling,
)

FAMILIES = 12


def children(pid: int) -> set[int]:
    """The processes ``pid`` started (the letter worker among them)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(x) for x in (task / "children").read_text().split()}
    return found


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def families(api: BotAPIServer, deliver: Any) -> list[TelegramUser]:
    return [
        TelegramUser(api, deliver, user_id=7000 + i, language_code=("kk", "ru", "ky")[i % 3])
        for i in range(FAMILIES)
    ]


def answered_once(api: BotAPIServer, users: list[TelegramUser]) -> None:
    """Every family got its language picker, exactly once."""
    for user in users:
        api.wait_method("sendMessage", chat_id=user.id, timeout=STARTUP)
    users[0].settle(quiet=1.0, timeout=30)
    for user in users:
        sent = api.messages(user.id)
        assert len(sent) == 1, [c.text[:40] for c in sent]
        assert any(data.startswith("lang:") for _, data in sent[0].buttons())


def stop_cleanly(bot: BotProcess, how: int) -> None:
    """``how`` to the whole process group, as Ctrl-C or a service manager sends it."""
    workers = children(bot.proc.pid)
    assert workers, "the letter worker should be running"
    os.killpg(bot.proc.pid, how)
    assert bot.proc.wait(30) == 0
    log = bot.log()
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
    deadline = time.monotonic() + 10
    while not all(gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(gone(pid) for pid in workers)


def health_command(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IZDEU_", "TELEGRAM_"))}
    env["IZDEU_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "bot", "health"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def wait_healthy(data_dir: Path) -> str:
    deadline = time.monotonic() + STARTUP
    while True:
        done = health_command(data_dir)
        if done.returncode == 0:
            return done.stdout
        if time.monotonic() > deadline:
            raise AssertionError(done.stdout + done.stderr)
        time.sleep(0.5)


def test_polling_kill_between_fetch_and_processing(tmp_path: Path) -> None:
    with BotAPIServer(TOKEN) as api:
        api.fail_next("getMe")  # Telegram hiccups at start-up: retried, not fatal
        api.fail_next("deleteWebhook")
        api.fail_next("setMyCommands", 2, status=502)
        bot = BotProcess(tmp_path, api, new_session=True)
        try:
            wait_until_polling(api, bot)
            users = families(api, api.enqueue)
            api.hold("sendMessage")
            last = max(api.enqueue(u.text_update("/start"))["update_id"] for u in users)
            # The next getUpdates confirms them: Telegram forgets them from then on.
            api.wait_for(
                lambda c: c.method == "getUpdates" and int(c.params.get("offset") or 0) > last,
                timeout=STARTUP,
            )
            bot.proc.kill()
            bot.proc.wait(10)
            log = bot.log()
        finally:
            bot.close()
            api.release()
        assert "getMe failed (NetworkError); trying again" in log
        assert "setMyCommands failed (NetworkError); trying again" in log
        assert not api.sent(method="sendMessage")
        assert db_rows(tmp_path / "izdeu.sqlite3", "SELECT count(*) FROM inbox")[0][0] == FAMILIES

        bot = BotProcess(tmp_path, api, new_session=True)
        try:
            answered_once(api, users)
            report = wait_healthy(tmp_path)
            assert "polling: yes" in report and "letter worker: alive" in report
            assert db_rows(tmp_path / "izdeu.sqlite3", "SELECT count(*) FROM inbox")[0][0] == 0
            stop_cleanly(bot, signal.SIGINT)
        finally:
            bot.close()
        assert health_command(tmp_path).returncode == 1  # stopped: not healthy


def raw_request(port: int, head: str, body: bytes = b"") -> int:
    """Send ``head`` (and ``body``) on a socket; the status of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        answer = sock.recv(4096)
    return int(answer.split()[1])


def test_webhook_refuses_early_and_keeps_what_it_acknowledged(tmp_path: Path) -> None:
    secret = "s3cret-token_for-tests"
    port = free_port()
    settings = {
        "IZDEU_WEBHOOK_URL": "https://example.invalid/telegram",
        "IZDEU_WEBHOOK_PORT": str(port),
        "IZDEU_WEBHOOK_SECRET": secret,
    }
    with BotAPIServer(TOKEN) as api:
        api.fail_next("setWebhook")
        bot = BotProcess(tmp_path, api, new_session=True, **settings)
        try:
            wait_for_webhook_server(port, bot)
            # 100 MB announced, nothing sent: refused on the headers, the body never read.
            big = f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n"
            assert raw_request(port, big + f"{SECRET_HEADER}: wrong\r\n") == 403
            assert raw_request(port, big + f"{SECRET_HEADER}: {secret}\r\n") == 413
            chunked = (
                f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: {secret}"
                "\r\nTransfer-Encoding: chunked\r\n"
            )
            chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
            # A chunked body that never said its size: cut off past 1 MB (tornado's own
            # limit answers 400 and closes the connection).
            assert raw_request(port, chunked, chunk * 17) in (400, 413)
            for body in (b"{not json", b"[1, 2]", b'{"update_id": "x"}'):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", WEBHOOK_PATH, body, {SECRET_HEADER: secret})
                assert conn.getresponse().status == 400
                conn.close()

            deadline = time.monotonic() + STARTUP
            while True:  # healthy once setWebhook went through (second try)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/health")
                response = conn.getresponse()
                report = json.loads(response.read())
                conn.close()
                if response.status == 200 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert response.status == 200, report
            assert report["receiving"] and report["database_writable"] and report["letter_worker"]

            def deliver(update: dict[str, Any]) -> None:
                assert post_update(port, update, secret) == 200

            users = families(api, deliver)
            api.hold("sendMessage")
            for user in users:
                deliver(user.text_update("/start"))
            bot.proc.kill()  # right after the 200s
            bot.proc.wait(10)
            log = bot.log()
        finally:
            bot.close()
            api.release()
        assert "setWebhook failed (NetworkError); trying again" in log
        assert "Traceback" not in log
        assert not api.sent(method="sendMessage")

        bot = BotProcess(tmp_path, api, new_session=True, **settings)
        try:
            answered_once(api, users)
            stop_cleanly(bot, signal.SIGTERM)
        finally:
            bot.close()
