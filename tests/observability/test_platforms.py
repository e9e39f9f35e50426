"""What the adapters report: rate-limit hits and failures per platform, and Discord's
``/healthz`` following its gateway connection (the real SDKs against the fakes)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import aiohttp
import pytest

from bot.observability.instrument import counting_rate_limit_warnings
from bot.observability.metrics import Metrics
from tests.helpers import free_port
from tests.platforms.discord.bot_harness import is_question, trivia_bot
from tests.platforms.discord.fake import FakeDiscord
from tests.platforms.slack.bot_harness import ALICE, running_bot
from tests.platforms.slack.fake import instant_rate_limit_retries

from .scrape import get, scraped

# A game started by /trivia start speaks through its interaction's webhook; others
# through the channel: either way, these are its posts and edits.
MESSAGES = r"/channels/\d+/messages|/webhooks/\d+/[^/]+"


# -- Slack ---------------------------------------------------------------------------------


async def test_a_slack_429_counts_as_a_rate_limit_hit_and_the_message_still_goes_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits = instant_rate_limit_retries(monkeypatch)
    metrics = Metrics(platform="slack", process=False)
    async with running_bot(tmp_path, meter=metrics.platform("slack")) as bot:
        bot.slack.rate_limit_next("chat.postMessage", retry_after=2, times=2)
        await bot.send(bot.slack.slash_command("/trivia", "start colours", user=ALICE))
        await bot.question(1)

    assert waits == [2.0, 2.0]  # Retry-After was honoured each time
    assert scraped(metrics).value("trivia_rate_limit_hits_total", platform="slack") == 2
    assert scraped(metrics).value("trivia_platform_errors_total", platform="slack") == 0


async def test_a_failed_slack_call_counts_as_a_platform_error(tmp_path: Path) -> None:
    metrics = Metrics(platform="slack", process=False)
    async with running_bot(tmp_path, meter=metrics.platform("slack")) as bot:
        bot.slack.fail_next("chat.postMessage", "channel_not_found")
        await bot.send(bot.slack.slash_command("/trivia", "start colours", user=ALICE))
        await bot.question(1)

    assert scraped(metrics).value("trivia_platform_errors_total", platform="slack") == 1


# -- Discord -------------------------------------------------------------------------------


async def test_a_discord_429_counts_as_a_rate_limit_hit(fake: FakeDiscord, tmp_path: Path) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    async with trivia_bot(fake, tmp_path) as bot:
        fake.rate_limit_next("POST", MESSAGES, retry_after=0.02, times=2)
        await fake.slash_command(
            fake.guild.id, fake.channel.id, alice, subcommand="start", options={"rounds": 1}
        )
        await fake.wait_for_message(fake.channel.id, is_question(1, 1))
        assert bot.app.metrics is not None
        found = scraped(bot.app.metrics)

    assert fake.rate_limited == 2
    assert found.value("trivia_rate_limit_hits_total", platform="discord") == 2


async def test_a_failed_discord_post_counts_as_a_platform_error(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    async with trivia_bot(fake, tmp_path) as bot:
        fake.fail_next("POST", MESSAGES)  # the next post is refused (Missing Permissions)
        await fake.slash_command(
            fake.guild.id, fake.channel.id, alice, subcommand="start", options={"rounds": 2}
        )
        await fake.wait_until(lambda: any(r.status == 403 for r in fake.requests))
        assert bot.app.metrics is not None
        await fake.wait_until(
            lambda: (
                scraped(bot.app.metrics).value(  # type: ignore[arg-type]
                    "trivia_platform_errors_total", platform="discord"
                )
                == 1
            )
        )


def test_discord_rate_limits_are_counted_even_when_warnings_are_not_shown() -> None:
    hits: list[None] = []
    shown = io.StringIO()
    handler = logging.StreamHandler(shown)
    root = logging.getLogger()
    saved = root.level
    root.addHandler(handler)
    root.setLevel(logging.ERROR)
    http = logging.getLogger("discord.http")
    try:
        with counting_rate_limit_warnings(lambda: hits.append(None)):
            http.warning(
                "We are being rate limited. %s %s responded with 429. Retrying in %.2f seconds.",
                "POST",
                "/channels/1/messages",
                0.5,
            )
            http.warning("Global rate limit has been hit. Retrying in %.2f seconds.", 0.5)
            http.warning("something else")
        http.warning("We are being rate limited. afterwards")
    finally:
        root.removeHandler(handler)
        root.setLevel(saved)

    assert len(hits) == 1  # one 429, counted once; nothing after the block
    assert shown.getvalue() == ""  # the ERROR level still hides the warnings
    assert http.level == logging.NOTSET


async def test_discord_healthz_follows_the_gateway_connection(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with trivia_bot(fake, tmp_path, http_port=port) as bot:
        healthy = await get(url + "/healthz")
        await fake.slash_command(
            fake.guild.id, fake.channel.id, alice, subcommand="start", options={"rounds": 1}
        )
        await fake.wait_for_message(fake.channel.id, is_question(1, 1))
        playing = await get(url + "/metrics")
        await fake.drop_gateway(code=4004)  # authentication failed: no reconnecting
        await fake.wait_until(lambda: bot.task.done())
        disconnected = await get(url + "/healthz")

    assert (healthy.status, healthy.json()["platform"]) == (200, "connected")
    assert "trivia_games_running 1.0" in playing.body
    assert "trivia_questions_asked_total 1.0" in playing.body
    assert disconnected.status == 503
    assert disconnected.json()["failing"] == ["platform"]
    with pytest.raises(aiohttp.ClientConnectorError):  # the server stopped with the bot
        await get(url + "/healthz")
