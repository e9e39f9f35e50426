"""An operator curates a server's questions and reports from the command line,
and tells running bots to reload their banks."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

from tests.e2e.conftest import BANKS, run_cli

SERVER = ("--server", "discord:42")


def cli(*args: str, env: dict[str, str], db: Path) -> tuple[int, str, str]:
    result = run_cli(*args, "--db", str(db), env=env)
    return result.returncode, result.stdout, result.stderr


def test_an_operator_adds_edits_switches_and_removes_a_question(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "t.db"
    code, out, err = cli(
        "questions", "add", *SERVER, "--prompt", "Which town hosted the free climb?",
        "--answer", "Moab", "--category", "Places", env=cli_env, db=db,
    )  # fmt: skip
    assert code == 0, err
    assert "Added question 'which-town-hosted-the-free-climb' (Places)." in out
    qid = "which-town-hosted-the-free-climb"

    code, out, err = cli(
        "questions", "edit", qid, *SERVER, "--answer", "Moab", "--answer", "Moab, Utah",
        env=cli_env, db=db,
    )  # fmt: skip
    assert code == 0, err
    assert f"Saved question {qid!r}." in out

    code, out, _ = cli("questions", "show", qid, *SERVER, env=cli_env, db=db)
    assert "Answers: Moab, Moab, Utah" in out
    assert "(Places, medium, text)" in out
    assert "added by cli:" in out

    code, out, _ = cli("questions", "disable", qid, *SERVER, env=cli_env, db=db)
    assert f"Question {qid!r} is off" in out
    code, out, _ = cli("questions", "list", *SERVER, "--own", env=cli_env, db=db)
    assert qid in out
    assert "│ off" in out
    code, out, _ = cli("questions", "enable", qid, *SERVER, env=cli_env, db=db)
    assert f"Question {qid!r} is on" in out

    code, out, _ = cli("questions", "remove", qid, *SERVER, env=cli_env, db=db)
    assert code == 0
    assert f"Removed question {qid!r}." in out
    code, _, err = cli("questions", "show", qid, *SERVER, env=cli_env, db=db)
    assert code == 1
    assert f"no question with id {qid!r}" in err


def test_a_bad_question_is_refused_with_every_problem_by_field(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "t.db"
    code, _, err = cli(
        "questions", "add", *SERVER, "--prompt", "Pick one", "--answer", "a",
        "--choice", "b", "--choice", "c", env=cli_env, db=db,
    )  # fmt: skip
    assert code == 1
    assert "That question needs fixing:" in err
    assert "answers: the answer 'a' is not among the choices (b, c)" in err
    code, out, _ = cli("questions", "list", *SERVER, "--own", env=cli_env, db=db)
    assert "No questions." in out


def test_the_server_list_pages_and_searches_bundled_questions(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "t.db"
    code, out, _ = cli("questions", "list", *SERVER, env=cli_env, db=db)
    assert code == 0
    assert "Page 1 of 4: 31 questions. Next: --page 2." in out
    code, out, _ = cli("questions", "list", *SERVER, "--search", "woo", env=cli_env, db=db)
    assert "matching 'woo'" in out
    assert "bundled" in out


def test_a_bundled_category_switched_off_is_not_played_on_that_server(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "t.db"
    bank = ("--bank", str(BANKS / "tiny.yaml"))
    env = {**cli_env, "TRIVIA_QUESTIONS": str(BANKS / "tiny.yaml")}
    code, out, err = cli(
        "questions", "bundled", "--server", "console:local", "--category-off", "TINY",
        env=env, db=db,
    )  # fmt: skip
    assert code == 0, err
    assert "Switched category tiny off." in out
    played = run_cli("play", *bank, "--db", str(db), "--pause", "0", env=cli_env, stdin="")
    assert "There are no questions loaded for this server." in played.stdout + played.stderr
    code, out, _ = cli(
        "questions", "bundled", "--server", "console:local", "--category-off", "sport",
        env=env, db=db,
    )  # fmt: skip
    assert code == 1


def test_a_players_report_is_listed_and_dismissed(tmp_path: Path, cli_env: dict[str, str]) -> None:
    db = tmp_path / "t.db"
    played = run_cli(
        "play", "--bank", str(BANKS / "tiny.yaml"), "--db", str(db), "--rounds", "1",
        "--category", "tiny", "--seed", "1",
        env=cli_env, stdin="/report unclear Which sky, day or night?\n/stop\n",
    )  # fmt: skip
    assert "report #1" in played.stdout, played.stdout + played.stderr
    local = ("--server", "console:local")
    env = {**cli_env, "TRIVIA_QUESTIONS": str(BANKS / "tiny.yaml")}
    code, out, _ = cli("reports", "list", *local, env=env, db=db)
    assert code == 0
    assert "Which sky, day or night?" in out
    assert "unclear" in out
    code, out, _ = cli("reports", "dismiss", "1", *local, env=env, db=db)
    assert "Report #1 dismissed." in out
    code, out, _ = cli("reports", "list", *local, env=env, db=db)
    assert "No open reports." in out
    code, _, err = cli("reports", "dismiss", "1", *local, env=env, db=db)
    assert code == 1
    assert "closed already" in err
    assert "`reports`" not in err  # no such command: it is `reports list`
    assert "The open reports: trivia-bot reports list --server console:local" in err


async def test_reload_reaches_a_running_bot_and_a_broken_bank_changes_nothing(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    folder = tmp_path / "banks"
    folder.mkdir()
    shutil.copy(BANKS / "tiny.yaml", folder / "tiny.yaml")
    db = tmp_path / "t.db"
    env = {
        **cli_env,
        "TRIVIA_QUESTIONS": str(folder),
        "TRIVIA_RELOAD_SECONDS": "0",
        "TRIVIA_DB": str(db),
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "play", "--seconds", "300", "--pause", "0",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    assert bot.stdin is not None
    assert bot.stderr is not None
    try:
        pid_file = tmp_path / f"t.db.{bot.pid}.pid"
        for _ in range(1200):  # bounded poll: the bot lists itself once it serves
            if pid_file.exists():
                break
            await asyncio.sleep(0.05)

        good = (folder / "tiny.yaml").read_text(encoding="utf-8")
        (folder / "tiny.yaml").write_text(good.replace("answers: [Mars]", "answrs: [Mars]"))
        refused = await asyncio.to_thread(run_cli, "reload", env=env)
        assert refused.returncode == 1
        assert "the running bots keep their banks" in refused.stderr
        assert "answrs" in refused.stderr

        extra = "\n  - {id: tiny-extra, prompt: Tiny extra?, answers: [yes], category: tiny}\n"
        (folder / "tiny.yaml").write_text(good + extra, encoding="utf-8")
        told = await asyncio.to_thread(run_cli, "reload", env=env)
        assert told.returncode == 0, told.stderr
        assert f"Told 1 bot (pid {bot.pid}) to reload 1 bank with 4 questions." in told.stdout
        async with asyncio.timeout(60):
            while b"banks reloaded (SIGHUP): 1 bank, 4 questions" not in (
                await bot.stderr.readline()
            ):
                pass
        assert bot.returncode is None  # still serving
    finally:
        bot.stdin.close()
        async with asyncio.timeout(60):
            await bot.wait()
    assert not pid_file.exists()
    nobody = await asyncio.to_thread(run_cli, "reload", env=env)
    assert nobody.returncode == 1
    assert "no bot is running" in nobody.stderr


def test_a_broken_configured_bank_is_reported_not_raised(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\ntitle: Broken\nquestions:\n  - {id: x1, prompt: P?}\n")
    env = {**cli_env, "TRIVIA_QUESTIONS": str(broken)}
    db = tmp_path / "t.db"
    code, _, err = cli(
        "questions", "import", str(BANKS / "tiny.yaml"), *SERVER, env=env, db=db
    )  # fmt: skip
    assert code == 1
    assert "The configured banks have 1 problem; nothing imported:" in err
    assert f"{broken}:4" in err
    assert "Traceback" not in err
    code, _, err = cli("questions", "disable", "x1", *SERVER, env=env, db=db)
    assert code == 1
    assert "The configured banks have 1 problem:" in err
