"""Shards without a gateway: the settings that choose them, whose turn it is to IDENTIFY,
the REST budget on a manual clock, and how health and metrics show each shard."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.adapters.common.budget import RequestBudget
from bot.adapters.discord.shards import (
    IdentifyPacer,
    Link,
    ShardBoard,
    check_shards,
    shard_of,
)
from bot.clock import ManualClock
from bot.config import Settings, SettingsError, describe, load_settings, shard_ranges
from bot.observability.health import Health, always
from bot.observability.metrics import Metrics
from bot.observability.shards import ShardPhase, ShardState
from tests.observability.scrape import scraped

# -- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shards", "expected"),
    [
        ("0-7", (0, 1, 2, 3, 4, 5, 6, 7)),
        ("0,2,4", (0, 2, 4)),
        ("0-3,8", (0, 1, 2, 3, 8)),
        (" 5 ", (5,)),
        ("9,1-2", (1, 2, 9)),
        ("3-3", (3,)),
    ],
)
def test_shard_lists_and_ranges_are_read(shards: str, expected: tuple[int, ...]) -> None:
    env = {"TRIVIA_DISCORD_SHARDS": shards, "TRIVIA_DISCORD_SHARD_COUNT": "16"}
    settings = load_settings(environ=env)
    assert settings.discord_shards == expected
    assert settings.discord_shard_count == 16


def test_a_toml_file_may_list_the_shards(tmp_path: Path) -> None:
    config = tmp_path / "trivia.toml"
    config.write_text('discord_shards = "2-3"\ndiscord_shard_count = 4\n', encoding="utf-8")
    settings = load_settings(config_file=config, environ={})
    assert (settings.discord_shards, settings.discord_shard_count) == ((2, 3), 4)


def test_with_neither_set_one_process_runs_what_discord_recommends() -> None:
    settings = load_settings(environ={})
    assert (settings.discord_shard_count, settings.discord_shards) == (None, None)
    assert settings.discord_rest_rate() == 50


@pytest.mark.parametrize(
    ("shards", "message"),
    [
        ("3-1", "discord_shards = '3-1' has the range '3-1', which runs backwards; write it 1-3."),
        ("0,,2", "discord_shards = '0,,2' has an empty entry; it must be shard ids and ranges, "),
        ("a", "discord_shards = 'a' has 'a', which is not a shard id or range; use shard ids "),
        ("-1", "has '-1', which is not a shard id or range"),
        ("0-", "has '0-', which is not a shard id or range"),
        ("1.5", "has '1.5', which is not a shard id or range"),
        ("0-3,2", "discord_shards = '0-3,2' lists shard 2 twice; name each shard once."),
    ],
)
def test_a_malformed_shard_list_says_which_value_and_what_is_expected(
    shards: str, message: str
) -> None:
    env = {"TRIVIA_DISCORD_SHARDS": shards, "TRIVIA_DISCORD_SHARD_COUNT": "4"}
    with pytest.raises(SettingsError) as caught:
        load_settings(environ=env)
    (problem,) = caught.value.problems
    assert problem.startswith("environment TRIVIA_DISCORD_SHARDS: ")
    assert message in problem
    if "not a shard id" in message or "empty entry" in message:
        assert "for example 0-7, 0,2,4 or 0-3,8" in problem


def test_a_shard_list_without_a_count_is_refused_with_an_example() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"TRIVIA_DISCORD_SHARDS": "0-1"})
    assert caught.value.problems == [
        "environment TRIVIA_DISCORD_SHARDS: discord_shards = '0-1' needs the shard count too: "
        "set TRIVIA_DISCORD_SHARD_COUNT to the number of shards of all processes together "
        "(for example 4 with TRIVIA_DISCORD_SHARDS=0-1 here and 2-3 in another process)."
    ]


def test_a_shard_beyond_the_count_is_refused_naming_both_settings() -> None:
    env = {"TRIVIA_DISCORD_SHARDS": "2-4", "TRIVIA_DISCORD_SHARD_COUNT": "4"}
    with pytest.raises(SettingsError) as caught:
        load_settings(environ=env)
    assert caught.value.problems == [
        "environment TRIVIA_DISCORD_SHARDS: discord_shards = '2-4' names shard 4, but "
        "discord_shard_count is 4 (environment TRIVIA_DISCORD_SHARD_COUNT): shard ids go "
        "from 0 to 3, for example 0-3."
    ]


@pytest.mark.parametrize("count", ["0", "-2", "many", "1.5"])
def test_a_bad_shard_count_is_refused(count: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"TRIVIA_DISCORD_SHARD_COUNT": count})
    (problem,) = caught.value.problems
    assert problem.startswith("environment TRIVIA_DISCORD_SHARD_COUNT: discord_shard_count = ")
    assert "from 1 to 100000" in problem


def test_the_rest_share_defaults_to_the_processes_part_of_50() -> None:
    def rate(**values: object) -> int:
        return Settings(**values).discord_rest_rate()  # type: ignore[arg-type]

    assert rate(discord_shard_count=4, discord_shards=(0, 1)) == 25
    assert rate(discord_shard_count=3, discord_shards=(2,)) == 16  # 16.7, rounded down
    assert rate(discord_shard_count=128, discord_shards=(0,)) == 1  # 0.39: at least 1
    assert rate(discord_shard_count=4) == 50  # every shard here
    assert rate(discord_shard_count=4, discord_shards=(0,), discord_rest_share=5) == 5


def test_a_bad_rest_share_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"discord_rest_share = '0' must be from 1 to"):
        load_settings(environ={"TRIVIA_DISCORD_REST_SHARE": "0"})


def test_trivia_bot_config_shows_the_shards_as_ranges() -> None:
    env = {"TRIVIA_DISCORD_SHARDS": "0-3,8", "TRIVIA_DISCORD_SHARD_COUNT": "16"}
    shown = {name: value for name, value, *_ in describe(load_settings(environ=env))}
    assert (shown["discord_shards"], shown["discord_shard_count"]) == ("0-3,8", "16")
    assert shard_ranges([7, 0, 2, 1]) == "0-2,7"


def test_the_adapter_refuses_shards_that_do_not_fit_the_count() -> None:
    check_shards(None, None)
    check_shards(4, (0, 3))
    with pytest.raises(ValueError, match="shard ids need a shard count"):
        check_shards(None, (0,))
    with pytest.raises(ValueError, match="shard 4 is not among shards 0 to 3"):
        check_shards(4, (1, 4))
    with pytest.raises(ValueError, match="at least one shard"):
        check_shards(4, ())


def test_a_guild_is_on_the_shard_of_its_id() -> None:
    guild_id = (1234 << 22) | 987  # the low 22 bits do not count
    assert [shard_of(guild_id, n) for n in (1, 2, 4, 16)] == [0, 0, 2, 2]
    with pytest.raises(ValueError, match="at least 1 shard"):
        shard_of(guild_id, 0)


# -- IDENTIFY turns ---------------------------------------------------------------------------


async def identify_times(
    pacer: IdentifyPacer, clock: ManualClock, shards: list[int]
) -> list[float]:
    """Each shard asks for its turn in order (as discord.py launches them); when each got it."""
    granted: list[float] = []

    async def launch() -> None:
        for shard in shards:
            await pacer(shard)
            granted.append(clock.monotonic())

    task = asyncio.create_task(launch())
    for _ in range(20):
        await clock.advance(1)
    await asyncio.wait_for(task, 1)
    return [t - 1000 for t in granted]


async def test_one_identify_per_bucket_per_window() -> None:
    clock = ManualClock(start=1000)
    times = await identify_times(IdentifyPacer(2, clock=clock), clock, [0, 1, 2, 3, 4])
    # Shards 0 and 1 at once (buckets 0 and 1); 2 and 3 a window (and its margin) later.
    assert times == [0, 0, 5.5, 5.5, 11]


async def test_with_max_concurrency_1_every_identify_waits_its_window() -> None:
    clock = ManualClock(start=1000)
    times = await identify_times(IdentifyPacer(1, clock=clock), clock, [0, 1, 2])
    assert times == [0, 5.5, 11]


async def test_a_shard_that_reconnects_long_after_does_not_wait() -> None:
    clock = ManualClock(start=1000)
    pacer = IdentifyPacer(1, clock=clock)
    await pacer(0)
    await clock.advance(60)
    await asyncio.wait_for(pacer(0), 0.1)  # the window passed long ago: no sleep
    assert clock.pending == 0


# -- the REST budget --------------------------------------------------------------------------


async def test_the_budget_lets_a_burst_through_then_one_per_freed_slot() -> None:
    clock = ManualClock(start=0)
    budget = RequestBudget(3, clock=clock)
    started: list[float] = []

    async def call() -> None:
        await budget.spend()
        started.append(clock.monotonic())

    calls = [asyncio.create_task(call()) for _ in range(7)]
    await clock.advance(0.4)
    assert started == [0, 0, 0]  # a burst of the whole share at once
    await clock.advance(0.6)
    assert started == [0, 0, 0, 1, 1, 1]
    await clock.advance(1)
    await asyncio.wait_for(asyncio.gather(*calls), 1)
    assert started == [0, 0, 0, 1, 1, 1, 2]


async def test_no_second_of_the_budget_holds_more_than_its_rate() -> None:
    clock = ManualClock(start=0)
    budget = RequestBudget(5, clock=clock)
    started: list[float] = []

    async def call(delay: float) -> None:
        await clock.sleep_until(delay)
        await budget.spend()
        started.append(clock.monotonic())

    # Calls arriving unevenly: a token bucket of 5 would let 10 through between 0.9 and 1.9.
    delays = [0.0, 0.9, 0.9, 0.9, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6]
    calls = [asyncio.create_task(call(d)) for d in delays]
    for _ in range(40):
        await clock.advance(0.1)
    await asyncio.wait_for(asyncio.gather(*calls), 1)

    assert len(started) == len(delays)
    for t in started:
        assert sum(1 for u in started if t <= u < t + 1) <= 5


def test_a_budget_needs_a_rate() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RequestBudget(0, clock=ManualClock())


# -- shard states, health and metrics ---------------------------------------------------------


def test_a_shard_is_connecting_then_connected_then_disconnected_then_closed() -> None:
    board = ShardBoard()
    running = (1, 3)
    up = {1: Link(True, 0.04), 3: Link(True, float("inf"))}

    def phases(links: dict[int, Link], *, closed: bool = False) -> list[ShardPhase]:
        return [s.phase for s in board.states(running, links, closed=closed)]

    assert phases({}) == [ShardPhase.CONNECTING, ShardPhase.CONNECTING]
    board.ready(1)
    assert phases(up) == [ShardPhase.CONNECTED, ShardPhase.CONNECTING]
    board.ready(3)
    assert board.disconnected(1) is True
    assert board.disconnected(1) is False
    assert phases(up) == [ShardPhase.DISCONNECTED, ShardPhase.CONNECTED]
    board.resumed(1)
    assert phases({**up, 3: Link(False, 0.05)}) == [
        ShardPhase.CONNECTED,
        ShardPhase.DISCONNECTED,
    ]
    assert phases(up, closed=True) == [ShardPhase.CLOSED, ShardPhase.CLOSED]
    assert [s.latency for s in board.states(running, up, closed=False)] == [0.04, None]


async def test_healthz_lists_each_shard_and_fails_while_one_is_down() -> None:
    states = [
        ShardState(0, ShardPhase.CONNECTED, 0.0415),
        ShardState(2, ShardPhase.DISCONNECTED, None),
    ]
    health = Health(platform_connected=always, database_writable=always)
    health.watch_shards(lambda: list(reversed(states)))

    report = await health.check()

    assert json.loads(json.dumps(report.as_json())) == {
        "status": "ok",
        "platform": "connected",
        "database": "writable",
        "shards": {
            "0": {"state": "connected", "latency_ms": 41.5},
            "2": {"state": "disconnected", "latency_ms": None},
        },
    }


async def test_a_platform_without_shards_reports_as_before() -> None:
    report = await Health(platform_connected=always, database_writable=always).check()
    assert "shards" not in report.as_json()


def test_metrics_label_the_gateway_by_shard() -> None:
    metrics = Metrics(platform="discord", process=False)
    states = [ShardState(0, ShardPhase.CONNECTED, 0.05), ShardState(1, ShardPhase.CONNECTING)]
    metrics.watch_shards("discord", lambda: states)
    meter = metrics.platform("discord")
    meter.received(1)
    meter.received(1)
    meter.received(0)

    seen = scraped(metrics)

    assert seen.value("trivia_gateway_connected", platform="discord", shard="0") == 1
    assert seen.value("trivia_gateway_connected", platform="discord", shard="1") == 0
    assert seen.value("trivia_gateway_latency_seconds", platform="discord", shard="0") == 0.05
    assert seen.value("trivia_gateway_latency_seconds", platform="discord", shard="1") is None
    assert seen.value("trivia_gateway_events_received_total", platform="discord", shard="1") == 2
    assert seen.value("trivia_gateway_events_received_total", platform="discord", shard="0") == 1
    # The names that were there before are unchanged.
    assert seen.value("trivia_platform_errors_total", platform="discord") == 0
