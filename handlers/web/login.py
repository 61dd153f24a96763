"""Login by the bot's one-time link, and logout.

Opening the link shows a button rather than logging in at once: a link preview or a
scanner that fetches the address (a GET) must not spend the link or get the session.
"""

from __future__ import annotations

from aiohttp import web

from bot.services.errors import NotFound
from handlers.web.desk import (
    COOKIE,
    desk_of,
    refused,
    render,
    set_session_cookie,
    translator_of,
)

routes = web.RouteTableDef()
TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@routes.get("/login", name="login")
async def login_page(request: web.Request) -> web.Response:
    return render(request, "web/login.html.j2")


@routes.get("/", name="home")
async def home(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther(request.app.router["case_list"].url_for())


@routes.get("/login/{token}", name="login_link")
async def login_link(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    if not _looks_like_token(token):
        return _spent(request)
    return render(request, "web/login_link.html.j2", token=token)


@routes.post("/login", name="login_open")
async def login_open(request: web.Request) -> web.Response:
    form = await request.post()
    token = form.get("token")
    if not isinstance(token, str) or not _looks_like_token(token):
        return _spent(request)
    try:
        opened = await desk_of(request).services.weblogin.open_link(token)
    except NotFound:
        return _spent(request)
    response = web.HTTPSeeOther(request.app.router["case_list"].url_for())
    set_session_cookie(request, response, opened.session_id)
    raise response


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    cookie = request.cookies.get(COOKIE)
    if cookie:
        await desk_of(request).services.weblogin.logout(cookie)
    lang = translator_of(request).locale  # the login page stays in the same language
    response = web.HTTPSeeOther(request.app.router["login"].url_for().with_query(lang=lang))
    response.del_cookie(COOKIE, path="/")
    raise response


def _looks_like_token(token: str) -> bool:
    return 20 <= len(token) <= 64 and set(token) <= TOKEN_CHARS


def _spent(request: web.Request) -> web.Response:
    t = translator_of(request)
    return refused(
        request,
        403,
        t("This link has expired or was already used. Send /web to the bot for a new one."),
    )
