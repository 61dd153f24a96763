-- The name search's blind index: for each case, a keyed token (HMAC-SHA256, see
-- Cipher.name_token) of every word of the missing person's name, in Cyrillic and as in
-- the passport. The tokens say nothing of the words without the key; the names stay
-- sealed in cases.answers. Rows go with their case (a family's deletion, foreign key).
CREATE TABLE name_tokens (
    token   INTEGER NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    PRIMARY KEY (token, case_id)
) WITHOUT ROWID;
CREATE INDEX name_tokens_case ON name_tokens(case_id);

-- The key id the case's tokens were made with ('' without a key); NULL: not indexed
-- yet (cases reported before this migration, or after a key rotation), which the bot
-- fills in small batches.
ALTER TABLE cases ADD COLUMN name_key TEXT;
CREATE INDEX cases_without_name_index ON cases(id) WHERE name_key IS NULL;
