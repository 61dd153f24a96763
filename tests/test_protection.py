"""Data protection: encryption at rest, deletion, retention, backup, broken storage, migrations."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.models import CaseStatus
from bot.exports.synthetic import generate
from bot.storage.crypto import Cipher, KeyError_, new_key
from bot.storage.database import LATEST_VERSION, Database, StorageUnavailable, migrations
from bot.storage.maintenance import CLOSED_STATUSES, PURGE_BATCH, backup, purge_closed, reseal
from bot.storage.store import Store, dump_answers, load_answers
from tests.support import KZ_REPORT, Bot, consent, fill, give_translations

SECRETS = (
    "Айгүл".encode(),
    "Төлөгөнова".encode(),
    b"+77011234567",
    b"700315450120",
    "Құрманғазыұлы".encode(),
    b"N12345678",
    "Вербовщик Иван".encode(),
    b"aigul@example.kz",
    "Переписка с вербовщиком".encode(),
)


def raw_bytes(db_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(db_dir.glob("izdeu.sqlite3*")))


async def full_case(bot: Bot, user_id: int) -> int:
    chat = bot.chat(user_id, "ru")
    await consent(chat, "ru")
    await fill(chat, KZ_REPORT)
    await chat.press("confirm")
    case = (await bot.services.store.cases_of(bot.services.user_key(user_id)))[0]
    await chat.press(f"letters:prepare:{case.id}")
    await chat.press("all")
    await chat.press(f"letters:language:{case.id}:kk")
    await give_translations(chat)
    return case.id


async def test_personal_fields_are_sealed_and_everything_still_works(tmp_path: Path) -> None:
    key = new_key()
    bot = await Bot.start(tmp_path, key=key)
    try:
        case_id = await full_case(bot, 700)
        chat = bot.chat(700, "ru")
        await chat.send("/case KZ-2026-0001")
        assert "Әлібек Құрманғазыұлы" in chat.last_text()
        async with bot.services.db.lock:
            await bot.services.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = raw_bytes(tmp_path)
        for secret in SECRETS:
            assert secret not in raw, secret
        assert b"KZ-2026-0001" in raw  # numbers and codes stay searchable
        case = await bot.services.store.get_case_by_id(case_id)
        assert case is not None and case.report.reporter_phone == "+77011234567"
    finally:
        await bot.stop()
    wrong = Database(tmp_path / "izdeu.sqlite3", cipher=Cipher(new_key()))
    await wrong.open()
    with pytest.raises(KeyError_):
        await Store(wrong).get_case("KZ-2026-0001")
    await wrong.close()


def test_sealed_answers_round_trip_and_refuse_what_json_cannot_hold() -> None:
    cipher = Cipher(new_key())
    answers = {"m_name": "Әлібек Құрманғазыұлы", "note": "Үй-жайы белгісіз 😢", "n": [1, 2]}
    sealed = dump_answers(answers, cipher)
    assert "Әлібек" not in sealed and sealed.startswith("enc1:")
    assert load_answers(sealed, cipher) == answers
    assert cipher.open(cipher.seal("Ұлы")) == "Ұлы"
    # Written before a key was configured: read as it is.
    assert load_answers(dump_answers(answers), cipher) == answers
    with pytest.raises(KeyError_):
        load_answers(sealed[:-4] + "AAAA", cipher)
    with pytest.raises(TypeError):  # a date must be turned into text by its owner
        dump_answers({"at": datetime(2026, 1, 1, tzinfo=UTC)}, cipher)


async def test_key_rotation_reseals_every_value(tmp_path: Path) -> None:
    old, new = new_key(), new_key()
    bot = await Bot.start(tmp_path, key=old)
    await full_case(bot, 701)
    await bot.stop()
    db = Database(tmp_path / "izdeu.sqlite3", cipher=Cipher(new, old))
    await db.open()
    assert await reseal(db, Cipher(old), Cipher(new)) > 0
    await db.close()
    only_new = Database(tmp_path / "izdeu.sqlite3", cipher=Cipher(new))
    await only_new.open()
    case = await Store(only_new).get_case("KZ-2026-0001")
    assert case is not None and case.report.missing_name == "Әлібек Құрманғазыұлы"
    await only_new.close()


async def test_delete_leaves_no_trace_and_keeps_anonymous_counts(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    try:
        await full_case(bot, 702)
        chat = bot.chat(702, "ru")
        rows = await bot.services.letters.store.letters_of(1)
        await chat.send("/track")
        await chat.press("track:sent:1")
        await chat.press(f"track:pick:{rows[0].id}")
        await chat.press("track:next:0")
        await chat.send("01.11.2026")
        await chat.press("track:channel:registered")
        await chat.send("RA123456789KZ")
        await chat.send("/delete")
        await chat.press("delete:y")
        raw = raw_bytes(tmp_path)
        for secret in SECRETS + (b"RA123456789KZ",):
            assert secret not in raw, secret
        with sqlite3.connect(tmp_path / "izdeu.sqlite3") as conn:
            assert conn.execute("SELECT citizenship FROM deleted_cases").fetchall() == [("KZ",)]
            assert conn.execute("SELECT COUNT(*) FROM reminders").fetchone()[0] == 0
            assert conn.execute("SELECT COUNT(*) FROM letters").fetchone()[0] == 0
            actions = [r[0] for r in conn.execute("SELECT action FROM audit")]
        assert "delete" in actions
    finally:
        await bot.stop()


async def test_closed_cases_are_purged_after_the_retention_period(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    try:
        case_id = await full_case(bot, 703)
        staff = bot.services.staff
        actor = await staff.actor(1)
        case = await bot.services.store.get_case_by_id(case_id)
        assert case is not None
        await staff.set_status(actor, case, CaseStatus.CLOSED)
        assert await bot.services.purge_expired() == 0  # closed today: kept
        bot.clock.advance(timedelta(days=bot.config.retention_days + 1))
        assert await bot.services.purge_expired() == 1
        case = await bot.services.store.get_case_by_id(case_id)
        assert case is not None and case.status == CaseStatus.CLOSED and case.citizenship == "KZ"
        assert case.report.reporter_name == ""
        raw = raw_bytes(tmp_path)
        for secret in SECRETS:
            assert secret not in raw, secret
    finally:
        await bot.stop()


async def test_a_purge_over_many_closed_cases_goes_batch_by_batch(tmp_path: Path) -> None:
    """Every closed case is purged, each once, however many there are."""
    db = Database(tmp_path / "many.sqlite3", cipher=Cipher(new_key()))
    await db.open()
    try:
        await generate(db, 1500)
        now = datetime(2027, 6, 1, tzinfo=UTC)
        marks = ", ".join("?" * len(CLOSED_STATUSES))
        closed = (
            await (
                await db.conn.execute(
                    f"SELECT COUNT(*) FROM cases WHERE status IN ({marks})", CLOSED_STATUSES
                )
            ).fetchone()
        )[0]
        assert closed > 2 * PURGE_BATCH
        assert await purge_closed(db, now, now) == closed
        assert await purge_closed(db, now, now) == 0
        purged = (
            await (
                await db.conn.execute("SELECT COUNT(*) FROM cases WHERE purged_at IS NOT NULL")
            ).fetchone()
        )[0]
        audited = (
            await (
                await db.conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'purge'")
            ).fetchone()
        )[0]
        assert purged == audited == closed
    finally:
        await db.close()


async def test_online_backup_while_writing_then_restore(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path / "live")
    try:
        await full_case(bot, 704)

        async def keep_writing() -> None:
            for i in range(30):
                chat = bot.chat(800 + i, "ru")
                await consent(chat, "ru")
                await chat.send("Айгүл Төлөгөнова")

        writer = asyncio.create_task(keep_writing())
        await asyncio.sleep(0)
        pages = await asyncio.to_thread(backup, bot.config.db_path, tmp_path / "backup.sqlite3")
        await writer
        assert pages > 0
    finally:
        await bot.stop()
    restored = tmp_path / "restored"
    restored.mkdir()
    (tmp_path / "backup.sqlite3").rename(restored / "izdeu.sqlite3")
    again = await Bot.start(restored)
    try:
        assert await again.services.store.get_case("KZ-2026-0001") is not None
        with sqlite3.connect(restored / "izdeu.sqlite3") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            users = conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]
        assert 1 <= users <= 31
    finally:
        await again.stop()


async def test_an_unusable_database_gives_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    unusable = tmp_path / "not-a-file.sqlite3"
    unusable.mkdir()  # what a broken mount or a wrong path looks like to SQLite
    with pytest.raises(StorageUnavailable):
        await Database(unusable).open()
    env = {**os.environ, "IZDEU_DB_PATH": str(unusable), "IZDEU_DATA_DIR": str(tmp_path)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 2
    assert "error: cannot open database" in done.stderr and "Traceback" not in done.stderr


async def test_query_only_database_refuses_writes_cleanly(tmp_path: Path) -> None:
    """A database that cannot be written (full disk, read-only mount) fails the step, not
    the bot."""
    bot = await Bot.start(tmp_path)
    try:
        chat = bot.chat(705, "ru")
        await consent(chat, "ru")
        async with bot.services.db.lock:
            await bot.services.db.conn.execute("PRAGMA query_only=ON")
        await chat.send("Айгүл Төлөгөнова")
        assert (
            bot.t("ru")(
                "Sorry, something went wrong on our side. What you entered before is "
                "saved; please try again in a moment."
            )
            == chat.last_text()
        )
        async with bot.services.db.lock:
            await bot.services.db.conn.execute("PRAGMA query_only=OFF")
        await chat.send("Айгүл Төлөгөнова")
        draft = await bot.services.store.get_draft(705)
        assert draft is not None and draft.step == "r_rel"
    finally:
        await bot.stop()


SAMPLE_AT = {
    1: [
        "INSERT INTO users VALUES (9, 9, 'kk', '2026-01-01T00:00:00+00:00', NULL, 1, NULL, "
        "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
        "INSERT INTO cases(id, number, reporter_id, status, citizenship, answers, created_at, "
        "updated_at) VALUES (1, 'KZ-2026-0001', 9, 'reported', 'KZ', '{\"m_name\": \"Әлібек\"}', "
        "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
        "INSERT INTO drafts VALUES (9, 'r_rel', '{\"r_name\": \"Айгүл\"}', '[\"r_name\"]', "
        "0, NULL, "
        "0, '2026-01-01T00:00:00+00:00')",
    ],
    2: [
        "INSERT INTO letters(case_id, addressee_id, kind, created_at, updated_at) VALUES "
        "(1, 'embassy_kz', 'consular_request', '2026-01-02T00:00:00+00:00', "
        "'2026-01-02T00:00:00+00:00')"
    ],
    3: [
        "UPDATE letters SET sent_on = '2026-01-03', due_on = '2026-02-01' WHERE id = 1",
        "INSERT INTO reminders(user_id, case_id, letter_id, kind, due_at, created_at) VALUES "
        "(9, 1, 1, 'overdue', '2026-02-02T05:00:00+00:00', '2026-01-03T00:00:00+00:00')",
    ],
    4: [
        "INSERT INTO staff VALUES (5, 5, 'volunteer', 'ru', 1, '2026-01-04T00:00:00+00:00')",
        "INSERT INTO assignments VALUES (1, 5, 1, '2026-01-04T00:00:00+00:00')",
    ],
}


@pytest.mark.parametrize("start", range(1, LATEST_VERSION))
async def test_migration_from_every_earlier_version_keeps_data(tmp_path: Path, start: int) -> None:
    db = Database(tmp_path / "old.sqlite3")
    await db.open(target=start)
    assert await db.version() == start
    for version in range(1, start + 1):
        for statement in SAMPLE_AT.get(version, []):
            await db.conn.execute(statement)
    assert await db.migrate() == LATEST_VERSION
    store = Store(db)
    case = await store.get_case("KZ-2026-0001")
    assert case is not None and case.answers["m_name"] == "Әлібек"
    draft = await store.get_draft(9)
    assert draft is not None and draft.answers == {"r_name": "Айгүл"}
    async with db.conn.execute("PRAGMA foreign_key_check") as cur:
        assert await cur.fetchall() == []
    assert [v for v, _, _ in migrations()][-1] == LATEST_VERSION
    await db.close()


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("IZDEU_", "TELEGRAM_"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=full_env,
        text=True,
        capture_output=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )


async def test_backup_and_key_rotation_commands(tmp_path: Path) -> None:
    old = new_key()
    bot = await Bot.start(tmp_path, key=old)
    await full_case(bot, 706)
    await bot.stop()
    new = run_cli("new-key", env={}).stdout.strip()
    assert len(new) == 44
    done = run_cli(
        "rotate-key",
        env={
            "IZDEU_DATA_DIR": str(tmp_path),
            "IZDEU_ENCRYPTION_KEY": new,
            "IZDEU_OLD_ENCRYPTION_KEYS": old,
        },
    )
    assert done.returncode == 0, done.stderr
    done = run_cli("backup", str(tmp_path / "copy.sqlite3"), env={"IZDEU_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    copy = Database(tmp_path / "copy.sqlite3", cipher=Cipher(new))
    await copy.open()
    case = await Store(copy).get_case("KZ-2026-0001")
    assert case is not None and case.report.reporter_name == "Айгүл Төлөгөнова"
    await copy.close()
    refused = run_cli("run", env={"IZDEU_DATA_DIR": str(tmp_path), "TELEGRAM_BOT_TOKEN": "1:x"})
    assert refused.returncode == 2 and "IZDEU_ENCRYPTION_KEY" in refused.stderr
