-- Users who gave consent, their drafts, their cases and the case timeline.
-- All timestamps are UTC ISO-8601 strings.

CREATE TABLE users (
    user_id      INTEGER PRIMARY KEY,          -- Telegram user id
    chat_id      INTEGER NOT NULL,
    locale       TEXT    NOT NULL,
    consent_at   TEXT    NOT NULL,
    timezone     TEXT,
    reminders_on INTEGER NOT NULL DEFAULT 1,
    blocked_at   TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);

-- One report in progress per user: the answers and the position are one row,
-- written together.
CREATE TABLE drafts (
    user_id       INTEGER PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
    step          TEXT    NOT NULL,
    answers       TEXT    NOT NULL,            -- JSON
    history       TEXT    NOT NULL,            -- JSON list of earlier steps
    review_return INTEGER NOT NULL DEFAULT 0,
    pending       TEXT,                        -- JSON of a loop item being entered
    paused        INTEGER NOT NULL DEFAULT 0,  -- left with /cancel: ask before applying input
    updated_at    TEXT    NOT NULL
);

CREATE TABLE case_counters (
    prefix TEXT    NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    number      TEXT    NOT NULL UNIQUE,
    reporter_id INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    status      TEXT    NOT NULL,
    citizenship TEXT    NOT NULL,
    answers     TEXT    NOT NULL,              -- JSON
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX cases_reporter ON cases(reporter_id);

CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    at       TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    actor_id INTEGER,
    detail   TEXT    NOT NULL DEFAULT '{}'     -- JSON, codes and ids only
);
CREATE INDEX case_events_case ON case_events(case_id, at);

-- Updates already handled, so a re-delivered update has no second effect.
CREATE TABLE processed_updates (
    update_id INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL
);
