"""The name search's tokens, written in the caller's transaction wherever a case's
name is stored, changed or removed (see ``bot.storage.names`` for the search)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.domain.names import name_words
from bot.storage.crypto import Cipher
from bot.storage.inline import InlineConnection

NAME_FIELDS = ("m_name", "m_latin")  # the name in Cyrillic and as in the passport


def tokens_of(answers: Mapping[str, Any], cipher: Cipher) -> set[int]:
    """The tokens of the missing person's name in a report."""
    names = [str(answers[f]) for f in NAME_FIELDS if isinstance(answers.get(f), str)]
    return {cipher.name_token(word) for word in name_words(*names)}


def key_mark(cipher: Cipher) -> str:
    return cipher.key_id or ""


async def index_case(
    conn: InlineConnection, cipher: Cipher, case_id: int, answers: Mapping[str, Any]
) -> None:
    """Replace the case's tokens by those of ``answers`` (inside the caller's transaction)."""
    await conn.execute("DELETE FROM name_tokens WHERE case_id = ?", (case_id,))
    await insert_tokens(conn, case_id, tokens_of(answers, cipher))
    await conn.execute("UPDATE cases SET name_key = ? WHERE id = ?", (key_mark(cipher), case_id))


async def forget_case(conn: InlineConnection, cipher: Cipher, case_id: int) -> None:
    """The name is gone (retention clean-up): its tokens go, and it counts as indexed."""
    await index_case(conn, cipher, case_id, {})


async def drop_index(conn: InlineConnection) -> None:
    """Every token goes (a new key makes other tokens); the bot then indexes every case
    again in batches (``fill_name_index``)."""
    await conn.execute("DELETE FROM name_tokens")
    await conn.execute("UPDATE cases SET name_key = NULL WHERE name_key IS NOT NULL")


async def insert_tokens(conn: InlineConnection, case_id: int, tokens: Iterable[int]) -> None:
    await conn.executemany(
        "INSERT OR IGNORE INTO name_tokens(token, case_id) VALUES (?, ?)",
        [(token, case_id) for token in tokens],
    )
