"""The inbox in-process: re-deliveries applied once, a reused id with new content
processed, handled ids forgotten after a week, leftovers processed after a restart in
each chat's order."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from telegram import Update

from bot.services.delivery import KEEP_HANDLED, MAX_ATTEMPTS, STALE_POLL, judge, received
from bot.storage.inbox import Heartbeat
from handlers import jobs
from handlers.inbox import Receiver
from tests.support import Bot, consent


async def deliver(receiver: Receiver, *updates: Update) -> None:
    await receiver.accept([(u, u.to_dict()) for u in updates])
    await receiver.drain(30)


def handled(bot: Bot) -> set[int]:
    with sqlite3.connect(bot.config.db_path) as conn:
        return {r[0] for r in conn.execute("SELECT update_id FROM processed_updates")}


async def test_redelivery_once_reused_id_processed_and_pruned(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    try:
        receiver = Receiver(bot.app, bot.services.delivery)
        chat = bot.chat(501, "ru")
        start = chat.make.text("/start")
        await deliver(receiver, start)
        assert len(chat.messages()) == 1  # the language picker
        await deliver(receiver, start, start)  # Telegram delivers it again, twice
        assert len(chat.messages()) == 1

        # The same id later carries another family's message (ids restarted): processed.
        other = bot.chat(502, "kk")
        reused = Update.de_json(
            {**other.make.text("/start").to_dict(), "update_id": start.update_id}, bot.app.bot
        )
        await deliver(receiver, reused)
        assert len(other.messages()) == 1
        await deliver(receiver, reused)  # and its own re-delivery is recognised
        assert len(other.messages()) == 1

        assert start.update_id in handled(bot)
        bot.clock.advance(KEEP_HANDLED - timedelta(minutes=1))
        assert await bot.services.delivery.prune() == 0
        bot.clock.advance(timedelta(minutes=2))
        assert await bot.services.delivery.prune() == 1
        assert handled(bot) == set()
    finally:
        await bot.stop()


async def test_leftovers_processed_in_order_after_restart(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    chat = bot.chat(601, "ru")
    updates = [chat.make.text("/start"), chat.make.text("/help"), chat.make.text("/language")]
    # Stored, then the process died before processing them.
    await bot.services.delivery.receive([received(u.to_dict()) for u in updates])
    bot = await bot.restart()
    try:
        receiver = Receiver(bot.app, bot.services.delivery)
        assert await receiver.recover() == 3
        await receiver.drain(30)
        sent = bot.api.messages(601)
        assert len(sent) == 3
        pickers = [any(data.startswith("lang:") for _, data in c.buttons()) for c in sent]
        assert pickers == [True, False, True]  # /start, /help, /language: in order
        assert await receiver.recover() == 0  # nothing left
        with sqlite3.connect(bot.config.db_path) as conn:
            assert conn.execute("SELECT count(*) FROM inbox").fetchone()[0] == 0
    finally:
        await bot.stop()


async def test_stored_answer_whose_reply_was_cut_off_gets_its_question_again(
    tmp_path: Path,
) -> None:
    bot = await Bot.start(tmp_path)
    chat = bot.chat(701, "kk")
    await consent(chat, "kk")
    answer = chat.make.text("Айгүл Төлөгөнова")
    await bot.services.delivery.receive([received(answer.to_dict())])
    await chat.process(answer)  # applied and answered; the bot died before marking it done
    bot = await bot.restart()
    try:
        receiver = Receiver(bot.app, bot.services.delivery)
        assert await receiver.recover() == 1
        await receiver.drain(30)
        sent = bot.api.messages(701)
        assert len(sent) == 1  # the next question again, the answer not applied twice
        assert any(data.endswith(":mother") for _, data in sent[0].buttons())
        draft = await bot.services.report.draft(701)
        assert draft is not None and draft.answers == {"r_name": "Айгүл Төлөгөнова"}
    finally:
        await bot.stop()


def test_health_judged_from_the_heartbeat() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    fresh = Heartbeat(now - timedelta(seconds=5), 1, "polling", now - timedelta(seconds=8), True)
    assert judge(fresh, now, writable=True, running=True).ok
    assert not judge(fresh, now, writable=True, running=False).ok  # the process is gone
    assert not judge(fresh, now, writable=False, running=True).ok
    stale_poll = replace(fresh, received_at=now - STALE_POLL - timedelta(seconds=1))
    health = judge(stale_poll, now, writable=True, running=True)
    assert not health.receiving and health.worker and "polling: NO" in "\n".join(health.lines)
    assert not judge(replace(fresh, worker_alive=False), now, True, True).worker
    silent = replace(fresh, at=now - timedelta(minutes=5))
    assert not judge(silent, now, True, True).ok  # a hung bot stops beating
    hook = replace(fresh, mode="webhook", received_at=None)
    assert not judge(hook, now, True, True).receiving  # setWebhook not through yet
    assert judge(None, now, True, False).lines[-1] == "bot: has never run on this database"


async def test_an_update_that_kept_killing_the_bot_is_given_up(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    try:
        chat = bot.chat(801, "ru")
        first, second = chat.make.text("/start"), chat.make.text("/help")
        seqs = await bot.services.delivery.receive(
            [received(first.to_dict()), received(second.to_dict())]
        )
        for _ in range(MAX_ATTEMPTS - 1):
            await bot.services.delivery.attempt(seqs[0])
        assert [p.update_id for p in await bot.services.delivery.recover()] == [
            first.update_id,
            second.update_id,
        ]  # queued again, not yet tried: not counted
        await bot.services.delivery.attempt(seqs[0])  # begun once more, and the bot died
        assert [p.update_id for p in await bot.services.delivery.recover()] == [second.update_id]
    finally:
        await bot.stop()


async def test_the_scheduled_job_prunes_handled_ids(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    try:
        names = [job.name for job in bot.app.job_queue.jobs()]
        assert "handled-updates" in names
        chat = bot.chat(901, "ru")
        await chat.send("/start")
        assert handled(bot)
        bot.clock.advance(KEEP_HANDLED + timedelta(hours=1))
        context = SimpleNamespace(application=bot.app)
        await jobs.prune_updates_job(context)  # type: ignore[arg-type]
        assert handled(bot) == set()
    finally:
        await bot.stop()
