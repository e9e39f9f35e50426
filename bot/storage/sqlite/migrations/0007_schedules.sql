-- 0007 (expand): scheduled play (issue #17): the daily questions and weekly quizzes
-- admins schedule per channel, and each due time a schedule has fired.

-- One row per schedule.  at_local and closes_local are local HH:MM in the IANA zone
-- `zone` (closes_local NULL: the kind's default window); days are the weekdays it
-- runs on, 0 (Monday) to 6, comma-separated; options is a JSON object of the game
-- options a weekly quiz overrides.
CREATE TABLE schedules (
    id           INTEGER PRIMARY KEY,
    platform     TEXT    NOT NULL,
    server       TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('daily', 'quiz')),
    at_local     TEXT    NOT NULL,
    zone         TEXT    NOT NULL,
    days         TEXT    NOT NULL,
    closes_local TEXT,
    category     TEXT,
    difficulty   TEXT,
    options      TEXT    NOT NULL DEFAULT '{}',
    paused       INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_us   INTEGER NOT NULL
);
CREATE INDEX schedules_by_server ON schedules (platform, server, id);

-- One row per due time a schedule fired (or skipped, with a note): the primary key
-- is what makes a due time fire once across processes and restarts, the first
-- INSERT winning and the others meeting the key.  due_us and claimed_us are µs
-- since the epoch; claimed_us is the database's clock.
CREATE TABLE schedule_firings (
    schedule_id INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    due_us      INTEGER NOT NULL,
    holder      TEXT    NOT NULL,
    claimed_us  INTEGER NOT NULL,
    PRIMARY KEY (schedule_id, due_us)
) WITHOUT ROWID;
