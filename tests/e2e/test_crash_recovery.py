"""Nothing announced is lost: kill -9 mid-game, restart, and the points are there."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

from tests.e2e.conftest import BANKS, run_cli

ANSWERS = {
    "Tiny question one": "blue",
    "Tiny question two": "8",
    "Tiny question three": "Mars",
}


async def test_points_announced_before_a_kill_survive_the_restart(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "scores.db"
    args = ["play", "--bank", str(BANKS / "tiny.yaml"), "--db", str(db), "--player", "Kim"]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        "--pause",
        "30",  # the kill comes during the pause after the first point
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=cli_env,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    announced = 0
    async with asyncio.timeout(30):
        while line := (await proc.stdout.readline()).decode():
            for prompt, answer in ANSWERS.items():
                if line.startswith(prompt):
                    proc.stdin.write(f"{answer}\n".encode())
                    await proc.stdin.drain()
            if found := re.search(r"Correct! .*: \+(\d+)", line):
                announced += int(found.group(1))
                proc.send_signal(signal.SIGKILL)
                break
        await proc.wait()
    assert announced > 0
    assert proc.returncode == -signal.SIGKILL

    # The next start ends the interrupted game and says so...
    again = run_cli(*args, "--pause", "0", env=cli_env, stdin="")
    assert again.returncode == 0, again.stderr
    assert "cut short" in again.stdout
    assert re.search(rf"Kim\s*│\s*{announced}\s*│\s*1", again.stdout), again.stdout

    # ...and every announced point is on the leaderboard, the game in the stats.
    board = run_cli("leaderboard", "--db", str(db), env=cli_env)
    assert re.search(rf"Kim\s*│\s*{announced}\s*│\s*1", board.stdout), board.stdout
    stats = run_cli("stats", "Kim", "--db", str(db), env=cli_env)
    assert re.search(r"Games\s*│\s*1\b", stats.stdout), stats.stdout


async def test_the_first_game_after_a_crash_is_played_to_its_end(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "scores.db"
    args = ["play", "--bank", str(BANKS / "tiny.yaml"), "--db", str(db), "--player", "Kim"]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        "--pause",
        "30",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=cli_env,
    )
    assert proc.stdout is not None
    async with asyncio.timeout(30):
        while line := (await proc.stdout.readline()).decode():
            if line.startswith(tuple(ANSWERS)):
                proc.send_signal(signal.SIGKILL)  # killed with a question open
                break
        await proc.wait()

    # The interrupted game is reported, then the new one asks every question.
    again = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        "--pause",
        "0",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=cli_env,
    )
    assert again.stdin is not None
    assert again.stdout is not None
    shown: list[str] = []
    async with asyncio.timeout(30):
        while line := (await again.stdout.readline()).decode():
            shown.append(line)
            for prompt, answer in ANSWERS.items():
                if line.startswith(prompt):
                    again.stdin.write(f"{answer}\n".encode())
                    await again.stdin.drain()
        await again.wait()
    output = "".join(shown)

    assert again.returncode == 0, output
    assert "cut short" in output
    assert "shutting down" not in output
    assert output.count("Correct!") == 3, output
