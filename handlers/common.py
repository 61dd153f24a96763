"""Small pieces every handler uses: reaching the services, the reader's language, replies."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import ReplyKeyboardRemove, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import ContextTypes

from bot.app import Services
from bot.domain.models import User
from bot.i18n import Translator, pick_locale
from handlers import outbox

log = logging.getLogger(__name__)

# At DEBUG level these log every Bot API call with its parameters, every incoming update
# and every SQL statement with its values: all that families write and are shown.
DATA_LOGGERS = (
    "telegram.Bot",
    "telegram.ext.ExtBot",
    "telegram.ext.Application",
    "telegram.ext.Updater",
    "aiosqlite",
)


def keep_data_out_of_logs() -> None:
    """Hold the loggers that would print personal data at INFO, whatever the log level."""
    for name in DATA_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


Context = ContextTypes.DEFAULT_TYPE
MAX_ID_DIGITS = 16  # ids in callback data: stored user ids (53 bits) and row ids


def parse_id(text: str) -> int | None:
    """A number from callback data, or None if it is not plain ASCII digits of a sane length
    (forged data must neither crash a handler nor overflow a query)."""
    if not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS:
        return None
    return int(text)


def services(context: Context) -> Services:
    return context.application.bot_data["services"]


def user_key(update: Update, context: Context) -> int | None:
    """The sender's id as the core stores it (``Services.user_key``). Every Telegram
    user id enters the core through here, never as Telegram gave it."""
    if update.effective_user is None:
        return None
    return services(context).user_key(update.effective_user.id)


async def current_user(update: Update, context: Context) -> User | None:
    key = user_key(update, context)
    if key is None:
        return None
    return await services(context).store.get_user(key)


def translator(update: Update, context: Context, user: User | None) -> Translator:
    """The registered user's language, else Telegram's hint, else Russian."""
    if user is not None:
        locale: str | None = user.locale
    else:
        tg_user = update.effective_user
        locale = pick_locale(tg_user.language_code if tg_user else None)
    return services(context).catalogs.get(locale)


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split on line breaks so that no part exceeds Telegram's message limit."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single enormous line: hard cut
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def chat_id(update: Update) -> int | None:
    """Where to answer: the update's chat, or the user's private chat when the button's
    message is no longer known (a private chat's id is the user's id)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


async def say(update: Update, context: Context, text: str, markup: Any = None) -> None:
    """Reply in the update's chat; the keyboard goes with the last part.

    While an update is being handled the text joins its one reply (``handlers.outbox``),
    sent when the handlers are done; otherwise it is sent at once."""
    target = chat_id(update)
    if target is None:
        return
    parts = split_text(text)
    box = outbox.current()
    if box is not None:
        box.add(context.bot, target, parts, markup)
        return
    for i, part in enumerate(parts):
        await _send(context, target, part, markup if i == len(parts) - 1 else None)


async def flush_replies() -> None:
    """Send what the update has said so far, before something that must come after it
    (a file sent directly)."""
    box = outbox.current()
    if box is not None:
        await box.flush()


async def _send(context: Context, target: int, text: str, markup: Any) -> None:
    """Send once more after a network error that certainly lost the message.

    A time-out is not retried: Telegram may have delivered the message already, and
    the answer that caused it is stored either way.
    """
    try:
        await context.bot.send_message(target, text, reply_markup=markup)
    except (TimedOut, BadRequest):
        raise
    except NetworkError:
        log.info("network error while replying; retrying once")
        await asyncio.sleep(outbox.RETRY_DELAY)
        await context.bot.send_message(target, text, reply_markup=markup)


async def remove_reply_keyboard(update: Update, context: Context, text: str) -> None:
    """Say ``text`` and take the share-contact keyboard off the screen with the reply."""
    box = outbox.current()
    if box is not None:
        await say(update, context, text)
        box.remove_keyboard = True
        return
    target = chat_id(update)
    if target is not None:
        await context.bot.send_message(target, text, reply_markup=ReplyKeyboardRemove())


async def drop_buttons(update: Update) -> None:
    """Take the buttons off the message that was tapped, so it cannot be tapped again.

    While an update is being handled, its reply replaces that message instead (one call
    for both)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    box = outbox.current()
    if box is not None:
        box.pressed = query
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest:
        # Too old to edit, already edited, or deleted: the stale-button check covers it.
        log.debug("could not remove buttons from an old message")
