"""A console-only install (``make play``, ``pip install trivia-bot``) has neither
discord.py nor slack-bolt: the platform commands say which extra to install."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Runs ``trivia-bot`` as if the platform SDKs (and aiohttp, which only they
# bring) were not installed: importing one fails as it does on such an install.
WITHOUT_SDKS = """
import importlib.abc, sys

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {"discord", "slack_bolt", "slack_sdk", "aiohttp"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
from bot.cli import main
main(prog_name="trivia-bot")
"""


def without_sdks(
    *args: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_SDKS, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_a_console_game_needs_no_platform_sdk(cli_env: dict[str, str]) -> None:
    result = without_sdks("play", "--rounds", "1", "--pause", "0", env=cli_env, stdin="/stop\n")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "extra", "sdk"),
    [
        (("run", "discord"), "discord", "discord.py"),
        (("run", "slack"), "slack", "slack-bolt"),
        (("discord", "invite"), "discord", "discord.py"),
    ],
)
def test_a_platform_command_without_its_sdk_names_the_extra_to_install(
    args: tuple[str, ...], extra: str, sdk: str, cli_env: dict[str, str]
) -> None:
    env = {
        **cli_env,
        "DISCORD_TOKEN": "x",
        "SLACK_BOT_TOKEN": "xoxb-x",
        "SLACK_APP_TOKEN": "xapp-x",
    }

    result = without_sdks(*args, env=env)

    assert result.returncode == 2, result.stderr
    assert f"needs {sdk}, which is not installed" in result.stderr
    assert f"pip install 'trivia-bot[{extra}]'" in result.stderr
    assert f"make {extra}" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_invite_link_with_a_client_id_needs_no_sdk(cli_env: dict[str, str]) -> None:
    result = without_sdks("discord", "invite", "--client-id", "123", env=cli_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "https://discord.com/oauth2/authorize?client_id=123"
        "&scope=bot+applications.commands&permissions=19456\n"
    )


def test_a_client_id_that_is_no_number_is_refused(cli_env: dict[str, str]) -> None:
    result = without_sdks("discord", "invite", "--client-id", "my-bot", env=cli_env)

    assert result.returncode == 2
    assert "an application id is a number" in result.stderr
    assert result.stdout == ""
