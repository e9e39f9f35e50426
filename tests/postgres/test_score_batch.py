"""PostgreSQL's common batch (scores, the asked history, games' progress and states) is one
statement, one round trip, and leaves the rows the general way leaves; anything else in a
batch sends it the general way.  (What the rows mean is the contract suite's part: it
runs every store test through both ways.)"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from bot.domain.model import ChannelKey, GameMode, PlayerKey, ServerKey
from bot.domain.records import AnswerRecord, Period, RunningGame
from bot.storage import open_store
from bot.storage.periods import to_epoch_us
from bot.storage.postgres.score_batch import WRITE_SCORES
from bot.storage.postgres.transaction import write_transaction
from bot.storage.write_plan import (
    ForgetAsked,
    JournalProgress,
    MarkAsked,
    RecordAnswers,
    SaveGameState,
    WriteOp,
)

AT = datetime(2024, 5, 15, 12, tzinfo=UTC)
SERVER = ServerKey("discord", "guild")
CHANNEL = ChannelKey("discord", "guild", "trivia")
ANN = PlayerKey("discord", "guild", "ann")
BEN = PlayerKey("discord", "guild", "ben")


def answer(player: PlayerKey, question: str, *, points: int) -> AnswerRecord:
    return AnswerRecord(
        player=player,
        name=player.user.title(),
        channel=CHANNEL,
        game_id="g1",
        question_id=question,
        correct=points > 0,
        points=points,
        answer_ms=1200,
        streak=1 if points else 0,
        at=AT,
    )


def state(seq: int, body: str) -> SaveGameState:
    return SaveGameState("g1", body, seq, to_epoch_us(AT), SERVER)


@pytest.fixture
async def known_server(postgres_dsn: str) -> dict[ServerKey, int]:
    """A database with game g1 journaled and Ann's first point (the server is stored)."""
    store = await open_store(postgres_dsn)
    try:
        game = RunningGame(
            game_id="g1",
            channel=CHANNEL,
            mode=GameMode.TEXT,
            started_at=AT,
            started_by=ANN,
            total_questions=10,
        )
        await store.journal_game(game)
        await store.record_answers([answer(ANN, "q0", points=1)])
    finally:
        await store.close()
    conn = await asyncpg.connect(postgres_dsn)
    try:
        server_id = await conn.fetchval("SELECT id FROM servers WHERE server = 'guild'")
    finally:
        await conn.close()
    return {SERVER: server_id}


async def write_logged(dsn: str, ops: list[WriteOp], known: dict[ServerKey, int]) -> list[str]:
    """Write ``ops`` as the store's writer would; the statements it sent, in order."""
    sent: list[str] = []
    conn = await asyncpg.connect(dsn)
    try:
        conn.add_query_logger(lambda record: sent.append(record.query))
        await write_transaction(conn, ops, known_servers=known)
        await asyncio.sleep(0)  # the logger hears of each statement on the loop's next turn
    finally:
        await conn.close()
    # Not asyncpg's own look-ups of the array types, made once per connection.
    return [query for query in sent if "typeinfo" not in query and "'jit'" not in query]


async def journal_row(dsn: str) -> tuple[Any, ...]:
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            "SELECT questions_asked, state, state_seq FROM game_journal WHERE game_id = 'g1'"
        )
    finally:
        await conn.close()
    assert row is not None
    return tuple(row)


async def test_points_misses_asked_questions_progress_and_state_go_in_one_statement(
    postgres_dsn: str, known_server: dict[ServerKey, int]
) -> None:
    ops: list[WriteOp] = [
        RecordAnswers((answer(ANN, "q1", points=3), answer(BEN, "q1", points=0)), state(1, "{}")),
        MarkAsked(SERVER, ("q2", "q1"), to_epoch_us(AT)),
        JournalProgress("g1", 2, SERVER),
        JournalProgress("g1", 1, SERVER),  # late: the progress never goes back
    ]

    sent = await write_logged(postgres_dsn, ops, known_server)

    assert sent == [WRITE_SCORES]
    store = await open_store(postgres_dsn)
    try:
        board = await store.leaderboard(SERVER, Period.ALL, now=AT)
        assert [(row.player, row.points, row.correct) for row in board] == [(ANN, 4, 2)]
        ben = await store.player_stats(BEN)
        assert ben is not None
        assert (ben.points, ben.answered) == (0, 1)
        assert await store.asked_questions(SERVER, ["q1", "q2", "q3"]) == {"q1", "q2"}
    finally:
        await store.close()
    assert await journal_row(postgres_dsn) == (2, "{}", 1)


async def test_an_older_state_is_kept_out_while_the_progress_still_grows(
    postgres_dsn: str, known_server: dict[ServerKey, int]
) -> None:
    await write_logged(postgres_dsn, [RecordAnswers((), state(5, '{"n": 5}'))], known_server)

    sent = await write_logged(
        postgres_dsn,
        [RecordAnswers((), state(4, '{"n": 4}')), JournalProgress("g1", 3, SERVER)],
        known_server,
    )

    assert sent == [WRITE_SCORES]
    assert await journal_row(postgres_dsn) == (3, '{"n": 5}', 5)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(ForgetAsked(SERVER, ("q0",)), id="a forgotten question"),
        pytest.param(
            MarkAsked(ServerKey("discord", "new-guild"), ("q1",), to_epoch_us(AT)),
            id="a server not stored yet",
        ),
    ],
)
async def test_a_batch_with_anything_else_goes_the_general_way(
    postgres_dsn: str, known_server: dict[ServerKey, int], other: WriteOp
) -> None:
    ops: list[WriteOp] = [RecordAnswers((answer(ANN, "q1", points=2),)), other]

    sent = await write_logged(postgres_dsn, ops, known_server)

    assert WRITE_SCORES not in sent
    assert sent[0].startswith("BEGIN")
    store = await open_store(postgres_dsn)
    try:
        board = await store.leaderboard(SERVER, Period.ALL, now=AT)
        assert [(row.player, row.points) for row in board] == [(ANN, 3)]
    finally:
        await store.close()
