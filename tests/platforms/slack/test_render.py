"""Events -> Block Kit: the other pure half of the Slack adapter."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.slack.commands import Usage
from bot.adapters.slack.ids import DRAFT_FIELDS
from bot.adapters.slack.modals import (
    add_question_modal,
    notice_modal,
    problems_to_errors,
    settings_modal,
)
from bot.adapters.slack.render import (
    QuestionCard,
    SlackMessage,
    esc,
    help_message,
    home_view,
    render,
    render_card,
    usage_text,
)
from bot.domain.awards import Award, Points
from bot.domain.events import (
    AnswerAccepted,
    CategoriesShown,
    ChoiceRecorded,
    CloseGuess,
    DraftRejected,
    EndReason,
    Event,
    GameEnded,
    GameStarted,
    HintGiven,
    LeaderboardShown,
    QuestionAdded,
    QuestionAsked,
    QuestionRemoved,
    QuestionRevealed,
    Refusal,
    Rejected,
    RevealReason,
    ScoreShown,
    SettingsShown,
    StatsShown,
    WrongChoice,
)
from bot.domain.model import (
    ChannelKey,
    FieldProblem,
    GameMode,
    GameOptions,
    PlayerKey,
    Question,
    QuestionType,
    ServerSettings,
    Standing,
)
from bot.domain.records import (
    LeaderboardRow,
    Period,
    PlayerStats,
)

CHANNEL = ChannelKey("slack", "T1", "C1")
BOB = PlayerKey("slack", "T1", "U2")
ALICE = PlayerKey("slack", "T1", "U1")
WHEN = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)
PLANET = Question(
    id="planet",
    prompt="Which planet is <red>?",
    answers=("Mars",),
    type=QuestionType.CHOICE,
    choices=("Venus", "Mars", "Jupiter & co"),
    category="space",
    explanation="Iron oxide dust.",
)
SKY = Question(id="sky", prompt="What colour is the sky?", answers=("blue",), category="colours")
AWARD = Award(
    player=BOB,
    name="bob <the builder>",
    guess="blue!",
    points=Points(base=10, speed_bonus=4, streak_bonus=2, hint_penalty=0, total=16),
    answer_ms=1200,
    streak=2,
)
STANDINGS = (
    Standing(player=BOB, name="bob", points=30, correct=2, rank=1),
    Standing(player=ALICE, name="alice", points=10, correct=1, rank=2),
)


def asked(question: Question = PLANET, number: int = 2) -> QuestionAsked:
    return QuestionAsked(
        channel=CHANNEL,
        game_id="g1",
        number=number,
        total=5,
        question=question,
        choices=question.choices,
        seconds=30.0,
        ends_at=WHEN,
    )


def revealed(**changes: Any) -> QuestionRevealed:
    reveal = QuestionRevealed(
        channel=CHANNEL,
        game_id="g1",
        number=2,
        total=5,
        question=PLANET,
        reason=RevealReason.TIMEOUT,
        awards=(AWARD,),
        choice_counts=(1, 2, 0),
        next_in=4.0,
    )
    return replace(reveal, **changes)


def every_event() -> list[Event]:
    stats = PlayerStats(BOB, "bob", 120, 3, 1, 7, 9, 4, 2500.0)
    return [
        GameStarted(CHANNEL, "g1", GameOptions(rounds=5), BOB, "bob", 5),
        HintGiven(CHANNEL, "g1", 2, "M___", 1, 1),
        CloseGuess(CHANNEL, "g1", 1, BOB, "bob", "blu"),
        WrongChoice(CHANNEL, "g1", 1, BOB, 2),
        ChoiceRecorded(CHANNEL, "g1", 1, BOB, 1, "Mars"),
        ScoreShown(CHANNEL, "g1", STANDINGS, 2, 5),
        GameEnded(CHANNEL, "g1", EndReason.COMPLETED, STANDINGS, STANDINGS[0], 5),
        Rejected(CHANNEL, BOB, Refusal.NO_GAME, "No game is running."),
        LeaderboardShown(CHANNEL, BOB, Period.WEEK, (LeaderboardRow(1, BOB, "bob", 120, 7),)),
        StatsShown(CHANNEL, BOB, stats),
        CategoriesShown(CHANNEL, BOB, (("colours", 1), ("space", 2))),
        DraftRejected(CHANNEL, BOB, (FieldProblem("answers", "add an answer"),)),
        QuestionAdded(CHANNEL, BOB, SKY),
        QuestionRemoved(CHANNEL, BOB, "sky"),
        SettingsShown(CHANNEL, BOB, ServerSettings(rounds=7), GameOptions(rounds=7)),
    ]


@pytest.mark.parametrize("event", every_event(), ids=lambda e: type(e).__name__)
def test_every_message_has_blocks_and_a_plain_text_fallback(event: Event) -> None:
    shown = render(event)

    assert isinstance(shown, SlackMessage)
    assert shown.text.strip()
    assert shown.blocks
    json.dumps(shown.blocks_json())  # what the SDK will send


def test_question_card_events_are_not_messages_of_their_own() -> None:
    # A point is told by the reveal, which names the scorer (no post of its own).
    loud = AnswerAccepted(CHANNEL, "g1", 1, "sky", AWARD)
    quiet = AnswerAccepted(CHANNEL, "g1", 1, "sky", AWARD, announce=False)

    assert [render(e) for e in (asked(), revealed(), loud, quiet)] == [None] * 4


def test_a_hint_is_a_post_naming_its_question() -> None:
    shown = render(HintGiven(CHANNEL, "g1", 2, "M_<s", 1, 1))

    assert shown is not None
    assert shown.text == "💡 Hint 1 for question 2: M_&lt;s"


def test_user_text_is_escaped_so_it_cannot_become_markup() -> None:
    answered = revealed(question=SKY, reason=RevealReason.ANSWERED, choice_counts=())
    shown = render_card(QuestionCard(asked=asked(SKY), reveal=answered))

    assert "*bob &lt;the builder&gt;* got it with “blue!”: +16" in shown.text
    assert "🏆 *bob &lt;the builder&gt;* got it with" in json.dumps(
        shown.blocks_json(), ensure_ascii=False
    )
    assert "+4 speed, +2 streak of 2" in shown.text
    assert esc("a & <b>") == "a &amp; &lt;b&gt;"


def test_an_open_choice_question_has_one_button_per_option_naming_its_question() -> None:
    shown = render_card(QuestionCard(asked=asked(), mode=GameMode.CHOICE))

    (actions,) = [b for b in shown.blocks if b["type"] == "actions"]
    assert [(e["text"]["text"], e["value"], e["action_id"]) for e in actions["elements"]] == [
        ("A. Venus", "2:0", "trivia_pick_0"),
        ("B. Mars", "2:1", "trivia_pick_1"),
        ("C. Jupiter & co", "2:2", "trivia_pick_2"),
    ]
    assert shown.text.splitlines()[0] == "Question 2/5: Which planet is &lt;red&gt;?"
    clock = "⏱ 30 s, until <!date^1739620800^{time_secs}|12:00:00 UTC>"
    blocks = json.dumps(shown.blocks_json(), ensure_ascii=False)
    assert f"{clock} · Click your pick; picks are final." in blocks
    assert "⏱ 30 s (until 12:00:00 UTC)" in shown.text


def test_a_long_option_is_cut_to_slacks_button_limit() -> None:
    long = replace(PLANET, choices=("x" * 200, "Mars"))

    shown = render_card(QuestionCard(asked=asked(long)))

    (actions,) = [b for b in shown.blocks if b["type"] == "actions"]
    assert len(actions["elements"][0]["text"]["text"]) == 75


def test_a_redrawn_card_shows_its_hints_and_its_deadline_never_a_countdown() -> None:
    card = QuestionCard(asked=asked(SKY), hints=("b___", "bl__"))

    text = render_card(card).text

    assert "Hint 1: b___\nHint 2: bl__\n⏱ 30 s (until 12:00:00 UTC)" in text
    blocks = json.dumps(render_card(card).blocks_json())
    assert "Type your answer in the channel." in blocks
    assert "left" not in text


def test_the_revealed_card_has_no_option_buttons_only_report_and_counts_the_picks() -> None:
    card = QuestionCard(asked=asked(), mode=GameMode.CHOICE, reveal=revealed())

    shown = render_card(card)

    buttons = [e for b in shown.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("trivia_report_question", card.asked.question.id)
    ]
    assert shown.text.splitlines()[1:] == [
        "⏰ Time's up! The answer: *Mars*",
        "▫️ A. Venus: 1 pick",
        "✅ B. Mars: 2 picks",
        "▫️ C. Jupiter &amp; co: 0 picks",
        "Scored: *bob &lt;the builder&gt;* +16",
        "_Iron oxide dust._",
        "Next question in 4 s…",
    ]


def test_a_reveal_nobody_scored_says_so_and_the_last_one_has_no_next() -> None:
    card = QuestionCard(
        asked=asked(SKY), reveal=revealed(question=SKY, awards=(), choice_counts=(), next_in=None)
    )

    shown = render_card(card)

    assert "Nobody got this one." in json.dumps(shown.blocks_json())
    assert "Next question" not in shown.text


def test_the_final_standings_name_the_winner_or_say_solo_games_win_nothing() -> None:
    won = render(GameEnded(CHANNEL, "g1", EndReason.COMPLETED, STANDINGS, STANDINGS[0], 5))
    solo = render(GameEnded(CHANNEL, "g1", EndReason.IDLE, STANDINGS[:1], None, 3))
    empty = render(GameEnded(CHANNEL, "g1", EndReason.STOPPED, (), None, 1))

    assert won is not None
    assert solo is not None
    assert empty is not None
    assert won.text.splitlines() == [
        "*🏁 Game over!*",
        "🥇 *bob*: 30 pts · 2 correct",
        "🥈 *alice*: 10 pts · 1 correct",
        "🏆 *bob* wins with 30 points!",
    ]
    assert solo.text.endswith("Solo games count for your stats but not for wins.")
    assert empty.text == "*🛑 Game stopped.*\nNobody played this time."


def test_settings_say_which_values_are_the_defaults() -> None:
    shown = render(
        SettingsShown(
            CHANNEL,
            BOB,
            ServerSettings(rounds=7),
            GameOptions(rounds=7, seconds=30, mode=GameMode.TEXT),
            changed=True,
        )
    )

    assert shown is not None
    assert shown.text.splitlines() == [
        "✅ *Settings saved*",
        "• Rounds: 7",
        "• Seconds per question: 30 (default)",
        "• Mode: text (default)",
        "• Who may start games: everyone",
        "• Seasons: monthly",
    ]


def test_help_and_usage_list_every_subcommand() -> None:
    for text in (help_message().text, usage_text(Usage("I don't know `x`."))):
        for word in ("start", "stop", "skip", "hint", "leaderboard", "stats", "categories"):
            assert f"`{word}" in text or f"`/trivia {word}" in text
        admin = ("questions", "question", "edit", "disable", "enable", "remove", "import")
        for word in (*admin, "export", "report", "reports", "dismiss", "bundled", "settings"):
            assert f"`{word}" in text, word


def test_the_home_tab_shows_the_players_stats_and_the_leaderboard() -> None:
    stats = PlayerStats(BOB, "bob", 120, 3, 1, 7, 9, 4, 2500.0)

    view = home_view(stats=stats, rows=(LeaderboardRow(1, BOB, "bob", 120, 7),))

    text = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "home"
    assert "*Correct*\\n7 of 9 (78%)" in text
    assert "*Average answer*\\n2.5 s" in text
    assert "🥇 *bob*: 120 pts · 7 correct" in text


def test_the_question_form_has_one_input_per_draft_field() -> None:
    form = add_question_modal("T1/C1")

    inputs = [b for b in form["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == list(DRAFT_FIELDS)
    assert {b["element"]["action_id"] for b in inputs} == {"value"}
    required = [b["block_id"] for b in inputs if not b.get("optional")]
    assert required == ["prompt", "answers", "difficulty"]  # difficulty has a default
    assert form["private_metadata"] == "T1/C1"
    assert len(form["title"]["text"]) <= 24


def test_the_settings_form_names_the_bots_default_only_where_it_applies() -> None:
    form = settings_modal(
        "T1/C1",
        settings=ServerSettings(rounds=7, mode=GameMode.CHOICE),
        defaults=GameOptions(rounds=7, seconds=30, mode=GameMode.CHOICE),
    )

    rounds, seconds, mode, policy, seasons = form["blocks"]
    assert rounds["element"]["initial_value"] == "7"
    assert rounds["hint"]["text"] == "Blank: the bot's default."
    assert "initial_value" not in seconds["element"]
    assert seconds["hint"]["text"] == "Blank: the bot's default (30)."
    assert mode["element"]["initial_option"]["value"] == "choice"
    assert policy["element"]["initial_option"]["value"] == "everyone"
    assert seasons["element"]["initial_option"]["value"] == "monthly"


def test_problems_go_under_their_field_and_the_rest_on_top() -> None:
    errors = problems_to_errors(
        [
            FieldProblem("answers", "add an answer"),
            FieldProblem("answers", "no duplicates"),
            FieldProblem("id", "x" * 300),
        ]
    )

    assert errors["answers"] == "add an answer no duplicates"
    assert errors["prompt"].startswith("id: xxx")
    assert len(errors["prompt"]) == 150


def test_a_notice_title_fits_slacks_24_characters() -> None:
    assert len(notice_modal("A title that is far too long for Slack", "x")["title"]["text"]) == 24
