-- The letters of a case: recommended or added by the family, follow-ups of
-- earlier letters, and what was produced for each (language, time, text).

CREATE TABLE letters (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    addressee_id TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    reason       TEXT    NOT NULL DEFAULT '',  -- recommendation code; '' when added by hand
    selected     INTEGER NOT NULL DEFAULT 1,
    parent_id    INTEGER REFERENCES letters(id) ON DELETE CASCADE,  -- the letter this follows up
    trigger      TEXT,                         -- silence, form_reply, refusal, no_decision
    language     TEXT,
    text         TEXT,
    generated_at TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX letters_case ON letters(case_id);
-- One first letter per body and kind; follow-ups may repeat a kind.
CREATE UNIQUE INDEX letters_first ON letters(case_id, addressee_id, kind) WHERE parent_id IS NULL;

-- What the family chose for all letters of the case: details left out,
-- the language for national bodies.
ALTER TABLE cases ADD COLUMN letter_options TEXT NOT NULL DEFAULT '{}';
