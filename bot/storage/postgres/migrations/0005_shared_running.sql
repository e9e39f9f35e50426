-- 0005 (expand): what lets several processes run one bot: a running game's
-- state, so that another process can carry it on; leases on the work one
-- process owns (a Discord shard); the paced turns they share (IDENTIFY); the
-- bot-wide facts they agree on (the command tree synced); and where each
-- player last played (a DM arrives on one shard, its server may be on another).

-- state is the game as JSON (bot/storage/game_state_json.py), saved in the
-- same transaction as the points of the same moment; state_seq grows with each
-- save, so a save that arrives late never replaces a newer one.
-- question_message is the platform's id of the open question's message, for
-- editing it instead of posting a second copy.
ALTER TABLE game_journal ADD COLUMN state            text;
ALTER TABLE game_journal ADD COLUMN state_seq        bigint NOT NULL DEFAULT 0;
ALTER TABLE game_journal ADD COLUMN state_us         bigint;
ALTER TABLE game_journal ADD COLUMN question_message text;

-- A lease is held by one process until expires_us (database clock, µs since
-- the epoch); epoch grows by one each time the lease changes hands, and every
-- write made under a lease carries its epoch, so a process that lost it (paused,
-- cut off) has its writes refused.
CREATE TABLE leases (
    name       text   PRIMARY KEY,
    holder     text   NOT NULL,
    epoch      bigint NOT NULL,
    expires_us bigint NOT NULL
);

-- A paced turn: whoever takes the turn named name moves next_us forward; the
-- next taker waits until then.
CREATE TABLE paced_turns (
    name    text   PRIMARY KEY,
    next_us bigint NOT NULL
);

-- Facts about the bot as a whole (the hash of the command tree last synced).
CREATE TABLE bot_facts (
    name       text   PRIMARY KEY,
    value      text   NOT NULL,
    changed_us bigint NOT NULL
);

CREATE TABLE last_servers (
    platform    text   NOT NULL,
    player      text   NOT NULL,
    server      text   NOT NULL,
    server_name text   NOT NULL,
    played_us   bigint NOT NULL,
    PRIMARY KEY (platform, player)
);
