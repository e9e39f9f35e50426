-- 0003: the journal of running games, so a restart can end the games a crash
-- interrupted. A row lives from a game's start until record_game, which
-- deletes it in the same transaction as the game's result.
--
-- answers_after is the highest answers.id when the game started: the game's
-- answers all have larger ids, so rebuilding its standings reads only the
-- answers written since (a range of the rowid), never the whole log.

CREATE TABLE game_journal (
    game_id         TEXT    PRIMARY KEY,
    server_id       INTEGER NOT NULL REFERENCES servers (id),
    channel         TEXT    NOT NULL,
    mode            TEXT    NOT NULL,
    started_us      INTEGER NOT NULL,
    started_by      TEXT    NOT NULL,
    total_questions INTEGER NOT NULL,
    questions_asked INTEGER NOT NULL DEFAULT 0,
    answers_after   INTEGER NOT NULL
) WITHOUT ROWID;
