"""Issue #16's scenarios, played through the real bot against a FakeDiscord, and the REST
calls each question cost (tests pin them; ``scripts/bench_discord_budget.py`` prints them).

A scenario is one game in one channel, started either by ``/trivia start`` (the game may
post through that interaction's webhook) or by the service directly, as a scheduled or
resumed game is (no interaction: the bot's own channel calls).  Calls are counted from the
start to the final standings; the game's own announcements (the start, "Game over") are
counted apart, so that what is left is what the questions cost.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass

from bot.adapters.discord import inbound
from bot.app.discord_main import RunningBot
from bot.domain.commands import StartGame
from bot.domain.model import GameMode
from tests.platforms.budget_scenarios import (
    PLANETS,
    WORDS,
    Scenario,
)
from tests.platforms.discord.bot_harness import is_question, is_revealed
from tests.platforms.discord.fake import FakeDiscord, FakeMessage, FakeUser
from tests.platforms.discord.fake.rest import RecordedRequest


@dataclass(frozen=True, slots=True)
class Spent:
    """What one game cost: REST calls billed against the token's global limit, and calls
    through interaction webhooks (exempt), per question and for the game's announcements."""

    questions: int
    billed: int
    webhook: int
    billed_game: int
    webhook_game: int

    @property
    def billed_per_question(self) -> float:
        return self.billed / self.questions

    @property
    def webhook_per_question(self) -> float:
        return self.webhook / self.questions


@dataclass(frozen=True, slots=True)
class Players:
    alice: FakeUser
    bob: FakeUser
    carol: FakeUser

    @classmethod
    def join(cls, fake: FakeDiscord, guild_id: int) -> Players:
        return cls(*(fake.add_member(guild_id, name) for name in ("alice", "bob", "carol")))


def _text(request: RecordedRequest) -> str:
    return json.dumps(request.json) if request.json is not None else ""


def _announcement(request: RecordedRequest) -> bool:
    text = _text(request)
    return "Game over" in text or ("Trivia!" in text and "Question " not in text)


def spent(fake: FakeDiscord, since: int, questions: int) -> Spent:
    billed = [r for r in fake.billed_requests(since=since) if not r.path.endswith("/callback")]
    webhook = fake.webhook_requests(since=since)
    return Spent(
        questions=questions,
        billed=sum(not _announcement(r) for r in billed),
        webhook=sum(not _announcement(r) for r in webhook),
        billed_game=sum(_announcement(r) for r in billed),
        webhook_game=sum(_announcement(r) for r in webhook),
    )


def close_guess(word: str) -> str:
    """Two letters off a word of 5 to 8 letters: close, not right."""
    return word[0] + "zz" + word[3:]


def word_of(question: FakeMessage) -> str:
    return next(w for w in WORDS if f"Type the word {w}" in question.text)


def right_option(question: FakeMessage) -> str:
    planet = next(p for p in PLANETS if f"Pick {p} (" in question.text)
    return next(b["custom_id"] for b in question.buttons if b["label"].endswith(f". {planet}"))


async def start_game(
    fake: FakeDiscord,
    bot: RunningBot,
    channel_id: int,
    starter: FakeUser,
    *,
    scenario: Scenario,
    rounds: int,
    seconds: float,
    by_interaction: bool,
    guild_id: int | None = None,
) -> None:
    """Start the scenario's game in ``channel_id``: with ``/trivia start``, or (no
    interaction) by handing the service its command as a scheduled game would."""
    guild = guild_id or fake.guild.id
    mode = GameMode.CHOICE if scenario is Scenario.CHOICE else GameMode.TEXT
    category = "planets" if mode is GameMode.CHOICE else "words"
    if by_interaction:
        await fake.slash_command(
            guild,
            channel_id,
            starter,
            subcommand="start",
            options={
                "category": category,
                "rounds": rounds,
                "mode": mode.value,
                "seconds": seconds,
            },
        )
        return
    actor = inbound.make_actor(guild, starter.id, starter.name, manage_guild=False)
    command = StartGame(
        inbound.channel_key(guild, channel_id),
        actor,
        rounds=rounds,
        seconds=seconds,
        mode=mode,
        category=category,
    )
    await bot.app.service.handle(command)


async def play_question(
    fake: FakeDiscord,
    channel_id: int,
    question: FakeMessage,
    scenario: Scenario,
    who: Players,
    *,
    first_hint_after: float,
) -> None:
    """What the players do with one question, until it is revealed; ``first_hint_after``:
    real seconds from the question to its first automatic hint."""
    match scenario:
        case Scenario.ANSWERED_FAST:
            word = word_of(question)
            await fake.user_says(channel_id, who.bob, "banana")
            await fake.user_says(channel_id, who.carol, close_guess(word))
            # The close guess is handled (and its notice queued) before the answer.
            await asyncio.sleep(0.05)
            await fake.user_says(channel_id, who.alice, word)
        case Scenario.AFTER_HINT:
            # Given, whether shown at once or (billed) only with the reveal.
            await asyncio.sleep(first_hint_after + 0.2)
            await fake.user_says(channel_id, who.alice, word_of(question))
        case Scenario.UNANSWERED:
            pass
        case Scenario.CHOICE:
            right = right_option(question)
            wrong = [b["custom_id"] for b in question.buttons if b["custom_id"] != right]
            clicks = [
                await fake.click_button(question, right, who.alice),
                await fake.click_button(question, wrong[0], who.bob),
                await fake.click_button(question, wrong[1], who.carol),
            ]
            for click in clicks:
                await click.response()
    await fake.wait_for_message(channel_id, is_revealed(question), timeout=60)


async def play_scenario(
    fake: FakeDiscord,
    bot: RunningBot,
    scenario: Scenario,
    *,
    by_interaction: bool,
    rounds: int = 3,
    seconds: float = 15.0,
    channel_id: int | None = None,
    players: Players | None = None,
    speed: float = 1.0,
) -> Spent:
    """One whole game of ``scenario`` (its questions ``seconds`` long on a clock
    ``speed`` times faster than real time); what it cost."""
    channel = channel_id or fake.channel.id
    who = players or Players.join(fake, fake.guild.id)
    since = len(fake.requests)
    await start_game(
        fake,
        bot,
        channel,
        who.alice,
        scenario=scenario,
        rounds=rounds,
        seconds=seconds,
        by_interaction=by_interaction,
    )
    previous: FakeMessage | None = None
    for number in range(1, rounds + 1):
        question = await fake.wait_for_message(
            channel, is_question(number, rounds), after=previous, timeout=60
        )
        hint_after = seconds / 3 / speed  # two automatic hints, evenly spread
        await play_question(fake, channel, question, scenario, who, first_hint_after=hint_after)
        previous = question
    await fake.wait_for_message(channel, lambda m: "Game over!" in m.text, timeout=60)
    await bot.adapter.outbound.flush()
    return spent(fake, since, rounds)


def questions_in(fake: FakeDiscord, channels: Sequence[int]) -> list[FakeMessage]:
    """Every question message the bot showed in ``channels``."""
    return [
        m
        for channel in channels
        for m in fake.channel_messages(channel, from_bot=True)
        if "Question " in m.text and "The answer:" in m.text
    ]
