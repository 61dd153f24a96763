-- Replies as evidence: the reply's text (sealed), its MinHash signature and LSH bands
-- (readable numbers computed from the wording without names or numbers), and the mark
-- of a likely form reply with the caseworker's review. See bot/replies/matching.py.
ALTER TABLE replies ADD COLUMN text TEXT;
-- How many other cases received (nearly) the same text from this body when it came.
ALTER TABLE replies ADD COLUMN copies INTEGER NOT NULL DEFAULT 0;
-- NULL: not reviewed; 'confirmed' or 'rejected' by a caseworker.
ALTER TABLE replies ADD COLUMN copy_review TEXT;

CREATE TABLE reply_signatures (
    reply_id INTEGER PRIMARY KEY REFERENCES replies(id) ON DELETE CASCADE,
    addressee_id TEXT NOT NULL,
    minhash BLOB NOT NULL
);

-- One row per band of each signature: the candidates of a new reply are found by
-- (body, band, hash) look-ups in this index, never by reading every earlier reply.
CREATE TABLE reply_bands (
    addressee_id TEXT NOT NULL,
    band INTEGER NOT NULL,
    hash INTEGER NOT NULL,
    reply_id INTEGER NOT NULL REFERENCES replies(id) ON DELETE CASCADE
);
CREATE INDEX reply_bands_lookup ON reply_bands(addressee_id, band, hash);
CREATE INDEX reply_bands_reply ON reply_bands(reply_id);
