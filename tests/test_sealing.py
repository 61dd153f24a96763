"""The key is checked at start; stored Telegram ids are keyed; deletion leaves no link."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import move_to_key
from bot.config import Config
from bot.storage.crypto import Cipher, new_key
from bot.storage.sealing import KeyMismatch
from bot.storage.store import ANONYMOUS
from tests.support import KZ_REPORT, Bot, consent, fill
from tests.test_protection import full_case, raw_bytes, run_cli

FAMILY = 5_123_456_789  # a Telegram id long enough to be searched for in the file's bytes
ADMIN = 1


def id_bytes(telegram_id: int) -> list[bytes]:
    """How SQLite holds the id: a big-endian integer of the smallest of its sizes that
    fits (4, 6 or 8 bytes), or as text."""
    width = next(n for n in (4, 6, 8) if telegram_id < 1 << (8 * n - 1))
    return [telegram_id.to_bytes(width, "big"), str(telegram_id).encode()]


def env(tmp_path: Path, key: str | None = None, **more: str) -> dict[str, str]:
    values = {"IZDEU_DATA_DIR": str(tmp_path), **more}
    if key:
        values["IZDEU_ENCRYPTION_KEY"] = key
    return values


def assert_refused(done: object, *words: str) -> None:
    """Exit code 2 and one line on stderr that names the problem and what to do."""
    assert done.returncode == 2, (done.returncode, done.stderr)  # type: ignore[attr-defined]
    lines = done.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr  # type: ignore
    for word in words:
        assert word in lines[0], lines[0]


async def test_a_start_with_a_key_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    key, other = new_key(), new_key()
    bot = await Bot.start(tmp_path, key=key)
    await full_case(bot, 801)
    await bot.stop()
    kid, other_kid = Cipher(key).key_id, Cipher(other).key_id
    # Another key: for real (with a token) and in the offline chat alike.
    assert_refused(
        run_cli("run", env=env(tmp_path, other, TELEGRAM_BOT_TOKEN="1:x")),
        f"key id {other_kid}",
        f"sealed with key id {kid}",
    )
    # No key on a sealed database, even when running without one is allowed.
    assert_refused(
        run_cli("run", env=env(tmp_path, IZDEU_ALLOW_UNENCRYPTED="1", TELEGRAM_BOT_TOKEN="1:x")),
        "is sealed",
        "IZDEU_ENCRYPTION_KEY is not set",
    )
    # A new key with the old one among the old keys: the rotation must be run first.
    # (The same check in the process itself, to keep the suite quick.)
    with pytest.raises(KeyMismatch, match="rotate-key"):
        await Bot.start(tmp_path, key=other, old_keys=(key,))
    # After a rotation only the new key fits.
    done = run_cli("rotate-key", env=env(tmp_path, other, IZDEU_OLD_ENCRYPTION_KEYS=key))
    assert done.returncode == 0 and other_kid in done.stdout, done.stderr
    with pytest.raises(KeyMismatch, match="does not open"):
        await Bot.start(tmp_path, key=key)
    bot = await Bot.start(tmp_path, key=other)
    try:
        cases = await bot.services.store.cases_of(bot.services.user_key(801))
        assert [c.report.reporter_name for c in cases] == ["Айгүл Төлөгөнова"]
        chat = bot.chat(801, "ru")
        await chat.send("/mycases")
        assert "KZ-2026-0001" in chat.last_text()
    finally:
        await bot.stop()


async def test_a_clear_database_is_sealed_only_by_the_encrypt_command(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    await full_case(bot, FAMILY)
    await bot.stop()
    assert any(b in raw_bytes(tmp_path) for b in id_bytes(FAMILY))
    key = new_key()
    assert_refused(
        run_cli("run", "--offline", env=env(tmp_path, key)),
        "written unencrypted",
        "python -m bot encrypt",
    )
    assert_refused(run_cli("rotate-key", env=env(tmp_path, key)), "python -m bot encrypt")
    done = run_cli("encrypt", env=env(tmp_path, key))
    assert done.returncode == 0, done.stderr
    with pytest.raises(KeyMismatch, match="already sealed"):
        await move_to_key(
            Config(db_path=tmp_path / "izdeu.sqlite3", encryption_key=key), encrypt=True
        )
    raw = raw_bytes(tmp_path)
    assert "Айгүл".encode() not in raw
    for form in id_bytes(FAMILY):
        assert form not in raw, form
    bot = await Bot.start(tmp_path, key=key)
    try:
        chat = bot.chat(FAMILY, "ru")
        await chat.send("/mycases")
        assert "KZ-2026-0001" in chat.last_text()
    finally:
        await bot.stop()


async def test_telegram_ids_are_keyed_and_deletion_leaves_no_link(tmp_path: Path) -> None:
    key = new_key()
    bot = await Bot.start(tmp_path, key=key, admin_ids=frozenset({ADMIN}))
    try:
        family = bot.chat(FAMILY, "kk")
        await consent(family, "kk")
        await fill(family, KZ_REPORT)
        await family.press("confirm")
        stored = bot.services.user_key(FAMILY)
        assert stored != FAMILY
        case = (await bot.services.store.cases_of(stored))[0]
        admin = bot.chat(ADMIN, "ru")
        await admin.send(f"/case {case.number}")
        await admin.press_data(f"staff:message:{case.id}")
        await admin.send("Здравствуйте! Есть ли ответ из посольства?")
        assert "Есть ли ответ" in family.last_text()  # the sealed chat id reached the family
        data, message = family.button("Жауап беру")  # the family reads Kazakh
        await family.press_data(data, message.result)
        await family.send("Жауап әлі жоқ")
        assert "Жауап әлі жоқ" in admin.last_text()  # and the administrator's chat
        async with bot.services.db.lock:
            await bot.services.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = raw_bytes(tmp_path)
        for form in id_bytes(FAMILY):
            assert form not in raw, form
        await family.send("/delete")
        await family.press("d:y")
    finally:
        await bot.stop()
    with sqlite3.connect(tmp_path / "izdeu.sqlite3") as conn:
        audit = conn.execute("SELECT actor_id, action, target_id FROM audit").fetchall()
        assert (ANONYMOUS, "delete", None) in audit
        admin_key = Cipher(key).pseudonym(ADMIN)
        assert (ANONYMOUS, "message", admin_key) in audit  # the family's answer, anonymous
        assert (admin_key, "message", ANONYMOUS) in audit  # and the message it answered
        for table, column in _id_columns(conn):
            rows = conn.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {column} IN (?, ?)", (stored, FAMILY)
            ).fetchone()[0]
            assert rows == 0, (table, column)
    raw = raw_bytes(tmp_path)
    for form in id_bytes(FAMILY) + id_bytes(stored):
        assert form not in raw, form


def _id_columns(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Every integer column of every table: wherever an id could hide."""
    found = []
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for column in conn.execute(f"PRAGMA table_info({table})"):
            if column[2].upper() == "INTEGER":
                found.append((table, column[1]))
    return found


def test_telegram_user_ids_reach_the_core_only_in_their_keyed_form() -> None:
    """A handler that passed ``update.effective_user.id`` to the core would store the
    id as Telegram gives it: every such use goes through ``user_key``, except where the
    id only names a chat to answer in or to order updates by."""
    allowed = {
        ("app.py", "return update.effective_user.id"),
        (
            "common.py",
            "return update.effective_user.id if update.effective_user is not None else None",
        ),
    }
    handlers = Path(__file__).resolve().parent.parent / "handlers"
    offending = []
    for path in sorted(handlers.glob("*.py")):
        if path.name in ("localapi.py", "terminal.py", "updates.py"):
            continue  # the stand-in Bot API and the offline chat play Telegram's part
        for line in path.read_text(encoding="utf-8").splitlines():
            code = line.strip()
            if (
                any(name in code for name in ("effective_user.id", "tg_user.id", "from_user.id"))
                and "user_key(" not in code
                and (path.name, code) not in allowed
            ):
                offending.append(f"{path.name}: {code}")
    assert offending == []
