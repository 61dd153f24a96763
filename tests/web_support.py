"""The bot and its browser desk running together, for the desk's HTTP and browser tests.

The desk listens on a free port of 127.0.0.1 in the test's event loop, beside the real
application and the local Bot API stand-in, exactly as ``make run`` starts it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import aiohttp

from handlers.web.chat import DESK_URL
from handlers.web.desk import COOKIE, DeskServer
from tests.support import KZ_REPORT, Bot, Chat, consent, fill

ADMIN = 1
LINK = re.compile(r"(https?://\S+/login/[A-Za-z0-9_-]+\?lang=[a-z]+)")


@dataclass
class DeskRun:
    bot: Bot
    server: DeskServer

    @classmethod
    async def start(cls, bot: Bot) -> DeskRun:
        server = await DeskServer.start(bot.services, bot.app.bot, "127.0.0.1", 0)
        bot.app.bot_data[DESK_URL] = server.url
        return cls(bot, server)

    @property
    def url(self) -> str:
        return self.server.url

    async def stop(self) -> None:
        await self.server.stop()

    def client(self) -> aiohttp.ClientSession:
        """A browser without a session (cookies kept for 127.0.0.1, redirects not followed
        unless asked)."""
        return aiohttp.ClientSession(self.url, cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def link(self, chat: Chat) -> str:
        """The login link the bot sends to ``/web``."""
        await chat.send("/web")
        found = LINK.search(chat.last_text())
        assert found, chat.last_text()
        return found.group(1)

    async def login(self, chat: Chat) -> aiohttp.ClientSession:
        """A browser logged in as the person of ``chat``, by the link the bot sent."""
        http = self.client()
        await open_link(http, await self.link(chat))
        assert any(c.key == COOKIE for c in http.cookie_jar), "no session cookie"
        return http


async def open_link(http: aiohttp.ClientSession, link: str) -> aiohttp.ClientResponse:
    """Open the link and press its button, as a person does."""
    async with http.get(link) as page:
        assert page.status == 200, page.status
        token = re.search(r'name="token" value="([^"]+)"', await page.text())
        assert token
    lang = link.rsplit("?lang=", 1)[1]
    response = await http.post(
        f"/login?lang={lang}", data={"token": token.group(1)}, allow_redirects=False
    )
    response.release()
    return response


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


async def reported_case(bot: Bot, user_id: int, locale: str = "ru") -> str:
    """A family reports a case in the chat; its number."""
    chat = bot.chat(user_id, locale)
    await consent(chat, locale)
    await fill(chat, KZ_REPORT)
    await chat.press("confirm")
    return (await bot.services.store.cases_of(chat.user_id))[0].number


async def make_staff(bot: Bot, user_id: int, role: str, locale: str = "ru") -> Chat:
    """A volunteer or caseworker who joined by the administrator's invitation."""
    admin = bot.chat(ADMIN, "ru")
    await admin.send(f"/invite {role}")
    code = re.search(r"start=inv_([A-Za-z0-9_-]+)", admin.last_text())
    assert code, admin.last_text()
    chat = bot.chat(user_id, locale)
    await chat.send(f"/start inv_{code.group(1)}")
    return chat
