"""deploy/ shows Slack served by several replicas: compose with three replicas behind a
round-robin load balancer (Caddy), PostgreSQL and NATS."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import FIELDS
from tests.deploy.deploy_files import DEPLOY, SETTING_NAME

REPLICAS_COMPOSE = DEPLOY / "compose.slack-replicas.yaml"
CADDYFILE = DEPLOY / "caddy" / "Caddyfile"
KNOWN = {spec.env for spec in FIELDS} | {"TRIVIA_PG_PASSWORD"}


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(REPLICAS_COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def replicas() -> dict[str, dict[str, Any]]:
    return {k: v for k, v in compose()["services"].items() if k.startswith("slack")}


def upstreams() -> list[str]:
    """The addresses Caddy's ``reverse_proxy`` hands requests to."""
    found = re.search(r"^\s*reverse_proxy\s+([^{\n]+)\{", CADDYFILE.read_text(), re.MULTILINE)
    assert found, "the Caddyfile has no reverse_proxy block"
    return found.group(1).split()


def test_three_replicas_serve_slack_over_http_and_share_postgresql_and_nats() -> None:
    found = replicas()
    assert len(found) == 3
    for name, service in found.items():
        environment = service["environment"]
        assert service["command"][:3] == ["run", "slack", "--http"], name
        port = service["command"][service["command"].index("--port") + 1]
        # The health check reads TRIVIA_HTTP_PORT: it must be the port served.
        assert environment["TRIVIA_HTTP_PORT"] == port, name
        assert environment["TRIVIA_DB"].startswith("postgresql://"), name
        assert environment["TRIVIA_NATS_URL"] == "nats://nats:4222", name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name
        assert "nats" in service["depends_on"], name
        assert service["stop_grace_period"] == "30s", name
        assert service["read_only"] is True, name
    ports = [p for s in found.values() for p in s["ports"]]
    assert len(set(ports)) == len(ports), "each replica serves /healthz on its own port"
    assert all(p.startswith("127.0.0.1:") for p in ports), "replicas are reached through Caddy"
    assert "ports" not in compose()["services"]["nats"], "NATS is for the replicas only"


def test_the_load_balancer_spreads_slack_requests_over_every_healthy_replica() -> None:
    found = replicas()
    expected = sorted(
        f"{name}:{s['command'][s['command'].index('--port') + 1]}" for name, s in found.items()
    )
    assert sorted(upstreams()) == expected
    text = CADDYFILE.read_text(encoding="utf-8")
    assert "lb_policy round_robin" in text
    assert "health_uri /healthz" in text
    assert "handle /slack/*" in text, "only Slack's paths are public; /metrics is not"
    caddy = compose()["services"]["caddy"]
    assert "./caddy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]


@pytest.mark.parametrize("path", [REPLICAS_COMPOSE, CADDYFILE], ids=lambda p: p.name)
def test_the_replica_files_mention_only_settings_the_bot_knows(path: Path) -> None:
    unknown = sorted(set(SETTING_NAME.findall(path.read_text(encoding="utf-8"))) - KNOWN)
    assert not unknown, f"{path.name} mentions {unknown}, which the bot does not read"
