"""The bot's Bot API client: sends and edits go out as usual and answer True; nothing else
changes, and no handler reads what a send or an edit returns."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, User
from telegram.error import Forbidden
from telegram.ext import ExtBot

from handlers.botclient import UNREAD_ANSWERS, client
from handlers.localapi import Fault
from tests.support import Bot

HANDLERS = Path(__file__).resolve().parents[1] / "handlers"
# python-telegram-bot's methods (and shortcuts) that call one of UNREAD_ANSWERS.
SEND_OR_EDIT = {
    "send_message", "send_document", "send_photo", "reply_text", "reply_document",
    "reply_photo", "edit_message_text", "edit_message_reply_markup", "edit_message_caption",
    "edit_text", "edit_reply_markup", "edit_caption",
}


async def test_a_send_reaches_the_api_and_answers_true(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    try:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Иә", callback_data="y")]])
        result = await bot.app.bot.send_message(4242, "Сәлем", reply_markup=markup)
        assert result is True
        call = bot.api.sent(4242, "sendMessage")[-1]
        assert call.text == "Сәлем"
        assert call.buttons() == [("Иә", "y")]
        edited = await bot.app.bot.edit_message_reply_markup(4242, 1, reply_markup=None)
        assert edited is True
        assert bot.api.sent(4242, "editMessageReplyMarkup")
    finally:
        await bot.stop()


async def test_other_answers_are_still_parsed(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    try:
        me = await bot.app.bot.get_me()
        assert isinstance(me, User) and me.is_bot
        assert await bot.app.bot.answer_callback_query("1") is True
    finally:
        await bot.stop()


async def test_errors_still_raise(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    try:
        bot.api.fail_next("sendMessage", Fault(403, "Forbidden: bot was blocked by the user"))
        with pytest.raises(Forbidden):
            await bot.app.bot.send_message(4242, "Сәлем")
    finally:
        await bot.stop()


def test_a_self_hosted_api_is_used() -> None:
    bot = client("123:abc", base_url="http://127.0.0.1:8081/bot",
                 base_file_url="http://127.0.0.1:8081/file/bot")
    assert bot.base_url == "http://127.0.0.1:8081/bot123:abc"
    assert bot.base_file_url == "http://127.0.0.1:8081/file/bot123:abc"
    default = client("123:abc")
    assert default.base_url == "https://api.telegram.org/bot123:abc"


def test_unread_answers_name_bot_api_methods() -> None:
    # A misspelt name would quietly leave that method's answers parsed.
    assert UNREAD_ANSWERS and all(hasattr(ExtBot, name) for name in UNREAD_ANSWERS)
    assert "getFile" not in UNREAD_ANSWERS and "getUpdates" not in UNREAD_ANSWERS


def _reads_result(tree: ast.AST) -> list[int]:
    """Lines where the result of an awaited send or edit is kept or used."""
    used = []
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            if (isinstance(child, ast.Await) and isinstance(child.value, ast.Call)
                    and isinstance(child.value.func, ast.Attribute)
                    and child.value.func.attr in SEND_OR_EDIT
                    and not isinstance(node, ast.Expr)):
                used.append(child.lineno)
    return used


@pytest.mark.parametrize("path", sorted(HANDLERS.glob("*.py")), ids=lambda p: p.name)
def test_no_handler_reads_what_a_send_returns(path: Path) -> None:
    assert _reads_result(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_check_finds_a_read_result() -> None:
    tree = ast.parse("async def f(bot):\n"
                     "    sent = await bot.send_message(1, 'x')\n"
                     "    await bot.send_message(1, 'y')\n"
                     "    return await query.edit_message_text('z')\n")
    assert _reads_result(tree) == [2, 4]
