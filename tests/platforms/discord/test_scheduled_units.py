"""Scheduled play's pure Discord parts: custom ids, options -> commands, time zones
offered, and what a message says in the corners the platform tests do not reach."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.common.words import SCORES_DELAYED, took
from bot.adapters.discord import ids, inbound, inbound_scheduled, render, render_scheduled
from bot.adapters.discord.message import MAX_FIELD_VALUE, Field, Reply
from bot.adapters.discord.outbox import DiscordOutbound
from bot.domain.commands import AddSchedule
from bot.domain.daily import DailyRound, DailyWinner
from bot.domain.events import (
    CloseGuess,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    QuizReminder,
    ScoresDelayed,
    StatsShown,
)
from bot.domain.model import ChannelKey, Question, QuestionType
from bot.domain.records import PlayerStats

CHANNEL = inbound.channel_key(10, 20)
ADA = inbound.make_actor(10, 30, "Ada", manage_guild=True)
OPENED = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def daily(question: Question, *, choices: tuple[str, ...] = ()) -> DailyRound:
    return DailyRound(
        id=41,
        schedule_id=2,
        channel=CHANNEL,
        question=question,
        choices=choices,
        opened_at=OPENED,
        closes_at=OPENED + timedelta(hours=9),
    )


def test_each_daily_custom_id_reads_back_as_its_round_and_no_other_kind() -> None:
    answer, form = ids.daily_answer_custom_id(41), ids.daily_form_id(41)
    pick = ids.daily_pick_custom_id(41, 2)

    assert (ids.parse_daily_answer(answer), ids.parse_daily_form(form)) == (41, 41)
    assert ids.parse_daily_pick(pick) == (41, 2)
    assert ids.parse_daily_answer(form) is None
    assert ids.parse_daily_answer(pick) is None
    assert ids.parse_daily_form(answer) is None
    assert ids.parse_daily_pick(answer) is None
    assert ids.parse_pick(pick) is None  # never taken for a game's option
    assert ids.parse_daily_answer("trivia:daily:x") is None


def test_schedule_add_options_become_the_command_line_s_settings() -> None:
    command = inbound_scheduled.schedule_add_command(
        CHANNEL,
        ADA,
        kind="daily",
        time=" 09:00 ",
        timezone="Europe/Berlin",
        days=None,
        closes="17:00",
        category="  ",
        difficulty="hard",
        seconds=12.5,
        remind=0,
    )

    assert command == AddSchedule(
        CHANNEL,
        ADA,
        kind="daily",
        at="09:00",
        zone="Europe/Berlin",
        days="daily",
        closes="17:00",
        category=None,
        difficulty="hard",
        options=("seconds=12.5",),
        remind="0",
        target=None,
    )


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("", "UTC"),
        ("berl", "Europe/Berlin"),
        ("new y", "America/New_York"),
        ("america/los", "America/Los_Angeles"),
    ],
)
def test_time_zones_offered_start_with_the_best_match(typed: str, first: str) -> None:
    offered = inbound_scheduled.zone_choices(typed)

    assert offered[0] == first
    assert len(offered) <= 25


def test_no_time_zone_is_offered_for_nonsense() -> None:
    assert inbound_scheduled.zone_choices("Atlantis/Nowhere") == []


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(4.25, "4.2 s"), (42.9, "42 s"), (303, "5 min 3 s"), (7500, "2 h 5 min")],
)
def test_how_long_a_winner_took_reads_in_the_largest_units(seconds: float, shown: str) -> None:
    assert took(seconds) == shown


def test_a_note_on_a_late_question_is_shown_under_it() -> None:
    question = Question(id="q", prompt="Two\nlines?", answers=("a",))
    posted = DailyQuestionPosted(CHANNEL, daily(question), note="posted late after a restart")

    reply = render_scheduled.daily_question(posted)

    assert reply.embed is not None
    assert reply.embed.description.startswith("**Two lines?**")
    assert "-# posted late after a restart" in reply.embed.description


def test_a_reveal_with_many_winners_fits_discord_and_says_how_many_more() -> None:
    question = Question(
        id="pick",
        prompt="Pick B",
        answers=("b",),
        type=QuestionType.CHOICE,
        choices=("a", "b"),
    )
    winners = tuple(
        DailyWinner(inbound.player_key(10, n), f"player-{n:03d}-" + "x" * 40, n * 1.0, 2)
        for n in range(60)
    )
    revealed = DailyQuestionRevealed(CHANNEL, daily(question, choices=("A", "B")), winners, 80)

    reply = render_scheduled.daily_reveal(revealed)

    assert reply.embed is not None
    [right] = [f for f in reply.embed.fields if f.name == "Right, fastest first"]
    assert len(right.value) <= MAX_FIELD_VALUE
    assert right.value.startswith("1. **player-000-")
    assert "more." in right.value.splitlines()[-1]
    # The right option is found whatever its case in the bank.
    assert [b.style.value for b in reply.buttons[:2]] == ["secondary", "success"]


def test_stats_show_the_daily_streak_once_the_player_has_had_one() -> None:
    player = inbound.player_key(10, 30)
    stats = PlayerStats(player, "Ada", 120, 4, 1, 9, 12, 3, 4200.0)
    never = render.private(StatsShown(CHANNEL, player, stats))
    streaking = render.private(
        StatsShown(CHANNEL, player, replace(stats, daily_streak=2, best_daily_streak=5))
    )

    assert never is not None
    assert never.embed is not None
    assert streaking is not None
    assert streaking.embed is not None
    assert "Daily question streak" not in [f.name for f in never.embed.fields]
    assert streaking.embed.fields[-1] == Field("Daily question streak", "🔥 2 now, best 5", True)


class Recording:
    """A ``MessageSender`` that keeps what it was asked to post."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def post(self, channel: ChannelKey, reply: Reply) -> int | None:
        self.sent.append(("post", reply.plain().content.splitlines()[0]))
        return len(self.sent)

    async def edit(self, channel: ChannelKey, message_id: int, reply: Reply) -> bool:
        self.sent.append((f"edit {message_id}", reply.plain().content.splitlines()[0]))
        return True


async def test_a_bot_stopping_in_a_hurry_still_sends_scheduled_plays_claimed_messages() -> None:
    sender = Recording()
    outbound = DiscordOutbound(sender)
    question = Question(id="q", prompt="Which?", answers=("a",))
    posted = DailyQuestionPosted(CHANNEL, daily(question))
    revealed = DailyQuestionRevealed(CHANNEL, daily(question), (), 0)
    with outbound.hold(CHANNEL):
        for event in (posted, revealed, QuizReminder(CHANNEL, 1, OPENED, 5)):
            await outbound.publish(event)
        await outbound.publish(ScoresDelayed(CHANNEL, "g"))  # a game's last word
        bob = inbound.player_key(10, 31)
        await outbound.publish(CloseGuess(CHANNEL, "g", 1, bob, "Bob", "x"))  # not worth it now
        closing = asyncio.create_task(outbound.close(within=5.0))
        await asyncio.sleep(0)  # close has begun: only last words from here on
    await closing

    assert sender.sent == [
        ("post", "**Question of the day**"),
        ("edit 1", "**Question of the day**"),  # its reveal
        ("post", "**⏰ Trivia quiz soon**"),
        ("post", SCORES_DELAYED.splitlines()[0]),
    ]
