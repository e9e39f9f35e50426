"""An operator schedules a daily question and a weekly quiz from the command line, lists,
pauses, resumes and removes them, and reads a clear refusal for each bad setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import run_cli

SERVER = ("--server", "discord:42")


def cli(*args: str, env: dict[str, str], db: Path) -> tuple[int, str, str]:
    result = run_cli("schedule", *args, "--db", str(db), env=env)
    return result.returncode, result.stdout, result.stderr


def test_an_operator_adds_lists_pauses_resumes_and_removes_schedules(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "t.db"
    code, out, err = cli(
        "add", *SERVER, "--channel", "general", "--kind", "daily", "--at", "09:00",
        "--tz", "Europe/Berlin", "--days", "weekdays", "--closes", "17:00",
        "--category", "Science", "--difficulty", "Easy", env=cli_env, db=db,
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith(
        "Added schedule 1: daily question in general at 09:00 Europe/Berlin (weekdays), "
        "open until 17:00, Science, easy. Next: "
    )
    assert err == ""  # the bots fire it: nothing to warn about
    code, out, err = cli(
        "add", *SERVER, "--channel", "quiz", "--kind", "quiz", "--at", "16:00",
        "--tz", "America/New_York", "--days", "fri", "--option", "rounds=15",
        "--option", "mode=choice", "--remind", "15", env=cli_env, db=db,
    )  # fmt: skip
    assert code == 0, err
    assert "Added schedule 2: weekly quiz in quiz at 16:00 America/New_York (fri)" in out
    assert "mode=choice, rounds=15, reminder 15 min before" in out

    assert cli("pause", "1", *SERVER, env=cli_env, db=db)[1] == "Schedule 1 is paused.\n"
    wide = {**cli_env, "COLUMNS": "200"}  # a table row on one line
    code, out, _ = cli("list", *SERVER, env=wide, db=db)
    assert code == 0
    [daily] = [line for line in out.splitlines() if "daily question" in line]
    assert "09:00 Europe/Berlin (weekdays)" in daily
    assert "open until 17:00" in daily
    assert "paused" in daily
    [quiz] = [line for line in out.splitlines() if "weekly quiz" in line]
    assert "active" in quiz
    assert "16:00 E" in quiz  # its next run, in its own zone (EST or EDT)

    assert cli("resume", "1", *SERVER, env=cli_env, db=db)[1] == "Schedule 1 runs again.\n"
    assert cli("remove", "2", *SERVER, env=cli_env, db=db)[1] == "Removed schedule 2.\n"
    code, out, _ = cli("list", *SERVER, env=cli_env, db=db)
    assert "weekly quiz" not in out
    assert "active" in out

    # Another server sees none of them and cannot touch them.
    code, out, _ = cli("list", "--server", "slack:T0001", env=cli_env, db=db)
    assert out == "No schedules on slack:T0001.\n"
    code, _, err = cli("remove", "1", "--server", "slack:T0001", env=cli_env, db=db)
    assert code == 1
    assert "No schedule 1 on slack:T0001: see 'trivia-bot schedule list'." in err


def test_a_time_that_daylight_saving_skips_is_moved_and_said_so(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    code, out, err = cli(
        "add", *SERVER, "--channel", "general", "--kind", "daily", "--at", "02:30",
        "--tz", "America/New_York", env=cli_env, db=tmp_path / "t.db",
    )  # fmt: skip
    assert code == 0, err
    assert "02:30 does not exist on " in out
    assert (
        "in America/New_York (clocks go forward): the daily question runs at 03:30 instead" in out
    )


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (
            ("--tz", "Europe/Berln"),
            "Invalid value for '--tz': unknown time zone 'Europe/Berln': use an IANA name "
            "such as Europe/Berlin",
        ),
        (("--at", "25:00"), "Invalid value for '--at': bad time '25:00': use HH:MM"),
        (("--days", ","), "Invalid value for '--days': no days given"),
        (("--days", "funday"), "Invalid value for '--days': unknown day 'funday'"),
        (("--kind", "hourly"), "Invalid value for '--kind': unknown kind 'hourly'"),
        (("--difficulty", "brutal"), "Invalid value for '--difficulty': unknown difficulty"),
        (("--option", "rounds=3"), "Invalid value for '--option': game options are for a weekly"),
        (("--remind", "5"), "Invalid value for '--remind': a reminder is for a weekly quiz"),
        (("--closes", "08:00"), "the window must close after the schedule's time 09:00"),
        (("--server", "nocolon"), "Invalid value for '--server': use PLATFORM:SERVER"),
    ],
)
def test_each_bad_setting_is_refused_naming_it(
    tmp_path: Path, cli_env: dict[str, str], change: tuple[str, str], refusal: str
) -> None:
    settings = {
        "--server": "discord:42",
        "--channel": "general",
        "--kind": "daily",
        "--at": "09:00",
        "--tz": "UTC",
        "--days": "daily",
    }
    settings[change[0]] = change[1]
    args = [part for item in settings.items() for part in item]
    code, out, err = cli("add", *args, env=cli_env, db=tmp_path / "t.db")
    assert code == 2
    assert refusal in " ".join(err.split())
    assert "Added" not in out


def test_a_quiz_option_out_of_range_is_refused(tmp_path: Path, cli_env: dict[str, str]) -> None:
    code, _, err = cli(
        "add", *SERVER, "--channel", "quiz", "--kind", "quiz", "--at", "16:00", "--tz", "UTC",
        "--option", "rounds=500", env=cli_env, db=tmp_path / "t.db",
    )  # fmt: skip
    assert code == 2
    assert "rounds must be a whole number from 1 to 50, got '500'" in err


def test_a_quiz_reminder_that_is_not_minutes_is_refused(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    code, _, err = cli(
        "add", *SERVER, "--channel", "quiz", "--kind", "quiz", "--at", "16:00", "--tz", "UTC",
        "--remind", "soon", env=cli_env, db=tmp_path / "t.db",
    )  # fmt: skip
    assert code == 2
    assert "Invalid value for '--remind': remind must be a whole number of minutes" in " ".join(
        err.split()
    )
