-- Follow-up: when each letter was sent and how, the body's registration
-- number, the answer deadline, replies, reminders, and small multi-step forms.

ALTER TABLE letters ADD COLUMN sent_on TEXT;         -- local date the family sent it
ALTER TABLE letters ADD COLUMN channel TEXT;         -- post, registered, email, online, in_person, forwarded
ALTER TABLE letters ADD COLUMN tracking TEXT;        -- registered-mail tracking number
ALTER TABLE letters ADD COLUMN reference TEXT;       -- registration number or receipt the body gave
ALTER TABLE letters ADD COLUMN registered_on TEXT;
ALTER TABLE letters ADD COLUMN extended_until TEXT;  -- an extension the body announced
ALTER TABLE letters ADD COLUMN due_on TEXT;          -- answer deadline, recomputed on every change
ALTER TABLE letters ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;  -- answered: no more reminders
CREATE INDEX letters_due ON letters(due_on) WHERE closed = 0 AND due_on IS NOT NULL;

CREATE TABLE replies (
    id           INTEGER PRIMARY KEY,
    letter_id    INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
    case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    received_on  TEXT    NOT NULL,
    outcome      TEXT    NOT NULL,   -- answered, form, forwarded, extension, refused, found
    forwarded_to TEXT,               -- addressee id
    summary      TEXT    NOT NULL DEFAULT '',
    file         TEXT,               -- JSON: Telegram file id and metadata
    created_at   TEXT    NOT NULL
);
CREATE INDEX replies_letter ON replies(letter_id);

-- Reminders are rows: one periodic job sends what is due and records it, so a
-- restart neither loses nor repeats them. Only ids and dates, no content.
CREATE TABLE reminders (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL,   -- a family's or a volunteer's Telegram id
    case_id      INTEGER REFERENCES cases(id) ON DELETE CASCADE,
    letter_id    INTEGER REFERENCES letters(id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,   -- prepare, overdue, digest, volunteer_digest
    due_at       TEXT    NOT NULL,   -- UTC
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    sent_at      TEXT,
    cancelled_at TEXT,
    followup_id  INTEGER REFERENCES letters(id) ON DELETE SET NULL,  -- next letter made for it
    created_at   TEXT    NOT NULL
);
CREATE INDEX reminders_pending ON reminders(due_at) WHERE sent_at IS NULL AND cancelled_at IS NULL;
CREATE UNIQUE INDEX reminders_once ON reminders(user_id, kind, COALESCE(letter_id, 0), due_at);

-- A short form in progress (mark letters as sent, log a reply...), so a restart
-- in the middle of one loses nothing.
CREATE TABLE forms (
    user_id    INTEGER PRIMARY KEY,  -- families and staff alike
    name       TEXT    NOT NULL,
    step       TEXT    NOT NULL,
    data       TEXT    NOT NULL,     -- JSON
    updated_at TEXT    NOT NULL
);
