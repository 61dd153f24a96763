"""Closing a person's open form inside the transaction of the action it asked for.

The action's writes, its audit entry, the closing of the form and the record of the
update that completed it commit together: a crash before that keeps the form (the last
answer is taken again when the update comes back), a crash after it leaves the update
marked as handled, so that coming back it neither acts twice nor reaches the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.inline import InlineConnection
from bot.storage.store import claim_update


@dataclass(frozen=True)
class FormClosing:
    """Whose form the action closes, and the update that completed it (None: none)."""

    user_id: int
    update_id: int | None = None


async def close_form(conn: InlineConnection, closing: FormClosing | None, now: datetime) -> None:
    """In the caller's transaction; raises ``DuplicateUpdate`` for an update already
    applied (the transaction is then rolled back and nothing is done twice)."""
    if closing is None:
        return
    await claim_update(conn, closing.update_id, now)
    await conn.execute("DELETE FROM forms WHERE user_id = ?", (closing.user_id,))
