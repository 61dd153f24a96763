-- Notices to other people that an action causes (a letter sent back to the family with
-- the caseworker's note, ...): written in the action's own transaction and deleted when
-- Telegram took them, so a crash between the commit and the send loses none (at least
-- once). user_id: the recipient (keyed like every user id); data: the chat to write to,
-- the recipient's language, what the notice says and its values (sealed: it may hold a
-- note's text).
CREATE TABLE notices (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL,
    data       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX notices_user ON notices(user_id);
