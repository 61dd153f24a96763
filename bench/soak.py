"""``python -m bench.soak`` (``make soak``): families over real HTTP while the bot is
SIGKILLed and restarted.

The bot runs as its own process (``python -m bot run``) against the stand-in Bot API
of ``tests/http_botapi.py`` on 127.0.0.1, in long polling and in webhook mode. Each
simulated family starts the bot, picks its language, agrees, and answers the first six
questions (name, relationship, gender, phone, address, e-mail), pausing between steps
as a person does. Meanwhile the bot is killed with SIGKILL at random moments and
started again at once.

An update counts as sent once Telegram would consider it delivered: a webhook post
answered 200 (a post that got no 200 is posted again, as Telegram does), or, with
polling, handed to the stand-in, which gives it to every ``getUpdates`` until one
confirms it with a higher offset and then forgets it, as Telegram does. At
the end the database is read with the key:

- answers stored: the answers of the families' drafts that hold what was sent;
- updates lost: answers sent and not stored;
- duplicated effects: stored answers that differ from what was sent for that question,
  drafts not at the question after the last answer, more than one draft per family;
- questions repeated: replies a family received twice because the bot died after
  sending and before recording it (replies are sent at least once, by design);
- families left waiting: families that got no reply (or not the button they needed)
  for 60 s while the bot was up, and gave up;
- updates given up: stored updates dropped after 10 starts that each began processing
  them and died (the protection against an update that crashes the bot every time);
- personal data in logs: the families' names, phones, addresses and e-mails found in
  the bot's output.

Run it from the repository: it uses the stand-in under ``tests/``. It takes a few
minutes; ``--families`` and ``--kills`` make it shorter.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from bot.storage.crypto import Cipher, new_key
from tests.http_botapi import MESSAGE_METHODS, BotAPIServer, Call, TelegramUser, bot_environment

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:SOAK"
SECRET = "soak-secret-token"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STARTUP = 60.0
STALL = 60.0  # seconds without the reply a family waits for, while the bot is up

FIRST = [
    "Айгерім",
    "Әлия",
    "Гүлнар",
    "Жанар",
    "Нұргүл",
    "Сәуле",
    "Айжан",
    "Бақыт",
    "Динара",
    "Меруерт",
    "Салтанат",
    "Шынар",
    "Айнұр",
    "Гүлмира",
    "Ләззат",
    "Нұржан",
    "Қуаныш",
    "Ерлан",
    "Асқар",
    "Мұрат",
]
LAST = [
    "Сейітқызы",
    "Омарова",
    "Жұмабаева",
    "Төлеуова",
    "Құрманова",
    "Әбенова",
    "Мұратова",
    "Есенова",
    "Қасымова",
    "Ахметова",
]
STREETS = ["Абай даңғылы", "Төле би көшесі", "Сәтпаев көшесі", "Жібек жолы", "Байтұрсынұлы"]


@dataclass
class Step:
    kind: str  # "text" or "press"
    value: str
    question: str | None = None  # the answer's key, for steps that answer a question


def script(i: int, lang: str) -> tuple[list[Step], dict[str, str]]:
    """A family's steps and the answers they should leave in its draft."""
    name = f"{LAST[i // len(FIRST) % len(LAST)]} {FIRST[i % len(FIRST)]}"
    phone = f"+7701{2000000 + i * 37:07d}"
    addr = f"Алматы, {STREETS[i % len(STREETS)]} {i + 1}, пәтер {i % 90 + 1}, 0500{i % 100:02d}"
    email = f"family{i:03d}.soak@example.kz"
    steps = [
        Step("text", "/start"),
        Step("press", f"lang:{lang}"),
        Step("press", f"consent:{lang}:y"),
        Step("text", name, "r_name"),
        Step("press", "mother", "r_rel"),
        Step("press", "f", "r_gender"),
        Step("text", phone, "r_phone"),
        Step("text", addr, "r_addr"),
        Step("text", email, "r_email"),
    ]
    expected = {
        "r_name": name,
        "r_rel": "mother",
        "r_gender": "f",
        "r_phone": phone,
        "r_addr": addr,
        "r_email": email,
    }
    return steps, expected


@dataclass
class Family:
    user: TelegramUser
    steps: list[Step]
    expected: dict[str, str]
    next_at: float
    k: int = 0  # the step to send next
    update: dict[str, Any] | None = None  # built, not yet acknowledged
    acked_at: float | None = None  # the current step was acknowledged; its reply awaited
    mark: int = 0  # the family's messages seen when the current step was acknowledged
    stalled: bool = False
    answered: list[str] = field(default_factory=list)  # questions whose answer was acked
    waiting_since: float | None = None  # for a reply, or for the button to press
    messages: list[Call] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.k >= len(self.steps)


def has_button(call: Call, wanted: str) -> bool:
    return any(data == wanted or data.endswith(":" + wanted) for _, data in call.buttons())


class BotRun:
    """The bot process; its output appended to one log for the whole soak."""

    def __init__(
        self, data_dir: Path, api: BotAPIServer, key: str, log: IO[bytes], webhook_port: int | None
    ) -> None:
        env = bot_environment(api, data_dir, key)
        if webhook_port is not None:
            env.update(
                {
                    "IZDEU_WEBHOOK_URL": "https://example.invalid/telegram",
                    "IZDEU_WEBHOOK_PORT": str(webhook_port),
                    "IZDEU_WEBHOOK_SECRET": SECRET,
                }
            )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> int:
        os.killpg(self.proc.pid, signal.SIGTERM)
        return self.proc.wait(30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post(port: int, update: dict[str, Any]) -> bool:
    """Deliver as Telegram does: True once the webhook answered 200."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(
            "POST",
            "/telegram",
            json.dumps(update).encode(),
            {"Content-Type": "application/json", SECRET_HEADER: SECRET},
        )
        status = conn.getresponse().status
        conn.close()
        return status == 200
    except (OSError, http.client.HTTPException):
        return False


class Soak:
    def __init__(
        self, mode: str, families: int, kills: int, think: float, seed: int, workdir: Path
    ) -> None:
        self.mode = mode
        self.kills_wanted = kills
        self.think = think
        self.random = random.Random(seed)
        self.dir = workdir / mode
        self.dir.mkdir(parents=True)
        self.key = new_key()
        self.api = BotAPIServer(TOKEN, max_hold=1.0)
        self.port = free_port() if mode == "webhook" else None
        self.log_path = self.dir / "bot.log"
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in run()
        deliver = lambda u: None  # noqa: E731 - updates are delivered by the loop
        self.families = []
        now = time.monotonic()
        for i in range(families):
            lang = ("kk", "ru", "ky")[i % 3]
            steps, expected = script(i, lang)
            user = TelegramUser(self.api, deliver, user_id=900_000 + i, language_code=lang)
            self.families.append(
                Family(user, steps, expected, now + self.random.uniform(0, think * 2))
            )
        self.by_chat = {f.user.id: f for f in self.families}
        self.cursor = 0
        self.sent_updates = 0
        self.answers_sent = 0
        self.kills = 0
        self.bot: BotRun | None = None
        self.up_since: float | None = None
        self.problems: list[str] = []  # ids and question keys of families that went wrong

    # --- the bot ----------------------------------------------------------------------
    def start_bot(self) -> None:
        self.bot = BotRun(self.dir, self.api, self.key, self.log, self.port)
        self.up_since = None

    def bot_ready(self) -> bool:
        """Serving: polling (a getUpdates since the start) or the webhook listening."""
        if self.up_since is not None:
            return True
        if self.port is not None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                return False
        elif not any(c.method == "getUpdates" for c in self.api.snapshot()[self.start_mark :]):
            return False
        self.up_since = time.monotonic()
        return True

    # --- families ---------------------------------------------------------------------
    def ingest(self) -> None:
        calls = self.api.snapshot()
        for call in calls[self.cursor :]:
            family = self.by_chat.get(call.chat_id or 0)
            if family is not None and call.method in MESSAGE_METHODS:
                family.messages.append(call)
        self.cursor = len(calls)

    def source(self, family: Family, wanted: str) -> Call | None:
        for call in reversed(family.messages[family.mark :]):
            if has_button(call, wanted):
                return call
        return None

    def stalled(self, family: Family, now: float) -> bool:
        """No reply (or no button to press) for ``STALL`` seconds while the bot was up:
        the family gives up, and is counted."""
        if self.up_since is None or family.waiting_since is None:
            return False
        if now - max(family.waiting_since, self.up_since) <= STALL:
            return False
        family.stalled = True
        family.k = len(family.steps)
        return True

    def advance(self, family: Family, now: float) -> None:
        if family.acked_at is not None:  # waiting for the reply to the current step
            if len(family.messages) > family.mark:
                family.k += 1
                family.acked_at = None
                family.update = None
                family.waiting_since = now
                family.next_at = now + self.random.uniform(0.2, self.think)
            else:
                self.stalled(family, now)
            return
        if now < family.next_at:
            return
        if family.update is None:
            step = family.steps[family.k]
            if step.kind == "text":
                family.update = family.user.text_update(step.value)
            else:
                source = self.source(family, step.value)
                if source is None:  # the message with the button has not come yet
                    self.stalled(family, now)
                    return
                data = next(
                    d
                    for _, d in source.buttons()
                    if d == step.value or d.endswith(":" + step.value)
                )
                family.update = family.user.press_update(data, source.result)
            # Replies count from the first try: a post the bot stored and answered may
            # still fail to return its 200 (the bot was killed), and is posted again.
            family.mark = len(family.messages)
        if self.port is None:
            self.api.enqueue(family.update)
            acked = True
        else:
            acked = self.up_since is not None and post(self.port, family.update)
            if not acked:
                family.next_at = now + 0.5  # Telegram retries a failed post later
        if acked:
            family.acked_at = family.waiting_since = now
            self.sent_updates += 1
            question = family.steps[family.k].question
            if question:
                self.answers_sent += 1
                family.answered.append(question)

    # --- the run ----------------------------------------------------------------------
    def run(self, deadline: float) -> dict[str, Any]:
        began = time.monotonic()
        self.api.start()
        try:
            self.start_mark = 0
            self.start_bot()
            next_kill: float | None = None
            while time.monotonic() < deadline:
                now = time.monotonic()
                self.ingest()
                if self.bot_ready():
                    if next_kill is None:
                        next_kill = now + self.random.uniform(1.0, 5.0)
                    if self.kills < self.kills_wanted and now >= next_kill:
                        assert self.bot is not None
                        self.bot.kill()
                        self.kills += 1
                        next_kill = None
                        # The killed bot's last getUpdates is recorded when the stand-in
                        # ends it: wait for that, so that only the new bot's count.
                        time.sleep(self.api.max_hold + 0.3)
                        self.start_mark = self.api.mark()
                        self.start_bot()
                        continue
                for family in self.families:
                    if not family.done:
                        self.advance(family, now)
                if all(f.done for f in self.families) and self.kills >= self.kills_wanted:
                    break
                time.sleep(0.01)
            time.sleep(2.0)  # replies still on their way
            self.ingest()
            assert self.bot is not None
            exit_code = self.bot.stop()
        finally:
            self.api.stop()
            self.log.close()
        return self.judge(time.monotonic() - began, exit_code)

    def judge(self, seconds: float, exit_code: int) -> dict[str, Any]:
        cipher = Cipher(self.key)
        db = sqlite3.connect(f"file:{self.dir / 'izdeu.sqlite3'}?mode=ro", uri=True)
        drafts: dict[int, list[tuple[str, dict[str, Any]]]] = {}
        for user_id, step, answers in db.execute("SELECT user_id, step, answers FROM drafts"):
            drafts.setdefault(user_id, []).append((step, json.loads(cipher.open(answers))))
        waiting = db.execute("SELECT count(*) FROM inbox").fetchone()[0]
        db.close()
        stored = lost = duplicated = repeated = stalled = 0
        for family in self.families:
            answered = family.answered
            rows = drafts.get(cipher.pseudonym(family.user.id), [])  # ids are stored keyed
            duplicated += max(0, len(rows) - 1)
            step, answers = rows[0] if rows else ("", {})
            for question in answered:
                if question not in answers:
                    lost += 1
                elif _same(question, answers[question], family.expected[question]):
                    stored += 1
                else:
                    duplicated += 1
            duplicated += sum(1 for q in answers if q not in answered)
            if family.stalled:
                stalled += 1
            if family.stalled or any(q not in answers for q in answered):
                self.problems.append(
                    f"family {family.user.id}: step {family.k}, answered {answered}, "
                    f"stored {sorted(answers)} at {step or 'no draft'}, "
                    f"{len(family.messages)} messages"
                )
            elif rows and family.k == len(family.steps) and step != "r_id":
                duplicated += 1
            repeated += _repeats(family.messages)
        log = self.log_path.read_text("utf-8", "replace")
        personal = sum(log.count(value) for f in self.families for value in _needles(f))
        return {
            "mode": self.mode,
            "families": len(self.families),
            "kills": self.kills,
            "updates sent": self.sent_updates,
            "answers sent": self.answers_sent,
            "answers stored": stored,
            "updates lost": lost,
            "duplicated effects": duplicated,
            "questions repeated": repeated,
            "families left waiting": stalled,
            "left in inbox": waiting,
            "updates given up": log.count("was given up"),
            "personal data in logs": personal,
            "tracebacks in logs": log.count("Traceback"),
            "last exit code": exit_code,
            "seconds": round(seconds),
        }


def _repeats(messages: list[Call]) -> int:
    """Messages sent again with the same text and buttons (a run without kills has none)."""
    seen: set[tuple[str, str]] = set()
    count = 0
    for call in messages:
        if call.method != "sendMessage":
            continue
        key = (call.text, json.dumps(call.buttons()))
        count += key in seen
        seen.add(key)
    return count


def _same(question: str, stored: Any, sent: str) -> bool:
    if question == "r_phone":
        return "".join(c for c in str(stored) if c.isdigit()) == sent.lstrip("+")
    return stored == sent


def _needles(family: Family) -> list[str]:
    values = list(family.expected.values())
    words = [
        w
        for v in (family.expected["r_name"], family.expected["r_addr"])
        for w in v.replace(",", " ").split()
        if len(w) > 4 and not w.isdigit()
    ]
    return [v for v in values if v not in ("mother", "f")] + [
        w for w in words if w not in ("Алматы", "пәтер") and w not in STREETS_WORDS
    ]


STREETS_WORDS = {w for s in STREETS for w in s.split()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--families", type=int, default=200)
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs per mode")
    parser.add_argument("--mode", choices=["polling", "webhook", "both"], default="both")
    parser.add_argument(
        "--think",
        type=float,
        default=30.0,
        help="longest pause of a family between two steps, in seconds",
    )
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="work in DIR and keep the databases and logs (else a temporary folder, removed)",
    )
    parser.add_argument(
        "--minutes", type=float, default=10.0, help="give up a mode after this long"
    )
    args = parser.parse_args(argv)
    modes = ["polling", "webhook"] if args.mode == "both" else [args.mode]
    results = []
    with tempfile.TemporaryDirectory(prefix="izdeu-soak-") as tmp:
        for mode in modes:
            soak = Soak(
                mode, args.families, args.kills, args.think, args.seed, args.keep or Path(tmp)
            )
            results.append(soak.run(time.monotonic() + args.minutes * 60))
            print(_table(results[-1:]), flush=True)
            print("\n".join(soak.problems), flush=True)
    print()
    print(_table(results))
    failed = any(
        r["updates lost"]
        or r["duplicated effects"]
        or r["personal data in logs"]
        or r["left in inbox"]
        or r["families left waiting"]
        for r in results
    )
    print(
        "\nFAIL"
        if failed
        else "\nPASS: nothing lost, nothing applied twice, nothing personal in the logs"
    )
    return 1 if failed else 0


def _table(results: list[dict[str, Any]]) -> str:
    keys = list(results[0])
    width = max(len(k) for k in keys)
    lines = [f"{'':{width}}  " + "  ".join(f"{r['mode']:>8}" for r in results)]
    for key in keys[1:]:
        lines.append(f"{key:{width}}  " + "  ".join(f"{r[key]:>8}" for r in results))
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
