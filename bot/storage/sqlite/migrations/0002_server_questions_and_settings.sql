-- 0002: each server's own questions (with who added, changed and removed them)
-- and each server's settings. Bodies are JSON written by bot/storage/records_json.py.

CREATE TABLE custom_questions (
    server_id   INTEGER NOT NULL REFERENCES servers (id),
    question_id TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    added_by    TEXT    NOT NULL,
    added_us    INTEGER NOT NULL,
    changed_by  TEXT    NOT NULL,
    changed_us  INTEGER NOT NULL,
    -- Removal is soft: the question leaves the pool but stays in history.
    removed_by  TEXT,
    removed_us  INTEGER,
    PRIMARY KEY (server_id, question_id)
) WITHOUT ROWID;

CREATE TABLE server_settings (
    server_id  INTEGER PRIMARY KEY REFERENCES servers (id),
    body       TEXT    NOT NULL,
    changed_by TEXT    NOT NULL,
    changed_us INTEGER NOT NULL
);
