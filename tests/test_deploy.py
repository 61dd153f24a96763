"""The service definitions start the bot: the systemd unit and the container image's command.

No container engine is needed: the image's steps are followed by hand (its COPY lines
into a build folder, a non-editable install of that folder, its ENV and CMD), and the
command must start a bot that polls a local stand-in Bot API and stops on SIGTERM.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.storage.crypto import new_key
from tests.http_botapi import BotAPIServer

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST"
STARTUP = 30.0  # seconds a cold start may take on a busy machine
UNIT = ROOT / "deploy" / "izdeu.service"
CONTAINERFILE = ROOT / "Containerfile"


# The first body's first letter laid out as a PDF, and one word in kk, ru and ky, by the
# installed package alone.
RENDER = """
from bot.i18n import default_catalogs
from bot.letters.directory import load_directory
from bot.letters.render import letter_pdf, render_letter
from bot.letters.sample import SAMPLE_TODAY, sample_reports
body = next(iter(load_directory().values()))
report = sample_reports()["kz_male"]
letter = render_letter(
    body.letter_kind, body.id, report, body.languages[0], case_number="KZ-2026-0001",
    today=SAMPLE_TODAY,
)
print(letter_pdf(letter)[:5].decode())
print(*(default_catalogs().get(locale)("Skip") for locale in ("kk", "ru", "ky")), sep="|")
"""


def clean_env(**values: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("IZDEU_", "TELEGRAM_", "PYTHON")) and "proxy" not in k.lower()
    }
    env.update({"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    env.update(values)
    return env


def settings(api: BotAPIServer) -> dict[str, str]:
    """What an operator puts in the environment file."""
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_API_FILE_URL": api.file_url,
        "IZDEU_ENCRYPTION_KEY": new_key(),
    }


def start_and_stop(
    argv: list[str], cwd: Path, env: dict[str, str], api: BotAPIServer, log_path: Path
) -> str:
    """Start the command, wait until it polls the stand-in, stop it with SIGTERM."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + STARTUP
            while not api.sent(method="getUpdates"):
                assert proc.poll() is None, log_path.read_text("utf-8", "replace")
                assert time.monotonic() < deadline, log_path.read_text("utf-8", "replace")
                time.sleep(0.1)
            proc.send_signal(signal.SIGTERM)
            # Generous: this test is about the unit's command line; how fast a stop is, on a
            # quiet machine, is test_durability's (a busy CI machine took over 20 s here).
            assert proc.wait(60) == 0, log_path.read_text("utf-8", "replace")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    return log_path.read_text("utf-8", "replace")


def unit_values(key: str) -> list[str]:
    return [
        line.split("=", 1)[1]
        for line in UNIT.read_text().splitlines()
        if line.startswith(f"{key}=")
    ]


def test_systemd_unit_verifies_and_its_command_starts_the_bot(tmp_path: Path) -> None:
    python = unit_values("ExecStart")[0].split()[0]
    assert python == "/opt/izdeu/venv/bin/python"  # where the README installs it
    here = UNIT.read_text().replace(python, sys.executable)
    if shutil.which("systemd-analyze"):  # part of systemd; missing only without systemd
        unit = tmp_path / "izdeu.service"
        unit.write_text(here)
        done = subprocess.run(
            ["systemd-analyze", "verify", str(unit)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    state = tmp_path / "state"
    state.mkdir()
    env: dict[str, str] = {}
    for value in unit_values("Environment"):
        name, _, setting = value.partition("=")
        env[name] = setting.replace("/var/lib/izdeu", str(state))
    argv = shlex.split(unit_values("ExecStart")[0].replace(python, sys.executable))
    with BotAPIServer(TOKEN) as api:
        start_and_stop(argv, state, clean_env(**env, **settings(api)), api, tmp_path / "log")
    assert (state / "izdeu.sqlite3").exists()


def test_container_command_starts_the_bot_from_a_non_editable_install(tmp_path: Path) -> None:
    lines = CONTAINERFILE.read_text().replace("\\\n", " ").splitlines()
    source = tmp_path / "src"
    for line in lines:  # COPY a b /src/  or  COPY a /src/a
        if line.startswith("COPY "):
            *items, target = line.split()[1:]
            for item in items:
                assert target in ("/src/", f"/src/{item}"), line
                if (ROOT / item).is_dir():
                    shutil.copytree(
                        ROOT / item, source / item, ignore=shutil.ignore_patterns("__pycache__")
                    )
                else:
                    (source / item).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(ROOT / item, source / item)
    run = next(line for line in lines if line.startswith("RUN pip install"))
    assert "--require-hashes -r /src/requirements/run.txt" in run  # the lock, hash-checked
    assert "pip install --no-cache-dir --no-deps /src" in run
    site = tmp_path / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-compile",
            "--target",
            str(site),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=clean_env(),
    )
    assert done.returncode == 0, done.stderr
    data = tmp_path / "data"
    data.mkdir()
    env = clean_env(PYTHONPATH=str(site))
    for line in lines:
        if line.startswith("ENV "):
            for pair in shlex.split(line[4:]):
                name, _, value = pair.partition("=")
                env[name] = value.replace("/data", str(data))
    cmd = next(line for line in lines if line.startswith("CMD "))
    argv = [sys.executable if a == "python" else a for a in json.loads(cmd[4:])]
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import bot.i18n as i, bot.letters.render as r, handlers.app as h;"
            "import handlers.web.desk as w;"
            "print(i.LOCALES_DIR, r.TEMPLATES_DIR, h.__file__,"
            " w.TEMPLATES_DIR.joinpath('web', 'desk.css'), sep='\\n')",
        ],
        cwd=data,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for path in where.stdout.split():
        assert Path(path).is_relative_to(site) and Path(path).exists(), where.stdout
    made = subprocess.run(
        [sys.executable, "-c", RENDER],
        cwd=data,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    pdf, skip = made.stdout.splitlines()
    assert pdf.startswith("%PDF-"), made.stdout  # a letter from the installed templates
    assert skip == "Өткізіп жіберу|Пропустить|Өткөрүп жиберүү"  # the installed catalogs
    with BotAPIServer(TOKEN) as api:
        start_and_stop(argv, data, env | settings(api), api, tmp_path / "log")
    assert (data / "izdeu.sqlite3").exists()
