-- The caseworkers' desk in a browser. A staff member asks the bot for a one-time login
-- link; only the SHA-256 of its token is kept, so a copy of the database opens nothing.
-- user_id is the staff member's stored id (the pseudonym, like staff.user_id); locale
-- is the language the desk is shown in.
CREATE TABLE web_links (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    locale     TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT
);
-- A session opened by a link: the hash of the cookie's id, the CSRF token of its forms,
-- and when it was last used (30 minutes idle end it, 12 hours end it whatever happens).
CREATE TABLE web_sessions (
    id_hash    TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    locale     TEXT    NOT NULL,
    csrf       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    last_seen  TEXT    NOT NULL,
    ended_at   TEXT
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);
