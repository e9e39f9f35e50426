"""No network: the platform cannot be reached, which is not the same as a refused token.

"Cannot reach" exits 1 (systemd and Docker start the bot again: an outage at boot must
not keep it down for good), in words and without a traceback; "refused the token" exits
2, which the systemd unit treats as "do not restart".  Produced for real: the platform's
address is a port on 127.0.0.1 where nothing listens.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import run_cli
from tests.helpers import free_port

NOBODY = f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def offline(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return {
        **cli_env,
        "TRIVIA_DB": str(tmp_path / "trivia.db"),
        "DISCORD_TOKEN": "a-token",
        "DISCORD_API_BASE": f"{NOBODY}/api/v10",
        "DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{free_port()}/",
        "SLACK_BOT_TOKEN": "xoxb-a-token",
        "SLACK_APP_TOKEN": "xapp-a-token",
        "SLACK_SIGNING_SECRET": "a-secret",
        "SLACK_API_URL": f"{NOBODY}/api/",
    }


@pytest.mark.parametrize(
    ("command", "platform"),
    [
        (["run", "discord"], "Discord"),
        (["discord", "invite"], "Discord"),
        (["run", "slack"], "Slack"),
        (["run", "slack", "--http", "--port", str(free_port())], "Slack"),
    ],
    ids=["run-discord", "discord-invite", "run-slack", "run-slack-http"],
)
def test_a_platform_out_of_reach_is_said_so_and_exits_1(
    offline: dict[str, str], command: list[str], platform: str
) -> None:
    done = run_cli(*command, env=offline, timeout=60)

    assert done.returncode == 1, done.stderr
    assert f"Cannot reach {platform}" in done.stderr
    assert "not the configuration" in done.stderr
    assert "Traceback" not in done.stderr
    assert "does not work" not in done.stderr  # the token is not blamed
