"""``trivia-bot db leases``: who holds which work, as an operator reads it."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli.db import db
from bot.coordination import Lease
from bot.storage import open_store

OLD = "host-a pid 10 started 2026-01-01T00:00:00.000Z"
NEW = "host-b pid 20 started 2026-01-01T00:01:00.000Z"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(db, ["leases", *args], env={"TRIVIA_DB": ""})


async def run(*args: str) -> Result:
    """``invoke`` from a test's event loop: the command runs one of its own."""
    return await asyncio.to_thread(invoke, *args)


async def hold_two_release_one(location: str) -> None:
    store = await open_store(location)
    try:
        await store.take_lease("discord:shard:0", OLD, ttl=60)
        released = await store.take_lease("discord:shard:1", NEW, ttl=60)
        assert isinstance(released, Lease)
        await store.release_lease(released)
        await store.take_lease("slack:workspace:T1", NEW, ttl=60)
    finally:
        await store.close()


async def test_every_lease_is_listed_with_its_epoch_holder_and_expiry(tmp_path: Path) -> None:
    path = tmp_path / "scores.db"
    await hold_two_release_one(str(path))
    result = await run("--db", str(path))
    assert result.exit_code == 0, result.output
    shard0, shard1, slack = result.output.splitlines()
    held = r"held for (59|60)\.\d s more \(until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)"
    assert re.fullmatch(re.escape(f"discord:shard:0     epoch 1  {OLD}  ") + held, shard0)
    assert shard1.startswith("discord:shard:1     epoch 1  " + NEW + "  free: expired or released")
    assert slack.startswith("slack:workspace:T1  epoch 1")


async def test_a_prefix_narrows_the_list(tmp_path: Path) -> None:
    path = tmp_path / "scores.db"
    await hold_two_release_one(str(path))
    assert len((await run("discord:", "--db", str(path))).output.splitlines()) == 2
    none = await run("discord:shard:9", "--db", str(path))
    assert none.exit_code == 0
    assert none.output == "No leases starting with 'discord:shard:9'.\n"


def test_a_missing_database_file_is_refused_not_created(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    result = invoke("--db", str(path))
    assert result.exit_code == 1
    assert f"No database at {path}" in result.output
    assert not path.exists()


async def test_leases_on_postgresql_are_listed_too(postgres_dsn: str) -> None:
    await hold_two_release_one(postgres_dsn)
    result = await run("discord:", "--db", postgres_dsn)
    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.output.splitlines()] == [
        "discord:shard:0",
        "discord:shard:1",
    ]
