"""A person at a terminal plays a whole game; scores land in SQLite."""

from __future__ import annotations

import asyncio
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import BANKS, run_cli

ANSWERS = {
    "Tiny question one": ["green", "blue"],  # a wrong guess first, then the right one
    "Tiny question two": ["/hint", "eight"],  # a hint costs points; number words count
    "Tiny question three": ["2"],  # the number of the option
}


async def play_along(
    args: list[str], env: dict[str, str], answers: dict[str, list[str]] = ANSWERS
) -> tuple[str, int]:
    """Start ``trivia-bot play``, answer each prompt as it appears, return all output."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "play",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    seen: list[str] = []
    async with asyncio.timeout(60):
        while line := (await proc.stdout.readline()).decode():
            seen.append(line)
            for prompt, replies in answers.items():
                if line.startswith(prompt):
                    proc.stdin.write("".join(f"{r}\n" for r in replies).encode())
                    await proc.stdin.drain()
            if "Final standings" in line:
                proc.stdin.close()
        code = await proc.wait()
    return "".join(seen), code


async def test_a_piped_game_plays_to_the_final_table_and_saves_scores(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "scores.db"
    args = ["--bank", str(BANKS / "tiny.yaml"), "--db", str(db), "--player", "Tess", "--pause", "0"]
    output, code = await play_along(args, cli_env)
    assert code == 0, output
    assert output.count("Correct!") == 3
    assert "Hint:" in output
    assert "Game over!" in output
    assert "Final standings" in output
    final = re.search(r"│\s*1\s*│\s*Tess\s*│\s*(\d+)\s*│\s*3\s*│", output)
    assert final, output
    points = int(final.group(1))
    assert "Solo games count for your stats" in output

    board = run_cli("leaderboard", "--db", str(db), env=cli_env)
    assert board.returncode == 0, board.stderr
    assert re.search(rf"Tess\s*│\s*{points}\s*│\s*3", board.stdout), board.stdout

    stats = run_cli("stats", "tess", "--db", str(db), env=cli_env)
    assert stats.returncode == 0, stats.stderr
    assert re.search(r"Games\s*│\s*1", stats.stdout)
    assert re.search(r"Wins\s*│\s*0", stats.stdout)
    assert re.search(r"Accuracy\s*│\s*100% of 3 answered", stats.stdout)


async def test_a_wrong_option_tells_the_player_and_moves_on_without_waiting_out_the_time(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "scores.db"
    # Five minutes a question: the game only ends within the test's minute if a player who
    # can no longer score does not have to wait for the timer.
    args = ["--bank", str(BANKS / "tiny.yaml"), "--db", str(db), "--seconds", "300"]
    wrong = {**ANSWERS, "Tiny question three": ["1"]}  # Venus: a wrong option

    output, code = await play_along([*args, "--pause", "0"], cli_env, wrong)

    assert code == 0, output
    assert output.count("Option 1 is not it. One pick per question: you're out of this one.") == 1
    assert output.count("Correct!") == 2
    assert "The answer: Mars" in output
    assert "Game over!" in output


def test_end_of_input_stops_the_game_and_keeps_the_points(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "scores.db"
    # Input ends before anyone answers: the game stops and is still recorded.
    result = run_cli(
        "play",
        "--bank",
        str(BANKS / "tiny.yaml"),
        "--db",
        str(db),
        "--player",
        "Eve",
        "--pause",
        "0",
        "--rounds",
        "3",
        env=cli_env,
        stdin="",
    )
    assert result.returncode == 0, result.stderr
    assert "Game stopped." in result.stdout
    assert "Nobody played this time." in result.stdout


def test_an_unknown_category_is_refused_with_the_ones_there_are(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    result = run_cli(
        "play",
        "--bank",
        str(BANKS / "tiny.yaml"),
        "--db",
        str(tmp_path / "x.db"),
        "--category",
        "opera",
        env=cli_env,
    )
    assert result.returncode == 1
    assert "No questions match category 'opera'" in result.stdout
    assert "tiny" in result.stdout


def test_bad_settings_are_reported_together_with_their_sources(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    env = {**cli_env, "TRIVIA_ROUNDS": "lots", "TRIVIA_SECONDS": "1"}
    result = run_cli("play", "--db", str(tmp_path / "x.db"), env=env)
    assert result.returncode == 2
    assert "environment TRIVIA_ROUNDS: rounds = 'lots' must be a whole number" in result.stderr
    assert "environment TRIVIA_SECONDS" in result.stderr


def test_python_dash_m_bot_is_the_same_command(cli_env: dict[str, str]) -> None:
    result = run_cli("--help", env=cli_env)
    assert result.returncode == 0
    assert "trivia-bot" in result.stdout
    assert "play" in result.stdout


README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readmes_piped_example_scores_what_the_readme_says(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    text = README.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("printf ") and " play " in ln)
    claim = re.search(r"\*\*(\d+) correct, (\d+) points\*\*", text)
    assert claim, "the README no longer says what the piped example scores"
    correct, points = claim.groups()
    # Exactly the README's line, with the command this test suite runs in its place.
    command = line.replace(".venv/bin/trivia-bot", f"{shlex.quote(sys.executable)} -m bot")
    assert command != line

    result = subprocess.run(
        ["sh", "-c", command],
        capture_output=True,
        text=True,
        env={**cli_env, "TMPDIR": str(tmp_path)},
        cwd=tmp_path,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Correct!") == int(correct), result.stdout
    assert re.search(rf"│\s*1\s*│\s*\S+\s*│\s*{points}\s*│\s*{correct}\s*│", result.stdout), (
        result.stdout
    )
