"""Contract: running games are journaled so a restart can end them, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.model import ChannelKey, GameMode, PlayerKey, Standing
from bot.domain.records import (
    AnswerRecord,
    GameRecord,
    RunningGame,
)
from bot.ports import TriviaStore
from tests.contract.conftest import Backend

AT = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)
CHANNEL = ChannelKey("discord", "g1", "c1")
ADA = PlayerKey("discord", "g1", "ada")
BOB = PlayerKey("discord", "g1", "bob")
GAME = RunningGame(
    game_id="game-1",
    channel=CHANNEL,
    mode=GameMode.TEXT,
    started_at=AT,
    started_by=ADA,
    total_questions=10,
)


def point(player: PlayerKey, points: int, *, game: str = "game-1", minute: int = 1) -> AnswerRecord:
    return AnswerRecord(
        player=player,
        name=player.user.title(),
        channel=CHANNEL,
        game_id=game,
        question_id=f"q{minute}",
        correct=points > 0,
        points=points,
        answer_ms=1500,
        streak=1 if points else 0,
        at=AT + timedelta(minutes=minute),
    )


async def test_a_game_interrupted_after_two_points_comes_back_with_them(store: TriviaStore) -> None:
    await store.record_answers([point(ADA, 9, game="older", minute=0)])  # another game
    await store.journal_game(GAME)
    await store.record_answers([point(BOB, 20, minute=1)])
    await store.record_answers([point(ADA, 20, minute=2), point(BOB, 0, minute=2)])
    await store.journal_progress("game-1", 3)
    [unfinished] = await store.unfinished_games("discord")
    assert unfinished.game == GAME
    assert unfinished.questions_asked == 3
    # A tie goes to whoever got there first, as in a live game.
    assert [(s.name, s.points, s.correct, s.rank) for s in unfinished.standings] == [
        ("Bob", 20, 1, 1),
        ("Ada", 20, 1, 2),
    ]


async def test_recording_a_game_closes_its_journal_entry(store: TriviaStore) -> None:
    await store.journal_game(GAME)
    await store.record_game(
        GameRecord(
            game_id="game-1",
            channel=CHANNEL,
            mode=GameMode.TEXT,
            started_at=AT,
            ended_at=AT + timedelta(minutes=5),
            reason="completed",
            questions_asked=10,
            standings=(Standing(ADA, "Ada", 0, 0, 1),),
            winner=None,
        )
    )
    assert await store.unfinished_games("discord") == []


async def test_only_the_asking_platforms_games_come_back(store: TriviaStore) -> None:
    await store.journal_game(GAME)
    assert await store.unfinished_games("slack") == []
    assert [u.game.game_id for u in await store.unfinished_games("discord")] == ["game-1"]


async def test_a_game_nobody_scored_in_comes_back_empty(store: TriviaStore) -> None:
    await store.journal_game(GAME)
    [unfinished] = await store.unfinished_games("discord")
    assert unfinished.standings == ()
    assert unfinished.questions_asked == 0


async def test_the_journal_survives_a_restart(backend: Backend) -> None:
    store = await backend.open()
    await store.journal_game(GAME)
    await store.record_answers([point(ADA, 15)])
    await store.close()  # as if the process had died here
    again = await backend.open()
    try:
        [unfinished] = await again.unfinished_games("discord")
        assert [(s.player, s.points) for s in unfinished.standings] == [(ADA, 15)]
    finally:
        await again.close()
