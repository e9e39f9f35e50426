"""What the command line prints reads right: counts in words, whole ids and summaries
when output goes to a pipe or a file."""

from __future__ import annotations

import re
from pathlib import Path

import click

from bot.cli.common import WholeSummaries
from bot.cli.main import main
from bot.domain.words import plural
from tests.e2e.conftest import BANKS, run_cli

ONE = """\
id: one-question
title: One question
questions:
  - {id: the-one-and-only-question-with-a-rather-long-id, prompt: Only one, answers: [yes]}
"""


def piped(cli_env: dict[str, str]) -> dict[str, str]:
    """The environment of a command whose output goes to a pipe, with no COLUMNS set."""
    return {k: v for k, v in cli_env.items() if k != "COLUMNS"}


def test_plural_counts_in_words() -> None:
    assert [plural(n, "question") for n in (0, 1, 2, 5_000)] == [
        "0 questions",
        "1 question",
        "2 questions",
        "5,000 questions",
    ]
    assert plural(2, "entry", "entries") == "2 entries"


def test_one_of_a_thing_is_one_thing(tmp_path: Path, cli_env: dict[str, str]) -> None:
    bank = tmp_path / "one.yaml"
    bank.write_text(ONE, encoding="utf-8")
    env = {**cli_env, "TRIVIA_QUESTIONS": str(bank)}
    db = str(tmp_path / "t.db")

    validated = run_cli("questions", "validate", env=env)
    assert ": 1 question (one-question)" in validated.stdout, validated.stderr
    listed = run_cli("questions", "list", env=env)
    assert listed.stdout.split("\n", 1)[0].strip() == "1 question"
    reloaded = run_cli("reload", "--db", db, env=env)
    assert "The banks are fine (1 bank, 1 question)" in reloaded.stderr
    run_cli("questions", "import", str(bank), "--server", "discord:1", "--db", db, env=cli_env)
    exported = run_cli(
        "questions", "export", "--server", "discord:1", "--db", db,
        "-o", str(tmp_path / "out.yaml"), env=cli_env,
    )  # fmt: skip
    assert f"Wrote 1 question to {tmp_path / 'out.yaml'}." in exported.stderr
    bank.write_text(ONE.replace("answers", "answrs"), encoding="utf-8")
    broken = run_cli("questions", "validate", env=env)
    assert "1 problem in the question banks:" in broken.stderr
    assert "(s)" not in broken.stderr


def test_piped_tables_keep_each_row_on_one_line(tmp_path: Path, cli_env: dict[str, str]) -> None:
    env = piped(cli_env)
    db = str(tmp_path / "t.db")
    long_id = "the-one-and-only-question-with-a-rather-long-id"
    bank = tmp_path / "one.yaml"
    bank.write_text(ONE, encoding="utf-8")
    run_cli("questions", "import", str(bank), "--server", "discord:1", "--db", db, env=env)
    reason = "a reason long enough that a table squeezed into 80 columns would wrap it"
    run_cli(
        "play", "--bank", str(BANKS / "tiny.yaml"), "--db", db, "--rounds", "1", "--pause", "0",
        "--category", "tiny", "--seed", "1", "--player", "Pipe",
        env=env, stdin=f"/report unclear {reason}\n8\n",  # seed 1: the spider
    )  # fmt: skip

    listed = run_cli("questions", "list", "--server", "discord:1", "--db", db, env=env)
    row = next(ln for ln in listed.stdout.splitlines() if long_id[:10] in ln)
    assert long_id in row, listed.stdout
    bundled = run_cli("questions", "list", env=env)
    director = next(ln for ln in bundled.stdout.splitlines() if "mi2-director " in ln)
    assert "Who directed Mission: Impossible 2?" in director  # the prompt is not wrapped
    reports = run_cli(
        "reports", "list", "--server", "console:local", "--db", db,
        env={**env, "TRIVIA_QUESTIONS": str(BANKS / "tiny.yaml")},
    )  # fmt: skip
    assert reason in reports.stdout, reports.stdout
    board = run_cli("leaderboard", "--db", db, env=env)
    assert re.search(r"│\s*1\s*│\s*Pipe\s*│", board.stdout), board.stdout


def groups(
    group: click.Group, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Group]]:
    found = [(path, group)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += groups(command, (*path, name))
    return found


def test_help_shows_every_commands_summary_whole(cli_env: dict[str, str]) -> None:
    env = piped(cli_env)
    for path, group in groups(main):
        assert isinstance(group, WholeSummaries), path
        shown = run_cli(*path, "--help", env=env)
        assert shown.returncode == 0, shown.stderr
        listing = shown.stdout.split("Commands:", 1)[1]
        assert "..." not in listing, listing
        words = " ".join(listing.split())
        for name, command in group.commands.items():
            summary = " ".join(command.get_short_help_str(limit=10_000).split())
            assert f"{name} {summary}" in words, (path, name)
