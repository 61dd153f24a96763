-- Which key sealed the database: its key id and a known text sealed with it, never the
-- key itself. A start with another key, with no key on a sealed database, or with a key on
-- a database written in clear is refused instead of mixing keys (bot.storage.sealing).
-- The one row is written by the bot on its first start after this migration, because
-- recording it (and giving stored Telegram ids their keyed form) needs the key.
CREATE TABLE sealing (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    key_id      TEXT,              -- NULL: written in clear
    check_value TEXT,              -- CHECK_TEXT sealed with that key; NULL in clear
    changed_at  TEXT NOT NULL
);
