"""Logs: human lines by default, JSON lines on request, each naming the platform, server
and channel it concerns (commands, timers and adapter events alike)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.domain.commands import StartGame, StopGame
from bot.domain.model import ChannelKey, GameOptions
from bot.observability.logs import channel_context, log_context, setup_logging
from tests.fakes import question
from tests.harness import build_service
from tests.platforms.slack.bot_harness import ALICE, BOB, CHANNEL, TEAM, answer_to, running_bot

from .apps import actor

Install = Callable[..., io.StringIO]
FIRST = ChannelKey("discord", "111", "222")
SECOND = ChannelKey("slack", "T0TEAM", "C0GAMES")


@pytest.fixture
def install_logging() -> Iterator[Install]:
    """``setup_logging`` into a buffer; the root logger is put back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def install(fmt: str, level: str = "INFO") -> io.StringIO:
        buffer = io.StringIO()
        setup_logging(level, fmt, stream=buffer)
        return buffer

    yield install
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def json_lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def place(entry: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    return entry["platform"], entry["server"], entry["channel"]


async def test_json_logs_are_one_object_a_line_naming_the_place_of_each_game(
    install_logging: Install,
) -> None:
    buffer = install_logging("json")
    questions = [question(f"q{i}", f"answer {i}") for i in range(4)]
    options = GameOptions(rounds=1, seconds=30, pause=5, auto_hints=False)
    h = build_service(questions, options=options, seed=3)
    service, clock = h.service, h.clock
    await service.handle(StartGame(channel=FIRST, actor=actor("ada", FIRST)))
    await service.handle(StartGame(channel=SECOND, actor=actor("bo", SECOND)))
    await service.handle(StopGame(channel=SECOND, actor=actor("bo", SECOND)))
    # Nobody answers in the first channel: its timer reveals the answer and ends the game.
    await clock.advance(60)
    logging.getLogger("test.elsewhere").warning("not about any game")
    await service.shutdown()

    entries = json_lines(buffer)
    started = [e for e in entries if " started in " in e["message"]]
    ended = [e for e in entries if " ended: " in e["message"]]
    assert [place(e) for e in started] == [
        ("discord", "111", "222"),
        ("slack", "T0TEAM", "C0GAMES"),
    ]
    # The second game ended by a command, the first by its own timer task.
    assert [(place(e), e["message"].rsplit(" ", 1)[-1]) for e in ended] == [
        (("slack", "T0TEAM", "C0GAMES"), "stopped"),
        (("discord", "111", "222"), "completed"),
    ]
    assert {e["logger"] for e in started} == {"bot.service.trivia"}
    assert {e["level"] for e in started} == {"INFO"}
    assert all(e["time"].endswith("+00:00") for e in entries)
    assert place(entries[-1]) == (None, None, None)
    assert entries[-1]["message"] == "not about any game"


def test_an_exception_is_kept_in_its_line_as_text(install_logging: Install) -> None:
    buffer = install_logging("json")
    with channel_context(FIRST):
        try:
            raise ValueError("the database said no\nsecond line")
        except ValueError:
            logging.getLogger("bot.test").exception("handling %s failed", "an answer")

    (entry,) = json_lines(buffer)  # one line, although the message and traceback span more
    assert entry["message"] == "handling an answer failed"
    assert entry["level"] == "ERROR"
    assert place(entry) == ("discord", "111", "222")
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith("ValueError: the database said no\nsecond line")


def test_human_logs_show_the_place_compactly(install_logging: Install) -> None:
    buffer = install_logging("human")
    log = logging.getLogger("bot.test")
    with log_context("discord", 123, 456):
        log.warning("in a channel")
        with log_context("discord", 123):
            log.warning("in a server")
    log.warning("nowhere in particular")

    lines = buffer.getvalue().splitlines()
    assert lines[0].endswith(" WARNING bot.test [discord:123:456]: in a channel")
    assert lines[1].endswith(" WARNING bot.test [discord:123]: in a server")
    assert lines[2].endswith(" WARNING bot.test: nowhere in particular")


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="human, json"):
        setup_logging("INFO", "xml")


async def test_the_slack_adapter_tags_its_own_lines_with_the_workspace_and_channel(
    tmp_path: Path, install_logging: Install
) -> None:
    buffer = install_logging("json")
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        first = await bot.question(1)
        guess = slack.message_event(answer_to(first), user=BOB)
        await bot.send(guess)
        await bot.send(guess, retry_num=1, retry_reason="http_timeout")
        await bot.question(2)

    entries = json_lines(buffer)
    again = [e for e in entries if "delivered again" in e["message"]]
    assert [(e["logger"], place(e)) for e in again] == [
        ("bot.adapters.slack.adapter", ("slack", TEAM, CHANNEL))
    ]
    started = next(e for e in entries if " started in " in e["message"])
    assert place(started) == ("slack", TEAM, CHANNEL)
