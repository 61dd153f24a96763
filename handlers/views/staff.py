"""The organisation's side in the chat: who is asking, the role guard, and how staff,
zones and form-reply marks are shown.

Every staff handler (cases, exports, the report on the bodies, the UN page) asks here
for the sender's role and language, so that a stranger gets the same plain "not
available" wherever they tap.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from babel.dates import get_timezone_location
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.app import Services
from bot.audit_sentences import who
from bot.domain.models import CaseStatus
from bot.i18n import Translator, pick_locale
from bot.services.staff import ASSIGNED, STATUS_CHANGED, Actor, Reply, Role
from bot.vocabulary import TIMEZONE_NAMES
from handlers import texts
from handlers.common import Context, say, services
from handlers.views.notices import says


async def actor_and_t(update: Update, context: Context) -> tuple[Actor, Translator]:
    """The sender's role and language (a staff member's own, else the family's, else
    Telegram's)."""
    s = services(context)
    tg_user = update.effective_user
    assert tg_user is not None
    key = s.user_key(tg_user.id)
    actor = await s.staff.acting(key, shown_name(tg_user.full_name, tg_user.username))
    user = await s.store.get_user(key)
    locale = (
        await s.staff.staff_locale(key)
        or (user.locale if user else None)
        or pick_locale(tg_user.language_code)
    )
    return actor, s.catalogs.get(locale)


def shown_name(full_name: str | None, username: str | None) -> str:
    """How staff see a colleague: the Telegram name, else the @username."""
    return (full_name or "").strip() or (f"@{username}" if username else "")


async def staff_zone(context: Context, actor: Actor) -> str:
    """The zone this staff member sees times in (their own, else the organisation's)."""
    return await services(context).staff.timezone_of(actor.user_id)


def name_all(t: Translator, ids: set[int], names: dict[int, str]) -> dict[int, str]:
    """Every id mapped to its name; one without a recorded name gets a neutral phrase."""
    return {i: who(t, i, names) for i in ids}


async def named(context: Context, t: Translator, ids: set[int]) -> dict[int, str]:
    """Names of staff members, each id mapped; unknown ones get a neutral phrase."""
    return name_all(t, ids, await services(context).staff.names(ids))


async def not_available(update: Update, context: Context, t: Translator) -> None:
    await say(update, context, t("This is not available."))


def staff_only(
    roles: frozenset[Role],
) -> Callable[[Callable[..., Awaitable[None]]], Callable[..., Awaitable[None]]]:
    """Check the role on every call; others learn nothing."""

    def wrap(func: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        async def handler(update: Update, context: Context) -> None:
            actor, t = await actor_and_t(update, context)
            if actor.role not in roles:
                if update.callback_query:
                    await update.callback_query.answer()
                await not_available(update, context, t)
                return
            await func(update, context, actor, t)

        handler.__name__ = func.__name__
        handler.__doc__ = func.__doc__
        return handler

    return wrap


def zone_name(t: Translator, tz: str) -> str:
    """A zone in words: ours by name ("Almaty time"), any other by its city in the reader's
    language (the organisation may be elsewhere)."""
    if tz in TIMEZONE_NAMES:
        return t(TIMEZONE_NAMES[tz])
    return get_timezone_location(tz, locale=t.locale, return_city=True)


def copy_mark(t: Translator, reply: Reply) -> str:
    """The text-match mark of a reply in the dossier, with the caseworker's review."""
    if not reply.copies:
        return ""
    mark = t.ngettext(
        "likely form reply: the same text as in {n} other case",
        "likely form reply: the same text as in {n} other cases",
        reply.copies,
    )
    review = {
        "confirmed": t("confirmed by a caseworker"),
        "rejected": t("rejected by a caseworker"),
    }.get(reply.copy_review or "", t("not checked yet"))
    return f"\n   ⚠ {mark} ({review})"


def assigned_text(t: Translator, number: str) -> str:
    """What a volunteer reads when assigned, in the volunteer's language."""
    return t("You are assigned to case {number}. /my lists your cases.", number=number)


@says(ASSIGNED)
def assigned_notice(t: Translator, _s: Services, values: dict[str, Any]) -> str:
    return assigned_text(t, str(values["case_number"]))


def status_told(t: Translator, number: str, status: CaseStatus) -> str:
    """What the family reads when a staff member changes the status."""
    return t(
        "The status of your case {number} is now: {status}.",
        number=number,
        status=texts.status_name(t, status),
    )


@says(STATUS_CHANGED)
def status_notice(t: Translator, _s: Services, values: dict[str, Any]) -> str:
    return status_told(t, str(values["case_number"]), CaseStatus(str(values["status"])))


def translations_written(
    t: Translator, number: str, case_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    """What the family reads when the organisation has written the texts it left to it."""
    text = t(
        "The organisation has written the translations for the letters of case {number}. "
        "Press the button to get the letters.",
        number=number,
    )
    prepare = InlineKeyboardButton(
        t("Prepare the letters"), callback_data=f"letters:prepare:{case_id}"
    )
    return text, InlineKeyboardMarkup([[prepare]])
