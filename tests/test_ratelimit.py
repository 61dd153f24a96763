"""Replies first within Telegram's limits: the rules against a fake clock, then the rate
limiter in a real python-telegram-bot client against a stand-in that refuses with 429."""

from __future__ import annotations

import asyncio

from telegram.ext import ExtBot

from handlers.ratelimit import Limits, Pacer, Priority, RepliesFirstRateLimiter, counted
from tests.limits_api import EnforcingBotAPI


def drain(pacer: Pacer, arrivals: list[tuple[float, Priority, int]]) -> list[tuple[float, int]]:
    """Run ``pacer`` on a fake clock: requests arrive at their times, each goes when its
    turn comes. Returns (time granted, chat) in order."""
    arrivals = sorted(arrivals, key=lambda a: a[0])
    now, granted, index = 0.0, [], 0
    while index < len(arrivals) or len(pacer):
        while index < len(arrivals) and arrivals[index][0] <= now:
            _, priority, chat = arrivals[index]
            pacer.add(priority, chat)
            index += 1
        waiting, wait = pacer.take(now)
        if waiting is not None:
            granted.append((now, waiting.chat))
            continue
        next_arrival = arrivals[index][0] if index < len(arrivals) else float("inf")
        now = min(now + wait, next_arrival)
    return granted


def most_in_any_window(times: list[float], period: float) -> int:
    most, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - period + 1e-9:  # (t - period, t], floating point aside
            start += 1
        most = max(most, end - start + 1)
    return most


def test_counted_calls_are_messages() -> None:
    assert counted("sendMessage") and counted("editMessageText") and counted("sendDocument")
    assert counted("copyMessage") and counted("sendMediaGroup")
    for free in ("answerCallbackQuery", "getUpdates", "sendChatAction", "setMyCommands"):
        assert not counted(free)


def test_a_reply_goes_before_everything_waiting() -> None:
    pacer = Pacer()
    for chat in range(1, 6):
        pacer.add(Priority.BACKGROUND, chat)
    pacer.add(Priority.REPLY, 99)
    pacer.add(Priority.REPLY, 98)
    order = []
    now = 0.0
    while len(pacer):
        waiting, wait = pacer.take(now)
        if waiting is None:
            now += wait
        else:
            order.append(waiting.chat)
    assert order == [99, 98, 1, 2, 3, 4, 5]


def test_a_burst_of_reminders_keeps_every_limit_and_replies_wait_little() -> None:
    limits = Limits()
    # 600 reminders at once to 200 families (three each), and 50 families replying to one
    # message every few seconds meanwhile.
    arrivals = [(0.0, Priority.BACKGROUND, 1000 + i % 200) for i in range(600)]
    replies = [
        (0.5 + 2.3 * k + 0.047 * f, Priority.REPLY, f + 1) for f in range(50) for k in range(5)
    ]
    granted = drain(Pacer(limits), arrivals + replies)
    assert len(granted) == 600 + len(replies)
    times = [t for t, _ in granted]
    assert most_in_any_window(times, 1.0) <= limits.overall < 30
    last: dict[int, float] = {}
    for t, chat in granted:
        assert t - last.get(chat, -10.0) >= limits.per_chat_gap - 1e-9
        last[chat] = t
    # Every reply went within two turns of arriving, however many reminders waited.
    reply_times = sorted(t for t, chat in granted if chat <= 50)
    asked = sorted(t for t, _, _ in replies)
    waits = [got - ask for got, ask in zip(reply_times, asked)]
    assert max(waits) <= 2 * limits.period / limits.overall + 1e-9


def test_a_group_gets_twenty_a_minute() -> None:
    granted = drain(Pacer(), [(0.0, Priority.BACKGROUND, -100) for _ in range(25)])
    times = [t for t, _ in granted]
    assert most_in_any_window(times, 60.0) == 20
    assert times[20] >= 60.0 - 1e-9


def test_after_a_429_nothing_goes_until_it_ends() -> None:
    pacer = Pacer()
    pacer.add(Priority.REPLY, 1)
    pacer.hold(5.0)
    waiting, wait = pacer.take(1.0)
    assert waiting is None and wait == 4.0
    waiting, _ = pacer.take(5.0)
    assert waiting is not None and waiting.chat == 1


async def test_replies_overtake_a_burst_with_no_429_in_a_real_client() -> None:
    # Telegram's limits scaled down ten times so that the test takes a second.
    api = EnforcingBotAPI(overall=30, period=0.1, per_chat_gap=0.1)
    limiter = RepliesFirstRateLimiter(Limits(overall=28, period=0.1, per_chat_gap=0.1))
    bot = ExtBot("123:abc", request=api, get_updates_request=api, rate_limiter=limiter)
    async with bot:
        background = [
            asyncio.create_task(bot.send_message(1000 + i % 40, f"reminder {i}"))
            for i in range(120)
        ]
        await asyncio.sleep(0.05)
        replies = [
            asyncio.create_task(bot.send_message(i, f"reply {i}", rate_limit_args=Priority.REPLY))
            for i in range(1, 6)
        ]
        await asyncio.sleep(0.02)
        await bot.answer_callback_query("1")  # not counted: goes at once
        await asyncio.gather(*background, *replies)
    assert api.refused == 0
    texts = [text for _, _, text in api.accepted]
    assert len(texts) == 125
    first_reply = min(texts.index(f"reply {i}") for i in range(1, 6))
    last_reply = max(texts.index(f"reply {i}") for i in range(1, 6))
    assert last_reply - first_reply == 4  # one after the other, nothing between them
    assert last_reply < 40  # long before the reminders sent before them are through
    # Each chat's reminders kept their order.
    for chat in range(1000, 1040):
        mine = [int(t.split()[1]) for _, c, t in api.accepted if c == chat]
        assert mine == sorted(mine)


def test_in_one_chat_replies_follow_the_person_and_the_bots_own_messages_wait() -> None:
    pacer = Pacer()
    pacer.add(Priority.REPLY, 7)
    pacer.add(Priority.REPLY, 7)
    first, _ = pacer.take(0.0)
    second, _ = pacer.take(0.1)  # a quick second tap: its answer goes at once
    assert first is not None and second is not None
    pacer.add(Priority.BACKGROUND, 7)
    waiting, wait = pacer.take(0.2)
    assert waiting is None and abs(wait - 0.9) < 1e-9  # a second after the last reply
    assert pacer.take(1.1)[0] is not None
    pacer.add(Priority.REPLY, 7)
    waiting, wait = pacer.take(1.5)  # after a message of the bot's own: a second
    assert waiting is None and abs(wait - 0.6) < 1e-9
