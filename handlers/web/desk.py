"""The desk's aiohttp application: sessions, CSRF, security headers, and page rendering.

aiohttp is asyncio-native, so the desk runs in the bot's own event loop and process and
calls the same services (no second connection to the database, no thread hand-over).
Pages are rendered on the server with Jinja2 in the staff member's language; the pages
carry no script at all, so the Content-Security-Policy can forbid every script.

How a page is made (see ``cases.py``): a module with ``routes = web.RouteTableDef()``, a
handler that reads the request, calls one use case with ``session_of(request).actor``,
and returns ``render(request, "web/<page>.html.j2", title=..., **values)``; the module is
added to ``PAGES`` (and to ``MENU`` for a link in the menu). A POST form includes
``{{ csrf_field() }}``. Every route needs a session unless its name is in ``PUBLIC``.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from telegram import Bot

from bot.app import Services
from bot.i18n import LANGUAGE_NAMES, LOCALES, N_, Translator, pick_locale
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.weblogin import DeskSession

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
COOKIE = "izdeu_desk"
# Route names a person without a session may open: the login page, the link and the CSS.
PUBLIC = frozenset({"login", "login_link", "login_open", "css"})
MAX_FORM_BYTES = 64 * 1024  # a note or a message is at most a few thousand characters
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",  # pages hold personal data: not kept by the browser
}
# The menu of every page: (route name, label). A page of another area adds itself here.
MENU: list[tuple[str, str]] = [
    ("case_list", N_("Cases")),
    ("due", N_("Due this week")),
    ("statistics", N_("Statistics")),
    ("exports", N_("Exports")),
    ("audit", N_("Audit log")),
    ("staff", N_("Staff")),
    ("review_queue", N_("Letters to check")),
]

# Pages a volunteer is not shown in the menu (their use cases refuse volunteers anyway).
CASEWORKERS_ONLY = frozenset({"statistics", "exports", "audit", "staff", "review_queue"})
# Pages in the menu only where their setting is on (IZDEU_LETTER_REVIEW).
REVIEW_PAGES = frozenset({"review_queue"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Desk:
    """What every page needs: the core, the bot (to write to families) and the templates."""

    services: Services
    bot: Bot
    env: Environment
    secure: bool  # cookies only over https (when the public URL is https)


DESK = web.AppKey("desk", Desk)
SESSION = web.RequestKey("desk_session", DeskSession)


def desk_of(request: web.Request) -> Desk:
    return request.app[DESK]


def session_of(request: web.Request) -> DeskSession:
    """The session of a page that needs one (the middleware has checked it)."""
    return request[SESSION]


def translator_of(request: web.Request) -> Translator:
    """The staff member's language; before login, the browser's (else Russian)."""
    session: DeskSession | None = request.get(SESSION)
    locale = session.locale if session else _browser_locale(request)
    return desk_of(request).services.catalogs.get(locale)


def _browser_locale(request: web.Request) -> str | None:
    """Before login: the language picked on the login page (``?lang=``), else the
    browser's."""
    picked = request.query.get("lang", "")
    if picked in LOCALES:
        return picked
    for part in request.headers.get("Accept-Language", "").split(","):
        found = pick_locale(part.split(";")[0].strip())
        if found:
            return found
    return None


def render(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    """A page in the reader's language, inside the layout (menu, language, logout)."""
    desk = desk_of(request)
    t = translator_of(request)
    session: DeskSession | None = request.get(SESSION)

    def csrf_field() -> Markup:
        token = session.csrf if session else ""
        return Markup('<input type="hidden" name="csrf" value="{}">').format(token)

    volunteer = session is not None and session.actor.role == "volunteer"
    menu = [
        (request.app.router[name].url_for(), t(label))
        for name, label in MENU
        if not (volunteer and name in CASEWORKERS_ONLY)
        and not (name in REVIEW_PAGES and not desk.services.review.enabled)
    ]
    html = desk.env.get_template(template).render(
        t=t.gettext,
        tr=t,
        lang=t.locale,
        languages=LANGUAGE_NAMES,
        session=session,
        menu=menu if session else [],
        csrf_field=csrf_field,
        url=lambda name, **parts: request.app.router[name].url_for(**parts),
        **values,
    )
    return web.Response(text=html, content_type="text/html", status=status)


def refused(request: web.Request, status: int, message: str) -> web.Response:
    """A plain page saying what went wrong (already translated), with the given status."""
    return render(request, "web/message.html.j2", status=status, title=message, message=message)


@web.middleware
async def sessions(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No session, no page: every route outside ``PUBLIC`` (unknown ones too) gives the
    login page; every POST must carry the session's CSRF token."""
    if request.match_info.route.name in PUBLIC:
        return await handler(request)
    desk = desk_of(request)
    cookie = request.cookies.get(COOKIE)
    session = None
    if cookie:
        try:
            session = await desk.services.weblogin.session(cookie)
        except NotFound:
            session = None
    if session is None:
        response = render(request, "web/login.html.j2", status=401)
        if cookie:
            response.del_cookie(COOKIE, path="/")
        return response
    request[SESSION] = session
    if request.method == "POST":
        form = await request.post()
        sent = form.get("csrf")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, session.csrf):
            t = translator_of(request)
            return refused(request, 403, t("This form has expired. Open the page again."))
    return await handler(request)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The core's refusals answered once for every page: a case one may not see is
    reported exactly like a case that does not exist."""
    try:
        return await handler(request)
    except (NotAllowed, NotFound):
        return refused(request, 404, translator_of(request)("This is not available."))
    except web.HTTPNotFound:
        return refused(request, 404, translator_of(request)("This is not available."))
    except Invalid as err:
        t = translator_of(request)
        return refused(request, 400, t(err.reason))


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)


def set_session_cookie(request: web.Request, response: web.StreamResponse, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=desk_of(request).secure,
    )


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Requests logged by their route's pattern (``/login/{token}``), never the path as sent:
    a login token or a search must not end up in a log."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        info = request.match_info if isinstance(request, web.Request) else None
        resource = info.route.resource if info is not None else None
        pattern = resource.canonical if resource is not None else "?"
        self.logger.info(
            "desk %s %s %s %.0f ms", request.method, pattern, response.status, time * 1000
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["j2", "html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


async def css(request: web.Request) -> web.Response:
    return web.Response(
        body=(TEMPLATES_DIR / "web" / "desk.css").read_bytes(),
        content_type="text/css",
        headers={"Cache-Control": "max-age=3600"},
    )


def make_app(services: Services, bot: Bot) -> web.Application:
    """The desk: every page module's routes behind the session and CSRF checks."""
    from handlers.web import cases, login, office, review, search

    pages = [login, search, cases, office, review]
    app = web.Application(middlewares=[errors, sessions], client_max_size=MAX_FORM_BYTES)
    public = services.config.web_url
    app[DESK] = Desk(services, bot, environment(), public.startswith("https://"))
    app.on_response_prepare.append(add_headers)
    app.router.add_get("/desk.css", css, name="css")
    for page in pages:
        app.add_routes(page.routes)
    return app


class DeskServer:
    """The desk listening on its address, started and stopped with the bot."""

    def __init__(self, runner: web.AppRunner, url: str) -> None:
        self.runner = runner
        self.url = url

    @classmethod
    async def start(
        cls, services: Services, bot: Bot, listen: str | None = None, port: int | None = None
    ) -> DeskServer:
        config = services.config
        runner = web.AppRunner(
            make_app(services, bot),
            access_log_class=PathOnlyAccessLogger,
            access_log=logging.getLogger("izdeu.desk"),
            handle_signals=False,
        )
        await runner.setup()
        host = listen or config.web_listen
        site = web.TCPSite(runner, host, config.web_port if port is None else port)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else config.web_port
        url = config.web_public_url.rstrip("/") if config.web_public_url else None
        return cls(runner, url or f"http://{host}:{bound}")

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_desk(services: Services, bot: Bot, bot_data: dict[str, Any]) -> DeskServer | None:
    """Start the desk beside the bot and tell ``/web`` its address. A port in use is logged
    and the bot runs on without the desk: families must not lose the chat for it."""
    from handlers.web.chat import DESK_URL

    try:
        server = await DeskServer.start(services, bot)
    except OSError as err:
        log.error(
            "the desk could not listen on %s:%s (%s)",
            services.config.web_listen,
            services.config.web_port,
            err.strerror or type(err).__name__,
        )
        return None
    bot_data[DESK_URL] = server.url
    log.info("desk listening on %s", server.url)
    return server
