"""Error reports to the administrators, scheduled backups and their restore."""

from __future__ import annotations

import re
import shutil
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

from bot.alerts import GROUPS_KEPT, ErrorDigest
from bot.backups import backups_in, scheduled_backup
from bot.config import Config
from bot.storage.crypto import new_key
from handlers.localapi import Fault
from handlers.operations import send_error_report
from tests.support import START, Bot, consent
from tests.test_protection import full_case

ADMIN = 1


async def test_errors_reach_the_administrators_grouped_without_personal_data(
    tmp_path: Path,
) -> None:
    bot = await Bot.start(tmp_path, admin_ids=frozenset({ADMIN}))
    try:
        admin = bot.chat(ADMIN, "kk")
        await consent(admin, "kk")  # the administrator reads the report in Kazakh
        families = [bot.chat(900 + i, "ru") for i in range(2)]
        for chat in families:
            await consent(chat, "ru")
        # A family that blocked the bot is no error for the operator.
        bot.api.fail_next("sendMessage", Fault(403, "Forbidden: bot was blocked by the user"))
        await families[0].send("/help")
        async with bot.services.db.lock:  # the disk is full, or the mount read-only
            await bot.services.db.conn.execute("PRAGMA query_only=ON")
        update_ids = []
        for chat, text in zip(
            families * 2, ["Айгүл Төлөгөнова", "Бауыржан Сейітұлы", "+77011234567", "Нұрлан"]
        ):
            update = chat.make.text(text)
            update_ids.append(update.update_id)
            await chat.process(update)
        async with bot.services.db.lock:
            await bot.services.db.conn.execute("PRAGMA query_only=OFF")
        assert await send_error_report(bot.app) == 1
        report = admin.last_text()
        t = bot.t("kk")
        assert report.splitlines()[0] == (
            "21.11.26, 14:00 бастап болған қателер (тек қате түрлері мен жаңарту нөмірлері):"
        )
        assert report.splitlines()[-1] == t("Details without personal data are in the bot's log.")
        lines = [line for line in report.splitlines() if line.startswith("• ")]
        # Four failed updates, grouped by the step that failed (the answer, the
        # update's bookkeeping), each line with its count, place and update ids.
        shape = re.compile(
            r"• (\d+) × OperationalError, орны: handlers/\w+\.py:\d+ → "
            r"bot/storage/\w+\.py:\d+ — жаңартулар: [\d, ]+$"
        )
        assert all(shape.match(line) for line in lines), report
        counts = [int(shape.match(line)[1]) for line in lines]
        assert sum(counts) >= len(update_ids) and len(lines) < sum(counts)  # grouped
        for update_id in update_ids:
            assert str(update_id) in report
        assert "Forbidden" not in report
        for personal in ("Айгүл", "Бауыржан", "+7701", "Нұрлан"):
            assert personal not in report, personal
        # Nothing new: no second message (the job runs every IZDEU_ERROR_REPORT_MINUTES).
        before = len(bot.api.messages(ADMIN))
        assert await send_error_report(bot.app) == 0
        assert len(bot.api.messages(ADMIN)) == before
        job = bot.app.job_queue.get_jobs_by_name("error-report")[0]
        assert job.job.trigger.interval == timedelta(minutes=5)
    finally:
        await bot.stop()


def test_many_kinds_of_error_make_one_bounded_report() -> None:
    digest = ErrorDigest()
    for i in range(GROUPS_KEPT + 7):
        try:
            raise type(f"Error{i}", (RuntimeError,), {})("a family's words")
        except RuntimeError as exc:
            digest.record(exc, i, START)
    since, groups, dropped = digest.take()
    assert since == START and len(groups) == GROUPS_KEPT and dropped == 7
    assert groups[0].where == "?"  # raised outside the bot's own packages
    assert digest.take() == (None, [], 0)


async def test_scheduled_backups_keep_the_newest_and_restore(tmp_path: Path) -> None:
    key = new_key()
    data = tmp_path / "data"
    bot = await Bot.start(data, key=key)
    folder = tmp_path / "backups"
    try:
        await full_case(bot, 910)
        made = []
        for hours in range(3):
            made.append(
                await scheduled_backup(
                    bot.config.db_path, folder, 2, START + timedelta(hours=hours)
                )
            )
        assert backups_in(folder) == made[1:]  # the two newest
        assert stat.S_IMODE(made[-1].stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        # The job the running bot schedules writes to IZDEU_BACKUP_DIR (<data>/backups).
        job = bot.app.job_queue.get_jobs_by_name("backup")[0]
        assert job.job.trigger.interval == timedelta(hours=24)
        await job.run(bot.app)
        assert [p.name for p in backups_in(data / "backups")] == ["izdeu-20261121-090000.sqlite3"]
        # After the backup the family deletes everything...
        chat = bot.chat(910, "ru")
        await chat.send("/delete")
        await chat.press("delete:y")
        assert await bot.services.store.count_cases() == 0
    finally:
        await bot.stop()
    # ...and the organisation restores the newest backup, as the README says.
    db_path = data / "izdeu.sqlite3"
    for extra in data.glob("izdeu.sqlite3-*"):
        extra.unlink()
    shutil.copyfile(made[-1], db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    bot = await Bot.start(data, key=key)
    try:
        chat = bot.chat(910, "ru")
        await chat.send("/mycases")
        assert "KZ-2026-0001" in chat.last_text()
    finally:
        await bot.stop()


def test_backup_and_report_settings_are_read_and_checked() -> None:
    config = Config.from_env(
        {
            "IZDEU_DATA_DIR": "/srv/izdeu",
            "IZDEU_BACKUP_KEEP": "14",
            "IZDEU_BACKUP_HOURS": "6",
            "IZDEU_ERROR_REPORT_MINUTES": "0",
        }
    )
    assert config.backups == Path("/srv/izdeu/backups")
    assert (config.backup_keep, config.backup_hours, config.error_report_minutes) == (14, 6, 0)
    assert Config.from_env({"IZDEU_BACKUP_DIR": "/backup"}).backups == Path("/backup")
    try:
        Config.from_env({"IZDEU_BACKUP_HOURS": "-1"})
    except ValueError as exc:
        assert "IZDEU_BACKUP_HOURS" in str(exc) or "-1" in str(exc)
    else:
        raise AssertionError("a negative interval was accepted")
