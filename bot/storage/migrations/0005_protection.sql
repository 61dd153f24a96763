-- Data protection: closed cases purged of personal data after the retention
-- period, and anonymous counts kept when a family deletes its data.

ALTER TABLE cases ADD COLUMN purged_at TEXT;

CREATE TABLE deleted_cases (
    id          INTEGER PRIMARY KEY,
    deleted_at  TEXT NOT NULL,
    citizenship TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_on  TEXT NOT NULL     -- date only
);
