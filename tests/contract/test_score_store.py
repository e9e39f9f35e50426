"""What every ``ScoreStore`` backend must do (``bot/ports.py``).

Times are explicit: NOW is Wednesday 2024-05-15 12:00 UTC, so this week began
on Monday 2024-05-13 00:00 UTC and today on 2024-05-15 00:00 UTC.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.domain.model import ChannelKey, GameMode, PlayerKey, ServerKey, Standing
from bot.domain.records import (
    AnswerRecord,
    GameRecord,
    Period,
)
from bot.ports import ScoreStore

from .conftest import Backend

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)
MONDAY = datetime(2024, 5, 13, tzinfo=UTC)
MIDNIGHT = datetime(2024, 5, 15, tzinfo=UTC)
SECOND = timedelta(seconds=1)

GUILD = ServerKey("discord", "guild-1")
OTHER_GUILD = ServerKey("discord", "guild-2")
WORKSPACE = ServerKey("slack", "T1")


def player(user: str, server: ServerKey = GUILD) -> PlayerKey:
    return PlayerKey(server.platform, server.server, user)


def answer(
    who: PlayerKey,
    *,
    name: str | None = None,
    correct: bool = True,
    points: int | None = None,
    at: datetime = NOW,
    answer_ms: int = 1000,
    streak: int | None = None,
    game_id: str = "game-1",
    question_id: str = "q1",
) -> AnswerRecord:
    return AnswerRecord(
        player=who,
        name=name or f"Player {who.user}",
        channel=ChannelKey(who.platform, who.server, "general"),
        game_id=game_id,
        question_id=question_id,
        correct=correct,
        points=(1 if correct else 0) if points is None else points,
        answer_ms=answer_ms,
        streak=(1 if correct else 0) if streak is None else streak,
        at=at,
    )


def game(
    game_id: str,
    standings: list[tuple[PlayerKey, int]],
    *,
    winner: PlayerKey | None,
    server: ServerKey = GUILD,
) -> GameRecord:
    return GameRecord(
        game_id=game_id,
        channel=ChannelKey(server.platform, server.server, "general"),
        mode=GameMode.TEXT,
        started_at=NOW - timedelta(minutes=5),
        ended_at=NOW,
        reason="completed",
        questions_asked=10,
        standings=tuple(
            Standing(
                player=who, name=f"Player {who.user}", points=points, correct=points, rank=rank
            )
            for rank, (who, points) in enumerate(standings, start=1)
        ),
        winner=winner,
    )


async def board(
    store: ScoreStore, period: Period, server: ServerKey = GUILD, *, now: datetime = NOW
) -> list[tuple[str, int]]:
    """The leaderboard as (user, points), in rank order."""
    rows = await store.leaderboard(server, period, now=now)
    return [(row.player.user, row.points) for row in rows]


# -- leaderboards ------------------------------------------------------------


async def test_recorded_points_appear_in_all_three_leaderboards(store: ScoreStore) -> None:
    alice = player("alice")
    await store.record_answers([answer(alice, points=3), answer(alice, points=2, question_id="q2")])

    for period in Period:
        rows = await store.leaderboard(GUILD, period, now=NOW)
        assert [(r.rank, r.player, r.name, r.points, r.correct) for r in rows] == [
            (1, alice, "Player alice", 5, 2)
        ], period


async def test_answer_from_last_week_counts_for_all_time_but_not_this_week(
    store: ScoreStore,
) -> None:
    await store.record_answers([answer(player("alice"), at=MONDAY - SECOND)])  # Sunday 23:59:59

    assert await board(store, Period.ALL) == [("alice", 1)]
    assert await board(store, Period.WEEK) == []


async def test_week_starts_on_monday_midnight_utc(store: ScoreStore) -> None:
    await store.record_answers([answer(player("alice"), at=MONDAY)])

    assert await board(store, Period.WEEK) == [("alice", 1)]
    assert await board(store, Period.WEEK, now=MONDAY - SECOND) == []
    assert await board(store, Period.WEEK, now=MONDAY + timedelta(days=6, hours=23)) == [
        ("alice", 1)
    ]


async def test_yesterdays_answer_is_in_this_week_but_not_today(store: ScoreStore) -> None:
    await store.record_answers([answer(player("alice"), at=MIDNIGHT - SECOND)])

    assert await board(store, Period.TODAY) == []
    assert await board(store, Period.WEEK) == [("alice", 1)]
    assert await board(store, Period.TODAY, now=MIDNIGHT - SECOND) == [("alice", 1)]


async def test_days_are_utc_whatever_the_timezone_of_the_timestamps(store: ScoreStore) -> None:
    berlin = timezone(timedelta(hours=2))
    # 01:00 on the 15th in Berlin is 23:00 on the 14th in UTC: yesterday.
    await store.record_answers(
        [answer(player("alice"), at=datetime(2024, 5, 15, 1, tzinfo=berlin))]
    )

    assert await board(store, Period.TODAY) == []
    assert await board(store, Period.TODAY, now=datetime(2024, 5, 14, 23, 30, tzinfo=UTC)) == [
        ("alice", 1)
    ]


async def test_leaderboard_orders_by_points_then_correct_answers(store: ScoreStore) -> None:
    await store.record_answers(
        [
            answer(player("few-points"), points=1),
            answer(player("most-points"), points=5),
            answer(player("three-in-one"), points=3),
            answer(player("three-in-three"), points=1, question_id="q1"),
            answer(player("three-in-three"), points=1, question_id="q2"),
            answer(player("three-in-three"), points=1, question_id="q3"),
        ]
    )

    rows = await store.leaderboard(GUILD, Period.ALL, now=NOW)

    assert [(r.rank, r.player.user, r.points, r.correct) for r in rows] == [
        (1, "most-points", 5, 1),
        (2, "three-in-three", 3, 3),
        (3, "three-in-one", 3, 1),
        (4, "few-points", 1, 1),
    ]


async def test_a_full_tie_goes_to_whoever_reached_the_score_first(store: ScoreStore) -> None:
    early, late = player("early"), player("late")
    # "late" plays first but reaches 2 points after "early" does.
    await store.record_answers([answer(late, at=NOW - timedelta(minutes=10), question_id="q1")])
    await store.record_answers([answer(early, at=NOW - timedelta(minutes=9), question_id="q1")])
    await store.record_answers([answer(early, at=NOW - timedelta(minutes=8), question_id="q2")])
    await store.record_answers([answer(late, at=NOW - timedelta(minutes=7), question_id="q2")])

    for period in Period:
        assert await board(store, period) == [("early", 2), ("late", 2)], period


async def test_ranks_run_from_one_and_limit_keeps_the_top(store: ScoreStore) -> None:
    await store.record_answers([answer(player(f"p{n}"), points=n) for n in range(1, 8)])

    rows = await store.leaderboard(GUILD, Period.ALL, now=NOW, limit=3)

    assert [(r.rank, r.player.user) for r in rows] == [(1, "p7"), (2, "p6"), (3, "p5")]


async def test_a_player_who_only_missed_is_not_on_the_leaderboard(store: ScoreStore) -> None:
    await store.record_answers([answer(player("scorer")), answer(player("misser"), correct=False)])

    for period in Period:
        assert await board(store, period) == [("scorer", 1)], period


async def test_a_server_nobody_played_in_has_empty_leaderboards(store: ScoreStore) -> None:
    await store.record_answers([answer(player("alice"))])

    for period in Period:
        assert await store.leaderboard(OTHER_GUILD, period, now=NOW) == []


async def test_naive_datetimes_are_refused(store: ScoreStore) -> None:
    with pytest.raises(ValueError, match="timezone"):
        await store.record_answers([answer(player("alice"), at=datetime(2024, 5, 15, 12))])
    with pytest.raises(ValueError, match="timezone"):
        await store.leaderboard(GUILD, Period.TODAY, now=datetime(2024, 5, 15, 12))


# -- identity ----------------------------------------------------------------


async def test_leaderboards_are_per_server(store: ScoreStore) -> None:
    await store.record_answers(
        [
            answer(player("alice", GUILD), points=2),
            answer(player("bob", OTHER_GUILD), points=3),
        ]
    )

    assert await board(store, Period.ALL, GUILD) == [("alice", 2)]
    assert await board(store, Period.ALL, OTHER_GUILD) == [("bob", 3)]


async def test_the_same_user_id_on_two_platforms_is_two_players(store: ScoreStore) -> None:
    discord_one = PlayerKey("discord", "1", "1")
    slack_one = PlayerKey("slack", "1", "1")
    await store.record_answers([answer(discord_one, points=2), answer(slack_one, points=5)])

    discord_stats = await store.player_stats(discord_one)
    slack_stats = await store.player_stats(slack_one)
    assert discord_stats is not None
    assert slack_stats is not None
    assert (discord_stats.points, slack_stats.points) == (2, 5)
    rows = await store.leaderboard(ServerKey("discord", "1"), Period.ALL, now=NOW)
    assert [(r.player, r.points) for r in rows] == [(discord_one, 2)]


async def test_the_same_user_in_two_servers_keeps_separate_scores(store: ScoreStore) -> None:
    here, there = player("alice", GUILD), player("alice", OTHER_GUILD)
    await store.record_answers([answer(here, points=4)])
    await store.record_answers([answer(there, correct=False)])

    here_stats = await store.player_stats(here)
    there_stats = await store.player_stats(there)
    assert here_stats is not None
    assert there_stats is not None
    assert (here_stats.points, here_stats.answered) == (4, 1)
    assert (there_stats.points, there_stats.answered, there_stats.correct) == (0, 1, 0)


# -- player stats ------------------------------------------------------------


async def test_stats_count_points_correct_and_answered_answers(store: ScoreStore) -> None:
    alice = player("alice")
    await store.record_answers(
        [
            answer(alice, points=3, question_id="q1"),
            answer(alice, correct=False, question_id="q2"),
            answer(alice, points=2, question_id="q3"),
            answer(alice, correct=False, question_id="q4"),
        ]
    )

    stats = await store.player_stats(alice)

    assert stats is not None
    assert (stats.player, stats.name) == (alice, "Player alice")
    assert (stats.points, stats.correct, stats.answered) == (5, 2, 4)
    assert stats.accuracy == pytest.approx(0.5)


async def test_best_streak_is_the_longest_run_ever_recorded(store: ScoreStore) -> None:
    alice = player("alice")
    runs = [1, 2, 3, 0, 1, 0]
    await store.record_answers(
        [
            answer(alice, correct=streak > 0, streak=streak, question_id=f"q{n}")
            for n, streak in enumerate(runs)
        ]
    )
    await store.record_answers([answer(alice, streak=2, game_id="game-2")])

    stats = await store.player_stats(alice)

    assert stats is not None
    assert stats.best_streak == 3


async def test_average_answer_time_covers_correct_answers_only(store: ScoreStore) -> None:
    alice = player("alice")
    await store.record_answers(
        [
            answer(alice, answer_ms=1000, question_id="q1"),
            answer(alice, answer_ms=3000, question_id="q2"),
            answer(alice, correct=False, answer_ms=30_000, question_id="q3"),
        ]
    )

    stats = await store.player_stats(alice)

    assert stats is not None
    assert stats.average_answer_ms == pytest.approx(2000.0)


async def test_a_player_without_a_correct_answer_has_no_average_time(store: ScoreStore) -> None:
    bob = player("bob")
    await store.record_answers([answer(bob, correct=False)])

    stats = await store.player_stats(bob)

    assert stats is not None
    assert stats.average_answer_ms is None
    assert stats.accuracy == 0.0


async def test_an_unknown_player_has_no_stats(store: ScoreStore) -> None:
    await store.record_answers([answer(player("alice"))])

    assert await store.player_stats(player("nobody")) is None
    assert await store.player_stats(player("alice", OTHER_GUILD)) is None


# -- games -------------------------------------------------------------------


async def test_a_game_counts_for_every_player_and_a_win_for_the_winner(store: ScoreStore) -> None:
    alice, bob = player("alice"), player("bob")
    await store.record_answers([answer(alice, points=3), answer(bob, points=1)])

    await store.record_game(game("game-1", [(alice, 3), (bob, 1)], winner=alice))

    alice_stats, bob_stats = await store.player_stats(alice), await store.player_stats(bob)
    assert alice_stats is not None
    assert bob_stats is not None
    assert (alice_stats.games, alice_stats.wins) == (1, 1)
    assert (bob_stats.games, bob_stats.wins) == (1, 0)


async def test_a_game_without_a_winner_counts_as_played_but_not_won(store: ScoreStore) -> None:
    solo = player("solo")
    await store.record_answers([answer(solo, points=5)])

    await store.record_game(game("game-1", [(solo, 5)], winner=None))

    stats = await store.player_stats(solo)
    assert stats is not None
    assert (stats.games, stats.wins) == (1, 0)


async def test_recording_the_same_game_twice_counts_it_once(store: ScoreStore) -> None:
    alice, bob = player("alice"), player("bob")
    record = game("game-1", [(alice, 3), (bob, 1)], winner=alice)

    await store.record_game(record)
    await store.record_game(record)
    await asyncio.gather(store.record_game(record), store.record_game(record))

    stats = await store.player_stats(alice)
    assert stats is not None
    assert (stats.games, stats.wins) == (1, 1)


async def test_games_add_up_across_games(store: ScoreStore) -> None:
    alice, bob = player("alice"), player("bob")

    await store.record_game(game("game-1", [(alice, 3), (bob, 1)], winner=alice))
    await store.record_game(game("game-2", [(bob, 4), (alice, 2)], winner=bob))
    await store.record_game(game("game-3", [(alice, 1)], winner=None))

    alice_stats, bob_stats = await store.player_stats(alice), await store.player_stats(bob)
    assert alice_stats is not None
    assert bob_stats is not None
    assert (alice_stats.games, alice_stats.wins) == (3, 1)
    assert (bob_stats.games, bob_stats.wins) == (2, 1)


async def test_a_player_known_only_from_a_game_has_stats(store: ScoreStore) -> None:
    quiet = player("quiet")

    await store.record_game(game("game-1", [(quiet, 0)], winner=None))

    stats = await store.player_stats(quiet)
    assert stats is not None
    assert (stats.name, stats.games, stats.answered, stats.points) == ("Player quiet", 1, 0, 0)


async def test_a_winner_missing_from_the_standings_is_refused(store: ScoreStore) -> None:
    with pytest.raises(ValueError, match="winner"):
        await store.record_game(game("game-1", [(player("alice"), 1)], winner=player("bob")))


# -- names -------------------------------------------------------------------


async def test_the_latest_display_name_is_shown_everywhere(store: ScoreStore) -> None:
    alice = player("alice")
    await store.record_answers([answer(alice, name="Alice")])
    await store.record_answers([answer(alice, name="Queen Alice", question_id="q2")])

    rows = await store.leaderboard(GUILD, Period.ALL, now=NOW)
    stats = await store.player_stats(alice)

    assert [r.name for r in rows] == ["Queen Alice"]
    assert stats is not None
    assert stats.name == "Queen Alice"
    assert await store.find_players(GUILD, "queen alice") == [alice]
    assert await store.find_players(GUILD, "Alice") == []


async def test_find_players_ignores_case_and_stays_in_its_server(store: ScoreStore) -> None:
    await store.record_answers(
        [
            answer(player("1"), name="Sam"),
            answer(player("2"), name="SAM"),
            answer(player("3"), name="Samantha"),
            answer(player("4", OTHER_GUILD), name="Sam"),
        ]
    )

    found = await store.find_players(GUILD, "sam")

    assert sorted(found) == [player("1"), player("2")]
    assert await store.find_players(GUILD, "nobody") == []


# -- asked-question history --------------------------------------------------


async def test_asked_questions_returns_the_asked_ones_among_those_given(store: ScoreStore) -> None:
    await store.mark_asked(GUILD, ["q1", "q2", "q3"], at=NOW)

    assert await store.asked_questions(GUILD, ["q2", "q3", "q4"]) == {"q2", "q3"}
    assert await store.asked_questions(GUILD, []) == set()


async def test_forget_asked_forgets_only_the_given_questions(store: ScoreStore) -> None:
    await store.mark_asked(GUILD, ["q1", "q2", "q3"], at=NOW)

    await store.forget_asked(GUILD, {"q1", "q3", "never-asked"})

    assert await store.asked_questions(GUILD, ["q1", "q2", "q3"]) == {"q2"}


async def test_asked_history_is_per_server(store: ScoreStore) -> None:
    await store.mark_asked(GUILD, ["q1"], at=NOW)
    await store.mark_asked(WORKSPACE, ["q2"], at=NOW)

    await store.forget_asked(WORKSPACE, ["q1", "q2"])

    assert await store.asked_questions(GUILD, ["q1", "q2"]) == {"q1"}
    assert await store.asked_questions(WORKSPACE, ["q1", "q2"]) == set()


async def test_marking_a_question_again_is_harmless(store: ScoreStore) -> None:
    await store.mark_asked(GUILD, ["q1"], at=NOW - timedelta(days=1))
    await store.mark_asked(GUILD, ["q1", "q1"], at=NOW)

    assert await store.asked_questions(GUILD, ["q1"]) == {"q1"}


async def test_many_questions_can_be_checked_at_once(store: ScoreStore) -> None:
    ids = [f"q{n}" for n in range(5000)]
    await store.mark_asked(GUILD, ids[::2], at=NOW)

    assert await store.asked_questions(GUILD, ids) == set(ids[::2])


# -- concurrency and durability ----------------------------------------------


async def test_concurrent_writes_from_many_games_are_all_committed(store: ScoreStore) -> None:
    async def play(n: int) -> None:
        for q in range(5):
            await store.record_answers([answer(player(f"p{n}"), question_id=f"q{q}")])

    await asyncio.gather(*(play(n) for n in range(100)))

    rows = await store.leaderboard(GUILD, Period.ALL, now=NOW, limit=1000)
    assert len(rows) == 100
    assert {r.points for r in rows} == {5}


async def test_writes_are_applied_in_the_order_they_were_made(store: ScoreStore) -> None:
    alice = player("alice")

    await asyncio.gather(
        store.mark_asked(GUILD, ["q1"], at=NOW),
        store.forget_asked(GUILD, ["q1"]),
        store.record_answers([answer(alice, name="Old")]),
        store.record_answers([answer(alice, name="New", question_id="q2")]),
    )

    assert await store.asked_questions(GUILD, ["q1"]) == set()
    stats = await store.player_stats(alice)
    assert stats is not None
    assert stats.name == "New"


async def test_everything_survives_close_and_reopen(backend: Backend) -> None:
    alice = player("alice")
    store = await backend.open()
    await store.record_answers([answer(alice, points=3, streak=1)])
    await store.record_game(game("game-1", [(alice, 3)], winner=None))
    await store.mark_asked(GUILD, ["q1"], at=NOW)
    await store.close()

    reopened = await backend.open()
    try:
        stats = await reopened.player_stats(alice)
        assert stats is not None
        assert (stats.points, stats.games, stats.best_streak) == (3, 1, 1)
        assert await board(reopened, Period.TODAY) == [("alice", 3)]
        assert await reopened.asked_questions(GUILD, ["q1"]) == {"q1"}
        # And it keeps counting where it left off.
        await reopened.record_answers([answer(alice, points=2, question_id="q2")])
        await reopened.record_game(game("game-1", [(alice, 3)], winner=None))
        stats = await reopened.player_stats(alice)
        assert stats is not None
        assert (stats.points, stats.games) == (5, 1)
    finally:
        await reopened.close()


async def test_closing_twice_is_fine(backend: Backend) -> None:
    store = await backend.open()

    await store.close()
    await store.close()
