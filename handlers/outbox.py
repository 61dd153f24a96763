"""The replies to one update, sent as one message when the update has been handled.

Telegram lets a bot send about 30 messages a second in all; each message a reply
takes is one fewer for every other family. So what the handlers say while
handling an update is collected here and goes out when they are done: texts said
one after another become one message (paragraphs), and when the update is a
button press, the message that carried the button is edited into that reply
instead of sending a new one and taking the old buttons off. Most updates thus cost
one call that counts against the limits; answering the button press does not.

The first call is the reply and goes ahead of everything the bot sends on its own
(``Priority.REPLY``); any further message of the same update (a long text in
parts, a second message with its own keyboard, letters as files) is
``Priority.BACKGROUND``.

An outbox is open while ``PerChatUpdateProcessor`` handles an update (a context
variable of the update's task); outside one (a job, a test calling a handler
directly) everything is sent at once.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, ReplyKeyboardRemove
from telegram.constants import MessageLimit
from telegram.error import BadRequest, NetworkError, TimedOut

from handlers.ratelimit import Priority

log = logging.getLogger(__name__)
PARAGRAPH = "\n\n"
RETRY_DELAY = 1.0  # seconds before sending a reply lost to a network error again


@dataclass
class Part:
    text: str
    markup: Any = None


@dataclass
class Outbox:
    """What the handlers of one update have said so far, and where it goes."""

    chat: int | None = None
    bot: Bot | None = None
    parts: list[Part] = field(default_factory=list)
    pressed: CallbackQuery | None = None  # the button press whose message may be edited
    remove_keyboard: bool = False  # take a reply keyboard (share contact) off the screen
    replied: bool = False  # the update's one priority call has been made
    closed: bool = False

    def add(self, bot: Bot, chat: int, texts: list[str], markup: Any) -> None:
        """Texts for ``chat``: joined to the last part when it has no keyboard and room."""
        self.bot, self.chat = bot, chat
        for i, text in enumerate(texts):
            last = self.parts[-1] if self.parts else None
            if (
                last is not None
                and last.markup is None
                and len(last.text) + len(PARAGRAPH) + len(text) <= MessageLimit.MAX_TEXT_LENGTH
            ):
                last.text += PARAGRAPH + text
            else:
                self.parts.append(Part(text))
            if i == len(texts) - 1:
                self.parts[-1].markup = markup

    def priority(self, bot: Bot) -> dict[str, Any]:
        """The first call of an update is its reply; later ones wait their turn (only a bot
        with a rate limiter takes the argument)."""
        if getattr(bot, "rate_limiter", None) is None:
            return {}
        return {"rate_limit_args": Priority.BACKGROUND if self.replied else Priority.REPLY}

    async def flush(self) -> None:
        """Send what was said: the first part edited into the pressed message if it can be."""
        parts, self.parts = self.parts, []
        pressed, self.pressed = self.pressed, None
        if self.remove_keyboard:
            self.remove_keyboard = False
            bare = [p for p in parts if p.markup is None]
            # A message carries one keyboard: if every part has buttons, the share-contact
            # keyboard (one-time) stays folded behind its icon instead.
            if bare:
                bare[-1].markup = ReplyKeyboardRemove()
        for part in parts:
            editable = part.markup is None or isinstance(part.markup, InlineKeyboardMarkup)
            if pressed is not None and editable:
                if await self._edit(pressed, part):
                    pressed = None
                    continue
            pressed = None  # the old buttons stay; a tap on them is recognised as stale
            assert self.bot is not None and self.chat is not None
            await self._send(part)
            self.replied = True
        if pressed is not None:  # nothing was said: only take the buttons off
            try:
                message = pressed.message
                assert message is not None
                bot = pressed.get_bot()
                await bot.edit_message_reply_markup(
                    message.chat.id, message.message_id, reply_markup=None, **self.priority(bot)
                )
                self.replied = True
            except BadRequest:
                log.debug("could not remove buttons from an old message")

    def said(self, text: str) -> bool:
        """Whether ``text`` is already part of what goes out."""
        return any(text in part.text for part in self.parts)

    async def _send(self, part: Part) -> None:
        """Send once more after a network error that certainly lost the message.

        A time-out is not retried: Telegram may have delivered the message already, and
        the answer that caused it is stored either way."""
        assert self.bot is not None and self.chat is not None
        args = self.priority(self.bot)
        try:
            await self.bot.send_message(self.chat, part.text, reply_markup=part.markup, **args)
        except (TimedOut, BadRequest):
            raise
        except NetworkError:
            log.info("network error while replying; retrying once")
            await asyncio.sleep(RETRY_DELAY)
            await self.bot.send_message(self.chat, part.text, reply_markup=part.markup, **args)

    async def _edit(self, pressed: CallbackQuery, part: Part) -> bool:
        """Edit the pressed message into ``part``; False if Telegram refuses (a file, too old)."""
        try:
            message = pressed.message
            assert message is not None
            bot = pressed.get_bot()
            await bot.edit_message_text(
                part.text,
                message.chat.id,
                message.message_id,
                reply_markup=part.markup,
                **self.priority(bot),
            )
        except BadRequest as error:
            if "not modified" in str(error).lower():  # it already says exactly this
                return True
            log.debug(
                "could not edit the pressed message (%s); sending instead", type(error).__name__
            )
            return False
        self.replied = True
        return True


CURRENT: ContextVar[Outbox | None] = ContextVar("outbox", default=None)


def current() -> Outbox | None:
    """The open outbox of the update being handled, if any."""
    box = CURRENT.get()
    return box if box is not None and not box.closed else None
