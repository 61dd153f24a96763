"""Files of the organisation's side in the chat: exports, dossiers, reports."""

from __future__ import annotations

from pathlib import Path

from telegram import InputFile, Update

from bot.services.exports import Document
from handlers.common import Context, chat_id, flush_replies


async def send_document(
    update: Update, context: Context, document: Document, caption: str | None = None
) -> None:
    """Send a file after what the update has said so far (its text comes first)."""
    target = chat_id(update)
    assert target is not None
    await flush_replies()
    await context.bot.send_document(
        target, document.data, filename=document.filename, caption=caption
    )


async def send_file(
    update: Update, context: Context, path: Path, caption: str | None = None
) -> None:
    """Send a file from disk without reading it into memory: an export of every case can
    be tens of MB. python-telegram-bot hands the open file to its HTTP client, which
    streams it (``read_file_handle=False``) and rewinds it if the call is tried again."""
    target = chat_id(update)
    assert target is not None
    await flush_replies()
    with path.open("rb") as handle:
        document = InputFile(handle, filename=path.name, read_file_handle=False)
        await context.bot.send_document(target, document, caption=caption)
