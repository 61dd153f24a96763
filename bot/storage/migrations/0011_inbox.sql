-- Updates stored before Telegram is told they arrived (the webhook's 200, the next
-- getUpdates offset). A row is deleted once its update was processed; rows left after a
-- crash are processed at the next start, in the order they arrived.
CREATE TABLE inbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    update_id   INTEGER NOT NULL,
    digest      TEXT    NOT NULL,            -- hash of the update's content
    body        TEXT    NOT NULL,            -- the update's JSON, sealed like other personal data
    received_at TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0   -- runs that began processing it and died
);
CREATE INDEX inbox_update ON inbox(update_id);

-- What a handled update held: the same id with other content is a new update (Telegram
-- may start its ids again), not a re-delivery. NULL for rows written before this column.
ALTER TABLE processed_updates ADD COLUMN digest TEXT;
CREATE INDEX processed_updates_at ON processed_updates(at);

-- The running bot's last sign of life, for `python -m bot health`.
CREATE TABLE heartbeat (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    at           TEXT    NOT NULL,
    pid          INTEGER NOT NULL,
    mode         TEXT    NOT NULL,            -- polling or webhook
    received_at  TEXT,                        -- last getUpdates answered / webhook registered
    worker_alive INTEGER NOT NULL
);
