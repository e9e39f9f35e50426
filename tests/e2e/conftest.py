"""Run the real ``trivia-bot`` command in a subprocess (``cli_env``, in ``tests/conftest.py``,
isolates it from the user's files)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BANKS = Path(__file__).parent / "banks"


def run_cli(
    *args: str, env: dict[str, str], stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
