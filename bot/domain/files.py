"""Which files a form accepts: size, kinds and document types, and how a file is kept.

A file is stored by Telegram's ids only (the bot fetches it when a dossier needs it),
so these rules are about what could be fetched and opened safely later.
"""

from __future__ import annotations

from typing import Any

from bot.domain.inputs import FileInput
from bot.domain.validators import InvalidInput

# Telegram bots may only download files up to 20 MB; larger evidence could
# never be fetched for a dossier, so it is refused with an explanation.
MAX_FILE_BYTES = 20 * 1024 * 1024
EVIDENCE_KINDS = frozenset({"photo", "document", "video", "voice", "audio", "video_note"})
# Documents are accepted only in formats a caseworker can open safely.
DOCUMENT_MIME_PREFIXES = ("image/", "video/", "audio/")
DOCUMENT_MIMES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "text/plain",
        "application/rtf",
    }
)
DOCUMENT_EXTENSIONS = frozenset(
    {
        "pdf",
        "jpg",
        "jpeg",
        "png",
        "heic",
        "webp",
        "gif",
        "doc",
        "docx",
        "odt",
        "txt",
        "rtf",
        "mp4",
        "mov",
        "mp3",
        "ogg",
        "oga",
        "m4a",
        "wav",
    }
)
MAX_EVIDENCE_ITEMS = 50
MAX_ACTIONS = 30
DESCRIPTION_MAX = 300
REPLY_MAX = 500


def check_size(value: FileInput) -> None:
    if value.size is not None and value.size > MAX_FILE_BYTES:
        raise InvalidInput("file_too_big", max_mb=20)


def file_json(value: FileInput) -> dict[str, Any]:
    """A file as it is stored with the answers."""
    return {
        "kind": value.kind,
        "file_id": value.file_id,
        "file_unique_id": value.file_unique_id,
        "mime": value.mime,
        "size": value.size,
        "file_name": value.file_name,
    }


def check_evidence_file(value: FileInput) -> None:
    """Refuse what cannot be evidence: unknown kinds, odd document types, over 20 MB."""
    if value.kind not in EVIDENCE_KINDS:
        raise InvalidInput("file_type")
    if value.kind == "document":
        mime = (value.mime or "").lower()
        ext = (
            (value.file_name or "").rsplit(".", 1)[-1].lower()
            if "." in (value.file_name or "")
            else ""
        )
        mime_ok = mime in DOCUMENT_MIMES or mime.startswith(DOCUMENT_MIME_PREFIXES)
        if not mime_ok or (ext and ext not in DOCUMENT_EXTENSIONS):
            raise InvalidInput("file_type")
    check_size(value)
