-- 0003 (expand): the journal of running games, so a restart can end the games a
-- crash interrupted. A row lives from a game's start until record_game, which
-- deletes it in the same transaction as the game's result.
--
-- answers_after is the highest answers.id when the game started: the game's
-- answers all have larger ids (identity values only grow), so rebuilding its
-- standings reads only the answers written since, never the whole log.

CREATE TABLE game_journal (
    game_id         text    PRIMARY KEY,
    server_id       bigint  NOT NULL REFERENCES servers (id),
    channel         text    NOT NULL,
    mode            text    NOT NULL,
    started_us      bigint  NOT NULL,
    started_by      text    NOT NULL,
    total_questions integer NOT NULL,
    questions_asked integer NOT NULL DEFAULT 0,
    answers_after   bigint  NOT NULL
);
