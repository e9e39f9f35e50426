"""Whatever a player is called or types comes out of every renderer as plain text.

The console never hands a terminal a control character from a player (no escape
sequences, no bell, no bidi override) and never reads a name as rich markup; Discord shows
names and guesses with their markdown escaped; Slack escapes ``&``, ``<`` and ``>``, so
``<!everyone>`` or ``<http://evil|click>`` is never a live ping or link.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from bot.adapters.console import render as render_console
from bot.adapters.discord import render as render_discord
from bot.adapters.slack import render as render_slack
from bot.domain.awards import Award, Miss, Points
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
    QuestionRevealed,
    Refusal,
    Rejected,
    RevealReason,
    ScoreShown,
    StatsShown,
    WrongGuess,
)
from bot.domain.model import (
    ChannelKey,
    FieldProblem,
    GameOptions,
    PlayerKey,
    Question,
    QuestionType,
    SourceRef,
    Standing,
)
from bot.domain.records import (
    LeaderboardRow,
    Period,
    PlayerStats,
)
from tests.robustness.nasty import NASTY, any_text, hostile_text, terminal_controls

NOW = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)
CHANNEL = ChannelKey("discord", "1", "2")
HER = PlayerKey("discord", "1", "3")
OTHER = PlayerKey("discord", "1", "4")
#: What rich writes itself on a colour terminal: SGR styles, nothing else.
_RICH_STYLES = re.compile(r"\x1b\[[0-9;]*m")


def events_with(name: str, text: str) -> list[Event]:
    """One event of each kind that shows something a user chose, all set to ``name``
    (display names) and ``text`` (guesses, prompts, answers, categories, messages)."""
    shown = text if text.strip() else "?"
    question = Question(
        id="q-1",
        prompt=shown,
        answers=(shown,),
        type=QuestionType.CHOICE,
        choices=(shown, "other"),
        category=shown,
        hints=(shown,),
        explanation=shown,
        source=SourceRef(1, shown),
    )
    award = Award(HER, name, text, Points(10, 2, 1, 0, 13), answer_ms=1500, streak=2)
    standings = (Standing(HER, name, 13, 1, 1), Standing(OTHER, "bob", 0, 0, 2))
    asked = QuestionAsked(CHANNEL, "g", 1, 3, question, question.choices, 30.0, NOW)
    return [
        GameStarted(CHANNEL, "g", GameOptions(category=text), HER, name, 3),
        asked,
        HintGiven(CHANNEL, "g", 1, text, 1, 0),
        AnswerAccepted(CHANNEL, "g", 1, "q-1", award),
        CloseGuess(CHANNEL, "g", 1, HER, name, text),
        WrongGuess(CHANNEL, "g", 1, HER, name, text),
        ChoiceRecorded(CHANNEL, "g", 1, HER, 0, text),
        QuestionRevealed(
            CHANNEL,
            "g",
            1,
            3,
            question,
            RevealReason.ANSWERED,
            awards=(award,),
            choice_counts=(1, 0),
            next_in=4.0,
            misses=(Miss(OTHER, "bob", 900),),
        ),
        ScoreShown(CHANNEL, "g", standings, 1, 3),
        GameEnded(CHANNEL, "g", EndReason.COMPLETED, standings, standings[0], 3),
        Rejected(CHANNEL, HER, Refusal.NO_QUESTIONS, f"No questions match {text}."),
        LeaderboardShown(CHANNEL, HER, Period.ALL, (LeaderboardRow(1, HER, name, 13, 1),)),
        StatsShown(CHANNEL, HER, PlayerStats(HER, name, 13, 1, 1, 1, 1, 2, 1500.0)),
        CategoriesShown(CHANNEL, HER, ((text, 3), ("geo", 1))),
        DraftRejected(CHANNEL, HER, (FieldProblem("prompt", f"'{text}' is too long"),)),
        QuestionAdded(CHANNEL, HER, question),
    ]


# -- the console ------------------------------------------------------------------------------


def console_output(events: list[Event], *, terminal: bool) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=200,
        force_terminal=terminal,
        color_system="truecolor" if terminal else None,
        highlight=False,
    )
    for event in events:
        shown = render_console.render(event)
        if shown is not None:
            console.print(shown)
    return buffer.getvalue()


@settings(max_examples=100, deadline=None)
@given(name=st.one_of(any_text, hostile_text), text=st.one_of(any_text, hostile_text))
def test_the_console_never_writes_a_control_character_a_player_chose(name: str, text: str) -> None:
    events = events_with(name, text)

    piped = console_output(events, terminal=False)
    coloured = _RICH_STYLES.sub("", console_output(events, terminal=True))

    assert terminal_controls(piped) == []
    assert terminal_controls(coloured) == []


@pytest.mark.parametrize(
    ("name", "visible"),
    [
        (NASTY["escape-sequences"], r"\x1b[2J\x1b[31mred\x1b[0m\x1b]0;owned\x07"),
        (NASTY["nul"], r"nul\x00byte"),
        (NASTY["bell-backspace-cr"], r"ring\x07\x08\x08x\rover"),
        (NASTY["right-to-left-override"], r"\u202eevil.exe\u202c\u2066iso\u2069"),
        (NASTY["rich-markup"], NASTY["rich-markup"]),
        (NASTY["sql"], NASTY["sql"]),
        (NASTY["emoji"], NASTY["emoji"]),
        (NASTY["zero-width"], NASTY["zero-width"]),
    ],
    ids=["escapes", "nul", "bell", "bidi", "rich-markup", "sql", "emoji", "zero-width"],
)
def test_the_console_shows_a_hostile_name_spelled_out_in_every_table_and_line(
    name: str, visible: str
) -> None:
    output = console_output(events_with(name, "paris"), terminal=True)

    # Start, correct, close, score table, final table, winner, leaderboard, stats title.
    assert output.count(visible) >= 8, output
    assert "\x1b[2J" not in output
    assert "\x1b]0;" not in output


def test_the_console_stats_and_leaderboard_tables_the_cli_prints_are_safe_too() -> None:
    name = NASTY["escape-sequences"] + NASTY["rich-markup"]
    stats = PlayerStats(HER, name, 1, 1, 0, 1, 1, 1, None)
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, force_terminal=True, highlight=False)

    console.print(render_console.stats_table(stats))
    console.print(
        render_console.leaderboard_table([LeaderboardRow(1, HER, name, 1, 1)], Period.ALL)
    )

    output = _RICH_STYLES.sub("", buffer.getvalue())
    assert terminal_controls(output) == []
    assert output.count(r"\x1b[2J") == 2
    assert output.count("[/]") == 2


# -- Discord ----------------------------------------------------------------------------------

_DISCORD_SPECIAL = set("\\*_~`|>[]")


def discord_literal(text: str) -> str:
    """How ``text`` must look in Discord markdown to show as itself on one line."""
    return "".join(f"\\{c}" if c in _DISCORD_SPECIAL else c for c in " ".join(text.split()))


def discord_texts(event: Event, asked: QuestionAsked) -> Iterator[str]:
    replies = [render_discord.channel_reply(event), render_discord.private(event)]
    if isinstance(event, QuestionAsked):
        replies.append(render_discord.question(event, hints=("h",)))
    if isinstance(event, QuestionRevealed):
        replies.append(render_discord.reveal(event, asked=asked))
    if (line := render_discord.notice_line(event)) is not None:
        replies.append(render_discord.notices([line]))
    for reply in replies:
        if reply is None:
            continue
        for message in (reply, reply.plain()):
            yield message.content
            if message.embed is not None:
                e = message.embed
                yield from (e.title, e.description, e.footer)
                yield from (f"{f.name}\n{f.value}" for f in e.fields)
            yield from (b.label for b in message.buttons)


SHOWS_NAME = (
    GameStarted,
    CloseGuess,
    QuestionRevealed,
    ScoreShown,
    GameEnded,
    LeaderboardShown,
    StatsShown,
)


@settings(max_examples=150, deadline=None)
@given(
    name=st.one_of(st.text(max_size=32), hostile_text.map(lambda t: t[:32])),
    guess=st.one_of(st.text(max_size=60), hostile_text.map(lambda t: t[:60])),
)
def test_discord_shows_names_and_guesses_with_their_markdown_escaped(name: str, guess: str) -> None:
    events = events_with(name, guess)
    asked = next(e for e in events if isinstance(e, QuestionAsked))

    for event in events:
        shown = "\n".join(discord_texts(event, asked))
        if isinstance(event, SHOWS_NAME):
            assert discord_literal(name) in shown, (type(event).__name__, shown)
        if isinstance(event, CloseGuess):
            assert discord_literal(guess) in shown
        if isinstance(event, CategoriesShown):
            assert discord_literal(guess) in shown
        for text in discord_texts(event, asked):
            assert len(text) <= render_discord.MAX_DESCRIPTION


@pytest.mark.parametrize(
    "key", ["bold", "code", "strike", "masked-link", "spoiler", "quote-and-heading"]
)
def test_discord_markdown_in_a_name_never_reaches_a_message_raw(key: str) -> None:
    name = NASTY[key]
    events = events_with(name, "paris")
    asked = next(e for e in events if isinstance(e, QuestionAsked))

    for event in events:
        if isinstance(event, SHOWS_NAME):
            assert name not in "\n".join(discord_texts(event, asked))


# -- Slack ------------------------------------------------------------------------------------

_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")
#: The one markup the Slack renderer writes itself: a question's deadline, which Slack draws in
#: each reader's time zone. No user text goes into it (a number and a time).
SLACK_DEADLINE = re.compile(r"<!date\^\d+\^\{time_secs\}\|\d\d:\d\d:\d\d UTC>")


def slack_mrkdwn(value: Any) -> Iterator[str]:
    """Every string Slack parses as markup: fallback texts and mrkdwn objects (never
    plain_text, which Slack shows as typed)."""
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from slack_mrkdwn(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from slack_mrkdwn(item)


def slack_messages(event: Event, asked: QuestionAsked) -> Iterator[render_slack.SlackMessage]:
    if (message := render_slack.render(event)) is not None:
        yield message
    if isinstance(event, HintGiven):
        yield render_slack.render_card(render_slack.QuestionCard(asked, hints=(event.hint,)))
    if isinstance(event, QuestionRevealed):
        yield render_slack.render_card(render_slack.QuestionCard(asked, reveal=event))


#: Slack's "so close" names nobody; the reveal's names are checked on the card.
SLACK_SHOWS_NAME = (
    GameStarted,
    AnswerAccepted,
    ScoreShown,
    GameEnded,
    LeaderboardShown,
    StatsShown,
)


def slack_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@settings(max_examples=150, deadline=None)
@given(name=st.one_of(any_text, hostile_text), text=st.one_of(any_text, hostile_text))
def test_slack_never_sends_a_live_mention_or_link_from_user_text(name: str, text: str) -> None:
    events = events_with(name, text)
    asked = next(e for e in events if isinstance(e, QuestionAsked))

    for event in events:
        for message in slack_messages(event, asked):
            parsed = [message.text, *slack_mrkdwn(list(message.blocks))]
            for piece in (SLACK_DEADLINE.sub("", p) for p in parsed):
                assert "<" not in piece, piece
                assert ">" not in piece, piece
                assert not _ENTITY.search(piece), piece
            if isinstance(event, SLACK_SHOWS_NAME):
                assert name in slack_unescape(message.text), message.text


@pytest.mark.parametrize(
    "key", ["slack-everyone", "slack-here", "slack-channel", "slack-user", "slack-link", "html"]
)
def test_slack_shows_mentions_and_links_typed_by_players_as_text(key: str) -> None:
    events = events_with(NASTY[key], NASTY[key])
    asked = next(e for e in events if isinstance(e, QuestionAsked))

    shown = [
        piece
        for event in events
        for message in slack_messages(event, asked)
        for piece in (message.text, *slack_mrkdwn(list(message.blocks)))
    ]

    assert not any(NASTY[key] in piece for piece in shown)
    assert sum(render_slack.esc(NASTY[key]) in piece for piece in shown) >= 10
