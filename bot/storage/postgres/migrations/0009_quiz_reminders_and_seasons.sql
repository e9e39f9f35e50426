-- 0009 (expand): scheduled play's reminders and season results (issue #17).

-- How many minutes before each of its times a weekly quiz is announced (0: never).
-- Schedules added before this migration keep the default reminder.
ALTER TABLE schedules ADD COLUMN remind_minutes smallint NOT NULL DEFAULT 10
    CHECK (remind_minutes BETWEEN 0 AND 1440);

-- One row per quiz time whose reminder was posted: like schedule_firings, the primary
-- key makes it happen once across processes and restarts (the first INSERT wins).
CREATE TABLE schedule_reminders (
    schedule_id bigint NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    due_us      bigint NOT NULL,
    holder      text   NOT NULL,
    claimed_us  bigint NOT NULL,
    PRIMARY KEY (schedule_id, due_us)
);

-- One row per server and ended season whose results were posted ("2026-11", "2026-Q3").
CREATE TABLE season_results (
    platform   text   NOT NULL,
    server     text   NOT NULL,
    season     text   NOT NULL,
    holder     text   NOT NULL,
    claimed_us bigint NOT NULL,
    PRIMARY KEY (platform, server, season)
);
