"""Bank authors check their files from the command line."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import BANKS, run_cli

BROKEN = """\
id: broken-bank
title: Broken
questions:
  - id: ok-one
    prompt: Fine?
    answers: [yes]
  - id: ok-one
    prompt: What colour?
    answrs: [blue]
"""


def test_validate_accepts_the_bundled_bank(cli_env: dict[str, str]) -> None:
    result = run_cli("questions", "validate", env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "mission-impossible-2.yaml" in result.stdout


def test_validate_reports_every_problem_with_file_and_line(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    bank = tmp_path / "broken.yaml"
    bank.write_text(BROKEN, encoding="utf-8")
    result = run_cli("questions", "validate", str(bank), env=cli_env)
    assert result.returncode == 1
    assert f"{bank}:7: question 'ok-one', field 'id'" in result.stderr  # the duplicate
    assert f"{bank}:9:" in result.stderr
    assert "answers" in result.stderr
    assert "did you mean 'answers'" in result.stderr


def test_try_says_how_a_guess_would_be_judged(cli_env: dict[str, str]) -> None:
    bank = str(BANKS / "tiny.yaml")
    accepted = run_cli("questions", "try", bank, "tiny-legs", "eight legs", env=cli_env)
    assert accepted.returncode == 0
    assert accepted.stdout.startswith("accepted:")
    rejected = run_cli("questions", "try", bank, "tiny-legs", "18", env=cli_env)
    assert rejected.stdout.startswith("rejected:")
    close = run_cli("questions", "try", bank, "tiny-planet", "Marz", env=cli_env)
    assert close.stdout.split(":")[0] in {"accepted", "close"}
    unknown = run_cli("questions", "try", bank, "tiny-nope", "x", env=cli_env)
    assert unknown.returncode == 1
    assert "No question with id 'tiny-nope'" in unknown.stderr


def test_try_takes_the_configured_banks_without_a_file(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    bundled = run_cli("questions", "try", "mi2-director", "john woo", env=cli_env)
    assert bundled.returncode == 0, bundled.stderr
    assert bundled.stdout.startswith("accepted:")
    chosen = run_cli(
        "questions", "try", "tiny-legs", "18", "--bank", str(BANKS / "tiny.yaml"), env=cli_env
    )
    assert chosen.stdout.startswith("rejected:")
    missing = run_cli("questions", "try", str(tmp_path / "nope.yaml"), "q", "x", env=cli_env)
    assert missing.returncode == 2
    assert "is not a bank file" in missing.stderr
    too_few = run_cli("questions", "try", "mi2-director", env=cli_env)
    assert too_few.returncode == 2
    assert "give QUESTION_ID and GUESS" in too_few.stderr


def test_list_and_show(cli_env: dict[str, str]) -> None:
    listed = run_cli("questions", "list", "--bank", str(BANKS / "tiny.yaml"), env=cli_env)
    assert listed.returncode == 0
    assert "3 questions" in listed.stdout
    shown = run_cli("questions", "show", "mi2-director", env=cli_env)
    assert shown.returncode == 0
    assert "John Woo" in shown.stdout
    assert "paragraph" in shown.stdout


def test_config_shows_where_each_setting_came_from(cli_env: dict[str, str]) -> None:
    result = run_cli("config", env={**cli_env, "TRIVIA_ROUNDS": "4"})
    assert result.returncode == 0
    assert "environment TRIVIA_ROUNDS" in result.stdout
    assert "questions per game" in result.stdout  # what each setting means
