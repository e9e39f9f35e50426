-- 0004: what each server has switched off, and players' reports about questions.
--
-- A switch row names a question id, a bundled category (casefolded) or a
-- bundled bank id; "off" is 1 while it is switched off. Switching it on again
-- keeps the row (off = 0) so who turned it back on, and when, stays known.

CREATE TABLE question_switches (
    server_id  INTEGER NOT NULL REFERENCES servers (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('question', 'category', 'bank')),
    name       TEXT    NOT NULL,
    off        INTEGER NOT NULL CHECK (off IN (0, 1)),
    changed_by TEXT    NOT NULL,
    changed_us INTEGER NOT NULL,
    PRIMARY KEY (server_id, kind, name)
) WITHOUT ROWID;

-- A report keeps the prompt as it was asked: the question may change or go.
-- It is open while resolution is NULL.
CREATE TABLE question_reports (
    id            INTEGER PRIMARY KEY,
    server_id     INTEGER NOT NULL REFERENCES servers (id),
    channel       TEXT    NOT NULL,
    question_id   TEXT    NOT NULL,
    prompt        TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('wrong', 'unclear')),
    reason        TEXT    NOT NULL,
    reporter      TEXT    NOT NULL,
    reporter_name TEXT    NOT NULL,
    reported_us   INTEGER NOT NULL,
    resolution    TEXT    CHECK (resolution IN ('edited', 'disabled', 'removed', 'dismissed')),
    resolved_by   TEXT,
    resolved_us   INTEGER
);

CREATE INDEX question_reports_open ON question_reports (server_id, question_id)
    WHERE resolution IS NULL;
