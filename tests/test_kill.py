"""SIGKILL in the middle of a report: the next start continues at the same question."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from bot.domain import questions as q
from bot.i18n import Catalogs

ROOT = Path(__file__).resolve().parent.parent


class OfflineBot:
    """``python -m bot run`` as a separate process, chatting over its stdin and stdout."""

    def __init__(self, data_dir: Path) -> None:
        env = {**os.environ, "IZDEU_DATA_DIR": str(data_dir), "IZDEU_OFFLINE_LANGUAGE": "kk"}
        env.pop("TELEGRAM_BOT_TOKEN", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.output = ""
        self._lock = threading.Lock()
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()
        self._wait_prompts(1)

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        while True:
            chunk = self.proc.stdout.read1(65536)  # type: ignore[attr-defined]
            if not chunk:
                return
            with self._lock:
                self.output += chunk.decode("utf-8", "replace")

    def _wait_prompts(self, n: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.output.count("> ") < n:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"no prompt; output so far:\n{self.output[-2000:]}")
            time.sleep(0.02)

    def say(self, line: str, wait: bool = True) -> str:
        before = len(self.output)
        prompts = self.output.count("> ")
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        if wait:
            self._wait_prompts(prompts + 1)
        return self.output[before:]

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.close()

    def close(self) -> None:
        self.proc.wait(10)
        self._pump_thread.join(10)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


def draft_row(db: Path) -> tuple[str, dict]:
    with sqlite3.connect(db) as conn:
        step, answers = conn.execute("SELECT step, answers FROM drafts").fetchone()
    return step, json.loads(answers)


def test_sigkill_mid_report_then_continue(tmp_path: Path) -> None:
    kk = Catalogs().get("kk")
    db = tmp_path / "izdeu.sqlite3"
    bot = OfflineBot(tmp_path)
    bot.say("/start")
    bot.say("1")  # Қазақша
    bot.say("1")  # agree
    bot.say("Айгүл Төлөгөнова")
    bot.say("1")  # mother
    reply = bot.say("2")  # female
    assert kk(q.BY_KEY["r_phone"].prompt) in reply
    bot.say("+7 701 123 45 67")
    bot.kill()  # after the reply to the phone answer was shown

    step, answers = draft_row(db)
    assert step == "r_addr"
    assert answers == {
        "r_name": "Айгүл Төлөгөнова",
        "r_rel": "mother",
        "r_gender": "f",
        "r_phone": "+77011234567",
    }

    bot = OfflineBot(tmp_path)
    reply = bot.say("/start")
    assert kk("Welcome back. Here is where we stopped:") in reply
    assert kk(q.BY_KEY["r_addr"].prompt) in reply
    bot.say("Алматы қ., Абай даңғылы 1, 050000")
    bot.say("aigul@example.kz", wait=False)
    time.sleep(0.3)
    bot.kill()  # perhaps before, perhaps after the last answer was stored: never half of it

    step, answers = draft_row(db)
    assert answers["r_addr"] == "Алматы қ., Абай даңғылы 1, 050000"
    if "r_email" in answers:
        assert step == "r_id"
    else:
        assert step == "r_email"

    bot = OfflineBot(tmp_path)
    reply = bot.say("/start")
    assert kk(q.BY_KEY[step].prompt) in reply
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    bot.say("!quit", wait=False)
    bot.close()
    assert bot.proc.returncode == 0
