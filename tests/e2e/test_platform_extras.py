"""A console-only install (``make play``, ``pip install trivia-bot``) has neither
discord.py nor slack-bolt (nor aiohttp, which only they bring)."""

from __future__ import annotations

import subprocess
import sys

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
