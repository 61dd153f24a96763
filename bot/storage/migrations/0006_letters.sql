-- Letters: the day the body received a letter (post tracking or a receipt), from which
-- terms counted from receipt run; and the caseworker review of letters before release.

ALTER TABLE letters ADD COLUMN delivered_on TEXT;
