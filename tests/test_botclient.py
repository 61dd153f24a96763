"""The bot's Bot API client is python-telegram-bot's own, built through public arguments."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, User
from telegram.error import Forbidden
from telegram.ext import ExtBot

from handlers.botclient import client
from handlers.localapi import Fault
from tests.support import Bot

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ("telegram", "openpyxl", "aiosqlite", "aiolimiter", "httpx")


async def test_a_send_reaches_the_api_and_answers_a_message(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    try:
        assert type(bot.app.bot) is ExtBot
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Иә", callback_data="y")]])
        result = await bot.app.bot.send_message(4242, "Сәлем", reply_markup=markup)
        assert isinstance(result, Message) and result.text == "Сәлем"
        call = bot.api.sent(4242, "sendMessage")[-1]
        assert call.text == "Сәлем"
        assert call.buttons() == [("Иә", "y")]
        me = await bot.app.bot.get_me()
        assert isinstance(me, User) and me.is_bot
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
    bot = client(
        "123:abc",
        base_url="http://127.0.0.1:8081/bot",
        base_file_url="http://127.0.0.1:8081/file/bot",
    )
    assert bot.base_url == "http://127.0.0.1:8081/bot123:abc"
    assert bot.base_file_url == "http://127.0.0.1:8081/file/bot123:abc"
    default = client("123:abc")
    assert default.base_url == "https://api.telegram.org/bot123:abc"


def _private_uses(tree: ast.AST, modules: dict[str, str]) -> list[str]:
    """``name._private`` where ``name`` is a library's module or one of its classes, and
    any ``x._private`` call or attribute named like a library internal we once used."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            base = node.value
            if isinstance(base, ast.Name) and base.id in modules:
                found.append(f"{base.id}.{node.attr}")
            elif (
                isinstance(base, ast.Call)
                and isinstance(base.func, ast.Name)
                and base.func.id == "super"
            ):
                found.append(f"super().{node.attr}")
            elif node.attr in ("_unfrozen", "_post", "_execute", "_value2member_map_"):
                found.append(node.attr)
    return found


def _imported_names(tree: ast.AST) -> dict[str, str]:
    """Names bound by imports from the libraries (module aliases and imported classes)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in LIBRARIES:
                    names[alias.asname or alias.name.split(".")[0]] = alias.name
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] in LIBRARIES
        ):
            for alias in node.names:
                names[alias.asname or alias.name] = node.module
    return names


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "handlers").glob("*.py"), *(ROOT / "bench").glob("*.py")]),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_no_private_library_internals(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _private_uses(tree, _imported_names(tree)) == []


def test_the_check_finds_private_uses() -> None:
    tree = ast.parse(
        "import aiosqlite\nfrom telegram.ext import ExtBot\n"
        "class C(ExtBot):\n"
        "    async def _post(self, e):\n"
        "        return await super()._post(e)\n"
        "x = aiosqlite.Connection._execute\n"
        "with markup._unfrozen():\n    pass\n"
    )
    assert sorted(_private_uses(tree, _imported_names(tree))) == [
        "_execute",
        "_unfrozen",
        "super()._post",
    ]
