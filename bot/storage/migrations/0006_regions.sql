-- The region of a case's last known place as a readable ISO 3166-2 code ("RU-KDA"), so that
-- /cases and exports can filter by region in SQL; the answers themselves stay sealed. "" when
-- no region is known; NULL for cases reported before this column (`python -m bot
-- fill-regions` reads their region from their free-text place).

ALTER TABLE cases ADD COLUMN region TEXT;

CREATE INDEX cases_by_region ON cases(region);
