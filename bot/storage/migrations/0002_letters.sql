-- The set of letters of a case: recommended or added by the family, and what
-- was produced for each (language, time, the plain text).

CREATE TABLE letters (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    addressee_id TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    reason       TEXT    NOT NULL DEFAULT '',  -- recommendation code; '' when added by hand
    selected     INTEGER NOT NULL DEFAULT 1,
    language     TEXT,
    text         TEXT,
    generated_at TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    UNIQUE (case_id, addressee_id, kind)
);
CREATE INDEX letters_case ON letters(case_id);

-- What the family chose for all letters of the case: details left out,
-- the language for national bodies.
ALTER TABLE cases ADD COLUMN letter_options TEXT NOT NULL DEFAULT '{}';
