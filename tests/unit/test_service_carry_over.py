"""Games that go on after a restart (``carry_over``): saved with their points, handed over
on a stop, carried on by the next start with the time their question had left."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.domain.events import (
    AnswerAccepted,
    EndReason,
    Event,
    GameEnded,
    GamePaused,
    GameResumed,
    GameSuspended,
    QuestionAsked,
    QuestionRevealed,
    RevealReason,
)
from bot.domain.model import ChannelKey, GameOptions, ServerKey
from bot.ports import FencedOut, StoreUnavailable
from tests.fakes import CHANNEL, MemoryScoreStore, player, question
from tests.harness import ALICE, ServiceHarness, build_service

BOB = player("bob")
QUESTIONS = [
    question("paris", "Paris", hints=("It is in France", "P____")),
    question("rome", "Rome"),
    question("berlin", "Berlin"),
]
OPTIONS = GameOptions(rounds=3, seconds=30, pause=5)


def harness(
    store: MemoryScoreStore, *, later_by: float = 0.0, within: float = 120.0
) -> ServiceHarness:
    """A service on ``store``; ``later_by``: a process started that many seconds after the
    first, whose monotonic clock began somewhere else entirely."""
    first = ManualClock()
    clock = ManualClock(start=77_777.0, wall=first.now() + timedelta(seconds=later_by))
    return build_service(
        QUESTIONS,
        store=store,
        options=OPTIONS,
        seed=3,
        journal=True,
        resume_within=within,
        clock=clock,
    )


async def played_to_question_two(store: MemoryScoreStore) -> ServiceHarness:
    """Bob scored on question 1; question 2 has been open for 10 s."""
    h = harness(store)
    await h.start(rounds=3)
    await h.answer_current(BOB)
    await h.clock.advance(5)  # the pause: question 2 is asked
    await h.clock.advance(10)
    return h


async def test_a_stop_saves_each_game_and_says_back_in_a_moment() -> None:
    store = MemoryScoreStore()
    h = await played_to_question_two(store)
    await h.service.shutdown()
    assert h.sink.of(GamePaused)
    assert not h.sink.of(GameEnded)
    assert store.games == {}
    [(state, _)] = store.states.values()
    assert state.round is not None
    assert state.round.number == 2


async def test_the_next_start_carries_the_game_on_with_the_time_it_had_left() -> None:
    store = MemoryScoreStore()
    first = await played_to_question_two(store)
    asked = first.current()
    await first.service.shutdown()
    # Back 3 s later: question 2 had 20 s left when it stopped, so 17 s now.
    second = harness(store, later_by=15 + 3)
    assert await second.service.recover("test") == 1
    resumed = second.sink.last(GameResumed)
    assert resumed.asked is not None
    assert (resumed.asked.number, resumed.asked.ends_at) == (2, asked.ends_at)
    assert not second.sink.of(QuestionAsked)  # no second copy of the question
    await second.clock.advance(16.9)
    assert not second.sink.of(QuestionRevealed)
    await second.clock.advance(0.2)
    reveal = second.sink.last(QuestionRevealed)
    assert (reveal.number, reveal.reason) == (2, RevealReason.TIMEOUT)
    await second.clock.advance(5)
    await second.answer_current(BOB)
    ended = second.sink.last(GameEnded)
    assert ended.reason is EndReason.COMPLETED
    # Bob's streak went on across the restart: his third answer counts as a streak of 1
    # after the miss on question 2, and both points are his.
    [(name, correct)] = [(s.name, s.correct) for s in ended.standings]
    assert (name, correct) == ("bob", 2)
    assert sum(a.points for a in store.answers) == ended.standings[0].points
    assert store.journal == {}
    await second.service.shutdown()


async def test_a_point_scored_just_before_the_stop_counts_once() -> None:
    store = MemoryScoreStore()
    first = await played_to_question_two(store)
    await first.answer_current(ALICE)
    await first.service.shutdown()
    second = harness(store, later_by=16)
    await second.service.recover("test")
    await second.clock.advance(5)
    await second.answer_current(ALICE)
    ended = second.sink.last(GameEnded)
    points = {s.name: s.points for s in ended.standings}
    committed = {}
    for a in store.answers:
        committed[a.name] = committed.get(a.name, 0) + a.points
    assert points == committed
    assert len(second.sink.of(AnswerAccepted)) == 1  # only the third question, here
    await second.service.shutdown()


async def test_a_game_saved_too_long_ago_ends_with_its_points() -> None:
    store = MemoryScoreStore()
    first = await played_to_question_two(store)
    await first.service.shutdown()
    second = harness(store, later_by=15 + 121)
    assert await second.service.recover("test") == 1
    assert not second.sink.of(GameResumed)
    ended = second.sink.last(GameEnded)
    assert ended.reason is EndReason.RESTARTED
    assert [(s.name, s.correct) for s in ended.standings] == [("bob", 1)]


async def test_after_a_crash_the_last_save_is_carried_on() -> None:
    store = MemoryScoreStore()
    crashed = await played_to_question_two(store)
    await crashed.say(BOB, "lyon")  # chatter: nothing to save
    # kill -9: no shutdown. The state saved when question 2 was asked is the last one.
    second = harness(store, later_by=15 + 30)
    await second.service.recover("test")
    resumed = second.sink.last(GameResumed)
    assert resumed.asked is not None
    assert resumed.asked.number == 2
    # Its deadline passed while nobody ran it: revealed at once.
    reveal = second.sink.last(QuestionRevealed)
    assert (reveal.number, reveal.reason) == (2, RevealReason.TIMEOUT)
    await second.service.shutdown()


async def test_only_owned_servers_games_are_touched() -> None:
    store = MemoryScoreStore()
    first = await played_to_question_two(store)
    await first.service.shutdown()
    second = harness(store, later_by=16)
    mine = ServerKey("test", "someone-else's")
    assert await second.service.recover("test", owns=lambda server: server == mine) == 0
    assert not second.sink.events
    assert len(store.journal) == 1


async def test_a_game_that_cannot_be_saved_at_the_stop_is_suspended() -> None:
    store = MemoryScoreStore()
    h = await played_to_question_two(store)
    store.fail_next = StoreUnavailable("database is locked")
    await h.service.shutdown()
    assert h.sink.last(GameSuspended).channel == CHANNEL
    assert h.service.unrecorded_games == 1
    assert not h.sink.of(GamePaused)


async def test_without_resume_a_stop_ends_the_game_as_before() -> None:
    store = MemoryScoreStore()
    h = harness(store, within=0)
    await h.start(rounds=3)
    await h.service.shutdown()
    assert h.sink.last(GameEnded).reason is EndReason.SHUTDOWN
    assert store.states == {}


async def test_the_question_message_noted_comes_back_with_the_game() -> None:
    store = MemoryScoreStore()
    first = await played_to_question_two(store)
    game_id = first.current().game_id
    await first.service.note_question_message(CHANNEL, game_id, "2:12345")
    await first.clock.settle()
    await first.service.shutdown()
    second = harness(store, later_by=16)
    await second.service.recover("test")
    assert second.sink.last(GameResumed).message == "2:12345"
    await second.service.shutdown()


async def test_an_earlier_card_never_noted_as_revealed_comes_back_to_be_revealed() -> None:
    # Question 1's card was noted, then the process died between saving its reveal and
    # editing the card (and before question 2's card was noted).
    store = MemoryScoreStore()
    first = await played_to_question_two(store)
    game_id = first.current().game_id
    await first.service.note_question_message(CHANNEL, game_id, "1:12345")
    await first.clock.settle()
    await first.service.shutdown()
    second = harness(store, later_by=16)
    await second.service.recover("test")
    resumed = second.sink.last(GameResumed)
    assert resumed.unrevealed is not None
    first_question = first.sink.of(QuestionAsked)[0].question
    assert (resumed.unrevealed.number, resumed.unrevealed.question) == (1, first_question)
    assert resumed.asked is not None
    assert resumed.asked.number == 2
    await second.service.shutdown()


async def test_a_card_noted_as_revealed_or_of_the_open_question_is_not_revealed_again() -> None:
    for ref in ("1:12345:revealed", "2:12345"):
        store = MemoryScoreStore()
        first = await played_to_question_two(store)
        await first.service.note_question_message(CHANNEL, first.current().game_id, ref)
        await first.clock.settle()
        await first.service.shutdown()
        second = harness(store, later_by=16)
        await second.service.recover("test")
        assert second.sink.last(GameResumed).unrevealed is None, ref
        await second.service.shutdown()


# -- letting go of a server another process took over -------------------------------------


async def test_a_write_refused_for_a_lost_lease_lets_the_game_go_without_a_word() -> None:
    store = MemoryScoreStore()
    h = await played_to_question_two(store)
    published = len(h.sink.events)
    store.fail_next = FencedOut("lease discord:shard:1 changed hands")
    await h.answer_current(BOB)
    assert len(h.sink.events) == published  # nothing announced: the point was not saved
    assert h.service.game_in(CHANNEL) is None
    await h.clock.advance(120)  # no timer fires for it
    assert len(h.sink.events) == published


async def test_let_go_drops_the_games_of_lost_servers_only() -> None:
    store = MemoryScoreStore()
    h = harness(store)
    other = ChannelKey("test", "guild-2", "general")
    await h.start(rounds=3)
    await h.start(rounds=3, channel=other)
    published = len(h.sink.events)
    assert h.service.let_go(lambda server: server == other.server_key) == 1
    assert h.service.game_in(other) is None
    assert h.service.game_in(CHANNEL) is not None
    await h.clock.advance(31)
    assert {e.channel for e in h.sink.events[published:]} == {CHANNEL}
    await h.service.shutdown()


async def test_what_a_channel_is_shown_was_saved_before_it_is_shown() -> None:
    # A crash (kill -9) right after a question is shown or revealed must not carry the
    # game on from before it: the next owner would reveal it again, or ask it again and
    # leave its first message open for good.
    store = MemoryScoreStore()
    h = harness(store)
    seen: list[tuple[str, int, str | None, int | None]] = []
    publish = h.sink.publish

    async def noting(event: Event) -> None:
        if isinstance(event, QuestionAsked | QuestionRevealed):
            saved, _ = store.states.get(event.game_id, (None, 0))
            number = saved.round.number if saved and saved.round else None
            seen.append((type(event).__name__, event.number, saved and saved.phase, number))
        await publish(event)

    h.sink.publish = noting  # type: ignore[method-assign]
    await h.start(rounds=3)
    await h.clock.advance(30)  # question 1 times out: nobody scored
    await h.clock.advance(5)  # the pause: question 2

    assert seen == [
        ("QuestionAsked", 1, "asking", 1),
        ("QuestionRevealed", 1, "between", 1),
        ("QuestionAsked", 2, "asking", 2),
    ]


async def test_after_a_crash_between_questions_the_last_reveal_is_shown_again() -> None:
    # Saved before it was shown, maybe never shown: the process died right after the
    # save. The next owner shows it again in the question's message, then goes on.
    store = MemoryScoreStore()
    crashed = harness(store)
    await crashed.start(rounds=3)
    await crashed.answer_current(BOB)  # question 1 revealed; question 2 comes in 5 s
    await crashed.service.note_question_message(CHANNEL, crashed.current().game_id, "1:m1")
    await crashed.clock.settle()
    second = harness(store, later_by=2)  # kill -9: no shutdown
    await second.service.recover("test")

    resumed = second.sink.last(GameResumed)
    assert resumed.message == "1:m1"
    assert resumed.asked is not None
    assert resumed.asked.number == 1
    assert resumed.revealed is not None
    assert (resumed.revealed.number, resumed.revealed.reason) == (1, RevealReason.ANSWERED)
    assert [a.player for a in resumed.revealed.awards] == [BOB.key]
    assert not second.sink.of(QuestionAsked)  # question 2 comes when its pause is over
    await second.clock.advance(3)
    assert second.current().number == 2
    await second.service.shutdown()
