-- The organisation's side: roles, invitations, assignments, notes, and the
-- audit log of every look at someone else's case.

CREATE TABLE staff (
    user_id    INTEGER PRIMARY KEY,           -- Telegram user id
    chat_id    INTEGER NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('caseworker', 'volunteer')),
    locale     TEXT    NOT NULL,
    granted_by INTEGER,
    granted_at TEXT    NOT NULL
);

CREATE TABLE invitations (
    code       TEXT    PRIMARY KEY,
    role       TEXT    NOT NULL CHECK (role IN ('caseworker', 'volunteer')),
    created_by INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_by    INTEGER,
    used_at    TEXT,
    revoked_at TEXT
);

ALTER TABLE cases ADD COLUMN verified INTEGER NOT NULL DEFAULT 0;
-- A caseworker may let the assigned volunteers see identity numbers and the account.
ALTER TABLE cases ADD COLUMN volunteer_details INTEGER NOT NULL DEFAULT 0;

CREATE TABLE assignments (
    case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    volunteer_id INTEGER NOT NULL REFERENCES staff(user_id) ON DELETE CASCADE,
    assigned_by  INTEGER,
    assigned_at  TEXT    NOT NULL,
    PRIMARY KEY (case_id, volunteer_id)
);
CREATE INDEX assignments_volunteer ON assignments(volunteer_id);

CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX notes_case ON notes(case_id);

-- Ids and actions only, never personal data; kept when a case is deleted.
CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       TEXT    NOT NULL,
    actor_id INTEGER NOT NULL,
    action   TEXT    NOT NULL,   -- view_case, export, role_grant, role_remove, invite, invite_revoke,
                                 -- assign, unassign, delete, status, verify, note, message
    case_id  INTEGER,
    target_id INTEGER,
    detail   TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_at ON audit(at);
