"""A terminal game against a database that misbehaves: faults produced for real.

Another process holds the SQLite write lock past the bot's busy timeout (what a
backup tool or an operator's shell does); the game must wait it out, say why it
is quiet, and carry on with every point, instead of dying.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.adapters.common.words import SCORES_DELAYED
from tests.e2e.conftest import BANKS

ANSWERS = {
    "Tiny question one": "blue",
    "Tiny question two": "8",
    "Tiny question three": "Mars",
}
#: Longer than the store's 5 s busy timeout, so the answer's write really fails.
LOCK_SECONDS = 7.0

HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
print("released", flush=True)
"""


@pytest.mark.slow
async def test_a_terminal_game_waits_out_a_long_lock_and_keeps_every_point(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "scores.db"
    game = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "play",
        "--bank",
        str(BANKS / "tiny.yaml"),
        "--db",
        str(db),
        "--player",
        "Kim",
        "--seconds",
        "60",
        "--pause",
        "0",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=cli_env,
    )
    assert game.stdin is not None
    assert game.stdout is not None
    shown: list[str] = []
    holder: asyncio.subprocess.Process | None = None
    async with asyncio.timeout(45):
        while line := (await game.stdout.readline()).decode():
            shown.append(line)
            for prompt, answer in ANSWERS.items():
                if not line.startswith(prompt):
                    continue
                if holder is None:
                    # The first question is open: another process takes the write lock,
                    # then the player answers right.
                    holder = await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-c",
                        HOLD_LOCK,
                        str(db),
                        str(LOCK_SECONDS),
                        stdout=asyncio.subprocess.PIPE,
                    )
                    assert holder.stdout is not None
                    assert await holder.stdout.readline() == b"locked\n"
                game.stdin.write(f"{answer}\n".encode())
                await game.stdin.drain()
        _, errors = await game.communicate()
        assert holder is not None
        await holder.wait()
    output = " ".join("".join(shown).split())  # as the words read, whatever the wrapping
    delayed = " ".join(SCORES_DELAYED.split())

    assert game.returncode == 0, errors.decode()
    assert "Traceback" not in errors.decode()
    # The player is told why it is quiet, once, and then every answer scores.
    assert output.count(delayed) == 1, output
    assert output.index(delayed) < output.index("Correct!")
    assert output.count("Correct!") == 3, output
    with sqlite3.connect(db) as conn:
        (correct,) = conn.execute("SELECT count(*) FROM answers WHERE correct = 1").fetchone()
    conn.close()
    assert correct == 3
