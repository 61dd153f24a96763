"""``/web`` in the chat: a staff member gets a one-time link that opens the desk.

A link preview that fetches the address does not spend it: opening it shows a button,
and only pressing the button (a POST) logs in."""

from __future__ import annotations

from telegram import Update

from bot.i18n import pick_locale
from bot.services.errors import NotAllowed
from handlers.common import Context, say, services, user_key

DESK_URL = "desk_url"  # bot_data: the address of the running desk (its real port)


async def web_command(update: Update, context: Context) -> None:
    s = services(context)
    key = user_key(update, context)
    tg_user = update.effective_user
    fallback = pick_locale(tg_user.language_code if tg_user else None)
    try:
        link = await s.weblogin.issue_link(key or 0, fallback)
    except NotAllowed:
        user = await s.store.get_user(key) if key is not None else None
        t = s.catalogs.get(user.locale if user else fallback)
        await say(update, context, t("This is not available."))
        return
    t = s.catalogs.get(link.locale)
    # The language goes along so that the page before login speaks it too.
    desk = str(context.bot_data.get(DESK_URL) or s.config.web_url)
    url = f"{desk}/login/{link.token}?lang={link.locale}"
    await say(
        update,
        context,
        t(
            "Open the organisation's desk in a browser:\n{url}\n\nThe link works once, for "
            "{minutes} minutes. Do not forward it: it opens the desk as you.",
            url=url,
            minutes=link.minutes,
        ),
    )
