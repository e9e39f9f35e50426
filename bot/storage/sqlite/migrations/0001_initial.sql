-- 0001: servers, players, the answer log, maintained totals, games and the
-- asked-question history.
--
-- Times are integer microseconds since the Unix epoch (UTC), suffix _us.
-- Identity is namespaced: a player is (server, user_id) and a server is
-- (platform, server), so a Discord user "1" and a Slack user "1" are two
-- players, and so is one user in two servers (scores are per server).

CREATE TABLE servers (
    id       INTEGER PRIMARY KEY,
    platform TEXT    NOT NULL,
    server   TEXT    NOT NULL,
    UNIQUE (platform, server)
);

CREATE TABLE players (
    id          INTEGER PRIMARY KEY,
    server_id   INTEGER NOT NULL REFERENCES servers (id),
    user_id     TEXT    NOT NULL,
    name        TEXT    NOT NULL,            -- latest display name
    name_key    TEXT    NOT NULL,            -- casefolded name, for find_players
    -- Lifetime totals, maintained in the transaction that writes the answers.
    points      INTEGER NOT NULL DEFAULT 0,
    correct     INTEGER NOT NULL DEFAULT 0,
    answered    INTEGER NOT NULL DEFAULT 0,
    best_streak INTEGER NOT NULL DEFAULT 0,
    correct_ms  INTEGER NOT NULL DEFAULT 0,  -- sum of answer_ms over correct answers
    games       INTEGER NOT NULL DEFAULT 0,
    wins        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (server_id, user_id)
);

CREATE INDEX players_by_name ON players (server_id, name_key);

-- The log every total can be rebuilt from. No secondary index on purpose:
-- each one would tax every write, and no query reads this table.
CREATE TABLE answers (
    id          INTEGER PRIMARY KEY,
    player_id   INTEGER NOT NULL REFERENCES players (id),
    channel     TEXT    NOT NULL,
    game_id     TEXT    NOT NULL,
    question_id TEXT    NOT NULL,
    correct     INTEGER NOT NULL,
    points      INTEGER NOT NULL,
    answer_ms   INTEGER NOT NULL,
    streak      INTEGER NOT NULL,
    at_us       INTEGER NOT NULL
);

-- Leaderboard totals per (server, period kind, period start, player).
--   kind 0 = all time (start 0), 1 = week, 2 = day (UTC);
--   start = days from 1970-01-01 to the period's first day (weeks start on
--   Monday): date(start * 86400, 'unixepoch') shows it.
-- reached_us is when the player last scored in the period: the tie-break
-- ranks first whoever reached an equal score earlier.
-- player_id has no REFERENCES clause: every row is written in the same
-- transaction as an answer row whose player_id is checked, and the check
-- would cost a lookup on each of the three upserts per answer.
CREATE TABLE period_totals (
    server_id  INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    player_id  INTEGER NOT NULL,
    points     INTEGER NOT NULL,
    correct    INTEGER NOT NULL,
    reached_us INTEGER NOT NULL,
    PRIMARY KEY (server_id, kind, start, player_id)
) WITHOUT ROWID;

-- Serves "ORDER BY points DESC, correct DESC, reached_us, player_id LIMIT n"
-- for one (server, kind, start) straight from the index, without sorting.
CREATE INDEX period_totals_rank
    ON period_totals (server_id, kind, start, points DESC, correct DESC, reached_us, player_id);

CREATE TABLE games (
    game_id         TEXT    PRIMARY KEY,
    server_id       INTEGER NOT NULL REFERENCES servers (id),
    channel         TEXT    NOT NULL,
    mode            TEXT    NOT NULL,
    started_us      INTEGER NOT NULL,
    ended_us        INTEGER NOT NULL,
    reason          TEXT    NOT NULL,
    questions_asked INTEGER NOT NULL,
    winner_id       INTEGER REFERENCES players (id)
);

CREATE TABLE game_players (
    game_id   TEXT    NOT NULL REFERENCES games (game_id),
    player_id INTEGER NOT NULL REFERENCES players (id),
    name      TEXT    NOT NULL,
    points    INTEGER NOT NULL,
    correct   INTEGER NOT NULL,
    rank      INTEGER NOT NULL,
    PRIMARY KEY (game_id, player_id)
) WITHOUT ROWID;

CREATE TABLE asked_questions (
    server_id   INTEGER NOT NULL REFERENCES servers (id),
    question_id TEXT    NOT NULL,
    asked_us    INTEGER NOT NULL,
    PRIMARY KEY (server_id, question_id)
) WITHOUT ROWID;
