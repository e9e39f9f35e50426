"""What a question costs on Discord (issue #16), counted by the fake with Discord's limits on.

A game started by ``/trivia start`` speaks through that interaction's webhook: 0 calls
billed against the token's 50/s.  A game no interaction started (scheduled, resumed, or
past the token's 15 minutes) spends at most 2 billed calls a question: the question and
its reveal; automatic hints and close guesses ride along on the reveal.  A change that
adds a call fails here.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.app.discord_main import RunningBot
from tests.platforms.budget_scenarios import write_budget_bank
from tests.platforms.discord.bot_harness import is_question, is_revealed, trivia_bot
from tests.platforms.discord.fake import FakeDiscord, FakeMessage, FakeUser
from tests.platforms.discord.fake.limits import RateLimits
from tests.platforms.discord.scenarios import (
    Players,
    Scenario,
    play_scenario,
    start_game,
)

SPEED = 15.0  # 15 s questions last 1 s

#: Webhook calls per question of a game started by /trivia start (none billed): the
#: question, its hint edits, notices, the reveal.  At most, for a fast answer: a close
#: notice that queues up with the reveal is left out (old news).
WEBHOOK_CALLS = {
    Scenario.ANSWERED_FAST: 3,  # question, "so close", reveal
    Scenario.AFTER_HINT: 3,  # question, hint, reveal
    Scenario.UNANSWERED: 4,  # question, two hints, reveal
    Scenario.CHOICE: 2,  # question, reveal (clicks answered by their interactions)
}


@pytest.mark.parametrize("scenario", list(Scenario), ids=lambda s: s.name.lower())
async def test_a_game_started_by_slash_command_spends_no_billed_call(
    tmp_path: Path, scenario: Scenario
) -> None:
    async with (
        FakeDiscord(rate_limits=RateLimits(time_scale=SPEED)) as fake,
        trivia_bot(fake, tmp_path, speed=SPEED, questions=(write_budget_bank(tmp_path),)) as bot,
    ):
        cost = await play_scenario(fake, bot, scenario, by_interaction=True, rounds=2, speed=SPEED)

    assert (cost.billed, cost.billed_game) == (0, 0)
    assert cost.webhook_game == 1  # "Game over"
    if scenario is Scenario.ANSWERED_FAST:
        assert cost.webhook <= WEBHOOK_CALLS[scenario] * cost.questions
    else:
        assert cost.webhook == WEBHOOK_CALLS[scenario] * cost.questions
    assert fake.rate_limited == 0


async def two_unanswered_questions(
    fake: FakeDiscord, bot: RunningBot, starter: FakeUser, *, seconds: float
) -> tuple[FakeMessage, FakeMessage]:
    """A game of two questions nobody answers, started by ``/trivia start`` in the fake's
    channel, played to its "Game over": its two question messages."""
    channel = fake.channel.id
    await start_game(
        fake,
        bot,
        channel,
        starter,
        scenario=Scenario.UNANSWERED,
        rounds=2,
        seconds=seconds,
        by_interaction=True,
    )
    first = await fake.wait_for_message(channel, is_question(1, 2))
    await fake.wait_for_message(channel, is_revealed(first), timeout=10)
    second = await fake.wait_for_message(channel, is_question(2, 2), after=first)
    await fake.wait_for_message(channel, is_revealed(second), timeout=10)
    await fake.wait_for_message(channel, lambda m: "Game over!" in m.text, timeout=10)
    return first, second


@pytest.mark.parametrize("scenario", list(Scenario), ids=lambda s: s.name.lower())
async def test_a_game_without_an_interaction_spends_two_billed_calls_a_question(
    tmp_path: Path, scenario: Scenario
) -> None:
    async with (
        FakeDiscord(rate_limits=RateLimits(time_scale=SPEED)) as fake,
        trivia_bot(fake, tmp_path, speed=SPEED, questions=(write_budget_bank(tmp_path),)) as bot,
    ):
        cost = await play_scenario(fake, bot, scenario, by_interaction=False, rounds=2, speed=SPEED)
        revealed = [
            m.text for m in fake.channel_messages(fake.channel.id) if "The answer:" in m.text
        ]

    assert cost.billed == 2 * cost.questions  # each question: its post and its reveal
    assert cost.billed_game == 2  # "Trivia!" and "Game over"
    assert cost.webhook + cost.webhook_game == 0
    assert fake.rate_limited == 0
    if scenario is Scenario.ANSWERED_FAST:
        # The close guess was not posted on its own: it is told with the reveal.
        assert all("So close, Carol" in text for text in revealed), revealed


async def test_past_its_token_s_life_a_game_goes_on_with_the_bot_s_own_calls(
    tmp_path: Path,
) -> None:
    """A 15-minute token, shrunk: questions of 5 s, a token of 8 s; each question goes
    through the webhook only if its reveal fits with a second to spare."""
    async with FakeDiscord(rate_limits=True, interaction_token_life=8.0) as fake:
        who = Players.join(fake, fake.guild.id)
        async with trivia_bot(fake, tmp_path, questions=(write_budget_bank(tmp_path),)) as bot:
            outbound = bot.adapter.outbound
            outbound.token_life, outbound.margin, outbound.edit_margin = 8.0, 1.0, 0.5
            channel = fake.channel.id
            first, second = await two_unanswered_questions(fake, bot, who.alice, seconds=5.0)

    posted_by_webhook = {
        m.id for m in fake.channel_messages(channel, from_bot=True) if m.raw.get("webhook_id")
    }
    assert first.id in posted_by_webhook
    assert second.id not in posted_by_webhook
    assert [r.status for r in fake.webhook_requests() if r.status >= 400] == []
    assert fake.rate_limited == 0


async def test_a_token_that_dies_early_hands_the_game_to_the_bot_s_own_calls(
    tmp_path: Path,
) -> None:
    """Discord refuses the webhook sooner than the bot expected: the game goes on."""
    async with FakeDiscord(rate_limits=True, interaction_token_life=0.5) as fake:
        who = Players.join(fake, fake.guild.id)
        async with trivia_bot(
            fake, tmp_path, speed=SPEED, questions=(write_budget_bank(tmp_path),)
        ) as bot:
            await two_unanswered_questions(fake, bot, who.alice, seconds=15.0)

    assert [r.status for r in fake.webhook_requests() if r.status >= 400] == [401]
    assert fake.rate_limited == 0


async def test_repeated_score_requests_are_answered_without_holding_the_game(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    who = Players.join(fake, fake.guild.id)
    async with trivia_bot(
        fake, tmp_path, speed=SPEED, questions=(write_budget_bank(tmp_path),)
    ) as bot:
        channel = fake.channel.id
        await start_game(
            fake,
            bot,
            channel,
            who.alice,
            scenario=Scenario.UNANSWERED,
            rounds=1,
            seconds=15.0,
            by_interaction=True,
        )
        question = await fake.wait_for_message(channel, is_question(1, 1))
        asked = [
            await fake.slash_command(fake.guild.id, channel, user, subcommand="score")
            for user in (who.bob, who.carol, who.bob, who.carol)
        ]
        answers = [await interaction.response_message() for interaction in asked]
        await fake.wait_for_message(channel, is_revealed(question))

    # The first in public, the repeats for their askers alone; none as a channel call.
    assert [a.ephemeral for a in answers] == [False, True, True, True]
    assert all("Scores after question" in a.text for a in answers)
    assert [r for r in fake.billed_requests() if "/messages" in r.path] == []


async def test_without_an_interaction_a_hints_button_shows_the_hints_given_so_far(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """Billed, automatic hints are not edited in; a click's own response shows them."""
    speed = 3.0  # 15 s questions last 5 s: the first hint comes after 1.7 s
    who = Players.join(fake, fake.guild.id)
    async with trivia_bot(
        fake, tmp_path, speed=speed, questions=(write_budget_bank(tmp_path),)
    ) as bot:
        channel = fake.channel.id
        await start_game(
            fake,
            bot,
            channel,
            who.alice,
            scenario=Scenario.UNANSWERED,
            rounds=1,
            seconds=15.0,
            by_interaction=False,
        )
        question = await fake.wait_for_message(channel, is_question(1, 1))
        button = question.button_labeled("💡 Hints")
        early = await fake.click_button(question, button["custom_id"], who.bob)
        told = await early.response_message()
        await asyncio.sleep(15.0 / 3 / speed + 0.3)
        since = len(fake.requests)
        later = await fake.click_button(question, button["custom_id"], who.carol)
        updated = await later.response()
        shown = fake.message(question).text
        await fake.wait_for_message(channel, is_revealed(question))

    assert told.ephemeral
    assert told.content.startswith("No hint yet")
    assert updated["type"] == 7  # the clicked message, updated by the click's response
    assert "Hint" in shown
    assert "(6 letters)" in shown or "(7 letters)" in shown
    # Since the hint: the click's response (exempt), the reveal's edit and "Game over".
    billed = [r for r in fake.billed_requests(since=since) if "/messages" in r.path]
    assert [r.method for r in billed] == ["PATCH", "POST"]
    assert "Game over" in json.dumps(billed[1].json)
