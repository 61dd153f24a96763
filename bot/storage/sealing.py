"""Which key sealed the database, checked at every start, and moving between keys.

The ``sealing`` row records the key id and a known text sealed with that key (never
the key). A database is in one of two states: written in clear (no key), or sealed
with one key. Starting in any other combination (another key, no key on a sealed
database, a key on a clear one) is refused with a one-line ``KeyMismatch`` before
the bot serves anyone: carrying on would mix keys or write names in clear. The only
ways between states are ``python -m bot encrypt`` and ``python -m bot rotate-key``
(``bot.storage.maintenance.reseal``).

Telegram user ids are stored in their keyed form (``Cipher.pseudonym``) and the chat
ids to write to are sealed, so the file alone does not say who used the bot. Sealing
a clear database turns every stored id into its keyed form; a key rotation maps each
keyed id to the new key's through the sealed chat ids of families and staff and the
administrators' ids from the configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from bot.storage.crypto import PREFIX, Cipher, KeyError_
from bot.storage.database import Database, StorageUnavailable
from bot.storage.inline import InlineConnection
from bot.storage.store import _ts

CHECK_TEXT = "izdeu sealing check"

# Every column that holds a Telegram user id (of a family or of staff).
ID_COLUMNS: tuple[tuple[str, str], ...] = (
    ("users", "user_id"),
    ("drafts", "user_id"),
    ("cases", "reporter_id"),
    ("case_events", "actor_id"),
    ("reminders", "user_id"),
    ("forms", "user_id"),
    ("staff", "user_id"),
    ("staff", "granted_by"),
    ("invitations", "created_by"),
    ("invitations", "used_by"),
    ("assignments", "volunteer_id"),
    ("assignments", "assigned_by"),
    ("notes", "author_id"),
    ("audit", "actor_id"),
    ("audit", "target_id"),
    ("un_submissions", "submitted_by"),
    ("staff_profiles", "user_id"),
    ("letter_reviews", "queued_by"),
    ("letter_reviews", "decided_by"),
    ("web_links", "user_id"),
    ("web_sessions", "user_id"),
    ("notices", "user_id"),
)
# (table, column): the sealed chat id each family and staff member is written to.
CHAT_COLUMNS: tuple[tuple[str, str], ...] = (("users", "chat_id"), ("staff", "chat_id"))

ENCRYPT = "python -m bot encrypt"
ROTATE = "python -m bot rotate-key"


class KeyMismatch(StorageUnavailable):
    """The configured key does not fit the database: say which way, and what to run."""


async def recorded(db: Database) -> tuple[bool, str | None, str | None]:
    """(a row exists, key id or None for clear, sealed check value)."""
    async with db.looking_up() as conn:
        rows = list(
            await conn.execute_fetchall("SELECT key_id, check_value FROM sealing WHERE id = 1")
        )
    if not rows:
        return False, None, None
    return True, rows[0]["key_id"], rows[0]["check_value"]


async def check_key(db: Database) -> None:
    """Refuse a key that does not fit; on the first start after the upgrade, record it."""
    cipher = db.cipher
    exists, kid, check_value = await recorded(db)
    if not exists:
        await _adopt(db)
        return
    if kid is None:
        if cipher.enabled:
            raise KeyMismatch(
                "the database was written unencrypted but IZDEU_ENCRYPTION_KEY is set: stop "
                f"the bot and seal it with `{ENCRYPT}`, or start without the key"
            )
        return
    _require_key(cipher, {kid})
    try:
        ok = check_value is not None and cipher.open(check_value) == CHECK_TEXT
    except KeyError_:
        ok = False
    if not ok:
        raise KeyMismatch(_wrong_key(cipher, kid))


def _require_key(cipher: Cipher, kids: set[str]) -> None:
    """The configured key must be the one that sealed (``kids`` holds one id)."""
    if not cipher.enabled:
        raise KeyMismatch(
            f"the database is sealed (key id {', '.join(sorted(kids))}) but "
            "IZDEU_ENCRYPTION_KEY is not set: set it to the key the database was sealed with"
        )
    if kids != {cipher.key_id}:
        if all(cipher.opens(k) for k in kids):
            raise KeyMismatch(
                f"the database is sealed with key id {', '.join(sorted(kids))}, not with "
                f"IZDEU_ENCRYPTION_KEY ({cipher.key_id}): stop the bot and run `{ROTATE}` "
                "with the old key in IZDEU_OLD_ENCRYPTION_KEYS"
            )
        raise KeyMismatch(_wrong_key(cipher, ", ".join(sorted(kids))))


def _wrong_key(cipher: Cipher, kid: str) -> str:
    return (
        f"IZDEU_ENCRYPTION_KEY (key id {cipher.key_id}) does not open this database "
        f"(sealed with key id {kid}): set the key it was sealed with"
    )


async def _adopt(db: Database) -> None:
    """First start after the upgrade: find the state from the data itself, refuse a
    mixed one, record it, and give stored ids their keyed form."""
    from bot.storage.maintenance import SEALED_COLUMNS

    kids: set[str] = set()
    clear = False
    async with db.reading() as conn:
        for table, _key, columns in SEALED_COLUMNS:
            for column in columns:
                rows = await conn.execute_fetchall(
                    f"""SELECT DISTINCT CASE WHEN {column} LIKE '{PREFIX}%'
                               THEN substr({column}, {len(PREFIX) + 1}, 8) END
                        FROM {table} WHERE {column} IS NOT NULL AND {column} != ''"""
                )
                for row in rows:
                    if row[0] is None:
                        clear = True
                    else:
                        kids.add(row[0])
    cipher = db.cipher
    if kids and clear:
        raise KeyMismatch(
            f"the database holds values in clear and sealed ones (key id "
            f"{', '.join(sorted(kids))}): stop the bot and run `{ENCRYPT}` with the key "
            "(earlier keys in IZDEU_OLD_ENCRYPTION_KEYS)"
        )
    if kids:
        _require_key(cipher, kids)
    elif clear and cipher.enabled:
        raise KeyMismatch(
            "the database was written unencrypted but IZDEU_ENCRYPTION_KEY is set: stop "
            f"the bot and seal it with `{ENCRYPT}`, or start without the key"
        )
    async with db.transaction() as conn:
        await conn.execute("PRAGMA defer_foreign_keys = ON")
        if cipher.enabled:  # ids and chat ids were stored as Telegram gave them
            await remap_ids(conn, cipher.pseudonym)
            await seal_chat_ids(conn, Cipher(), cipher)
        await record(conn, cipher, datetime.now().astimezone())


async def record(conn: InlineConnection, cipher: Cipher, now: datetime) -> None:
    """Write the sealing row for ``cipher`` (inside the caller's transaction)."""
    check_value = cipher.seal(CHECK_TEXT) if cipher.enabled else None
    await conn.execute(
        """INSERT INTO sealing(id, key_id, check_value, changed_at) VALUES (1, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET key_id = excluded.key_id,
                check_value = excluded.check_value, changed_at = excluded.changed_at""",
        (cipher.key_id, check_value, _ts(now)),
    )


async def remap_ids(conn: InlineConnection, new_id: Callable[[int], int]) -> None:
    """Replace every stored user id by ``new_id(id)`` (0, the command line, and negative
    anonymous markers stay). Run with foreign keys deferred: parents and children change
    in the same transaction."""
    conn.raw.create_function("izdeu_new_id", 1, new_id, deterministic=True)
    try:
        for table, column in ID_COLUMNS:
            await conn.execute(
                f"UPDATE {table} SET {column} = izdeu_new_id({column}) WHERE {column} > 0"
            )
    finally:
        conn.raw.create_function("izdeu_new_id", 1, None)


async def seal_chat_ids(conn: InlineConnection, old: Cipher, new: Cipher) -> None:
    for table, column in CHAT_COLUMNS:
        rows = await conn.execute_fetchall(f"SELECT rowid, {column} FROM {table}")
        await conn.executemany(
            f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
            [(new.seal(old.open(str(row[1]))), row[0]) for row in rows],
        )


async def telegram_ids(conn: InlineConnection, cipher: Cipher) -> list[int]:
    """The Telegram ids of every family and staff member (their private chat's id)."""
    found: list[int] = []
    for table, column in CHAT_COLUMNS:
        rows = await conn.execute_fetchall(f"SELECT {column} FROM {table}")
        found.extend(int(cipher.open(str(row[0]))) for row in rows)
    return found


def rekeyed(old: Cipher, new: Cipher, telegram: Iterable[int]) -> Callable[[int], int]:
    """Old keyed id -> new keyed id, for everyone whose Telegram id is known; other ids
    (staff removed since, who have no chat id left) keep their old form."""
    mapping = {old.pseudonym(t): new.pseudonym(t) for t in telegram}
    return lambda value: mapping.get(value, value)
