"""What the CLI changes reaches a running bot at once: PostgreSQL notifications.

The bot is the real Slack bot against the fake Slack, in this process, on the test's
PostgreSQL schema; the admin is ``trivia-bot`` in a subprocess on the same database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.model import PlayerKey, ServerKey
from bot.domain.records import Switch
from bot.storage import open_store
from tests.platforms.slack.bot_harness import ALICE, TEAM, SlackBot, running_bot
from tests.postgres.harness import cli, within
from tests.services import postgres_schema

pytestmark = pytest.mark.slow

SERVER = ServerKey("slack", TEAM)
PROMPT = "Which database sends the news?"
QUESTION_ID = "which-database-sends-the-news"


async def _bot_may_ask(bot: SlackBot, question_id: str) -> bool:
    return any(q.id == question_id for q in await bot.app.bank.questions(SERVER))


async def _bot_may_not_ask(bot: SlackBot, question_id: str) -> bool:
    return not await _bot_may_ask(bot, question_id)


async def _start_a_pg_game(bot: SlackBot) -> str:
    """``/trivia start pg``: the game's question (the game then played to its end), or
    the refusal shown to the starter."""
    slack = bot.slack
    mark = bot.mark()
    await bot.send(slack.slash_command("/trivia", "start pg", user=ALICE))

    def asked_or_refused() -> str | None:
        for call in slack.calls[mark:]:
            if call.method == "chat.postEphemeral" or "Question 1/" in call.args.get("text", ""):
                return str(call.args["text"])
        return None

    said = await slack.wait_until(asked_or_refused, what="a question or a refusal")
    if "Question 1/" in said:
        await bot.send(slack.message_event("pg", user=ALICE))
        await slack.wait_for_call("chat.postMessage", lambda c: "Game over" in c["text"])
    return said


async def test_a_question_the_cli_adds_then_disables_reaches_the_running_bot_within_a_second(
    tmp_path: Path, postgres_dsn: str, pg_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.bank.reload")
    on_postgres = lambda s: replace(s, db=postgres_dsn, rounds=1)  # noqa: E731
    server = f"slack:{TEAM}"
    async with running_bot(tmp_path, settings=on_postgres) as bot:
        assert not await _bot_may_ask(bot, QUESTION_ID)  # the server's questions are cached now

        add = ["questions", "add", "--server", server, "--prompt", PROMPT, "--answer", "pg"]
        async with cli(*add, "--category", "pg", env=pg_env) as adding:
            await adding.line_with(f"Added question '{QUESTION_ID}'")
            took_to_add = await within(1.0, lambda: _bot_may_ask(bot, QUESTION_ID))
            added = await adding.finished()
        asked = await _start_a_pg_game(bot)

        disable = ["questions", "disable", QUESTION_ID, "--server", server]
        async with cli(*disable, env=pg_env) as disabling:
            await disabling.line_with(f"Question '{QUESTION_ID}' is off")
            took_to_disable = await within(1.0, lambda: _bot_may_not_ask(bot, QUESTION_ID))
            disabled = await disabling.finished()
        refused = await _start_a_pg_game(bot)

    print(f"the bot saw the add {took_to_add:.3f} s, the disable {took_to_disable:.3f} s after")
    assert added[0] == 0, added
    assert PROMPT in asked, asked
    assert disabled[0] == 0, disabled
    assert "No questions match category 'pg'" in refused, refused
    # The news came with the commits: no bot was asked to reload its bank files.
    assert "Told" not in added[2] + disabled[2]
    assert "banks reloaded" not in caplog.text


async def test_reload_through_the_cli_reaches_the_running_bot_and_names_it(
    tmp_path: Path,
    postgres_dsn: str,
    pg_env: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.bank.reload")
    on_postgres = lambda s: replace(s, db=postgres_dsn)  # noqa: E731
    async with running_bot(tmp_path, settings=on_postgres):
        async with cli("reload", env=pg_env) as reloading:
            code, out, err = await reloading.finished()
        reloaded = [r.getMessage() for r in caplog.records if "banks reloaded" in r.getMessage()]

    assert code == 0, err
    assert f"Told 1 bot (pid {os.getpid()} on " in out
    assert len(reloaded) == 1, caplog.text
    assert "trivia-bot reload" in reloaded[0]


async def test_news_from_another_schema_of_the_same_database_is_not_heard(
    postgres_dsn: str,
) -> None:
    # Two deployments in one database, each in a schema of its own, both with the same
    # Slack workspace.  A bot listens on "here"; an admin on each side asks the bots to
    # reload, and switches a question off in that workspace: "there" first.
    admin = PlayerKey("slack", TEAM, "ada")
    heard: list[object] = []

    async def heard_a_change() -> bool:
        return SERVER in heard

    async with postgres_schema() as elsewhere, AsyncExitStack() as stack:
        bot_here, admin_here, admin_there = [
            await stack.enter_async_context(await open_store(dsn))
            for dsn in (postgres_dsn, postgres_dsn, elsewhere)
        ]
        listening = bot_here.reloads().listening(lambda why: heard.append("reload"), heard.append)
        await stack.enter_async_context(listening)
        asked_there, asked_here = await asyncio.gather(
            admin_there.reloads().ask_to_reload(), admin_here.reloads().ask_to_reload()
        )
        now = datetime.now(UTC)
        await admin_there.switch(SERVER, Switch.QUESTION, "q1", on=False, by=admin, at=now)
        await admin_here.switch(SERVER, Switch.QUESTION, "q1", on=False, by=admin, at=now)
        # Notifications arrive in commit order: had "there"'s been heard, it came first.
        await within(1.0, heard_a_change)

    assert asked_there == []
    assert asked_here == [f"pid {os.getpid()} on {socket.gethostname()}"]
    assert heard == ["reload", SERVER]
