"""Issue #16's scenarios, played through the real bot against the fake Slack, and the Web API
calls each question cost (tests pin them; ``scripts/bench_slack_budget.py`` prints them).

A scenario is one game in one channel, started with ``/trivia start``.  Calls are counted
from the start to the final standings; the game's own announcements (the start, "Game
over") are counted apart, so that what is left is what the questions cost.  Calls are
split the way Slack limits them (``fake.limits``): ``chat.postMessage`` (its own tier: about
one post a second per channel), the tiered methods (``chat.update`` Tier 3,
``chat.postEphemeral`` Tier 4, ...: a budget per method per workspace), and response_url
posts (no Web API call, no tier).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings
from tests.platforms.budget_scenarios import (
    PLANETS,
    WORDS,
    Scenario,
    write_budget_bank,
)
from tests.platforms.slack.bot_harness import ADA, ALICE, BOB, SlackBot, running_bot
from tests.platforms.slack.fake import ApiCall, FakeSlack, Message
from tests.platforms.slack.fake.limits import POST, is_tiered


@dataclass(frozen=True, slots=True)
class Spent:
    """What the questions of one game cost, and its announcements apart."""

    questions: int
    posts: int
    tiered: int
    responses: int
    by_method: Counter[str]
    game_calls: int

    @property
    def posts_per_question(self) -> float:
        return self.posts / self.questions

    @property
    def tiered_per_question(self) -> float:
        return self.tiered / self.questions

    @property
    def responses_per_question(self) -> float:
        return self.responses / self.questions

    def per_question(self, method: str) -> float:
        return self.by_method[method] / self.questions


class FastClock:
    """Real time, ``speed`` times faster for the game: a 15 s question lasts 15/speed s."""

    def __init__(self, speed: float) -> None:
        self._speed = speed
        self._origin = time.monotonic()
        self._wall = datetime.now(UTC)

    def monotonic(self) -> float:
        return self._origin + (time.monotonic() - self._origin) * self._speed

    def now(self) -> datetime:
        return self._wall + timedelta(seconds=self.monotonic() - self._origin)

    async def sleep_until(self, deadline: float) -> None:
        # Until the deadline has passed, as the port says: a loop may wake a sleeper early
        # (uvloop by up to a millisecond), which this clock makes ``speed`` times longer.
        while (delay := deadline - self.monotonic()) > 0:  # noqa: ASYNC110 (not polling)
            await asyncio.sleep(delay / self._speed)


def _announcement(call: ApiCall) -> bool:
    text = str(call.args.get("text", ""))
    return "Game over" in text or ("Trivia!" in text and "Question " not in text)


def spent(slack: FakeSlack, since: int, responses_since: int, questions: int) -> Spent:
    # Set-up calls a process makes once (bolt's auth.test, users.info per new player) aside.
    calls = [c for c in slack.calls[since:] if c.method not in ("users.info", "auth.test")]
    game = [c for c in calls if _announcement(c)]
    asked = [c for c in calls if not _announcement(c)]
    return Spent(
        questions=questions,
        posts=sum(c.method == POST for c in asked),
        tiered=sum(is_tiered(c.method) for c in asked),
        responses=len(slack.responses[responses_since:]),
        by_method=Counter(c.method for c in asked),
        game_calls=len(game),
    )


def close_guess(word: str) -> str:
    """Two letters off a word of 6 or 7 letters: close, not right."""
    return word[0] + "zz" + word[3:]


def word_of(question: Message) -> str:
    return next(w for w in WORDS if f"Type the word {w}" in question.all_text())


def right_label(question: Message) -> str:
    planet = next(p for p in PLANETS if f"Pick {p} (" in question.all_text())
    return next(label for label in labels(question) if label.endswith(f". {planet}"))


def labels(question: Message) -> list[str]:
    return [
        str(element["text"]["text"])
        for block in question.blocks
        if block.get("type") == "actions"
        for element in block.get("elements", ())
        if str(element.get("action_id", "")).startswith("trivia_pick_")
    ]


def revealed(question: Message) -> bool:
    return "The answer:" in question.all_text()


def budget_settings(directory: Path, *, rounds: int, seconds: float) -> Callable[..., Settings]:
    bank = write_budget_bank(directory)

    def change(settings: Settings) -> Settings:
        return replace(
            settings,
            questions=(bank,),
            rounds=rounds,
            seconds=seconds,
            pause=4.0,
            auto_hints=True,
            idle_questions=rounds + 1,  # an unanswered game plays to its end
        )

    return change


@asynccontextmanager
async def budget_bot(
    slack: FakeSlack,
    directory: Path,
    *,
    speed: float = 1.0,
    rounds: int = 10,
    seconds: float = 15.0,
    clock: Any = None,
    **adapter: Any,
) -> AsyncIterator[SlackBot]:
    """The real bot with the adapter's defaults (pacing scaled to ``speed``)."""
    options: dict[str, Any] = {"post_interval": 1.0 / speed}
    options.update(adapter)
    async with running_bot(
        directory,
        clock=clock if clock is not None else (FastClock(speed) if speed != 1.0 else None),
        settings=budget_settings(directory, rounds=rounds, seconds=seconds),
        slack=slack,
        **options,
    ) as bot:
        yield bot


async def start_game(
    bot: SlackBot, channel: str, *, scenario: Scenario, rounds: int, seconds: float
) -> None:
    choice = scenario is Scenario.CHOICE
    words = f"{'planets' if choice else 'words'} {rounds} {'choice' if choice else 'text'}"
    line = f"start {words} {seconds:g}"
    acked = await bot.send(bot.slack.slash_command("/trivia", line, user=ALICE, channel=channel))
    assert acked.status == 200, acked


async def question_message(bot: SlackBot, channel: str, number: int, total: int) -> Message:
    """Question ``number`` of ``channel`` once it is posted."""
    slack = bot.slack

    def probe() -> Message | None:
        return next(
            (
                m
                for m in slack.messages(channel)
                if m.user == slack.bot_user_id and f"Question {number}/{total}" in m.all_text()
            ),
            None,
        )

    return await slack.wait_until(probe, timeout=120, what=f"question {number} in {channel}")


async def play_question(
    bot: SlackBot,
    channel: str,
    question: Message,
    scenario: Scenario,
    *,
    hint_shown: Callable[[], bool],
) -> None:
    """What the players do with one question, until it is revealed."""
    slack = bot.slack
    match scenario:
        case Scenario.ANSWERED_FAST:
            word = word_of(question)
            await bot.send(slack.message_event("banana", user=BOB, channel=channel))
            notices = len(slack.ephemerals(ADA))
            await bot.send(slack.message_event(close_guess(word), user=ADA, channel=channel))
            # Its notice is out before the answer closes the question (Ada's first message
            # waits for her users.info).
            await slack.wait_until(lambda: len(slack.ephemerals(ADA)) > notices or None)
            await bot.send(slack.message_event(word, user=ALICE, channel=channel))
        case Scenario.AFTER_HINT:
            await slack.wait_until(lambda: hint_shown() or None, timeout=120, what="hint 1")
            await bot.send(slack.message_event(word_of(question), user=ALICE, channel=channel))
        case Scenario.UNANSWERED:
            pass
        case Scenario.CHOICE:
            right = right_label(question)
            wrong = [label for label in labels(question) if label != right]
            for label, user in ((right, ALICE), (wrong[0], BOB), (wrong[1], ADA)):
                await bot.send(
                    slack.block_action(message=question, label=label, user=user, channel=channel)
                )
    await slack.wait_until(lambda: revealed(question) or None, timeout=120, what="the reveal")


def hint_seen(slack: FakeSlack, channel: str, since: int, number: int) -> Callable[[], bool]:
    """Whether hint 1 of question ``number`` has reached ``channel`` (a post or an edit)."""

    def seen() -> bool:
        for call in slack.calls[since:]:
            text = str(call.args.get("text", ""))
            # A hint post names its question; a card edited with it is that question.
            named = f"question {number}:" in text or f"Question {number}/" in text
            if call.args.get("channel") == channel and "Hint 1" in text and named:
                return True
        return False

    return seen


async def play_scenario(
    bot: SlackBot,
    scenario: Scenario,
    *,
    rounds: int = 3,
    seconds: float = 15.0,
    channel: str = "C0TRIVIA",
) -> Spent:
    """One whole game of ``scenario`` in ``channel``; what its questions cost."""
    slack = bot.slack
    since, responses = len(slack.calls), len(slack.responses)
    await start_game(bot, channel, scenario=scenario, rounds=rounds, seconds=seconds)
    for number in range(1, rounds + 1):
        mark = len(slack.calls)
        question = await question_message(bot, channel, number, rounds)
        await play_question(
            bot,
            channel,
            question,
            scenario,
            hint_shown=hint_seen(slack, channel, mark, number),
        )
    await slack.wait_until(
        lambda: any("Game over" in m.all_text() for m in slack.messages(channel)) or None,
        timeout=120,
        what="the end of the game",
    )
    await bot.adapter.outbox.flush()
    return spent(slack, since, responses, rounds)
