"""Contract: running games are journaled so a restart can end them, on every backend."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.domain.game import TriviaGame
from bot.domain.model import (
    Actor,
    ChannelKey,
    GameMode,
    GameOptions,
    Instant,
    PlayerKey,
    Question,
    Standing,
)
from bot.domain.records import (
    AnswerRecord,
    GameRecord,
    RunningGame,
)
from bot.domain.snapshot import GameSnapshot
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


# -- a game's saved state ------------------------------------------------------------


def snapshot_of(game_id: str = "game-1", *, at_second: float = 12.0) -> GameSnapshot:
    """A real game's snapshot: Bob scored on question 1, question 2 is open."""
    paris = Question(id="q1", prompt="Capital of France?", answers=("Paris",))
    rome = Question(id="q2", prompt="Capital of Italy?", answers=("Rome",), hints=("R___",))
    options = GameOptions(rounds=2, seconds=30, pause=5)
    game = TriviaGame(
        game_id, CHANNEL, options=options, questions=(paris, rome), started_by=Actor(ADA, "Ada")
    )

    def at(second: float) -> Instant:
        return Instant(second, AT + timedelta(seconds=second))

    game.start(at(0))
    game.answer(Actor(BOB, "Bob"), "paris", at(3))
    game.tick(at(9))
    game.hint(Actor(ADA, "Ada"), at(10))
    return game.snapshot(at(at_second))


async def test_a_state_saved_with_its_points_comes_back_with_them(store: TriviaStore) -> None:
    await store.journal_game(GAME)
    snapshot = snapshot_of()
    await store.save_game_state(snapshot, 1, [point(BOB, 20, minute=1)])
    [unfinished] = await store.unfinished_games("discord")
    assert unfinished.state == snapshot
    assert unfinished.state_seq == 1
    assert unfinished.state_at == snapshot.taken_at
    assert [(s.player, s.points) for s in unfinished.standings] == [(BOB, 20)]


async def test_a_late_save_never_replaces_a_newer_one(store: TriviaStore) -> None:
    await store.journal_game(GAME)
    newer, older = snapshot_of(at_second=14.0), snapshot_of(at_second=12.0)
    await store.save_game_state(newer, 5)
    await store.save_game_state(older, 4)
    await store.save_game_state(older, 5)  # the same seq again: still not newer
    [unfinished] = await store.unfinished_games("discord")
    assert (unfinished.state, unfinished.state_seq) == (newer, 5)


async def test_saves_in_one_batch_keep_the_newest(store: TriviaStore) -> None:
    await store.journal_game(GAME)
    saves = [store.save_game_state(snapshot_of(at_second=10.0 + n), n) for n in (3, 1, 2)]
    await asyncio.gather(*saves)
    [unfinished] = await store.unfinished_games("discord")
    assert unfinished.state_seq == 3
    assert unfinished.state == snapshot_of(at_second=13.0)


async def test_the_question_message_is_kept_until_the_game_is_recorded(store: TriviaStore) -> None:
    await store.journal_game(GAME)
    await store.note_question_message(CHANNEL, "game-1", "c1/1001")
    await store.note_question_message(CHANNEL, "game-1", "c1/1002")
    [unfinished] = await store.unfinished_games("discord")
    assert unfinished.question_message == "c1/1002"
    await store.record_game(
        GameRecord(
            game_id="game-1",
            channel=CHANNEL,
            mode=GameMode.TEXT,
            started_at=AT,
            ended_at=AT + timedelta(minutes=5),
            reason="completed",
            questions_asked=2,
            standings=(),
            winner=None,
        )
    )
    # A state saved behind the game's end (a write that arrived late) revives nothing.
    await store.save_game_state(snapshot_of(), 9)
    await store.note_question_message(CHANNEL, "game-1", "c1/1003")
    assert await store.unfinished_games("discord") == []


async def test_a_game_never_saved_has_no_state(store: TriviaStore) -> None:
    await store.journal_game(GAME)
    [unfinished] = await store.unfinished_games("discord")
    assert (unfinished.state, unfinished.state_seq, unfinished.question_message) == (None, 0, None)


async def test_saved_state_survives_a_restart(backend: Backend) -> None:
    store = await backend.open()
    await store.journal_game(GAME)
    await store.save_game_state(snapshot_of(), 2, [point(BOB, 20)])
    await store.close()
    again = await backend.open()
    try:
        [unfinished] = await again.unfinished_games("discord")
        assert unfinished.state == snapshot_of()
    finally:
        await again.close()
