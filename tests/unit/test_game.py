"""The game as a pure state machine: time is a number we pass in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.events import (
    AnswerAccepted,
    ChoiceRecorded,
    CloseGuess,
    EndReason,
    Event,
    GameEnded,
    GameStarted,
    HintGiven,
    QuestionAsked,
    QuestionRevealed,
    Refusal,
    Rejected,
    RevealReason,
    WrongChoice,
)
from bot.domain.game import Phase, TriviaGame
from bot.domain.model import (
    BOOLEAN_CHOICES,
    Difficulty,
    GameMode,
    GameOptions,
    Instant,
    QuestionType,
)
from tests.fakes import CHANNEL, player, question

WALL = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)
ALICE = player("alice")
BOB = player("bob")
MOD = player("mod", admin=True)


def at(seconds: float) -> Instant:
    return Instant(seconds, WALL + timedelta(seconds=seconds))


def kinds(events: list[Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def new_game(*questions_, **options: object) -> TriviaGame:
    opts = GameOptions(rounds=len(questions_), seconds=30, pause=5, **options)  # type: ignore[arg-type]
    return TriviaGame("g1", CHANNEL, options=opts, questions=questions_, started_by=ALICE)


PARIS = question("paris", "Paris")
ROME = question("rome", "Rome")
BERLIN = question("berlin", "Berlin")


def test_start_announces_the_game_and_asks_the_first_question() -> None:
    game = new_game(PARIS, ROME)
    events = game.start(at(0))
    assert kinds(events) == ["GameStarted", "QuestionAsked"]
    asked = events[1]
    assert isinstance(asked, QuestionAsked)
    assert (asked.number, asked.total, asked.question) == (1, 2, PARIS)
    assert asked.ends_at == WALL + timedelta(seconds=30)
    assert game.next_deadline is not None
    assert game.next_deadline <= 30


def test_first_correct_answer_scores_and_reveals() -> None:
    game = new_game(PARIS, ROME)
    game.start(at(0))
    events = game.answer(BOB, "paris!", at(3))
    assert kinds(events) == ["AnswerAccepted", "QuestionRevealed"]
    accepted = events[0]
    assert isinstance(accepted, AnswerAccepted)
    assert accepted.award.player == BOB.key
    assert accepted.award.answer_ms == 3000
    assert accepted.question_id == "paris"
    revealed = events[1]
    assert isinstance(revealed, QuestionRevealed)
    assert revealed.reason is RevealReason.ANSWERED
    assert revealed.next_in == 5


def test_a_pick_by_number_is_announced_as_the_option_it_names() -> None:
    game = new_game(CAPITAL)
    game.start(at(0))
    accepted = game.answer(BOB, "2", at(1))[0]
    assert isinstance(accepted, AnswerAccepted)
    assert accepted.award.guess == "Paris"


def test_late_answer_after_reveal_scores_nothing() -> None:
    game = new_game(PARIS, ROME)
    game.start(at(0))
    game.answer(BOB, "Paris", at(3))
    assert game.answer(ALICE, "Paris", at(3.001)) == []
    assert [s.name for s in game.standings()] == ["bob"]


def test_answer_that_arrives_after_the_deadline_sees_the_reveal_first() -> None:
    game = new_game(PARIS, ROME)
    game.start(at(0))
    events = game.answer(BOB, "Paris", at(31))
    assert kinds(events) == ["QuestionRevealed"]
    assert isinstance(events[0], QuestionRevealed)
    assert events[0].reason is RevealReason.TIMEOUT


def test_next_question_comes_after_the_pause() -> None:
    game = new_game(PARIS, ROME)
    game.start(at(0))
    game.answer(BOB, "Paris", at(3))
    assert game.tick(at(7.9)) == []
    events = game.tick(at(8))
    assert kinds(events) == ["QuestionAsked"]
    assert game.question_number == 2


def test_timeout_reveals_the_answer_and_lists_who_missed() -> None:
    game = new_game(PARIS, ROME)
    game.start(at(0))
    game.answer(BOB, "London", at(2))
    events = game.tick(at(30))
    revealed = [e for e in events if isinstance(e, QuestionRevealed)]
    assert revealed
    assert revealed[0].reason is RevealReason.TIMEOUT
    assert [m.name for m in revealed[0].misses] == ["bob"]
    assert revealed[0].misses[0].answer_ms == 2000


def test_near_miss_is_signalled_as_close() -> None:
    game = new_game(question("cop", "Copernicus"))
    game.start(at(0))
    events = game.answer(BOB, "Kopernikuss", at(1))
    assert kinds(events) == ["CloseGuess"]
    assert isinstance(events[0], CloseGuess)
    assert events[0].name == "bob"


def test_shotgun_guess_is_not_accepted() -> None:
    game = new_game(PARIS)
    game.start(at(0))
    events = game.answer(BOB, "paris london rome", at(1))
    assert kinds(events) == ["WrongGuess"]
    assert game.phase is Phase.ASKING


def test_automatic_hints_come_at_even_intervals_and_cost_points() -> None:
    q = question("woo", "John Woo", hints=("He is a director.", "From Hong Kong."))
    game = new_game(q)
    game.start(at(0))
    assert game.next_deadline == 10
    first = game.tick(at(10))
    assert kinds(first) == ["HintGiven"]
    assert isinstance(first[0], HintGiven)
    assert first[0].hint == "He is a director."
    assert game.next_deadline == 20
    events = game.answer(BOB, "john woo", at(15))
    accepted = events[0]
    assert isinstance(accepted, AnswerAccepted)
    assert accepted.award.points.hint_penalty == 5  # a quarter of medium's 20


def test_hint_on_request_moves_the_schedule_on() -> None:
    q = question("woo", "John Woo", hints=("one", "two"))
    game = new_game(q)
    game.start(at(0))
    events = game.hint(BOB, at(1))
    assert kinds(events) == ["HintGiven"]
    assert game.next_deadline == 20
    game.hint(BOB, at(2))
    refused = game.hint(BOB, at(3))
    assert isinstance(refused[0], Rejected)
    assert refused[0].reason is Refusal.NOT_NOW


def test_generated_hints_mask_the_answer() -> None:
    game = new_game(question("woo", "John Woo"))
    game.start(at(0))
    hint = game.hint(BOB, at(1))[0]
    assert isinstance(hint, HintGiven)
    assert hint.hint.startswith("J___ W__")


def test_only_the_starter_or_an_admin_may_skip_or_stop() -> None:
    game = new_game(PARIS, ROME)
    game.start(at(0))
    refused = game.skip(BOB, at(1))
    assert isinstance(refused[0], Rejected)
    assert refused[0].reason is Refusal.NOT_ALLOWED
    assert "alice" in refused[0].message
    assert isinstance(game.stop(BOB, at(1))[0], Rejected)
    skipped = game.skip(MOD, at(2))
    assert isinstance(skipped[0], QuestionRevealed)
    assert skipped[0].reason is RevealReason.SKIPPED
    stopped = game.stop(ALICE, at(3))
    assert isinstance(stopped[-1], GameEnded)
    assert stopped[-1].reason is EndReason.STOPPED
    assert game.ended


def test_stop_mid_question_reveals_then_ends() -> None:
    game = new_game(PARIS, ROME)
    game.start(at(0))
    events = game.stop(ALICE, at(1))
    assert kinds(events) == ["QuestionRevealed", "GameEnded"]
    assert isinstance(events[0], QuestionRevealed)
    assert events[0].next_in is None


def test_last_question_ends_the_game_with_standings() -> None:
    game = new_game(PARIS, ROME)
    game.start(at(0))
    game.answer(BOB, "Paris", at(1))
    game.tick(at(6))
    events = game.answer(ALICE, "Rome", at(7))
    assert kinds(events) == ["AnswerAccepted", "QuestionRevealed", "GameEnded"]
    ended = events[-1]
    assert isinstance(ended, GameEnded)
    assert ended.reason is EndReason.COMPLETED
    assert ended.questions_asked == 2
    assert len(ended.standings) == 2
    assert ended.winner is not None
    assert game.next_deadline is None


def test_one_player_game_has_no_winner() -> None:
    game = new_game(PARIS)
    game.start(at(0))
    events = game.answer(BOB, "Paris", at(1))
    ended = events[-1]
    assert isinstance(ended, GameEnded)
    assert [s.name for s in ended.standings] == ["bob"]
    assert ended.winner is None


def test_game_ends_after_questions_in_a_row_that_nobody_answered() -> None:
    game = new_game(PARIS, ROME, BERLIN, question("oslo", "Oslo"), max_idle_questions=2)
    game.start(at(0))
    game.tick(at(30))
    game.tick(at(35))
    events = game.tick(at(65))
    ended = [e for e in events if isinstance(e, GameEnded)]
    assert ended
    assert ended[0].reason is EndReason.IDLE
    assert ended[0].questions_asked == 2


def test_a_wrong_guess_counts_as_activity_for_the_idle_rule() -> None:
    game = new_game(PARIS, ROME, BERLIN, max_idle_questions=2)
    game.start(at(0))
    game.tick(at(30))
    game.answer(BOB, "nope", at(40))
    game.tick(at(65))
    assert not game.ended


def test_streak_bonus_grows_with_consecutive_correct_answers() -> None:
    game = new_game(PARIS, ROME, BERLIN, auto_hints=False)
    game.start(at(0))
    first = game.answer(BOB, "Paris", at(30 - 0.001))[0]
    game.tick(at(35))
    second = game.answer(BOB, "Rome", at(64.9))[0]
    assert isinstance(first, AnswerAccepted)
    assert isinstance(second, AnswerAccepted)
    assert first.award.points.streak_bonus == 0
    assert second.award.points.streak_bonus == 2
    assert second.award.streak == 2


def test_a_missed_question_breaks_the_streak() -> None:
    game = new_game(PARIS, ROME, BERLIN)
    game.start(at(0))
    game.answer(BOB, "Paris", at(1))
    game.tick(at(6))
    game.answer(ALICE, "Rome", at(7))
    game.tick(at(12))
    third = game.answer(BOB, "Berlin", at(13))[0]
    assert isinstance(third, AnswerAccepted)
    assert third.award.streak == 1


def test_ties_go_to_whoever_reached_the_score_first() -> None:
    easy = question("a", "Paris", difficulty=Difficulty.EASY)
    easy2 = question("b", "Rome", difficulty=Difficulty.EASY)
    game = new_game(easy, easy2, auto_hints=False)
    game.start(at(0))
    game.answer(BOB, "Paris", at(30 - 0.0001))
    game.tick(at(35))
    ended = game.answer(ALICE, "Rome", at(64.9))[-1]
    assert isinstance(ended, GameEnded)
    assert [s.points for s in ended.standings] == [10, 10]
    assert ended.winner is not None
    assert ended.winner.name == "bob"


CAPITAL = question(
    "capital",
    "Paris",
    type=QuestionType.CHOICE,
    choices=("London", "Paris", "Rome", "Berlin"),
)


def test_choice_mode_scores_every_correct_pick_at_the_reveal() -> None:
    game = new_game(CAPITAL, mode=GameMode.CHOICE)
    game.start(at(0))
    confirm = game.pick(BOB, 1, at(2))
    assert isinstance(confirm[0], ChoiceRecorded)
    assert confirm[0].recipient == BOB.key
    game.answer(ALICE, "b", at(20))
    game.answer(MOD, "1", at(21))
    events = game.tick(at(30))
    accepted = [e for e in events if isinstance(e, AnswerAccepted)]
    assert [a.award.name for a in accepted] == ["bob", "alice"]
    assert all(not a.announce for a in accepted)
    revealed = next(e for e in events if isinstance(e, QuestionRevealed))
    assert revealed.choice_counts == (1, 2, 0, 0)
    assert [m.name for m in revealed.misses] == ["mod"]
    assert accepted[0].award.points.total > accepted[1].award.points.total  # faster


def test_choice_mode_picks_cannot_be_changed() -> None:
    game = new_game(CAPITAL, mode=GameMode.CHOICE)
    game.start(at(0))
    game.pick(BOB, 0, at(1))
    again = game.pick(BOB, 1, at(2))
    assert isinstance(again[0], Rejected)
    assert again[0].reason is Refusal.ALREADY_ANSWERED


def test_choice_mode_ignores_chat_that_names_no_option() -> None:
    game = new_game(CAPITAL, mode=GameMode.CHOICE)
    game.start(at(0))
    assert game.answer(BOB, "hmm, tricky one", at(1)) == []


def test_click_on_an_old_question_is_refused() -> None:
    other = question("capital2", "Rome", type=QuestionType.CHOICE, choices=CAPITAL.choices)
    game = new_game(CAPITAL, other, mode=GameMode.CHOICE)
    game.start(at(0))
    events = game.pick(BOB, 1, at(2), number=2)
    assert isinstance(events[0], Rejected)
    assert events[0].reason is Refusal.NOT_NOW


def test_text_mode_wrong_option_locks_the_player_out_of_that_question() -> None:
    game = new_game(CAPITAL)
    game.start(at(0))
    wrong = game.answer(BOB, "A", at(1))
    assert isinstance(wrong[0], WrongChoice)
    assert wrong[0].recipient == BOB.key
    assert game.answer(BOB, "B", at(2)) == []
    right = game.answer(ALICE, "Paris", at(3))
    assert isinstance(right[0], AnswerAccepted)


def test_a_solo_player_locked_out_is_told_once_and_the_question_moves_on() -> None:
    game = new_game(CAPITAL, ROME, solo=True)
    game.start(at(0))

    events = game.answer(ALICE, "A", at(1))

    assert kinds(events) == ["WrongChoice", "QuestionRevealed"]
    revealed = events[1]
    assert isinstance(revealed, QuestionRevealed)
    assert revealed.reason is RevealReason.NOBODY_LEFT
    assert [m.name for m in revealed.misses] == ["alice"]
    # The next question comes after the usual pause, not after the rest of the 30 s.
    assert kinds(game.tick(at(6))) == ["QuestionAsked"]


def test_a_solo_players_pick_decides_the_question_at_once() -> None:
    game = new_game(CAPITAL, mode=GameMode.CHOICE, solo=True)
    game.start(at(0))

    events = game.pick(ALICE, 1, at(2))

    assert kinds(events)[:3] == ["ChoiceRecorded", "AnswerAccepted", "QuestionRevealed"]
    accepted = events[1]
    assert isinstance(accepted, AnswerAccepted)
    assert accepted.award.answer_ms == 2000
    revealed = events[2]
    assert isinstance(revealed, QuestionRevealed)
    assert revealed.reason is RevealReason.NOBODY_LEFT


def test_in_a_group_game_a_locked_out_player_waits_for_the_others() -> None:
    game = new_game(CAPITAL)
    game.start(at(0))
    assert kinds(game.answer(ALICE, "A", at(1))) == ["WrongChoice"]
    assert game.tick(at(10)) == []  # bob may still answer


def test_boolean_question_accepts_yes_for_true() -> None:
    q = question("bool", "True", type=QuestionType.BOOLEAN, choices=BOOLEAN_CHOICES)
    game = new_game(q)
    game.start(at(0))
    events = game.answer(BOB, "yes", at(1))
    assert isinstance(events[0], AnswerAccepted)


def test_shutdown_ends_the_game_without_permission_checks() -> None:
    game = new_game(PARIS, ROME)
    game.start(at(0))
    events = game.shutdown(at(1))
    assert isinstance(events[-1], GameEnded)
    assert events[-1].reason is EndReason.SHUTDOWN
    assert game.shutdown(at(2)) == []


def test_game_needs_questions() -> None:
    with pytest.raises(ValueError, match="at least one question"):
        TriviaGame("g", CHANNEL, options=GameOptions(), questions=(), started_by=ALICE)


def test_started_game_cannot_start_again() -> None:
    game = new_game(PARIS)
    events = game.start(at(0))
    assert isinstance(events[0], GameStarted)
    with pytest.raises(RuntimeError):
        game.start(at(1))


def test_after_a_stall_the_next_question_still_gets_its_full_time() -> None:
    game = new_game(PARIS, ROME)
    game.start(at(0))
    game.answer(BOB, "Paris", at(1))
    # The next question was due at 6; nothing ran until 100.
    events = game.tick(at(100))
    assert kinds(events) == ["QuestionAsked"]
    assert game.next_deadline is not None
    assert game.next_deadline > 100
    assert "AnswerAccepted" in kinds(game.answer(ALICE, "Rome", at(110)))
