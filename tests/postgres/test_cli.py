"""Every ``trivia-bot`` command works with TRIVIA_DB on PostgreSQL (``db ...`` and
``bench`` aside): each run in a subprocess against the same small world, arranged
in the test's schema beforehand, and what it wrote read back from the database.
``reload`` is here with no bot running, and in ``test_notifications`` with one.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bank import load_banks
from bot.domain.model import ChannelKey, PlayerKey, ServerKey
from bot.domain.records import AnswerRecord, Period, ReportDraft, ReportKind, Switch
from bot.ports import OperatedStore
from bot.storage import open_store
from tests.e2e.conftest import BANKS, run_cli
from tests.postgres.harness import cli

SERVER = ServerKey("discord", "42")
ON_SERVER = ("--server", "discord:42")
ADMIN = PlayerKey("discord", "42", "ada")
TESS = PlayerKey("console", "local", "Tess")
TINY = BANKS / "tiny.yaml"

ONE_QUESTION = """\
id: one-question
title: One question
questions:
  - id: say-blue
    prompt: "Say blue"
    answers: [blue]
    category: colours
"""


async def arrange(dsn: str) -> None:
    """The world every command meets: discord:42 has two of the tiny bank's questions as
    its own (``tiny-legs`` switched off) and an open report; Tess scored once at the
    console."""
    (tiny,) = load_banks([TINY])
    now = datetime.now(UTC)
    store = await open_store(dsn)
    try:
        for question in tiny.questions[:2]:
            await store.save_custom_question(SERVER, question, by=ADMIN, at=now)
        await store.switch(SERVER, Switch.QUESTION, "tiny-legs", on=False, by=ADMIN, at=now)
        await store.file_report(
            ReportDraft(
                server=SERVER,
                channel=ChannelKey("discord", "42", "7"),
                question_id="tiny-colour",
                prompt=tiny.questions[0].prompt,
                kind=ReportKind.UNCLEAR,
                reason="Which sky, day or night",
                reporter=PlayerKey("discord", "42", "bob"),
                reporter_name="Bob",
                at=now,
            )
        )
        await store.record_answers(
            [
                AnswerRecord(
                    player=TESS,
                    name="Tess",
                    channel=ChannelKey("console", "local", "terminal"),
                    game_id="g1",
                    question_id="tiny-colour",
                    correct=True,
                    points=9,
                    answer_ms=1200,
                    streak=1,
                    at=now,
                )
            ]
        )
    finally:
        await store.close()


#: What a command must have left in the database: asserts it.
Check = Callable[[OperatedStore], Awaitable[None]]


async def _own_ids(store: OperatedStore) -> list[str]:
    return sorted(q.id for q in await store.custom_questions(SERVER))


async def tess_scored_again(store: OperatedStore) -> None:
    (row,) = await store.leaderboard(TESS.server_key, Period.ALL, now=datetime.now(UTC))
    assert (row.name, row.correct) == ("Tess", 2)
    assert row.points > 9


async def sea_added(store: OperatedStore) -> None:
    assert await _own_ids(store) == ["tiny-colour", "tiny-legs", "which-sea-is-dead"]


async def colour_edited(store: OperatedStore) -> None:
    (colour,) = [q for q in await store.custom_questions(SERVER) if q.id == "tiny-colour"]
    assert colour.answers == ("blue", "azure")


async def both_off(store: OperatedStore) -> None:
    assert (await store.switched_off(SERVER)).questions == {"tiny-colour", "tiny-legs"}


async def none_off(store: OperatedStore) -> None:
    assert (await store.switched_off(SERVER)).questions == set()


async def colour_removed(store: OperatedStore) -> None:
    assert await _own_ids(store) == ["tiny-legs"]


async def imported_elsewhere(store: OperatedStore) -> None:
    assert len(await store.custom_questions(ServerKey("discord", "7"))) == 3
    assert await _own_ids(store) == ["tiny-colour", "tiny-legs"]


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    says: str  # a pattern found in what it prints (stdout and stderr together)
    stdin: str = ""
    then: Check | None = None


def _q(*args: str) -> tuple[str, ...]:
    return ("questions", *args)


CASES = {
    "play": Case(
        ("play", "--bank", "{bank}", "--player", "Tess", "--pause", "0", "--rounds", "1"),
        "Correct!",
        stdin="blue\n",
        then=tess_scored_again,
    ),
    "leaderboard": Case(("leaderboard",), r"Tess\s*│\s*9\s*│\s*1"),
    "stats": Case(("stats", "tess"), "100% of 1 answered"),
    "questions add": Case(
        _q("add", *ON_SERVER, "--prompt", "Which sea is dead?", "--answer", "Dead Sea"),
        "Added question 'which-sea-is-dead'",
        then=sea_added,
    ),
    "questions list": Case(_q("list", *ON_SERVER, "--own"), "tiny-legs"),
    "questions show": Case(_q("show", "tiny-colour", *ON_SERVER), "Answers: blue"),
    "questions edit": Case(
        _q("edit", "tiny-colour", *ON_SERVER, "--answer", "blue", "--answer", "azure"),
        "Saved question 'tiny-colour'",
        then=colour_edited,
    ),
    "questions disable": Case(
        _q("disable", "tiny-colour", *ON_SERVER), "Question 'tiny-colour' is off", then=both_off
    ),
    "questions enable": Case(
        _q("enable", "tiny-legs", *ON_SERVER), "Question 'tiny-legs' is on", then=none_off
    ),
    "questions remove": Case(
        _q("remove", "tiny-colour", *ON_SERVER),
        "Removed question 'tiny-colour'",
        then=colour_removed,
    ),
    "questions import": Case(
        _q("import", str(TINY), "--server", "discord:7"),
        "discord:7: 3 added, 0 updated, 0 skipped",
        then=imported_elsewhere,
    ),
    "questions export": Case(_q("export", *ON_SERVER), "- id: tiny-legs"),
    "reports list": Case(("reports", "list", *ON_SERVER), "Which sky, day or night"),
}


@pytest.mark.parametrize("command", list(CASES))
async def test_the_command_works_on_postgresql(
    command: str, tmp_path: Path, pg_env: dict[str, str], postgres_dsn: str
) -> None:
    case = CASES[command]
    await arrange(postgres_dsn)
    bank = tmp_path / "one.yaml"
    bank.write_text(ONE_QUESTION, encoding="utf-8")
    args = [arg.replace("{bank}", str(bank)) for arg in case.args]

    ran = run_cli(*args, env=pg_env, stdin=case.stdin)

    said = ran.stdout + ran.stderr
    assert ran.returncode == 0, said
    assert re.search(case.says, said), said
    if case.then is not None:
        store = await open_store(postgres_dsn)
        try:
            await case.then(store)
        finally:
            await store.close()


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        pytest.param(
            ["config"], "db = postgresql://postgres:***@127.0.0.1:5432/test?", id="config"
        ),
        pytest.param(
            ["reload"], "but no bot is running on postgresql://postgres:***@127.0.0.1", id="reload"
        ),
        pytest.param(
            ["play", "--pause", "0"],
            "Scores are saved in postgresql://postgres:***@127.0.0.1",
            id="play",
        ),
    ],
)
async def test_a_postgresql_url_is_shown_without_its_password(
    args: list[str], shown: str, cli_env: dict[str, str], postgres_dsn: str
) -> None:
    # Trust authentication ignores the password: it is only there to be hidden.
    with_password = postgres_dsn.replace("postgres@", "postgres:s3cret@", 1)

    ran = run_cli(*args, env={**cli_env, "TRIVIA_DB": with_password})

    said = ran.stdout + ran.stderr
    assert shown in said, said
    assert "s3cret" not in said


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(["leaderboard"], r"Tess\s*│\s*9\s*│\s*1", id="leaderboard"),
        pytest.param(["questions", "list", *ON_SERVER, "--own"], "tiny-legs", id="questions list"),
        pytest.param(
            ["questions", "export", *ON_SERVER], "- id: tiny-colour", id="questions export"
        ),
    ],
)
async def test_the_db_option_takes_a_postgresql_url_as_trivia_db_does(
    args: list[str], says: str, tmp_path: Path, cli_env: dict[str, str], postgres_dsn: str
) -> None:
    await arrange(postgres_dsn)

    # In a folder of its own: a URL taken for a file would leave a folder 'postgresql:' here.
    async with cli(*args, "--db", postgres_dsn, env=cli_env, cwd=tmp_path) as ran:
        code, out, err = await ran.finished()

    assert code == 0, err
    assert re.search(says, out), out
    assert not (tmp_path / "postgresql:").exists()
