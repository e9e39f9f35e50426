"""deploy/ shows a sharded Discord deployment: compose with PostgreSQL and two Discord
processes that split the shards, and a systemd template with one instance per shard range."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import FIELDS, load_settings
from tests.deploy.deploy_files import DEPLOY, SETTING_NAME, unit_lines

SHARDED_COMPOSE = DEPLOY / "compose.sharded.yaml"
SHARD_UNIT = DEPLOY / "systemd" / "trivia-bot-discord-shards@.service"
KNOWN = {spec.env for spec in FIELDS} | {"TRIVIA_PLATFORM", "TRIVIA_PG_PASSWORD"}


def shards_of(environment: dict[str, str], tmp_path: Path) -> tuple[int, ...]:
    """The shards a process runs, as the bot reads its environment."""
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    settings = load_settings(config_file=empty, environ=environment)
    assert settings.discord_shards is not None
    return settings.discord_shards


def sharded() -> dict[str, Any]:
    loaded = yaml.safe_load(SHARDED_COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def discord_services() -> dict[str, dict[str, Any]]:
    return {k: v for k, v in sharded()["services"].items() if k.startswith("discord")}


def test_two_discord_processes_split_the_shards_exactly_once(tmp_path: Path) -> None:
    found = discord_services()
    assert len(found) == 2
    counts = {int(s["environment"]["TRIVIA_DISCORD_SHARD_COUNT"]) for s in found.values()}
    assert len(counts) == 1, "every process must agree on the shard count"
    (count,) = counts
    covered: list[int] = []
    for service in found.values():
        covered.extend(shards_of(service["environment"], tmp_path))
    assert sorted(covered) == list(range(count))


def test_the_discord_processes_share_postgresql_and_wait_for_it() -> None:
    services = sharded()["services"]
    assert str(services["postgres"]["image"]).startswith("postgres:15")
    for service in discord_services().values():
        assert service["environment"]["TRIVIA_DB"].startswith("postgresql://")
        assert service["environment"]["TRIVIA_PLATFORM"] == "discord"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["stop_grace_period"] == "30s"
    ports = [p for s in discord_services().values() for p in s["ports"]]
    assert len(set(ports)) == len(ports), "each process serves /healthz on its own port"


@pytest.mark.parametrize("path", [SHARDED_COMPOSE, SHARD_UNIT], ids=lambda p: p.name)
def test_the_sharded_files_mention_only_settings_the_bot_knows(path: Path) -> None:
    unknown = sorted(set(SETTING_NAME.findall(path.read_text(encoding="utf-8"))) - KNOWN)
    assert not unknown, f"{path.name} mentions {unknown}, which the bot does not read"


def test_each_instance_of_the_unit_runs_its_shard_range(tmp_path: Path) -> None:
    options: dict[str, list[str]] = {}
    for line in unit_lines(SHARD_UNIT.read_text(encoding="utf-8")):
        if line.section == "Service":
            options.setdefault(line.key, []).append(line.value)
    assert "TRIVIA_DISCORD_SHARDS=%i" in options["Environment"]
    assert options["ExecStart"] == ["/opt/trivia-bot/bin/trivia-bot run discord"]
    assert options["EnvironmentFile"] == ["/etc/trivia-bot/discord-shards.env"]
    # A shard another process still holds is exit 2: no restart loop against it.
    assert options["RestartPreventExitStatus"] == ["2"]
    assert options["KillSignal"] == ["SIGTERM"]
    assert options["NoNewPrivileges"] == ["yes"]
    assert options["ProtectSystem"] == ["strict"]
    assert options["User"] != ["root"]
    # The instance names the range: trivia-bot-discord-shards@0-7 runs shards 0 to 7.
    environment = {"TRIVIA_DISCORD_SHARD_COUNT": "16", "TRIVIA_DISCORD_SHARDS": "0-7"}
    assert shards_of(environment, tmp_path) == tuple(range(8))
