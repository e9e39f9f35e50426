-- 0005: what lets several processes run one bot: a running game's state, so
-- that another process can carry it on; leases on the work one process owns (a
-- Discord shard); the paced turns they share (IDENTIFY); the bot-wide facts
-- they agree on (the command tree synced); and where each player last played
-- (a DM arrives on one shard, its server may be on another).

-- state is the game as JSON (bot/storage/game_state_json.py), saved in the
-- same transaction as the points of the same moment; state_seq grows with each
-- save, so a save that arrives late never replaces a newer one.
-- question_message is the platform's id of the open question's message, for
-- editing it instead of posting a second copy.
ALTER TABLE game_journal ADD COLUMN state            TEXT;
ALTER TABLE game_journal ADD COLUMN state_seq        INTEGER NOT NULL DEFAULT 0;
ALTER TABLE game_journal ADD COLUMN state_us         INTEGER;
ALTER TABLE game_journal ADD COLUMN question_message TEXT;

-- A lease is held by one process until expires_us (µs since the epoch); epoch
-- grows by one each time the lease changes hands, and every write made under a
-- lease carries its epoch, so a process that lost it has its writes refused.
CREATE TABLE leases (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    epoch      INTEGER NOT NULL,
    expires_us INTEGER NOT NULL
) WITHOUT ROWID;

-- A paced turn: whoever takes the turn named name moves next_us forward; the
-- next taker waits until then.
CREATE TABLE paced_turns (
    name    TEXT    PRIMARY KEY,
    next_us INTEGER NOT NULL
) WITHOUT ROWID;

-- Facts about the bot as a whole (the hash of the command tree last synced).
CREATE TABLE bot_facts (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    changed_us INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE last_servers (
    platform    TEXT    NOT NULL,
    player      TEXT    NOT NULL,
    server      TEXT    NOT NULL,
    server_name TEXT    NOT NULL,
    played_us   INTEGER NOT NULL,
    PRIMARY KEY (platform, player)
) WITHOUT ROWID;
