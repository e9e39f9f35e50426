"""The real ``trivia-bot`` command fed hostile input: names, lines, arguments and files.

A terminal must never get raw escape codes from a player's name or guess, a 10 MB line is
one wrong guess, bytes that are not UTF-8 are refused or read as a wrong guess, and rich
markup in a name or a question (``[/]``) is printed, not parsed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import rows
from tests.robustness.nasty import SQL

BANK = """\
id: cli-robust
title: CLI robustness
questions:
  - id: capital
    prompt: "Capital of France? [/] [bold]not bold[/bold] [link=http://evil.example]x[/link]"
    answers: [Paris]
    category: geo
"""
#: An escape sequence that would clear the screen and set the window title.
HOSTILE_NAME = "\x1b[2J\x1b]0;owned\x07Eve [/] [red]x[/red] \u202eabc"


def run(args: list[str | bytes], env: dict[str, str], stdin: bytes = b"") -> tuple[int, bytes]:
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def cli_env(cli_env: dict[str, str]) -> dict[str, str]:
    """The shared one (tests/conftest.py), wide enough for whole table rows."""
    return {**cli_env, "COLUMNS": "400"}


def squashed(text: bytes) -> bytes:
    """Without white space: a narrow table wraps its title."""
    return b"".join(text.split())


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(BANK, encoding="utf-8")
    return path


def play(bank: Path, db: Path, *extra: str | bytes) -> list[str | bytes]:
    return ["play", "--bank", str(bank), "--db", str(db), "--pause", "0", "--seed", "1", *extra]


def test_a_10mb_line_on_stdin_is_one_wrong_guess_and_is_not_echoed(
    bank: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "scores.db"
    stdin = b"x" * 10_000_000 + b"\n" + b"paris\n"

    code, output = run(play(bank, db, "--player", "Tess"), cli_env, stdin)

    assert code == 0, output[-2000:]
    assert output.count(b"Not it.") == 1
    assert b"Correct! Tess answered 'paris'" in output
    assert len(output) < 5_000
    assert rows(db, "SELECT name, correct FROM players") == [("Tess", 1)]


def test_a_hostile_player_name_reaches_the_terminal_spelled_out_and_the_database_literally(
    bank: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "scores.db"

    code, output = run(play(bank, db, "--player", HOSTILE_NAME), cli_env, b"paris\n")
    stats_code, stats = run(["stats", HOSTILE_NAME, "--db", str(db)], cli_env)
    board_code, board = run(["leaderboard", "--db", str(db)], cli_env)

    assert (code, stats_code, board_code) == (0, 0, 0), output + stats + board
    for shown in (output, stats, board):
        assert b"\x1b" not in shown
        assert b"\x07" not in shown
        assert "\u202e".encode() not in shown
        spelled_out = rb"\x1b[2J\x1b]0;owned\x07Eve [/] [red]x[/red] \u202eabc"
        assert squashed(spelled_out) in squashed(shown)
    assert output.count(b"[/] [red]x[/red]") >= 3  # started by, correct, final table
    assert rows(db, "SELECT name FROM players") == [(HOSTILE_NAME,)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_rich_markup_in_a_question_is_printed_as_written(
    bank: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    listed_code, listed = run(["questions", "list", "--bank", str(bank)], cli_env)
    shown_code, shown = run(["questions", "show", "capital", "--bank", str(bank)], cli_env)
    played_code, played = run(play(bank, tmp_path / "s.db", "--player", "T"), cli_env, b"paris\n")
    config_code, config = run(["config"], {**cli_env, "TRIVIA_CATEGORY": "[/]"})

    assert (listed_code, shown_code, played_code, config_code) == (0, 0, 0, 0)
    for output in (listed, shown, played):
        assert b"[/] [bold]not bold[/bold] [link=http://evil.example]x[/link]" in output
    assert b"[/]" in config


def test_argument_bytes_that_are_not_utf8_are_refused_as_bad_usage(
    bank: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "scores.db"
    name = b"Ev\xffe"

    played = run(play(bank, db, "--player", name), cli_env, b"paris\n")
    stats = run(["stats", name, "--db", str(db)], cli_env)
    board = run(["leaderboard", "--server", b"console:\xff", "--db", str(db)], cli_env)

    for code, output in (played, stats, board):
        assert code == 2, output
        assert b"not valid UTF-8 text" in output
        assert b"Traceback" not in output
    assert not db.exists() or rows(db, "SELECT COUNT(*) FROM players") == [(0,)]


def test_stdin_bytes_that_are_not_utf8_are_a_wrong_guess_and_the_game_goes_on(
    bank: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "scores.db"

    code, output = run(
        play(bank, db, "--player", "T"), cli_env, b"\xff\xfe\x00bad\n\x1b[2J\nparis\n"
    )

    assert code == 0, output
    assert b"Traceback" not in output
    assert output.count(b"Not it.") == 2
    assert b"Correct!" in output
    assert b"\x1b" not in output


def test_sql_looking_arguments_are_plain_text(
    bank: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "scores.db"
    assert run(play(bank, db, "--player", SQL), cli_env, b"paris\n")[0] == 0

    category = run(play(bank, db, "--category", SQL), cli_env, b"paris\n")
    question_id = run(["questions", "try", str(bank), SQL, "paris"], cli_env)
    guess = run(["questions", "try", str(bank), "capital", SQL], cli_env)
    stats = run(["stats", SQL, "--db", str(db)], cli_env)
    nobody = run(["stats", f"x{SQL}", "--db", str(db)], cli_env)

    assert category[0] == 1
    assert f"No questions match category {SQL!r}".encode() in category[1]
    assert question_id[0] == 1
    assert f"No question with id {SQL!r}".encode() in question_id[1]
    assert guess == (0, guess[1])
    assert guess[1].startswith(b"rejected: ")
    assert stats[0] == 0
    assert SQL.encode() in stats[1]
    assert nobody[0] == 1
    assert rows(db, "SELECT name FROM players") == [(SQL,)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"binary file"),
        ("id: u\ntitle: U\nquestions: []\n".encode("utf-16"), b"UTF-16"),
        (
            b"a: &a [x]\n" + b"".join(b"b%d: &b%d [*a, *a, *a, *a]\n" % (n, n) for n in range(9)),
            b"",
        ),
    ],
    ids=["png", "utf-16", "aliases"],
)
def test_a_bank_that_is_not_a_bank_stops_play_and_validate_with_exit_1(
    tmp_path: Path, cli_env: dict[str, str], content: bytes, says: bytes
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(content)

    played = run(play(bad, tmp_path / "s.db"), cli_env, b"x\n")
    validated = run(["questions", "validate", str(bad)], cli_env)

    for code, output in (played, validated):
        assert code == 1, output
        assert b"problem" in output
        assert says in output
        assert b"Traceback" not in output


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_bank_argument_that_never_ends_is_refused(cli_env: dict[str, str]) -> None:
    code, output = run(["questions", "try", "/dev/zero", "q", "x"], cli_env)

    assert code == 1
    assert b"more than 5,242,880 bytes" in output
