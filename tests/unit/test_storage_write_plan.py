"""Folding a batch of pending writes into per-player and per-period deltas."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.model import ChannelKey, GameMode, PlayerKey, ServerKey, Standing
from bot.domain.records import (
    AnswerRecord,
    GameRecord,
)
from bot.storage.periods import KIND_DAY, KIND_WEEK, epoch_day, to_epoch_us, week_start_day
from bot.storage.write_plan import (
    ForgetAsked,
    MarkAsked,
    RecordAnswers,
    RecordGame,
    build_plan,
    check_answer,
    check_game,
    name_key,
)

NOW = datetime(2024, 5, 15, 12, tzinfo=UTC)
GUILD = ServerKey("discord", "g")
ALICE = PlayerKey("discord", "g", "alice")
BOB = PlayerKey("discord", "g", "bob")


def answer(
    who: PlayerKey = ALICE,
    *,
    name: str = "Alice",
    correct: bool = True,
    points: int = 1,
    at: datetime = NOW,
    streak: int = 1,
    answer_ms: int = 1000,
) -> AnswerRecord:
    return AnswerRecord(
        player=who,
        name=name,
        channel=ChannelKey(who.platform, who.server, "c"),
        game_id="game",
        question_id="q",
        correct=correct,
        points=points,
        answer_ms=answer_ms,
        streak=streak,
        at=at,
    )


def game(game_id: str, winner: PlayerKey | None = ALICE) -> GameRecord:
    return GameRecord(
        game_id=game_id,
        channel=ChannelKey("discord", "g", "c"),
        mode=GameMode.TEXT,
        started_at=NOW,
        ended_at=NOW,
        reason="completed",
        questions_asked=3,
        standings=(Standing(ALICE, "Alice", 2, 2, 1), Standing(BOB, "Bob", 1, 1, 2)),
        winner=winner,
    )


def test_answers_fold_into_one_delta_per_player_and_period() -> None:
    yesterday = NOW - timedelta(days=1)
    plan = build_plan(
        [
            RecordAnswers((answer(points=3, streak=1, answer_ms=800), answer(points=2, streak=2))),
            RecordAnswers(
                (answer(correct=False, points=0, streak=0), answer(at=yesterday, streak=3))
            ),
        ]
    )

    delta = plan.players[ALICE]
    assert (delta.points, delta.correct, delta.answered) == (6, 3, 4)
    assert (delta.best_streak, delta.correct_ms) == (3, 2800)
    assert (delta.scored, delta.reached_us) == (True, to_epoch_us(NOW))
    today, before = epoch_day(to_epoch_us(NOW)), epoch_day(to_epoch_us(yesterday))
    totals = {key: (t.points, t.correct) for key, t in delta.periods.items()}
    assert totals == {
        (KIND_WEEK, week_start_day(today)): (6, 3),
        (KIND_DAY, today): (5, 2),
        (KIND_DAY, before): (1, 1),
    }
    assert len(plan.answers) == 4


def test_a_plain_miss_touches_no_period_total() -> None:
    plan = build_plan([RecordAnswers((answer(correct=False, points=0, streak=0),))])

    delta = plan.players[ALICE]
    assert (delta.answered, delta.scored, delta.periods) == (1, False, {})


def test_the_last_name_in_a_batch_wins() -> None:
    plan = build_plan(
        [
            RecordAnswers((answer(name="Alice"),)),
            RecordGame(game("g1")),
            RecordAnswers((answer(name="Alicia"),)),
        ]
    )

    assert plan.players[ALICE].name == "Alicia"
    assert plan.players[BOB].name == "Bob"


def test_a_game_already_recorded_or_repeated_in_the_batch_is_skipped() -> None:
    plan = build_plan(
        [RecordGame(game("old")), RecordGame(game("new")), RecordGame(game("new"))],
        recorded_games={"old"},
    )

    assert [g.game_id for g in plan.games] == ["new"]
    assert (plan.players[ALICE].games, plan.players[ALICE].wins) == (1, 1)
    assert (plan.players[BOB].games, plan.players[BOB].wins) == (1, 0)


def test_marking_then_forgetting_in_one_batch_forgets_and_vice_versa() -> None:
    at_us = to_epoch_us(NOW)
    plan = build_plan(
        [
            MarkAsked(GUILD, ("q1", "q2"), at_us),
            ForgetAsked(GUILD, ("q1",)),
            ForgetAsked(GUILD, ("q3",)),
            MarkAsked(GUILD, ("q3",), at_us),
        ]
    )

    assert plan.asked == {(GUILD, "q1"): None, (GUILD, "q2"): at_us, (GUILD, "q3"): at_us}


def test_an_answer_in_a_channel_of_another_server_is_refused() -> None:
    misplaced = replace(answer(), channel=ChannelKey("discord", "other", "c"))

    with pytest.raises(ValueError, match="another server"):
        check_answer(misplaced)


def test_a_game_listing_a_player_twice_is_refused() -> None:
    twice = GameRecord(
        game_id="g",
        channel=ChannelKey("discord", "g", "c"),
        mode=GameMode.TEXT,
        started_at=NOW,
        ended_at=NOW,
        reason="completed",
        questions_asked=1,
        standings=(Standing(ALICE, "Alice", 1, 1, 1), Standing(ALICE, "Alice", 1, 1, 2)),
        winner=None,
    )

    with pytest.raises(ValueError, match="twice"):
        check_game(twice)


def test_names_match_ignoring_case_and_spacing() -> None:
    assert name_key("  Queen   ALICE ") == name_key("queen alice")
    assert name_key("Straße") == name_key("STRASSE")
