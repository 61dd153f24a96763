-- The region of a case's last known place as a readable ISO 3166-2 code ("RU-KDA"), so that
-- /cases and exports can filter by region in SQL; the answers themselves stay sealed. NULL
-- for cases reported before regions were picked from a list.

ALTER TABLE cases ADD COLUMN region TEXT;

CREATE INDEX cases_by_region ON cases(region);
