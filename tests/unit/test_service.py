"""The service: commands in, events out, on a manual clock and an in-memory store."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.commands import (
    ListCategories,
    PickChoice,
    RequestHint,
    ShowLeaderboard,
    ShowScore,
    ShowStats,
    SkipQuestion,
    StopGame,
    SubmitAnswer,
)
from bot.domain.events import (
    AnswerAccepted,
    CategoriesShown,
    EndReason,
    Event,
    GameEnded,
    GameStarted,
    HintGiven,
    LeaderboardShown,
    QuestionAsked,
    QuestionRevealed,
    Refusal,
    Rejected,
    RevealReason,
    ScoresDelayed,
    ScoreShown,
    StatsShown,
    WrongGuess,
)
from bot.domain.model import ChannelKey, GameMode, GameOptions, QuestionType
from bot.domain.records import Period
from bot.ports import StoreUnavailable
from tests.fakes import CHANNEL, SERVER, MemoryScoreStore, player, question
from tests.harness import ALICE, ServiceHarness, build_service

BOB = player("bob")
CAROL = player("carol")
QUESTIONS = [
    question("paris", "Paris", category="capitals"),
    question("rome", "Rome", category="capitals"),
    question("berlin", "Berlin", category="capitals"),
    question("nile", "Nile", category="rivers"),
    question(
        "pick",
        "Paris",
        type=QuestionType.CHOICE,
        choices=("London", "Paris", "Rome"),
        category="capitals",
    ),
]
ANSWERS = {q.prompt: q.answer for q in QUESTIONS}


def make_harness(store: MemoryScoreStore | None = None, **defaults: object) -> ServiceHarness:
    """These transcripts' service: 3 rounds of 30 s, 5 s apart, games journaled in the store."""
    options = GameOptions(rounds=3, seconds=30, pause=5, **defaults)  # type: ignore[arg-type]
    return build_service(QUESTIONS, store=store, options=options, seed=7, journal=True)


@pytest.fixture
def service_harness() -> ServiceHarness:
    return make_harness()


async def test_a_full_game_records_every_point_and_the_result(h: ServiceHarness) -> None:
    await h.start(category="capitals", rounds=2)
    assert h.sink.of(GameStarted)
    await h.answer_current(BOB)
    await h.clock.advance(5)
    await h.answer_current(ALICE)
    ended = h.sink.last(GameEnded)
    assert ended.reason is EndReason.COMPLETED
    assert {s.name for s in ended.standings} == {"alice", "bob"}
    assert [a.correct for a in h.store.answers] == [True, True]
    assert len(h.store.games) == 1
    record = next(iter(h.store.games.values()))
    assert record.winner == ended.winner.player if ended.winner else False
    assert h.service.game_in(CHANNEL) is None


async def test_a_point_is_committed_before_it_is_announced(h: ServiceHarness) -> None:
    seen_in_store: list[int] = []
    original = h.sink.publish

    async def publish(event: Event) -> None:
        if isinstance(event, AnswerAccepted):
            seen_in_store.append(len(h.store.answers))
        await original(event)

    h.sink.publish = publish  # type: ignore[method-assign]
    await h.start()
    await h.answer_current(BOB)
    assert seen_in_store == [1]


async def test_five_simultaneous_correct_answers_award_one_point(h: ServiceHarness) -> None:
    await h.start()
    gate = asyncio.Event()
    original = h.store.record_answers

    async def slow_record(answers):  # type: ignore[no-untyped-def]
        await gate.wait()
        await original(answers)

    h.store.record_answers = slow_record  # type: ignore[method-assign]
    answer = h.current().question.answer
    players = [player(f"p{i}") for i in range(5)]
    tasks = [
        asyncio.create_task(h.service.handle(SubmitAnswer(channel=CHANNEL, actor=p, text=answer)))
        for p in players
    ]
    await h.clock.settle()
    gate.set()
    await asyncio.gather(*tasks)
    assert len(h.sink.of(AnswerAccepted)) == 1
    assert sum(1 for a in h.store.answers if a.correct) == 1


async def test_an_unanswered_question_is_revealed_when_time_runs_out(h: ServiceHarness) -> None:
    await h.start()
    await h.say(BOB, "no idea")
    await h.clock.advance(29.9)
    assert not h.sink.of(QuestionRevealed)
    await h.clock.advance(0.1)
    revealed = h.sink.last(QuestionRevealed)
    assert revealed.reason is RevealReason.TIMEOUT
    assert [(a.name, a.correct) for a in h.store.answers] == [("bob", False)]
    await h.clock.advance(5)
    assert len(h.sink.of(QuestionAsked)) == 2


async def test_hints_arrive_on_their_own_as_time_passes(h: ServiceHarness) -> None:
    await h.start(category="rivers", rounds=1)
    await h.clock.advance(15)
    hints = h.sink.of(HintGiven)
    assert len(hints) == 1
    assert hints[0].hint.startswith("N")


async def test_hint_on_request(h: ServiceHarness) -> None:
    await h.start(category="rivers", rounds=1)
    await h.send(RequestHint(channel=CHANNEL, actor=BOB))
    assert h.sink.of(HintGiven)


async def test_games_run_in_many_channels_at_once(h: ServiceHarness) -> None:
    channels = [ChannelKey("test", "guild-1", f"c{i}") for i in range(20)]
    for channel in channels:
        await h.start(channel=channel)
    assert h.service.active_games == 20
    for channel in channels:
        await h.answer_current(BOB, channel)
    assert len(h.sink.of(AnswerAccepted)) == 20


async def test_a_second_game_in_the_same_channel_is_refused(h: ServiceHarness) -> None:
    await h.start()
    await h.start(actor=BOB)
    refused = h.sink.last(Rejected)
    assert refused.reason is Refusal.GAME_RUNNING
    assert refused.recipient == BOB.key


@pytest.mark.parametrize(
    ("options", "fragment"),
    [({"rounds": 0}, "Rounds must be between 1 and 50"), ({"seconds": 1.0}, "between 5 and 300")],
)
async def test_out_of_range_options_are_refused_with_the_limits(
    h: ServiceHarness, options: dict[str, object], fragment: str
) -> None:
    await h.start(**options)
    refused = h.sink.last(Rejected)
    assert refused.reason is Refusal.BAD_OPTION
    assert fragment in refused.message
    assert h.service.game_in(CHANNEL) is None


async def test_unknown_category_lists_the_ones_there_are(h: ServiceHarness) -> None:
    await h.start(category="opera")
    refused = h.sink.last(Rejected)
    assert refused.reason is Refusal.NO_QUESTIONS
    assert "capitals" in refused.message
    assert "rivers" in refused.message


async def test_choice_mode_draws_only_questions_with_options(h: ServiceHarness) -> None:
    await h.start(mode=GameMode.CHOICE, rounds=5)
    asked = h.sink.of(QuestionAsked)
    assert [a.question.id for a in asked] == ["pick"]
    await h.send(PickChoice(channel=CHANNEL, actor=BOB, question_number=1, choice=1))
    await h.send(PickChoice(channel=CHANNEL, actor=CAROL, question_number=1, choice=0))
    await h.clock.advance(30)
    revealed = h.sink.last(QuestionRevealed)
    assert revealed.choice_counts == (1, 1, 0)
    assert [a.name for a in revealed.awards] == ["bob"]
    assert sorted((a.name, a.correct) for a in h.store.answers) == [
        ("bob", True),
        ("carol", False),
    ]
    assert h.sink.last(GameEnded).winner is not None


async def test_no_question_repeats_until_the_pool_is_used_up() -> None:
    store = MemoryScoreStore()
    capitals = [q for q in QUESTIONS if q.category == "capitals" and not q.choices]
    seen: list[str] = []
    for _ in range(3):
        # A new service each time: the history lives in the store, not in memory.
        h = make_harness(store=store)
        await h.start(category="capitals", rounds=2, mode=GameMode.TEXT)
        while h.service.game_in(CHANNEL) is not None:
            await h.answer_current(BOB)
            await h.clock.advance(5)
        seen += [a.question.id for a in h.sink.of(QuestionAsked)]
    pool = {q.id for q in capitals} | {"pick"}
    first_round = seen[:4]
    assert len(set(first_round)) == 4
    assert set(first_round) == pool
    assert set(seen[4:]) <= pool
    assert len(set(seen[4:6])) == 2


async def test_only_the_starter_or_an_admin_may_stop(h: ServiceHarness) -> None:
    await h.start()
    await h.send(StopGame(channel=CHANNEL, actor=BOB))
    assert h.sink.last(Rejected).reason is Refusal.NOT_ALLOWED
    await h.send(SkipQuestion(channel=CHANNEL, actor=player("mod", admin=True)))
    assert h.sink.last(QuestionRevealed).reason is RevealReason.SKIPPED
    await h.send(StopGame(channel=CHANNEL, actor=ALICE))
    assert h.sink.last(GameEnded).reason is EndReason.STOPPED
    assert len(h.store.games) == 1


async def test_idle_games_stop_by_themselves_and_are_recorded() -> None:
    h = make_harness(max_idle_questions=2)
    await h.start(rounds=3)
    await h.clock.advance(30)
    await h.clock.advance(5 + 30)
    ended = h.sink.last(GameEnded)
    assert ended.reason is EndReason.IDLE
    assert ended.questions_asked == 2
    assert h.service.game_in(CHANNEL) is None
    assert len(h.store.games) == 1
    assert h.clock.pending == 0


async def test_one_player_games_count_for_stats_but_not_for_wins(h: ServiceHarness) -> None:
    await h.start(rounds=1)
    await h.answer_current(ALICE)
    assert h.sink.last(GameEnded).winner is None
    await h.send(ShowStats(channel=CHANNEL, actor=ALICE))
    stats = h.sink.last(StatsShown).stats
    assert (stats.games, stats.wins, stats.correct) == (1, 0, 1)


async def test_two_player_game_records_a_win(h: ServiceHarness) -> None:
    await h.start(rounds=2)
    await h.answer_current(ALICE)
    await h.clock.advance(5)
    await h.say(BOB, "wrong")
    await h.answer_current(ALICE)
    ended = h.sink.last(GameEnded)
    assert ended.winner is not None
    assert ended.winner.name == "alice"
    assert (await h.store.player_stats(ALICE.key)).wins == 1  # type: ignore[union-attr]
    bob = await h.store.player_stats(BOB.key)
    assert bob is not None
    assert (bob.games, bob.wins, bob.answered) == (1, 0, 1)


async def test_leaderboard_and_categories(h: ServiceHarness) -> None:
    await h.start(rounds=1)
    await h.answer_current(BOB)
    await h.send(ShowLeaderboard(channel=CHANNEL, actor=ALICE, period=Period.TODAY))
    board = h.sink.last(LeaderboardShown)
    assert [r.name for r in board.rows] == ["bob"]
    assert board.recipient == ALICE.key
    await h.send(ListCategories(channel=CHANNEL, actor=ALICE))
    assert dict(h.sink.last(CategoriesShown).categories) == {"capitals": 4, "rivers": 1}


async def test_stats_of_someone_who_never_played_is_a_polite_refusal(h: ServiceHarness) -> None:
    await h.send(ShowStats(channel=CHANNEL, actor=ALICE))
    assert h.sink.last(Rejected).reason is Refusal.UNKNOWN_PLAYER


async def test_chat_without_a_game_is_ignored_but_commands_are_refused(h: ServiceHarness) -> None:
    await h.say(BOB, "hello everyone")
    assert h.sink.events == []
    await h.send(RequestHint(channel=CHANNEL, actor=BOB))
    assert h.sink.last(Rejected).reason is Refusal.NO_GAME
    await h.send(ShowScore(channel=CHANNEL, actor=BOB))
    assert len(h.sink.of(Rejected)) == 2


async def test_score_shows_the_running_standings(h: ServiceHarness) -> None:
    await h.start()
    await h.answer_current(BOB)
    await h.send(ShowScore(channel=CHANNEL, actor=ALICE))
    assert [s.name for s in h.sink.last(ScoreShown).standings] == ["bob"]


async def test_shutdown_ends_running_games_and_records_them(h: ServiceHarness) -> None:
    await h.start()
    await h.answer_current(BOB)
    await h.service.shutdown()
    ended = h.sink.last(GameEnded)
    assert ended.reason is EndReason.SHUTDOWN
    assert len(h.store.games) == 1
    assert h.clock.pending == 0
    await h.start()
    assert h.sink.last(Rejected).reason is Refusal.NOT_NOW
    await h.service.shutdown()


async def test_a_failed_write_is_not_announced_until_it_is_written(h: ServiceHarness) -> None:
    await h.start()
    h.store.fail_next = StoreUnavailable("disk full")
    await h.answer_current(BOB)  # waited out, not failed
    assert [e.channel for e in h.sink.of(ScoresDelayed)] == [CHANNEL]
    assert not h.sink.of(AnswerAccepted)
    assert h.store.answers == []
    # The retry writes the point once, then announces it, in order.
    await h.clock.advance(1)
    [accepted] = h.sink.of(AnswerAccepted)
    assert accepted.award.player == BOB.key
    assert [(a.name, a.correct) for a in h.store.answers] == [("bob", True)]
    kinds = [type(e).__name__ for e in h.sink.events]
    assert kinds.index("AnswerAccepted") < kinds.index("QuestionRevealed")


async def test_wrong_guesses_are_heard_at_once_and_written_only_as_misses_at_the_reveal(
    h: ServiceHarness,
) -> None:
    await h.start()
    asked = dict(h.store.asked)
    await h.say(BOB, "wrong")
    await h.say(ALICE, "nope")
    await h.say(BOB, "still wrong")
    assert [e.guess for e in h.sink.events[-3:] if isinstance(e, WrongGuess)] == [
        "wrong",
        "nope",
        "still wrong",
    ]
    assert h.store.answers == []  # chatter: nothing written, nothing waited for
    assert h.store.asked == asked
    await h.clock.advance(30)
    assert h.sink.last(QuestionRevealed).reason is RevealReason.TIMEOUT
    assert sorted((a.name, a.correct) for a in h.store.answers) == [
        ("alice", False),
        ("bob", False),
    ]


async def test_the_next_command_delivers_a_backlog_first(h: ServiceHarness) -> None:
    await h.start()
    h.store.fail_next = StoreUnavailable("disk full")
    await h.answer_current(BOB)
    await h.send(ShowScore(channel=CHANNEL, actor=ALICE))
    kinds = [type(e).__name__ for e in h.sink.events]
    assert kinds[-3:] == ["AnswerAccepted", "QuestionRevealed", "ScoreShown"]
    assert len(h.store.answers) == 1


async def test_a_failing_timer_retries_instead_of_freezing_the_game(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # In choice mode the points are scored by the timer at the reveal: the
    # write that fails is one that would have been announced.
    h = make_harness()
    await h.start(mode=GameMode.CHOICE)
    await h.send(PickChoice(channel=CHANNEL, actor=BOB, question_number=1, choice=1))
    h.store.fail_next = StoreUnavailable("database is locked")
    await h.clock.advance(30)
    assert "cannot save game" in caplog.text
    assert not h.sink.of(AnswerAccepted)
    await h.clock.advance(1)
    assert h.sink.of(GameEnded)
    await h.service.shutdown()


async def test_unannounced_writes_go_behind_and_failures_are_logged(
    h: ServiceHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await h.start()
    await h.say(BOB, "wrong")
    h.store.fail_next = StoreUnavailable("disk full")
    await h.clock.advance(30)
    assert h.sink.last(QuestionRevealed).reason is RevealReason.TIMEOUT
    assert "cannot save game" in caplog.text
    assert "disk full" in caplog.text
    assert not h.sink.of(ScoresDelayed)  # nothing announced waits for a write behind


async def test_a_write_that_fails_for_another_reason_is_a_bug_raised_and_still_retried(
    h: ServiceHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await h.start()
    h.store.fail_next = ValueError("a record the store cannot take")
    with pytest.raises(ValueError, match="cannot take"):
        await h.answer_current(BOB)
    assert not h.sink.of(AnswerAccepted)
    assert any(r.exc_info for r in caplog.records)  # a bug is logged with its traceback
    await h.clock.advance(1)
    [accepted] = h.sink.of(AnswerAccepted)
    assert accepted.award.player == BOB.key


async def test_a_read_the_store_cannot_answer_is_refused_as_busy(h: ServiceHarness) -> None:
    async def unavailable(*args: object, **kwargs: object) -> None:
        raise StoreUnavailable("database is locked")

    h.store.leaderboard = unavailable  # type: ignore[method-assign]
    await h.send(ShowLeaderboard(channel=CHANNEL, actor=ALICE))

    refused = h.sink.last(Rejected)
    assert (refused.recipient, refused.reason) == (ALICE.key, Refusal.NOT_NOW)
    assert "busy" in refused.message


async def test_shutdown_waits_for_writes_behind(h: ServiceHarness) -> None:
    await h.start()
    await h.say(BOB, "wrong")
    await h.clock.advance(30)
    await h.service.shutdown()
    assert [(a.name, a.correct) for a in h.store.answers] == [("bob", False)]


async def test_rounds_larger_than_the_pool_ask_each_question_once(h: ServiceHarness) -> None:
    await h.start(category="rivers", rounds=10)
    assert h.sink.last(GameStarted).total_questions == 1


async def test_servers_do_not_share_question_history() -> None:
    h = make_harness()
    other = ChannelKey("test", "guild-2", "general")
    await h.start(category="rivers", rounds=1)
    await h.start(category="rivers", rounds=1, channel=other)
    assert [a.question.id for a in h.sink.of(QuestionAsked)] == ["nile", "nile"]
    assert set(h.store.asked) == {SERVER, other.server_key}
    await h.service.shutdown()


async def test_a_game_cut_short_by_a_crash_is_ended_on_restart_with_its_points() -> None:
    store = MemoryScoreStore()
    crashed = make_harness(store=store)
    await crashed.start(rounds=3)
    await crashed.answer_current(BOB)
    await crashed.clock.advance(5)
    await crashed.answer_current(ALICE)
    # The process dies here: no shutdown, nothing more is written.
    restarted = make_harness(store=store)
    assert await restarted.service.recover("test") == 1
    ended = restarted.sink.last(GameEnded)
    assert ended.reason is EndReason.RESTARTED
    assert {(s.name, s.correct) for s in ended.standings} == {("alice", 1), ("bob", 1)}
    assert ended.questions_asked == 2
    assert ended.winner is not None
    [record] = store.games.values()
    assert record.reason == "restarted"
    assert store.journal == {}
    assert await restarted.service.recover("test") == 0
    await restarted.service.shutdown()


async def test_recovery_leaves_other_platforms_games_alone() -> None:
    store = MemoryScoreStore()
    crashed = make_harness(store=store)
    await crashed.start()
    restarted = make_harness(store=store)
    assert await restarted.service.recover("slack") == 0
    assert len(store.journal) == 1
