-- How staff are shown to each other, and when. A staff member (administrators
-- too, who have no row in staff) is shown by the Telegram name or @username
-- they had when they joined, refreshed when it changes; never by the raw id.
-- The name is sealed like every other name. timezone: their own setting,
-- NULL for the organisation's zone (IZDEU_TIMEZONE).
CREATE TABLE staff_profiles (
    user_id    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    timezone   TEXT,
    updated_at TEXT    NOT NULL
);
