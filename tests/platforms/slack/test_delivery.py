"""What Slack's wire demands: signatures, acks within 3 s, redeliveries, rate limits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

import bot.app.compose
from bot.domain.commands import Command, SubmitAnswer
from tests.fakes import RoutedService
from tests.platforms.slack.bot_harness import ADA, ALICE, BOB, SlackBot, answer_to, running_bot
from tests.platforms.slack.fake import instant_rate_limit_retries


def count_answers(bot: SlackBot) -> list[SubmitAnswer]:
    """Route the adapter's commands through a spy that keeps every answer."""
    answers: list[SubmitAnswer] = []
    handle = bot.app.service.handle

    async def spy(command: Command) -> None:
        if isinstance(command, SubmitAnswer):
            answers.append(command)
        await handle(command)

    bot.adapter.bind(RoutedService(bot.app.service, spy))
    return answers


async def test_an_event_slack_delivers_again_over_http_is_handled_once(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        answers = count_answers(bot)
        await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        first = await bot.question(1)
        guess = slack.message_event(answer_to(first), user=BOB)
        await bot.send(guess)
        again = await bot.send(guess, retry_num=1, retry_reason="http_timeout")
        await bot.question(2)
        # A later message proves the redelivery was seen and passed over, not still queued.
        await bot.send(slack.message_event("red", user=ALICE))
        await slack.wait_until(lambda: len(answers) == 2 or None, timeout=1)

    assert again.status == 200
    assert [(a.actor.key.user, a.text) for a in answers] == [(BOB, "blue"), (ALICE, "red")]
    # Bob's point is told once, by the reveal.
    assert sum("*bob* got it with" in line for line in slack.transcript()) == 1


async def test_an_event_slack_delivers_again_over_socket_mode_is_handled_once(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, transport="socket") as bot:
        slack = bot.slack
        answers = count_answers(bot)
        await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        first = await bot.question(1)
        guess = slack.message_event(answer_to(first), user=BOB)
        await bot.send(guess)  # a first delivery carries retry_attempt 0
        await bot.send(guess, retry_attempt=1, retry_reason="timeout")
        await bot.question(2)
        await bot.send(slack.message_event("red", user=ALICE))
        await slack.wait_until(lambda: len(answers) == 2 or None, timeout=1)

    assert [a.text for a in answers] == ["blue", "red"]


async def test_a_retry_of_an_event_never_seen_before_is_still_handled(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        answers = count_answers(bot)
        await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        first = await bot.question(1)
        # The first delivery never reached us (say, during a restart): the retry counts.
        await bot.send(slack.message_event(answer_to(first), user=BOB), retry_num=2)
        await bot.question(2)

    assert [a.text for a in answers] == ["blue"]


@pytest.mark.parametrize(
    ("signature", "age"),
    [("bad", 0), ("missing", 0), ("valid", 301)],
    ids=["wrong-secret", "unsigned", "older-than-5-minutes"],
)
async def test_a_request_not_signed_by_slack_is_refused_before_anything_runs(
    tmp_path: Path, signature: Any, age: int
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        stamp = int(time.time()) - age
        refused = await bot.send(
            slack.slash_command("/trivia", "start colours", user=ALICE),
            signature=signature,
            timestamp=stamp,
        )
        event = await bot.send(
            slack.message_event("blue", user=BOB), signature=signature, timestamp=stamp
        )

    assert (refused.status, event.status) == (401, 401)
    assert slack.calls == []
    assert bot.app.service.active_games == 0


async def test_a_rate_limited_post_is_retried_after_retry_after_not_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits = instant_rate_limit_retries(monkeypatch)
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        slack.rate_limit_next("chat.postMessage", retry_after=3, times=2)
        await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        await bot.question(1)

    assert waits == [3.0, 3.0]
    assert [c.status for c in slack.rate_limited_calls] == [429, 429]
    assert slack.transcript()[0].startswith("triviabot: 🎲 *Trivia!*")
    assert slack.transcript()[1].startswith("triviabot: *Question 1/2*")


class SlowWrites:
    """The real store, with every write taking ``delay`` seconds first."""

    WRITES = frozenset(
        {
            "record_answers",
            "record_game",
            "mark_asked",
            "forget_asked",
            "save_custom_question",
            "delete_custom_question",
            "save_server_settings",
        }
    )

    def __init__(self, store: Any, delay: float) -> None:
        self._store = store
        self._delay = delay

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if name not in self.WRITES:
            return attr

        async def slow(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(self._delay)
            return await attr(*args, **kwargs)

        return slow


@pytest.mark.slow
async def test_everything_is_acked_within_3_s_while_the_database_takes_2_s_a_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open: Callable[..., Awaitable[Any]] = bot.app.compose.open_store

    async def open_slow(*args: Any, **kwargs: Any) -> Any:
        return SlowWrites(await real_open(*args, **kwargs), delay=2.0)

    monkeypatch.setattr(bot.app.compose, "open_store", open_slow)
    async with running_bot(tmp_path) as harness:
        slack = harness.slack
        acks = [await harness.send(slack.slash_command("/trivia", "start space", user=ALICE))]
        first = await harness.question(1)
        # Bob's right answer holds the channel for a 2 s write; everyone else keeps being acked.
        acks.append(await harness.send(slack.message_event(answer_to(first), user=BOB)))
        acks.append(await harness.send(slack.slash_command("/trivia", "hint", user=ALICE)))
        acks.append(await harness.send(slack.block_action(message=first, label="A. Venus")))
        await harness.send(slack.slash_command("/trivia", "add", user=ADA))
        opened = await slack.wait_for_call("views.open")
        form = slack.views[opened.response["view"]["id"]]
        await slack.wait_until(lambda: form.history or None, what="the form, not its notice")
        values = {"prompt": {"value": "Slow one: what is 2 + 2?"}, "answers": {"value": "4"}}
        submitted = await harness.send(slack.view_submission(form, values))
        added = await slack.wait_for_call(
            "chat.postEphemeral", lambda c: "Added" in c["text"], timeout=6
        )
        await slack.wait_for_call("chat.update", lambda c: "*bob* got it with" in c["text"])

    assert all(a.status == 200 for a in acks)
    # Not stuck behind the 2 s write (loopback acks take milliseconds; CI may be slow).
    assert max(a.elapsed for a in acks) < 1.0, [a.elapsed for a in acks]
    # The form waited for the service as long as it could, then said it is still saving.
    assert 1.9 < submitted.elapsed < 3.0
    assert submitted.payload["response_action"] == "update"
    assert "Still saving" in str(submitted.payload["view"])
    assert added["user"] == ADA
