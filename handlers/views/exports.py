"""Files of the organisation's side in the chat: exports, dossiers, reports."""

from __future__ import annotations

from telegram import Update

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
