"""The real bot (adapter, service, SQLite, a bank of our own) against the fake Slack.

``running_bot(tmp_path, transport="http" | "socket")`` yields a ``SlackBot``:
``await bot.send(slack.slash_command(...))`` delivers a request the way Slack
would (a signed POST, or an envelope over Socket Mode) and returns how the
app acknowledged it; the fake records everything the bot sends back.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from bot.adapters.slack.adapter import SlackAdapter
from bot.app.compose import App, open_app
from bot.config import Settings
from bot.domain.model import ChannelKey, PlayerKey
from bot.ports import Clock
from tests.platforms.slack.fake import FakeSlack, Message, SlackHttpDriver, SlackRequest, serve_app

SECRET = "fake-signing-secret"
TEAM, CHANNEL = "T0TRIVIA", "C0TRIVIA"
ALICE, BOB, ADA = "U0ALICE", "U0BOB", "U0ADMIN"
Transport = Literal["http", "socket"]

#: Each prompt says what to answer, so a test can play along (see ``answer_to``).
BANK = """\
id: slack-test-bank
title: Questions for the Slack adapter's tests
description: Prompts that say what to answer.
language: en
licence: MIT
author: trivia-bot tests
questions:
  - id: colour-sky
    prompt: "Colour one: what colour is a clear daytime sky?"
    answers: [blue]
    category: colours
    difficulty: easy
    explanation: Air scatters blue light more than red.
  - id: colour-grass
    prompt: "Colour two: what colour is fresh grass?"
    answers: [green]
    category: colours
    difficulty: medium
  - id: space-planet
    prompt: "Space one: which planet is called the Red Planet?"
    answers: [Mars]
    type: choice
    choices: [Venus, Mars, Jupiter]
    category: space
    difficulty: hard
  - id: space-moon
    prompt: "Space two: what orbits the Earth once a month?"
    answers: [The Moon]
    type: choice
    choices: [The Sun, The Moon]
    category: space
    difficulty: easy
"""
ANSWERS = {
    "Colour one": "blue",
    "Colour two": "green",
    "Space one": "Mars",
    "Space two": "The Moon",
}


def answer_to(message: Message) -> str:
    text = message.all_text()
    for prefix, answer in ANSWERS.items():
        if prefix in text:
            return answer
    raise AssertionError(f"no known question in {text!r}")


def channel(channel_id: str = CHANNEL) -> ChannelKey:
    return ChannelKey("slack", TEAM, channel_id)


def player(user_id: str) -> PlayerKey:
    return PlayerKey("slack", TEAM, user_id)


def write_bank(directory: Path) -> Path:
    path = directory / "slack-test-bank.yaml"
    path.write_text(BANK, encoding="utf-8")
    return path


def bot_settings(tmp_path: Path, slack: FakeSlack, **overrides: Any) -> Settings:
    settings = Settings(
        db=tmp_path / "trivia.db",
        questions=(write_bank(tmp_path),),
        cache_dir=None,
        rounds=2,
        seconds=30.0,
        pause=0.0,
        auto_hints=False,
        slack_bot_token=slack.bot_token,
        slack_app_token=slack.app_token,
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
    )
    return replace(settings, **overrides)


@dataclass(frozen=True, slots=True)
class Acked:
    """How the app answered a request: HTTP status (200 for a socket ack), body, seconds."""

    status: int
    payload: Any
    elapsed: float


@dataclass
class SlackBot:
    slack: FakeSlack
    adapter: SlackAdapter
    app: App
    clock: Clock | None
    transport: Transport
    http: SlackHttpDriver | None = None

    async def send(self, request: SlackRequest, **options: Any) -> Acked:
        """Deliver ``request`` as Slack would; options go to the HTTP driver or socket_send."""
        if self.http is not None:
            reply = await self.http.post(request, **options)
            # bolt answers an ack with only text as plain text, anything more as JSON.
            payload = reply.json() if reply.body.startswith("{") else reply.body or None
            if isinstance(payload, str):
                payload = {"text": payload}
            acked = Acked(reply.status, payload, reply.elapsed)
        else:
            started = time.perf_counter()
            ack = await (await self.slack.socket_send(request, **options))
            acked = Acked(200, ack.payload, time.perf_counter() - started)
        self._answered(request, acked)
        return acked

    def _answered(self, request: SlackRequest, acked: Acked) -> None:
        """A modal submitted is updated, shows errors or closes as the ack says (Slack does
        that, not the app)."""
        view = request.payload.get("view")
        if request.payload.get("type") != "view_submission" or not isinstance(view, dict):
            return
        if acked.status == 200 and view.get("id") in self.slack.views:
            payload = acked.payload if isinstance(acked.payload, dict) else None
            self.slack.answer_submission(str(view["id"]), payload)

    async def question(self, number: int, *, after: int = 0) -> Message:
        """The question message ``number`` once it is posted."""
        call = await self.slack.wait_for_call(
            "chat.postMessage", lambda c: f"Question {number}/" in c["text"], after=after
        )
        found = self.slack.workspace.find_message(call["channel"], call.response["ts"])
        assert found is not None
        return found

    def mark(self) -> int:
        return len(self.slack.calls)


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    *,
    transport: Transport = "http",
    clock: Clock | None = None,
    settings: Callable[[Settings], Settings] = lambda s: s,
    slack: FakeSlack | None = None,
    **adapter_options: Any,
) -> AsyncIterator[SlackBot]:
    options: dict[str, Any] = {"post_interval": 0.0}
    options.update(adapter_options)
    async with FakeSlack() if slack is None else _already(slack) as fake:
        config = settings(bot_settings(tmp_path, fake))
        adapter = SlackAdapter.from_settings(config, **options)
        async with (
            adapter,
            open_app(config, sink=adapter, clock=clock, rng=random.Random(7)) as app,
        ):
            adapter.bind(app.service)
            bot = SlackBot(fake, adapter, app, clock, transport)
            if transport == "http":
                async with (
                    serve_app(adapter.web_app()) as url,
                    SlackHttpDriver(url, SECRET) as http,
                ):
                    bot.http = http
                    yield bot
            else:
                async with adapter.socket_mode(fake.app_token):
                    await fake.wait_for_socket()
                    yield bot


@asynccontextmanager
async def _already(slack: FakeSlack) -> AsyncIterator[FakeSlack]:
    yield slack
