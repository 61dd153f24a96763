"""The stand-in Bot API's record of calls, looked up by chat as tests and simulated
families do at every step."""

from __future__ import annotations

from telegram import Bot

from handlers.localapi import LocalBotAPI


async def test_each_chat_s_calls_are_found_in_order_and_cleared() -> None:
    api = LocalBotAPI()
    async with Bot("1:offline", request=api) as bot:
        for i in range(30):
            await bot.send_message(100 + i % 3, f"to {100 + i % 3}: {i}")
        await bot.set_my_commands([("start", "Start")])
    for chat in (100, 101, 102):
        everywhere = [c for c in api.calls if c.chat_id == chat]
        assert api.sent(chat) == everywhere and len(everywhere) == 10
        assert [c.text for c in api.messages(chat)] == [
            f"to {chat}: {i}" for i in range(30) if 100 + i % 3 == chat
        ]
    assert api.sent(None) == api.calls and len(api.sent(None, "sendMessage")) == 30
    assert api.sent(101, "sendMessage") == api.messages(101)
    api.clear()
    assert api.calls == [] and api.sent(101) == [] and api.messages(100) == []
