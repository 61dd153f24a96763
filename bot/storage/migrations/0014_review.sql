-- Caseworker review before release (IZDEU_LETTER_REVIEW): a letter the family prepared
-- waits here until a caseworker approves it or sends it back. One row per letter and
-- time it was held; who decided and when is also in the audit log.
CREATE TABLE letter_reviews (
    id          INTEGER PRIMARY KEY,
    letter_id   INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    queued_at   TEXT    NOT NULL,
    queued_by   INTEGER NOT NULL,   -- the family member who prepared the letters
    state       TEXT    NOT NULL DEFAULT 'waiting',  -- waiting, approved, returned
    decided_at  TEXT,
    decided_by  INTEGER,
    delivered_at TEXT               -- the family received the approved letter
);
-- A letter waits at most once; the queue is read oldest first.
CREATE UNIQUE INDEX letter_reviews_open ON letter_reviews(letter_id)
    WHERE state = 'waiting' OR (state = 'approved' AND delivered_at IS NULL);
CREATE INDEX letter_reviews_queue ON letter_reviews(queued_at)
    WHERE state = 'waiting' OR (state = 'approved' AND delivered_at IS NULL);
CREATE INDEX letter_reviews_case ON letter_reviews(case_id);
