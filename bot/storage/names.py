"""SQL of the name search: the blind index of the missing person's name.

Each case has one row per word of the name (``name_tokens``), a keyed token of the
word's skeleton (``bot.domain.names``), written with the case in the same transaction
whenever the name is stored or changed, and removed with the case. A search looks up
the tokens of the words typed in the index and never opens a sealed report, so it
costs the same at 100,000 cases as at 100.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.storage.crypto import Cipher
from bot.storage.database import Database
from bot.storage.name_tokens import insert_tokens, key_mark, tokens_of
from bot.storage.staff import CaseSummary, _summary
from bot.storage.store import load_answers

BATCH = 200  # cases per transaction when indexing cases reported before the index


async def fill_name_index(db: Database) -> int:
    """Index every case not indexed yet, in small batches: reports opened in a thread,
    short writes on the loop's. A case whose name was written meanwhile (it is then
    indexed already) is left as it is."""
    filled = 0
    after = 0
    cipher = db.cipher
    while True:
        async with db.reading() as reader:
            rows = list(
                await reader.execute_fetchall(
                    "SELECT id, answers FROM cases INDEXED BY cases_without_name_index "
                    "WHERE name_key IS NULL AND id > ? ORDER BY id LIMIT ?",
                    (after, BATCH),
                )
            )
        if not rows:
            return filled
        after = rows[-1]["id"]
        found = await asyncio.to_thread(_tokens_of_rows, rows, cipher)
        async with db.transaction() as conn:
            for case_id, tokens in found:
                cur = await conn.execute(
                    "UPDATE cases SET name_key = ? WHERE id = ? AND name_key IS NULL",
                    (key_mark(cipher), case_id),
                )
                if cur.rowcount:
                    await insert_tokens(conn, case_id, tokens)
                    filled += 1
        await asyncio.sleep(0)


def _tokens_of_rows(rows: list[Any], cipher: Cipher) -> list[tuple[int, set[int]]]:
    return [(r["id"], tokens_of(load_answers(r["answers"], cipher), cipher)) for r in rows]


class NameIndex:
    """Searching the index."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def find(
        self,
        words: set[str],
        volunteer_id: int | None,
        today: str,
        limit: int,
    ) -> tuple[list[CaseSummary], int]:
        """Cases whose name has every one of ``words`` (skeletons), the latest reported
        first, and how many there are; a volunteer's assigned cases only when
        ``volunteer_id`` is given."""
        tokens = sorted({self.db.cipher.name_token(w) for w in words})
        marks = ",".join("?" * len(tokens))
        # The cases with every token, from the index alone (no case row is read)...
        found = (
            f"SELECT case_id FROM name_tokens WHERE token IN ({marks}) "
            f"GROUP BY case_id HAVING COUNT(*) = {len(tokens)}"
        )
        params: list[Any] = list(tokens)
        if volunteer_id is not None:  # of those, the volunteer's
            found = (
                f"SELECT f.case_id FROM ({found}) f JOIN assignments a"
                " ON a.case_id = f.case_id AND a.volunteer_id = ?"
            )
            params.append(volunteer_id)
        async with self.db.reading() as conn:
            # Tokens go with their case: counting them needs no look at the cases.
            total = list(await conn.execute_fetchall(f"SELECT COUNT(*) FROM ({found})", params))
            # ...the newest of them, by id (cases are numbered as they are reported): a
            # case's date sits behind its sealed report in the row, which a sort by date
            # would read for every match.
            count = int(total[0][0]) if total else 0
            newest = [
                r[0]
                for r in await conn.execute_fetchall(
                    f"SELECT case_id FROM ({found}) ORDER BY case_id DESC LIMIT ?",
                    (*params, limit),
                )
            ]
            # ...and only their rows, with the sealed reports the names are read from.
            rows = list(
                await conn.execute_fetchall(
                    f"""SELECT c.*, (SELECT group_concat(volunteer_id) FROM assignments a
                                 WHERE a.case_id = c.id) AS volunteers,
                           (SELECT COUNT(*) FROM letters l WHERE l.case_id = c.id AND l.closed = 0
                              AND l.sent_on IS NOT NULL AND l.due_on < ?) AS overdue,
                           (SELECT MIN(due_on) FROM letters l WHERE l.case_id = c.id
                              AND l.closed = 0 AND l.sent_on IS NOT NULL) AS next_due
                    FROM cases c WHERE c.id IN ({",".join("?" * len(newest))})
                    ORDER BY c.id DESC""",
                    (today, *newest),
                )
            )
        return [_summary(r, self.db.cipher) for r in rows], count
