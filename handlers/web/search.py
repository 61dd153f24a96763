"""The desk's search by the missing person's name.

The words go by POST, never in the address: a name in a URL would stay in the
browser's history and in any proxy's log. The search itself is the core's
(``bot.services.search``): a keyed blind index, so the names stay sealed.
"""

from __future__ import annotations

from aiohttp import web

from bot.services.errors import Invalid
from handlers.web.desk import desk_of, render, session_of, translator_of

routes = web.RouteTableDef()


@routes.post("/cases/search", name="case_search")
async def search(request: web.Request) -> web.Response:
    t = translator_of(request)
    text = str((await request.post()).get("name", ""))
    services = desk_of(request).services
    try:
        found = await services.search.search_by_name(session_of(request).actor, text)
    except Invalid as err:
        return render(
            request,
            "web/search.html.j2",
            status=400,
            title=t("Search by name"),
            text=text,
            error=t(err.reason),
            found=None,
        )
    return render(
        request,
        "web/search.html.j2",
        title=t("Search by name"),
        text=text,
        error="",
        found=found,
    )
