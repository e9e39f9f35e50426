"""``trivia-bot run slack``: ``/healthz`` and ``/metrics`` on the Slack server in HTTP
mode, on ``TRIVIA_HTTP_PORT`` in Socket Mode; JSON logs from the real command."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app.slack_main import run_slack
from tests.helpers import free_port
from tests.platforms.slack.bot_harness import ALICE, CHANNEL, SECRET, TEAM, bot_settings
from tests.platforms.slack.fake import FakeSlack, SlackHttpDriver
from tests.platforms.slack.test_runner import bot_process, run_env

from .scrape import Scraped, get


@pytest.mark.slow
async def test_http_mode_serves_health_and_metrics_on_its_slack_port_and_logs_json(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    port = free_port()
    async with FakeSlack() as slack:
        env = run_env(cli_env, tmp_path, slack)
        env.pop("TRIVIA_HTTP_PORT", None)
        env.update(TRIVIA_LOG_FORMAT="json", TRIVIA_LOG_LEVEL="INFO")
        async with bot_process(env, port) as proc:
            url = f"http://127.0.0.1:{port}"
            health = await get(url + "/healthz")
            await start_a_game_over_http(slack, url)
            metrics = Scraped.parse((await get(url + "/metrics")).body)
            proc.send_signal(signal.SIGTERM)
            _, errors = await asyncio.wait_for(proc.communicate(), 15)

    assert proc.returncode == 0
    assert health.status == 200
    assert health.json() == {"status": "ok", "platform": "connected", "database": "writable"}
    assert metrics.value("trivia_games_running") == 1
    assert metrics.value("trivia_questions_asked_total") == 1
    assert metrics.value("trivia_rate_limit_hits_total", platform="slack") == 0
    # Every log line is a JSON object; the run's lines name the platform, the game's its place.
    lines = [line for line in errors.decode().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    assert entries
    assert {entry["platform"] for entry in entries} == {"slack"}
    started = next(entry for entry in entries if " started in " in entry["message"])
    assert (started["server"], started["channel"]) == (TEAM, CHANNEL)


async def start_a_game_over_http(slack: FakeSlack, url: str) -> None:
    async with SlackHttpDriver(url + "/slack/events", SECRET) as http:
        await http.post(slack.slash_command("/trivia", "start colours", user=ALICE))
    await slack.wait_for_call("chat.postMessage", lambda c: "Question 1/" in c["text"], timeout=20)


async def test_socket_mode_serves_health_and_metrics_on_the_http_port(tmp_path: Path) -> None:
    port = free_port()
    async with FakeSlack() as slack:
        settings = replace(bot_settings(tmp_path, slack), http_port=port)
        running = asyncio.create_task(run_slack(settings, http=False, host="", port=0))
        await slack.wait_for_socket()
        health = await get(f"http://127.0.0.1:{port}/healthz")
        metrics = await get(f"http://127.0.0.1:{port}/metrics")
        os.kill(os.getpid(), signal.SIGTERM)  # caught by the runner's handler
        code = await asyncio.wait_for(running, 10)

    assert code == 0
    assert (health.status, health.json()["platform"]) == (200, "connected")
    assert "trivia_games_running 0.0" in metrics.body
