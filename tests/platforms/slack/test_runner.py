"""``trivia-bot run slack``: configuration from the environment, clean stops, the manifest."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.app.slack_main import missing_settings, run_slack
from bot.config import Settings
from bot.domain.model import PlayerKey
from bot.storage import open_store
from tests.helpers import free_port
from tests.platforms.slack.bot_harness import (
    ALICE,
    BOB,
    SECRET,
    TEAM,
    answer_to,
    bot_settings,
    write_bank,
)
from tests.platforms.slack.fake import FakeSlack, Identity, SlackHttpDriver

ROOT = Path(__file__).parents[3]
MANIFEST = ROOT / "deploy" / "slack-manifest.yaml"
ADAPTER_SOURCES = sorted((ROOT / "bot" / "adapters" / "slack").glob("*.py"))

#: The bot scope each Web API method needs (None: no scope, e.g. views.* and auth.test).
SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "users.info": "users:read",
    "views.open": None,
    "views.update": None,
    "views.publish": None,
    "conversations.open": "im:write",
    "files.info": "files:read",
    # files_upload_v2 calls files.getUploadURLExternal and files.completeUploadExternal.
    "files.upload_v2": "files:write",
}
#: Scopes that come with a feature rather than a method.
FEATURE_SCOPES = {
    "commands": "the /trivia slash command",
    "channels:history": "message.channels: typed answers in public channels",
    "groups:history": "message.groups: typed answers in private channels",
    "im:history": "message.im: bank files shared in a direct message to the bot",
    # url_private_download is fetched with the bot token, not through a Web API method.
    "files:read": "downloading a shared bank file",
}


def run_env(cli_env: dict[str, str], tmp_path: Path, slack: FakeSlack) -> dict[str, str]:
    env = dict(cli_env)
    env.update(
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        TRIVIA_DB=str(tmp_path / "trivia.db"),
        TRIVIA_QUESTIONS=str(write_bank(tmp_path)),
        TRIVIA_PAUSE="0",
        TRIVIA_ROUNDS="2",
        TRIVIA_AUTO_HINTS="false",
        # These tests watch a stop end the game; test_restart watches one go on.
        TRIVIA_RESUME_WITHIN="0",
    )
    return env


@asynccontextmanager
async def bot_process(env: dict[str, str], port: int) -> AsyncIterator[asyncio.subprocess.Process]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot", "run", "slack", "--http", "--host", "127.0.0.1", "--port", str(port)),
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    try:
        async with asyncio.timeout(20):
            while b"Serving Slack's Events API" not in (line := await proc.stderr.readline()):
                assert line, "the bot exited before serving"
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.mark.slow
async def test_the_command_serves_http_from_the_environment_and_stops_cleanly_on_sigterm(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    port = free_port()
    async with FakeSlack() as slack:
        env = run_env(cli_env, tmp_path, slack)
        async with (
            bot_process(env, port) as proc,
            SlackHttpDriver(f"http://127.0.0.1:{port}/slack/events", SECRET) as http,
        ):
            started = await http.post(slack.slash_command("/trivia", "start colours", user=ALICE))
            first = await slack.wait_for_call(
                "chat.postMessage", lambda c: "Question 1/" in c["text"], timeout=20
            )
            message = slack.workspace.find_message(first["channel"], first.response["ts"])
            assert message is not None
            await http.post(slack.message_event(answer_to(message), user=BOB))
            # Generous bounds: a subprocess on a loaded CI machine is slow to start.
            await slack.wait_for_call(
                "chat.postMessage", lambda c: "Question 2/" in c["text"], timeout=20
            )
            proc.send_signal(signal.SIGTERM)
            assert proc.stderr is not None
            _, errors = await asyncio.wait_for(proc.communicate(), 15)
        store = await open_store(tmp_path / "trivia.db")
        try:
            stats = await store.player_stats(PlayerKey("slack", TEAM, BOB))
        finally:
            await store.close()

    assert started.status == 200
    assert proc.returncode == 0, errors.decode()
    # The game was ended, recorded, and its last message reached Slack before the exit.
    assert slack.transcript()[-1].startswith("triviabot: *🔌 Game ended")
    assert stats is not None
    assert (stats.games, stats.correct) == (1, 1)


async def test_socket_mode_runs_until_sigterm_and_exits_0(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        settings = bot_settings(tmp_path, slack)
        running = asyncio.create_task(run_slack(settings, http=False, host="", port=0))
        await slack.wait_for_socket()
        await (await slack.socket_send(slack.slash_command("/trivia", "start colours")))
        await slack.wait_for_call(
            "chat.postMessage", lambda c: "Question 1/" in c["text"], timeout=20
        )
        os.kill(os.getpid(), signal.SIGTERM)  # caught by the runner's handler
        code = await asyncio.wait_for(running, 10)

    assert code == 0
    # Saved to go on after the restart (TRIVIA_RESUME_WITHIN, on by default).
    assert slack.transcript()[-1].startswith("triviabot: ⏸️ Back in a moment")


@pytest.mark.parametrize(
    ("http", "unset", "named"),
    [
        (False, ("slack_bot_token", "slack_app_token"), ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]),
        (True, ("slack_signing_secret",), ["SLACK_SIGNING_SECRET"]),
    ],
    ids=["socket-mode", "http"],
)
async def test_missing_tokens_are_named_with_where_to_find_them_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    http: bool,
    unset: tuple[str, ...],
    named: list[str],
) -> None:
    settings = replace(
        Settings(db=tmp_path / "t.db"), slack_bot_token="xoxb-1", slack_app_token="xapp-1"
    )
    settings = replace(settings, **dict.fromkeys(unset))

    code = await run_slack(settings, http=http, host="127.0.0.1", port=0)

    err = capsys.readouterr().err
    assert code == 2
    assert re.findall(r"(SLACK_\w+) is not set: find it on your app's", err) == named
    assert "docs/slack.md" in err


async def test_a_token_slack_refuses_is_reported_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeSlack(identity=Identity(bot_token="xoxb-the-real-one")) as slack:
        settings = replace(bot_settings(tmp_path, slack), slack_bot_token="xoxb-a-stale-one")
        code = await run_slack(settings, http=False, host="", port=0)

    assert code == 2
    assert "SLACK_BOT_TOKEN does not work: Slack answered invalid_auth" in capsys.readouterr().err
    assert not (tmp_path / "trivia.db").exists()


def test_a_token_of_the_wrong_kind_is_caught_by_its_prefix(tmp_path: Path) -> None:
    settings = replace(
        Settings(db=tmp_path / "t.db"), slack_bot_token="xapp-oops", slack_app_token="xoxb-oops"
    )

    problems = missing_settings(settings, http=False)

    assert [p.split(":")[0] for p in problems] == [
        "SLACK_BOT_TOKEN should start with 'xoxb-'",
        "SLACK_APP_TOKEN should start with 'xapp-'",
    ]


# -- the manifest ------------------------------------------------------------------------------


def manifest() -> dict[str, object]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def called_methods() -> set[str]:
    """Web API methods the adapter calls through slack-sdk (``client.chat_postMessage(...)``)."""
    found = set()
    pattern = re.compile(r"\.(auth|chat|views|users|conversations|reactions|files)_(\w+)\(")
    for path in ADAPTER_SOURCES:
        for family, method in pattern.findall(path.read_text(encoding="utf-8")):
            found.add(f"{family}.{method}")
    return found


def test_every_web_api_method_the_adapter_calls_is_covered_by_a_manifest_scope() -> None:
    scopes = set(_bot_scopes())
    methods = called_methods() | {"auth.test"}  # bolt calls auth.test itself

    assert methods <= set(SCOPES), f"add {methods - set(SCOPES)} to SCOPES"
    needed = {SCOPES[m] for m in methods} - {None}
    assert needed <= scopes
    # Exactly what is used: every scope is needed by a method or by a feature.
    assert scopes == needed | set(FEATURE_SCOPES)


def _bot_scopes() -> list[str]:
    oauth = manifest()["oauth_config"]
    assert isinstance(oauth, dict)
    return list(oauth["scopes"]["bot"])


def test_the_manifest_subscribes_to_what_the_adapter_listens_for() -> None:
    data = manifest()
    settings, features = data["settings"], data["features"]
    assert isinstance(settings, dict)
    assert isinstance(features, dict)

    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "message.channels",
        "message.groups",
        "message.im",
    }
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert features["app_home"]["home_tab_enabled"] is True
    # Admins share bank files with the bot in its Messages tab.
    assert features["app_home"]["messages_tab_enabled"] is True
    (command,) = features["slash_commands"]
    assert command["command"] == "/trivia"
    assert command["should_escape"] is True
    # Switching to HTTP is documented where it is done.
    commented_urls = re.findall(
        r"^\s*# (?:url|request_url): https://\S+/slack/events$",
        MANIFEST.read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert len(commented_urls) == 3
