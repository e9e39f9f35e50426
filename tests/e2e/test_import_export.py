"""Admins move their server's questions in and out as bank files from the CLI."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import BANKS, run_cli

RED_LISTS = Path(__file__).resolve().parents[1] / "unit" / "red_lists"
BROKEN = "id: broken\ntitle: Broken\nquestions:\n  - id: x1\n    prompt: Fine?\n    answrs: [yes]\n"


def cli(*args: str, env: dict[str, str], db: Path) -> tuple[int, str, str]:
    result = run_cli(*args, "--db", str(db), env=env)
    return result.returncode, result.stdout, result.stderr


def test_importing_the_same_file_twice_updates_and_export_round_trips(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "t.db"
    bank = str(BANKS / "tiny.yaml")
    code, out, err = cli("questions", "import", bank, "--server", "discord:42", env=cli_env, db=db)
    assert code == 0, err
    assert "discord:42: 3 added, 0 updated, 0 skipped." in out
    code, out, _ = cli("questions", "import", bank, "--server", "discord:42", env=cli_env, db=db)
    assert "0 added, 3 updated, 0 skipped." in out

    exported = tmp_path / "export.yaml"
    code, _, err = cli(
        "questions", "export", "--server", "discord:42", "-o", str(exported), env=cli_env, db=db
    )
    assert code == 0, err
    text = exported.read_text(encoding="utf-8")
    assert text.count("- id: tiny-") == 3
    check = run_cli("questions", "validate", str(exported), env=cli_env)
    assert check.returncode == 0, check.stderr


def test_a_file_with_errors_changes_nothing(tmp_path: Path, cli_env: dict[str, str]) -> None:
    db = tmp_path / "t.db"
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    code, _, err = cli(
        "questions", "import", str(broken), "--server", "slack:T1", env=cli_env, db=db
    )
    assert code == 1
    assert "nothing was imported" in err
    assert f"{broken}:6:" in err
    code, out, err = cli("questions", "export", "--server", "slack:T1", env=cli_env, db=db)
    assert code == 1
    assert "slack:T1 has no questions of its own to export" in err
    assert out == ""


def test_one_servers_questions_stay_in_that_server(tmp_path: Path, cli_env: dict[str, str]) -> None:
    db = tmp_path / "t.db"
    cli(
        "questions", "import", str(BANKS / "tiny.yaml"), "--server", "discord:1", env=cli_env, db=db
    )
    for other in ("discord:2", "slack:1"):
        code, out, err = cli("questions", "export", "--server", other, env=cli_env, db=db)
        assert code == 1
        assert "has no questions of its own" in err
        assert out == ""


def test_a_bundled_questions_id_is_not_taken_over(tmp_path: Path, cli_env: dict[str, str]) -> None:
    db = tmp_path / "t.db"
    clash = tmp_path / "clash.yaml"
    clash.write_text(
        "id: clash\ntitle: Clash\nquestions:\n"
        "  - {id: mi2-director, prompt: Who made my pancakes?, answers: [Grandma]}\n",
        encoding="utf-8",
    )
    code, out, _ = cli(
        "questions", "import", str(clash), "--server", "discord:1", env=cli_env, db=db
    )
    assert code == 1
    assert "skipped mi2-director: a bundled question already has this id" in out


def test_red_discordbot_lists_are_converted_on_import(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "t.db"
    lists = sorted(RED_LISTS.glob("*.yaml"))
    assert lists
    _, out, err = cli(
        "questions",
        "import",
        str(lists[0]),
        "--format",
        "red",
        "--server",
        "discord:7",
        env=cli_env,
        db=db,
    )
    assert "added" in out, err
    _, exported, _ = cli("questions", "export", "--server", "discord:7", env=cli_env, db=db)
    assert "- id: red-" in exported


def test_a_file_past_the_servers_cap_changes_nothing(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "t.db"
    big = tmp_path / "big.yaml"
    lines = ["id: big", "title: Big", "questions:"]
    lines += [f"  - {{id: q{n}, prompt: Question {n}?, answers: [a{n}]}}" for n in range(6_000)]
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = cli(
        "questions", "import", str(big), "--server", "discord:42", env=cli_env, db=db
    )
    assert code == 1
    assert "Nothing was imported: the file adds 6,000 new questions" in err
    assert "already has 0 of its own; a server can keep at most 5,000" in err
    assert "Split the file" in err
    assert "TRIVIA_QUESTIONS" in err
    assert "added" not in out
    code, out, err = cli("questions", "list", "--server", "discord:42", "--own", env=cli_env, db=db)
    assert code == 0, err
    assert out.strip() == "No questions."
