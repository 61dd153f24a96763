"""The notices waiting to be sent to other people (``notices``, migration 0017).

An action that tells someone else (the family, a volunteer) writes its notice with
``put_notice`` inside its own transaction; the sender reads what waits and deletes each
notice once Telegram took it. The recipient's chat, language and the notice's values
are sealed with the row, as every personal column is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.storage.database import Database
from bot.storage.inline import InlineConnection
from bot.storage.store import _ts, dump_answers, load_answers


@dataclass(frozen=True)
class NewNotice:
    """A notice to write: ``kind`` says which text it is, ``values`` fill it in."""

    user_id: int  # the recipient, in its stored (keyed) form
    chat_id: int
    locale: str
    kind: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Notice:
    id: int
    user_id: int
    chat_id: int
    locale: str
    kind: str
    values: dict[str, Any]


async def put_notice(
    conn: InlineConnection, db: Database, notice: NewNotice, now: datetime
) -> int:
    """Write ``notice`` inside the caller's transaction; its id."""
    data = {
        "chat_id": notice.chat_id,
        "locale": notice.locale,
        "kind": notice.kind,
        "values": notice.values,
    }
    cursor = await conn.execute(
        "INSERT INTO notices(user_id, data, created_at) VALUES (?, ?, ?)",
        (notice.user_id, dump_answers(data, db.cipher), _ts(now)),
    )
    return int(cursor.lastrowid or 0)


class NoticeStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def waiting(self, limit: int = 100) -> list[Notice]:
        """The oldest notices not sent yet."""
        async with self.db.reading() as conn:
            rows = await conn.execute_fetchall(
                "SELECT id, user_id, data FROM notices ORDER BY id LIMIT ?", (limit,)
            )
        notices = []
        for row in rows:
            data = load_answers(row["data"], self.db.cipher)
            notices.append(
                Notice(
                    row["id"],
                    row["user_id"],
                    int(data["chat_id"]),
                    str(data["locale"]),
                    str(data["kind"]),
                    dict(data.get("values") or {}),
                )
            )
        return notices

    async def sent(self, notice_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM notices WHERE id = ?", (notice_id,))
