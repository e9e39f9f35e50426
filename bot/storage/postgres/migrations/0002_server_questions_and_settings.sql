-- 0002 (expand): each server's own questions (with who added, changed and removed
-- them) and each server's settings. Bodies are JSON written by
-- bot/storage/records_json.py, kept as text like SQLite's.

CREATE TABLE custom_questions (
    server_id   bigint NOT NULL REFERENCES servers (id),
    question_id text   NOT NULL,
    body        text   NOT NULL,
    added_by    text   NOT NULL,
    added_us    bigint NOT NULL,
    changed_by  text   NOT NULL,
    changed_us  bigint NOT NULL,
    -- Removal is soft: the question leaves the pool but stays in history.
    removed_by  text,
    removed_us  bigint,
    PRIMARY KEY (server_id, question_id)
);

CREATE TABLE server_settings (
    server_id  bigint PRIMARY KEY REFERENCES servers (id),
    body       text   NOT NULL,
    changed_by text   NOT NULL,
    changed_us bigint NOT NULL
);
