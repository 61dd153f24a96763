"""The letters' and the UN route's buttons: readable callback codes (letters:…, un:…), and
a button of the earlier one-letter codes answered as an old button."""

from __future__ import annotations

import pytest

from bot.i18n import LOCALES
from tests.support import Bot, consent

# Buttons as messages sent before the codes were renamed carry them.
OLD_CODES = ("L:g:1", "L:t:1", "L:n:1:kk", "U:f:1", "U:s:1", "U:n:1:1")


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_old_button_is_answered_as_old(bot: Bot, locale: str) -> None:
    chat = bot.chat(700, locale)
    t = bot.t(locale)
    await consent(chat, locale)
    mark = chat.mark()
    for data in OLD_CODES:
        answered = len(bot.api.sent(method="answerCallbackQuery"))
        await chat.press_data(data)
        answers = bot.api.sent(method="answerCallbackQuery")[answered:]
        assert [a.params.get("text") for a in answers] == [t("This button no longer works.")]
    assert chat.texts(mark) == []  # nothing else happened


async def test_a_new_code_reaches_its_handler(bot: Bot) -> None:
    chat = bot.chat(701, "ru")
    await consent(chat, "ru")
    await chat.press_data("letters:prepare:1")  # a case that does not exist
    assert chat.last_text() == bot.t("ru")("This is not available.")
    await chat.press_data("un:family:1")
    assert chat.last_text() == bot.t("ru")("This is not available.")
