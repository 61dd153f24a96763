"""Building real Telegram ``Update`` objects for one simulated user.

The offline terminal chat, the tests and the benchmark speak to the bot as a
user would: through updates the application cannot tell from Telegram's.
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

from telegram import (
    Animation,
    Audio,
    Bot,
    CallbackQuery,
    Chat,
    Contact,
    Dice,
    Document,
    Location,
    Message,
    MessageEntity,
    PhotoSize,
    Sticker,
    Update,
    User,
    Video,
    VideoNote,
    Voice,
)

_ids = itertools.count(int(time.time() * 1000))


def next_id() -> int:
    """Update and message ids that keep growing across restarts of the process."""
    return next(_ids)


class UpdateFactory:
    def __init__(
        self, bot: Bot, user_id: int, language_code: str | None = None, first_name: str = "User"
    ) -> None:
        self.bot = bot
        self.user = User(user_id, first_name, False, language_code=language_code)
        self.chat = Chat(user_id, Chat.PRIVATE)

    def _update(self, **kwargs: Any) -> Update:
        update = Update(next_id(), **kwargs)
        update.set_bot(self.bot)
        return update

    def message(self, **kwargs: Any) -> Message:
        message = Message(next_id(), datetime.now(UTC), self.chat, from_user=self.user, **kwargs)
        message.set_bot(self.bot)
        return message

    def text(self, text: str) -> Update:
        entities = None
        if text.startswith("/"):
            command = text.split()[0]
            entities = [MessageEntity(MessageEntity.BOT_COMMAND, 0, len(command))]
        return self._update(message=self.message(text=text, entities=entities))

    def edited(self, text: str) -> Update:
        return self._update(edited_message=self.message(text=text, edit_date=datetime.now(UTC)))

    def press(self, data: str, source: dict[str, Any] | Message | None = None) -> Update:
        """A tap on an inline button; ``source`` is the message that carried it."""
        if isinstance(source, dict):
            source = Message.de_json(source, self.bot)
        query = CallbackQuery(str(next_id()), self.user, "chat", data=data, message=source)
        query.set_bot(self.bot)
        return self._update(callback_query=query)

    def contact(self, phone: str) -> Update:
        return self._update(
            message=self.message(
                contact=Contact(phone, self.user.first_name, user_id=self.user.id)
            )
        )

    def _file_id(self) -> str:
        return f"f{next_id()}"

    def photo(self, caption: str | None = None, size: int = 200_000) -> Update:
        fid = self._file_id()
        return self._update(
            message=self.message(
                photo=(PhotoSize(fid, fid, 1280, 960, file_size=size),), caption=caption
            )
        )

    def document(
        self,
        name: str = "file.pdf",
        mime: str | None = "application/pdf",
        size: int = 300_000,
        caption: str | None = None,
    ) -> Update:
        fid = self._file_id()
        return self._update(
            message=self.message(
                document=Document(fid, fid, file_name=name, mime_type=mime, file_size=size),
                caption=caption,
            )
        )

    def voice(self) -> Update:
        fid = self._file_id()
        return self._update(message=self.message(voice=Voice(fid, fid, 12, file_size=40_000)))

    def video(self, size: int = 2_000_000) -> Update:
        fid = self._file_id()
        return self._update(
            message=self.message(video=Video(fid, fid, 640, 480, 10, file_size=size))
        )

    def video_note(self) -> Update:
        fid = self._file_id()
        return self._update(message=self.message(video_note=VideoNote(fid, fid, 240, 5)))

    def audio(self) -> Update:
        fid = self._file_id()
        return self._update(message=self.message(audio=Audio(fid, fid, 30, file_size=500_000)))

    def animation(self) -> Update:
        fid = self._file_id()
        doc = Document(fid, fid, file_name="a.gif", mime_type="image/gif")
        return self._update(
            message=self.message(animation=Animation(fid, fid, 100, 100, 2), document=doc)
        )

    def sticker(self) -> Update:
        fid = self._file_id()
        return self._update(
            message=self.message(
                sticker=Sticker(fid, fid, 512, 512, False, False, Sticker.REGULAR)
            )
        )

    def location(self) -> Update:
        return self._update(message=self.message(location=Location(37.6, 55.7)))

    def dice(self) -> Update:
        return self._update(message=self.message(dice=Dice(3, "🎲")))
