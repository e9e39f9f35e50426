"""A game carried over to another process goes on exactly where it stood.

Each test drives two games with the same moves: one that never stops, and one
that is snapshotted, written to JSON and read back (what the journal holds),
then resumed by a "process" whose monotonic clock reads something else
entirely.  From then on both must say the same things.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.events import Event, QuestionRevealed, RevealReason
from bot.domain.game import Phase, TriviaGame
from bot.domain.model import BOOLEAN_CHOICES, GameMode, GameOptions, Instant, QuestionType
from bot.storage.game_state_json import GameStateError, snapshot_from_json, snapshot_to_json
from tests.fakes import CHANNEL, player, question

WALL = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)
ALICE = player("alice")
BOB = player("bob")
CAROL = player("carol")

PARIS = question("paris", "Paris", hints=("It is in France", "P____"))
ROME = question("rome", "Rome")
PICK = question("pick", "Rome", type=QuestionType.CHOICE, choices=("Paris", "Rome", "Oslo", "Bern"))
TRUE = question("true", "True", type=QuestionType.BOOLEAN, choices=BOOLEAN_CHOICES)

Move = Callable[[TriviaGame, Callable[[float], Instant]], list[Event]]


def here(seconds: float) -> Instant:
    return Instant(seconds, WALL + timedelta(seconds=seconds))


def elsewhere(seconds: float) -> Instant:
    """The same wall-clock moment, on a process whose monotonic clock began elsewhere."""
    return Instant(50_000.25 + seconds, WALL + timedelta(seconds=seconds))


def new_game(*questions: object, **options: object) -> TriviaGame:
    opts = GameOptions(rounds=len(questions), seconds=30, pause=5, **options)  # type: ignore[arg-type]
    return TriviaGame("g1", CHANNEL, options=opts, questions=questions, started_by=ALICE)  # type: ignore[arg-type]


def carried(game: TriviaGame, at: float, *, down_for: float = 0.0) -> TriviaGame:
    text = snapshot_to_json(game.snapshot(here(at)))
    return TriviaGame.resume(snapshot_from_json(text), elsewhere(at + down_for))


def both(
    before: list[tuple[float, Move]], after: list[tuple[float, Move]], at: float, **options: object
) -> tuple[list[Event], list[Event]]:
    """The events of ``after`` from a game that ran throughout and one carried over at ``at``."""
    games = [new_game(PARIS, ROME, **options), new_game(PARIS, ROME, **options)]
    for game in games:
        game.start(here(0))
        for when, move in before:
            move(game, lambda s, w=when: here(w))
    resumed = carried(games[1], at)
    seen: tuple[list[Event], list[Event]] = ([], [])
    for when, move in after:
        seen[0].extend(move(games[0], lambda s, w=when: here(w)))
        seen[1].extend(move(resumed, lambda s, w=when: elsewhere(w)))
    return seen


def guess(who: object, text: str) -> Move:
    return lambda game, at: game.answer(who, text, at(0))  # type: ignore[arg-type]


def tick() -> Move:
    return lambda game, at: game.tick(at(0))


def test_an_open_question_keeps_its_hints_tries_and_time_left() -> None:
    before = [(4.0, guess(BOB, "lyon")), (11.0, tick())]  # the first hint is due at 10 s
    after = [(15.0, guess(CAROL, "paris")), (21.0, tick()), (40.0, guess(BOB, "rome"))]
    original, resumed = both(before, after, at=12.0)
    assert original == resumed
    assert any(isinstance(e, QuestionRevealed) for e in resumed)


def test_time_runs_out_at_the_same_wall_clock_moment() -> None:
    after = [(29.9, tick()), (30.0, tick()), (36.0, tick())]
    original, resumed = both([(3.0, guess(BOB, "lyon"))], after, at=8.0)
    assert original == resumed
    reveals = [e for e in resumed if isinstance(e, QuestionRevealed)]
    assert [r.reason for r in reveals] == [RevealReason.TIMEOUT]


def test_a_game_between_questions_asks_the_next_one_on_time() -> None:
    before = [(5.0, guess(BOB, "paris"))]
    after = [(9.0, tick()), (10.5, tick()), (12.0, guess(BOB, "rome"))]
    original, resumed = both(before, after, at=7.0)
    assert original == resumed
    assert resumed  # the next question was asked and answered


def test_streaks_and_standings_carry_over() -> None:
    before = [(5.0, guess(BOB, "paris")), (11.0, tick())]
    game = new_game(PARIS, ROME)
    game.start(here(0))
    for when, move in before:
        move(game, lambda s, w=when: here(w))
    resumed = carried(game, 12.0)
    assert resumed.standings() == game.standings()
    assert resumed.question_number == 2
    assert resumed.phase is Phase.ASKING
    events = resumed.answer(BOB, "rome", elsewhere(14.0))
    accepted = events[0]
    assert accepted.award.streak == 2  # type: ignore[attr-defined]


def test_choice_picks_and_lockouts_carry_over() -> None:
    games = [new_game(PICK, TRUE, mode=GameMode.CHOICE) for _ in range(2)]
    for game in games:
        game.start(here(0))
        game.pick(BOB, 1, here(3.0))
        game.pick(CAROL, 0, here(4.0))
    resumed = carried(games[1], 5.0)
    assert resumed.pick(BOB, 2, elsewhere(6.0)) == games[0].pick(BOB, 2, here(6.0))
    assert resumed.tick(elsewhere(31.0)) == games[0].tick(here(31.0))
    assert resumed.standings() == games[0].standings()
    assert [s.points > 0 for s in resumed.standings()] == [True, False]


def test_a_wrong_option_in_text_mode_stays_locked_out() -> None:
    games = [new_game(PICK, ROME) for _ in range(2)]
    for game in games:
        game.start(here(0))
        game.answer(BOB, "A", here(2.0))  # Paris: wrong, one pick per player
    resumed = carried(games[1], 3.0)
    assert resumed.answer(BOB, "B", elsewhere(4.0)) == games[0].answer(BOB, "B", here(4.0)) == []


def test_a_deadline_that_passed_while_down_reveals_at_once() -> None:
    game = new_game(PARIS, ROME)
    game.start(here(0))
    resumed = carried(game, 20.0, down_for=40.0)
    events = resumed.tick(elsewhere(60.0))
    reveals = [e for e in events if isinstance(e, QuestionRevealed)]
    assert [(r.number, r.reason) for r in reveals] == [(1, RevealReason.TIMEOUT)]


def test_an_ended_game_resumes_as_ended() -> None:
    game = new_game(PARIS)
    game.start(here(0))
    game.answer(BOB, "paris", here(2.0))
    resumed = carried(game, 3.0)
    assert resumed.ended
    assert resumed.next_deadline is None


@pytest.mark.parametrize(
    "text",
    ["", "[]", '{"v": 99}', '{"v": 1, "game_id": "g"}', "not json"],
)
def test_unreadable_state_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(GameStateError):
        snapshot_from_json(text)
