-- 0008 (expand): the daily question (issue #17): each round a daily-question schedule
-- opened in a channel, and the private answers players gave it.

-- One row per round.  The question is kept whole (question: its JSON body, as
-- server_questions keeps one), so the reveal shows what was asked even if the bank
-- changed meanwhile; choices is a JSON array of the options shown (empty: typed
-- answers).  opened_us and closes_us are µs since the epoch; message_ref is the
-- platform's reference of the message showing it (NULL until posted); revealed turns
-- 1 exactly once, by the process that shows the answer.  schedule_id has no REFERENCES
-- clause: a round stays in players' streaks after its schedule is removed.
CREATE TABLE daily_rounds (
    id          INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL,
    platform    TEXT    NOT NULL,
    server      TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    question_id TEXT    NOT NULL,
    question    TEXT    NOT NULL,
    choices     TEXT    NOT NULL DEFAULT '[]',
    opened_us   INTEGER NOT NULL,
    closes_us   INTEGER NOT NULL,
    message_ref TEXT,
    revealed    INTEGER NOT NULL DEFAULT 0 CHECK (revealed IN (0, 1))
);
-- A server's rounds in order (streaks), a channel's open round, the rounds to reveal.
CREATE INDEX daily_rounds_by_server ON daily_rounds (platform, server, id);
CREATE INDEX daily_rounds_by_channel ON daily_rounds (platform, server, channel, id);
CREATE INDEX daily_rounds_to_reveal ON daily_rounds (revealed, closes_us);

-- One row per player who answered a round: the primary key is what counts an answer
-- once, the first INSERT winning.  platform and server repeat the round's, so a
-- server's daily leaderboard of a week or a season reads one index range.
CREATE TABLE daily_answers (
    round_id    INTEGER NOT NULL REFERENCES daily_rounds (id) ON DELETE CASCADE,
    user_id     TEXT    NOT NULL,
    platform    TEXT    NOT NULL,
    server      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    guess       TEXT    NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    points      INTEGER NOT NULL,
    answered_us INTEGER NOT NULL,
    PRIMARY KEY (round_id, user_id)
) WITHOUT ROWID;
CREATE INDEX daily_answers_by_server ON daily_answers (platform, server, answered_us);
CREATE INDEX daily_answers_by_player ON daily_answers (platform, server, user_id, round_id);
