"""Slack payloads -> commands: the pure half of the Slack adapter."""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.slack.commands import (
    OpenAddQuestion,
    OpenSettings,
    ShowHelp,
    Usage,
    mentioned_user,
    parse_trivia,
)
from bot.adapters.slack.ids import decode_origin, encode_origin
from bot.adapters.slack.inbound import (
    TypedMessage,
    channel_key,
    draft_from_form,
    payload_actor,
    pick_choice,
    player_key,
    settings_from_form,
    team_of,
    typed_answer,
    with_actor,
)
from bot.domain.commands import (
    ChangeSettings,
    ListCategories,
    PickChoice,
    RemoveQuestion,
    RequestHint,
    ShowLeaderboard,
    ShowScore,
    ShowStats,
    SkipQuestion,
    StartGame,
    StopGame,
)
from bot.domain.model import Actor, ChannelKey, GameMode, QuestionDraft, StartPolicy
from bot.domain.records import Period

CHANNEL = ChannelKey("slack", "T1", "C1")
ALICE = payload_actor("T1", "U1", "alice")


def parse(text: str) -> Any:
    return parse_trivia(text, channel=CHANNEL, actor=ALICE)


def test_identity_is_namespaced_by_platform_and_workspace() -> None:
    assert channel_key("T1", "C1") == ChannelKey("slack", "T1", "C1")
    assert player_key("T1", "U1").server_key == channel_key("T1", "C1").server_key
    assert payload_actor("T1", "U1") == Actor(key=player_key("T1", "U1"), name="U1")
    assert ALICE.name == "alice"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("start", StartGame(channel=CHANNEL, actor=ALICE)),
        ("START", StartGame(channel=CHANNEL, actor=ALICE)),
        ("start science", StartGame(channel=CHANNEL, actor=ALICE, category="science")),
        (
            "start science fiction 5 choice 20",
            StartGame(
                channel=CHANNEL,
                actor=ALICE,
                category="science fiction",
                rounds=5,
                mode=GameMode.CHOICE,
                seconds=20.0,
            ),
        ),
        ("play 3 text", StartGame(channel=CHANNEL, actor=ALICE, rounds=3, mode=GameMode.TEXT)),
        ("start 15s", StartGame(channel=CHANNEL, actor=ALICE, seconds=15.0)),
        ("start any 4", StartGame(channel=CHANNEL, actor=ALICE, rounds=4)),
        # Out-of-range numbers are the service's to refuse, with its own words.
        ("start 0", StartGame(channel=CHANNEL, actor=ALICE, rounds=0)),
    ],
)
def test_start_reads_category_rounds_mode_and_seconds_in_any_order(
    text: str, expected: StartGame
) -> None:
    assert parse(text) == expected


LEADERBOARD_USAGE = (
    "The leaderboard is for `all` time, this `week` or `today`; `leaderboard season [NAME]` "
    "shows a season's, `leaderboard daily [week|season]` the daily question's."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stop", StopGame(channel=CHANNEL, actor=ALICE)),
        ("skip", SkipQuestion(channel=CHANNEL, actor=ALICE)),
        ("hint", RequestHint(channel=CHANNEL, actor=ALICE)),
        ("score", ShowScore(channel=CHANNEL, actor=ALICE)),
        ("categories", ListCategories(channel=CHANNEL, actor=ALICE)),
        ("leaderboard", ShowLeaderboard(channel=CHANNEL, actor=ALICE, period=Period.ALL)),
        ("leaderboard week", ShowLeaderboard(channel=CHANNEL, actor=ALICE, period=Period.WEEK)),
        ("lb today", ShowLeaderboard(channel=CHANNEL, actor=ALICE, period=Period.TODAY)),
        ("stats", ShowStats(channel=CHANNEL, actor=ALICE)),
        (
            "stats <@U2|bob>",
            ShowStats(channel=CHANNEL, actor=ALICE, player=player_key("T1", "U2")),
        ),
        ("stats <@W3>", ShowStats(channel=CHANNEL, actor=ALICE, player=player_key("T1", "W3"))),
        ("remove q-42", RemoveQuestion(channel=CHANNEL, actor=ALICE, question_id="q-42")),
        ("add", OpenAddQuestion()),
        ("settings", OpenSettings()),
        ("help", ShowHelp()),
        ("", ShowHelp()),
        ("   ", ShowHelp()),
    ],
)
def test_each_subcommand_becomes_its_command(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dance", "I don't know `dance`."),
        ("<b>", "I don't know `&lt;b&gt;`."),
        ("stop it", "`stop` takes nothing after it."),
        ("add now", "`add` takes nothing after it."),
        ("leaderboard forever", LEADERBOARD_USAGE),
        ("leaderboard week today", LEADERBOARD_USAGE),
        ("stats bob", "Mention the player: `/trivia stats @name`."),
        ("stats <@U2|bob> <@U3|carol>", "Mention the player: `/trivia stats @name`."),
        ("remove", "Say which question to remove: `/trivia remove QUESTION-ID`."),
        ("start text choice", "Pick one mode: `text` or `choice`."),
        ("start 1 2 3", "Give at most two numbers: rounds, then seconds per question."),
        ("start 5 10 20s", "Give at most two numbers: rounds, then seconds per question."),
    ],
)
def test_lines_the_bot_cannot_read_say_what_is_wrong(text: str, message: str) -> None:
    assert parse(text) == Usage(message)


def test_mentions_are_read_only_in_slacks_escaped_form() -> None:
    assert mentioned_user("<@U123ABC|bob>") == "U123ABC"
    assert mentioned_user("<@U123ABC>") == "U123ABC"
    assert mentioned_user("@bob") is None
    assert mentioned_user("<#C123|general>") is None


def test_the_full_actor_replaces_the_payloads_one() -> None:
    admin = Actor(key=ALICE.key, name="Alice A.", is_admin=True)

    assert with_actor(StopGame(channel=CHANNEL, actor=ALICE), admin) == StopGame(
        channel=CHANNEL, actor=admin
    )


def message(**fields: Any) -> dict[str, Any]:
    return {"type": "message", "channel": "C1", "user": "U1", "text": "Paris", **fields}


def test_a_persons_plain_message_is_a_typed_answer() -> None:
    assert typed_answer(message()) == TypedMessage("C1", "U1", "Paris")
    assert typed_answer(message(thread_ts="1.2")) == TypedMessage("C1", "U1", "Paris")


def test_slacks_escapes_are_undone_so_answers_match_as_typed() -> None:
    assert typed_answer(message(text="  AT&amp;T &lt;3 &gt; ")) == TypedMessage(
        "C1", "U1", "AT&T <3 >"
    )


@pytest.mark.parametrize(
    "event",
    [
        message(bot_id="B1"),
        message(subtype="bot_message"),
        message(subtype="message_changed"),
        message(subtype="channel_join"),
        message(text="   "),
        message(text=None),
        {"type": "app_mention", "channel": "C1", "user": "U1", "text": "hi"},
        {"type": "message", "channel": "C1", "text": "no user"},
    ],
    ids=["bot", "bot-message", "edit", "join", "blank", "no-text", "not-a-message", "no-user"],
)
def test_bots_edits_joins_and_blanks_are_not_answers(event: dict[str, Any]) -> None:
    assert typed_answer(event) is None


def test_team_is_found_in_every_kind_of_payload() -> None:
    assert team_of({"team_id": "T1"}) == "T1"
    assert team_of({"team": {"id": "T2"}}) == "T2"
    assert team_of({"user": {"id": "U1", "team_id": "T3"}}) == "T3"
    assert team_of({}) == ""


def test_a_button_click_is_a_pick_of_that_questions_option() -> None:
    click = {"action_id": "trivia_pick_1", "value": "3:1"}

    assert pick_choice(click, channel=CHANNEL, actor=ALICE) == PickChoice(
        channel=CHANNEL, actor=ALICE, question_number=3, choice=1
    )


@pytest.mark.parametrize(
    "action",
    [
        {"action_id": "trivia_pick_1", "value": "3"},
        {"action_id": "trivia_pick_1", "value": "x:1"},
        {"action_id": "something_else", "value": "3:1"},
        {"action_id": "trivia_pick_1"},
    ],
)
def test_clicks_that_are_not_picks_are_ignored(action: dict[str, Any]) -> None:
    assert pick_choice(action, channel=CHANNEL, actor=ALICE) is None


def state(**values: Any) -> dict[str, Any]:
    """``view.state.values`` as Slack sends it: blank inputs are None."""
    out: dict[str, Any] = {}
    for block, value in values.items():
        if isinstance(value, dict):
            out[block] = {"value": {"type": "static_select", "selected_option": value}}
        else:
            out[block] = {"value": {"type": "plain_text_input", "value": value}}
    return out


def test_the_question_form_becomes_a_draft_with_one_item_per_line() -> None:
    values = state(
        prompt=" What is 6 x 7? ",
        answers="42\nforty-two",
        category=None,
        difficulty={"value": "hard"},
        explanation=None,
        choices="41\n42\n43",
        hints="It is even",
    )

    assert draft_from_form(values) == QuestionDraft(
        prompt="What is 6 x 7?",
        answers="42\nforty-two",
        category="",
        difficulty="hard",
        explanation="",
        choices="41\n42\n43",
        hints="It is even",
    )


def test_a_question_form_without_a_difficulty_is_medium() -> None:
    assert draft_from_form(state(prompt="Q?", answers="A")).difficulty == "medium"


def test_the_settings_form_changes_what_is_filled_and_resets_what_is_blank() -> None:
    values = state(
        rounds="7",
        seconds=None,
        mode={"value": "choice"},
        start_policy={"value": "admins"},
    )

    assert settings_from_form(values, channel=CHANNEL, actor=ALICE) == ChangeSettings(
        channel=CHANNEL,
        actor=ALICE,
        rounds=7,
        seconds=None,
        mode=GameMode.CHOICE,
        start_policy=StartPolicy.ADMINS,
        reset=frozenset({"seconds"}),
    )


def test_the_settings_forms_default_option_resets_the_mode() -> None:
    values = state(rounds="5", seconds="12.5", mode={"value": "default"})

    changed = settings_from_form(values, channel=CHANNEL, actor=ALICE)

    assert isinstance(changed, ChangeSettings)
    assert (changed.rounds, changed.seconds, changed.mode) == (5, 12.5, None)
    assert changed.reset == frozenset({"mode"})


def test_settings_that_are_not_numbers_come_back_by_field() -> None:
    values = state(rounds="ten", seconds="soon")

    assert settings_from_form(values, channel=CHANNEL, actor=ALICE) == {
        "rounds": "A whole number of questions, or blank for the default.",
        "seconds": "A number of seconds, or blank for the default.",
    }


def test_a_forms_origin_survives_the_round_trip_and_junk_is_refused() -> None:
    assert decode_origin(encode_origin("T1", "C1")) == ("T1", "C1")
    assert decode_origin("") is None
    assert decode_origin("T1") is None
    assert decode_origin("T1/C1/extra") is None
