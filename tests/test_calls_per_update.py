"""Each update costs at most one call that counts against Telegram's message limits (a send
or an edit; answering a button press does not) and at most two calls in all: a whole report
and the letters' choice, through the real application, in every language."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram import Update

from bot.domain import questions as q
from bot.i18n import LOCALES
from handlers.ratelimit import counted
from tests.support import KZ_REPORT, Bot, Chat, consent, fill
from tests.test_report_flow import step_of


class Counter:
    """Counts the Bot API calls each processed update makes."""

    def __init__(self, bot: Bot, chat: Chat) -> None:
        self.per_update: list[tuple[str, list[str]]] = []  # (what, methods called)
        process = chat.process

        async def counting(update: Update) -> None:
            before = len(bot.api.calls)
            await process(update)
            methods = [c.method for c in bot.api.calls[before:]]
            self.per_update.append((_describe(update), methods))

        chat.process = counting  # type: ignore[method-assign]

    def too_many(self) -> list[tuple[str, list[str]]]:
        return [
            (what, methods)
            for what, methods in self.per_update
            if sum(counted(m) for m in methods) > 1 or len(methods) > 2
        ]


def _describe(update: Update) -> str:
    if update.callback_query is not None:
        return f"press {update.callback_query.data}"
    message = update.effective_message
    return f"message {message.text!r}" if message is not None and message.text else "file"


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_whole_report_costs_one_message_call_per_update(
    tmp_path: Path, locale: str
) -> None:
    bot = await Bot.start(tmp_path)
    try:
        chat = bot.chat(500, locale)
        counter = Counter(bot, chat)
        await consent(chat, locale)
        await fill(chat, KZ_REPORT[:9])
        await chat.send("31.02.1994")  # a wrong date: what was wrong and the question again
        await chat.send("/skip")  # a required question
        await chat.send("/back")
        await chat.send("/start")  # resume
        await fill(chat, KZ_REPORT[8:])
        assert await step_of(chat) == q.REVIEW
        await chat.press("confirm")  # the case number and the letters to choose
        assert len(await bot.services.store.cases_of(500)) == 1
        assert counter.per_update and counter.too_many() == []
        # The pressed message became the next question: edits, not new messages.
        presses = [methods for what, methods in counter.per_update if what.startswith("press")]
        assert sum("editMessageText" in m for m in presses) >= len(presses) - 1
        assert all(methods.count("answerCallbackQuery") == 1 for methods in presses)
        # What the family reads after the language is chosen is the consent, on the same
        # message that offered the languages.
        t = bot.t(locale)
        assert t("Thank you.") in chat.texts()[2]
        assert t(q.BY_KEY["r_name"].prompt) in chat.texts()[2]
    finally:
        await bot.stop()
