-- Letters: the day the body received a letter (post tracking or a receipt), from which
-- terms counted from receipt run; translations of free text for letters.

ALTER TABLE letters ADD COLUMN delivered_on TEXT;

-- The family's free text given again in a letter's language, sealed like the answers:
-- {field: {language: text}}.
ALTER TABLE cases ADD COLUMN translations TEXT;
