"""What a question costs in Slack's rate limits, pinned per scenario of issue #16.

Each test plays a whole game through the real slack-bolt app and the fake Slack, on the
manual clock, and counts the fake's calls: posts (``chat.postMessage``: about one a second
per channel), tiered calls (``chat.update`` Tier 3, ``chat.postEphemeral`` Tier 4: a budget
per method for the whole workspace) and response_url posts (no Web API call).  A change
that adds a call to any scenario fails here; ``scripts/bench_slack_budget.py`` prints the
same figures in real time and the concurrent games they allow.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.clock import ManualClock
from tests.platforms.slack.bot_harness import ADA, ALICE, BOB, SlackBot, running_bot
from tests.platforms.slack.fake import FakeSlack
from tests.platforms.slack.scenarios import (
    Scenario,
    Spent,
    budget_settings,
    close_guess,
    labels,
    question_message,
    revealed,
    right_label,
    spent,
    start_game,
    word_of,
)

ROUNDS, SECONDS, PAUSE = 3, 15.0, 4.0
CHANNEL = "C0TRIVIA"


async def play(bot: SlackBot, clock: ManualClock, scenario: Scenario) -> Spent:
    slack = bot.slack
    since, responses = len(slack.calls), len(slack.responses)
    await start_game(bot, CHANNEL, scenario=scenario, rounds=ROUNDS, seconds=SECONDS)
    for number in range(1, ROUNDS + 1):
        question = await question_message(bot, CHANNEL, number, ROUNDS)
        match scenario:
            case Scenario.ANSWERED_FAST:
                word = word_of(question)
                await bot.send(slack.message_event("banana", user=BOB))
                notices = len(slack.ephemerals(ADA))
                await bot.send(slack.message_event(close_guess(word), user=ADA))
                # Its notice is out before the answer closes the question (Ada's first message
                # waits for her users.info).
                await slack.wait_until(lambda n=notices: len(slack.ephemerals(ADA)) > n or None)
                await bot.send(slack.message_event(word, user=ALICE))
            case Scenario.AFTER_HINT:
                await clock.advance(SECONDS / 3)
                await slack.wait_for_call(
                    "chat.postMessage", lambda c, n=number: f"Hint 1 for question {n}:" in c["text"]
                )
                await bot.send(slack.message_event(word_of(question), user=ALICE))
            case Scenario.UNANSWERED:
                await clock.advance(SECONDS)
            case Scenario.CHOICE:
                right = right_label(question)
                wrong = [label for label in labels(question) if label != right]
                for label, user in ((right, ALICE), (wrong[0], BOB), (wrong[1], ADA)):
                    await bot.send(slack.block_action(message=question, label=label, user=user))
                await slack.wait_until(lambda: len(slack.responses) - responses >= 3 or None)
                await clock.advance(SECONDS)
        await slack.wait_until(lambda q=question: revealed(q) or None, what="the reveal")
        await clock.advance(PAUSE)
    await slack.wait_until(
        lambda: any("Game over" in m.all_text() for m in slack.messages()) or None
    )
    await bot.adapter.outbox.flush()
    return spent(slack, since, responses, ROUNDS)


@pytest.mark.parametrize(
    ("scenario", "calls"),
    [
        # The question's post, its reveal (an edit naming the scorer), the near miss alone.
        (
            Scenario.ANSWERED_FAST,
            {"chat.postMessage": 1, "chat.update": 1, "chat.postEphemeral": 1},
        ),
        # The question, the first hint (a post), the reveal.
        (Scenario.AFTER_HINT, {"chat.postMessage": 2, "chat.update": 1}),
        # The question, both hints, the reveal: no countdown edits.
        (Scenario.UNANSWERED, {"chat.postMessage": 3, "chat.update": 1}),
        # The question, the reveal; each pick confirmed through its click's response_url.
        (Scenario.CHOICE, {"chat.postMessage": 1, "chat.update": 1}),
    ],
    ids=lambda v: v.name if isinstance(v, Scenario) else "",
)
async def test_each_question_spends_at_most_two_tiered_calls(
    tmp_path: Path, scenario: Scenario, calls: dict[str, int]
) -> None:
    clock = ManualClock()
    async with (
        FakeSlack() as slack,
        running_bot(
            tmp_path,
            clock=clock,
            slack=slack,
            settings=budget_settings(tmp_path, rounds=ROUNDS, seconds=SECONDS),
        ) as bot,
    ):
        cost = await play(bot, clock, scenario)

    assert cost.by_method == Counter({m: n * ROUNDS for m, n in calls.items()})
    assert cost.tiered_per_question <= 2
    assert cost.responses == (3 * ROUNDS if scenario is Scenario.CHOICE else 0)
    assert cost.game_calls == 2  # "Trivia!" and "Game over"


async def test_the_score_asked_again_and_again_is_answered_privately_and_never_posted(
    tmp_path: Path,
) -> None:
    clock = ManualClock()
    async with (
        FakeSlack() as slack,
        running_bot(
            tmp_path,
            clock=clock,
            slack=slack,
            settings=budget_settings(tmp_path, rounds=ROUNDS, seconds=SECONDS),
        ) as bot,
    ):
        await start_game(bot, CHANNEL, scenario=Scenario.UNANSWERED, rounds=ROUNDS, seconds=SECONDS)
        await question_message(bot, CHANNEL, 1, ROUNDS)
        for _ in range(3):
            for user in (ALICE, BOB):
                await bot.send(slack.slash_command("/trivia", "score", user=user))
        await slack.wait_until(
            lambda: (
                sum("Scores after question 1" in p.body["text"] for p in slack.responses) == 6
                or None
            ),
            what="six private standings",
        )
        await clock.advance(SECONDS + PAUSE)
        await question_message(bot, CHANNEL, 2, ROUNDS)

    posts = [c["text"] for c in slack.calls_to("chat.postMessage")]
    assert not any("Scores after" in text for text in posts)
    assert not slack.calls_to("chat.postEphemeral")
    assert {e.user for e in slack.ephemerals() if "Scores after" in e.text} == {ALICE, BOB}
