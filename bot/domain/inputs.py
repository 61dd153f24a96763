"""What a front end turns a message or a button into, for every form of the engine.

The chat reads a Telegram update into one of these; the engine (``bot.domain.forms``)
never sees anything of Telegram, so the desk or a test can drive it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TextInput:
    text: str


@dataclass(frozen=True)
class ChoiceInput:
    code: str


@dataclass(frozen=True)
class ContactInput:
    phone: str


@dataclass(frozen=True)
class FileInput:
    kind: str
    file_id: str
    file_unique_id: str
    mime: str | None = None
    size: int | None = None
    file_name: str | None = None
    caption: str | None = None


@dataclass(frozen=True)
class OtherInput:
    """A sticker, location, poll, dice...: never a valid answer."""

    kind: str


Input = TextInput | ChoiceInput | ContactInput | FileInput | OtherInput
