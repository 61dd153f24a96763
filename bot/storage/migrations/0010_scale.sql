-- Whole-database work at scale: indexes for the caseworkers' lists (newest first, by
-- status or citizenship), the open letters of a case, the retention clean-up and the
-- removal of a family's data; and the region of each case, readable, for statistics.

-- cases.region (migration 0006_regions): cases reported before it are filled in small batches by
-- the bot, so that statistics need not open every sealed report. Kept when personal data
-- is purged.
CREATE INDEX cases_without_region ON cases(id) WHERE region IS NULL;

-- Newest first with every filter of /cases in the index: a page, and the count of all
-- matches, read the index only (the rows carry the sealed reports).
CREATE INDEX cases_list ON cases(created_at, id, status, citizenship, verified);
CREATE INDEX cases_status ON cases(status, created_at, id);
CREATE INDEX cases_citizenship ON cases(citizenship, created_at, id);
-- Closed cases whose personal data is still there: what the retention clean-up looks at.
CREATE INDEX cases_to_purge ON cases(updated_at)
    WHERE purged_at IS NULL AND status IN ('closed', 'returned', 'dead');
-- Sent letters waiting for an answer, per case (overdue marks, next deadline, /due).
CREATE INDEX letters_open ON letters(case_id, due_on) WHERE closed = 0 AND sent_on IS NOT NULL;
CREATE INDEX letters_open_due ON letters(due_on, id) WHERE closed = 0 AND sent_on IS NOT NULL;
CREATE INDEX replies_case ON replies(case_id);
-- Statistics read these instead of the tables, whose rows carry the sealed texts.
CREATE INDEX cases_stats ON cases(status, citizenship, created_at, region);
CREATE INDEX letters_body ON letters(addressee_id, closed, due_on, case_id)
    WHERE sent_on IS NOT NULL;
CREATE INDEX letters_sent ON letters(id, addressee_id, sent_on, case_id) WHERE sent_on IS NOT NULL;
CREATE INDEX replies_stats ON replies(letter_id, received_on, outcome);
CREATE INDEX reminders_letter ON reminders(letter_id);
CREATE INDEX reminders_case ON reminders(case_id);
-- Deleting a family's letters looks for their follow-ups and the reminders naming them.
CREATE INDEX letters_parent ON letters(parent_id);
CREATE INDEX reminders_followup ON reminders(followup_id);
