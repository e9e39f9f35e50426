"""``trivia-bot db check`` and ``db backup`` on a PostgreSQL database."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli.db import db
from bot.storage.postgres.dump import dump_command, libpq_target, restore_command
from bot.storage.postgres.schema import load_migrations
from bot.storage.postgres.store import open_postgres_store
from tests.deploy.test_db_commands import point

LATEST = len(load_migrations())
needs_pg_dump = pytest.mark.skipif(
    shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
    reason="pg_dump and pg_restore are not installed",
)


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(db, list(args), env=env, catch_exceptions=False)


async def scores(dsn: str, points: int = 3) -> None:
    store = await open_postgres_store(dsn)
    try:
        await store.record_answers([point(n) for n in range(points)])
    finally:
        await store.close()


async def execute(dsn: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def with_password(dsn: str, password: str) -> str:
    return dsn.replace("postgres@", f"postgres:{password}@", 1)


# -- check ------------------------------------------------------------------------------


async def test_check_shows_version_schema_rows_and_that_it_is_writable(postgres_dsn: str) -> None:
    await scores(postgres_dsn, points=3)

    result = await asyncio.to_thread(invoke, "check", "--db", postgres_dsn)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Database: {postgres_dsn} (PostgreSQL 1")
    assert f"Schema: version {LATEST}, the latest this trivia-bot knows." in lines
    assert any(
        line.startswith("Rows: ") and "servers 1, players 1, answers 3, period_totals 3" in line
        for line in lines
    )
    assert any(line.startswith("Writable: yes") for line in lines)
    assert lines[-1] == "Healthy."


async def test_check_of_an_empty_schema_says_the_bot_will_create_its_tables(
    postgres_dsn: str,
) -> None:
    result = await asyncio.to_thread(invoke, "check", "--db", postgres_dsn)

    assert result.exit_code == 0, result.output
    assert "Schema: none yet (no trivia-bot tables in schema test_" in result.output
    assert "Rows:" not in result.output


async def test_check_refuses_a_read_only_session(postgres_dsn: str) -> None:
    await scores(postgres_dsn)
    read_only = postgres_dsn + "&default_transaction_read_only=on"

    result = await asyncio.to_thread(invoke, "check", "--db", read_only)

    assert result.exit_code == 1
    assert "Writable: no: this session is read-only" in result.output


async def test_check_names_a_schema_written_by_a_newer_trivia_bot(postgres_dsn: str) -> None:
    await scores(postgres_dsn)
    await execute(
        postgres_dsn, f"INSERT INTO schema_migrations (version, name) VALUES ({LATEST + 1}, 'x')"
    )

    result = await asyncio.to_thread(invoke, "check", "--db", postgres_dsn)

    assert result.exit_code == 1
    assert f"Schema: version {LATEST + 1}, written by a newer trivia-bot" in result.output


async def test_check_names_the_privileges_the_bots_user_lacks(postgres_dsn: str) -> None:
    await scores(postgres_dsn)
    role = f"trivia_reader_{uuid.uuid4().hex[:8]}"
    schema = postgres_dsn.rpartition("search_path=")[2]
    await execute(
        postgres_dsn,
        f"CREATE ROLE {role} LOGIN",
        f'GRANT USAGE ON SCHEMA "{schema}" TO {role}',
        f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {role}',
    )
    try:
        as_reader = postgres_dsn.replace("postgres@", f"{role}@", 1)
        result = await asyncio.to_thread(invoke, "check", "--db", as_reader)
    finally:
        await execute(
            postgres_dsn,
            f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {role}',
            f'REVOKE ALL ON SCHEMA "{schema}" FROM {role}',
            f"DROP ROLE {role}",
        )

    assert result.exit_code == 1
    assert "Writable: no: the user lacks DELETE on answers, INSERT on answers" in result.output
    assert "more; grant them" in result.output


def test_check_of_a_server_that_is_not_there_says_what_to_check() -> None:
    result = invoke("check", "--db", "postgresql://trivia:s3cret@127.0.0.1:9/trivia")

    assert result.exit_code == 1
    assert "Cannot check: cannot connect to postgresql://trivia:***@127.0.0.1:9/trivia" in (
        result.output
    )
    assert "pg_hba.conf" in result.output
    assert "s3cret" not in result.output


# -- backup -----------------------------------------------------------------------------


@needs_pg_dump
async def test_backup_runs_pg_dump_and_the_shown_restore_brings_it_back(
    postgres_dsn: str, tmp_path: Path
) -> None:
    await scores(postgres_dsn, points=4)
    dump = tmp_path / "trivia.dump"
    dsn = with_password(postgres_dsn, "s3cret")  # trust auth here: only never to be shown

    result = await asyncio.to_thread(invoke, "backup", str(dump), "--db", dsn)
    again = await asyncio.to_thread(invoke, "backup", str(dump), "--db", dsn)

    assert result.exit_code == 0, result.output
    assert "with pg_dump (custom format)" in result.output
    assert "s3cret" not in result.output
    assert dump.stat().st_mode & 0o077 == 0, "a backup holds user ids: owner only"
    assert await asyncio.to_thread(lambda: [p.name for p in tmp_path.iterdir()]) == ["trivia.dump"]
    assert again.exit_code == 2
    assert "already exists (use --force to replace it)" in again.output
    restore = restore_command(dsn, dump)
    assert restore.shown() in result.output

    schema = postgres_dsn.rpartition("search_path=")[2]
    await execute(postgres_dsn, f'DROP SCHEMA "{schema}" CASCADE')
    done = await asyncio.to_thread(
        subprocess.run,
        restore.argv,
        env=restore.environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    check = await asyncio.to_thread(invoke, "check", "--db", postgres_dsn)
    assert "answers 4" in check.output, check.output
    forced = await asyncio.to_thread(invoke, "backup", str(dump), "--db", dsn, "--force")
    assert forced.exit_code == 0, forced.output


def test_backup_without_pg_dump_shows_the_command_to_run(tmp_path: Path) -> None:
    dsn = "postgresql://trivia:s3cret@db.example:5433/trivia?search_path=bot&sslmode=require"

    result = invoke("backup", str(tmp_path / "t.dump"), "--db", dsn, env={"PATH": str(tmp_path)})

    assert result.exit_code == 1
    assert "pg_dump is not installed here" in result.output
    assert (
        f"pg_dump --format=custom --file {tmp_path / 't.dump'} --schema=bot "
        "'postgresql://trivia@db.example:5433/trivia?sslmode=require'"
    ) in result.output
    assert "PGPASSWORD" in result.output
    assert "s3cret" not in result.output
    assert not (tmp_path / "t.dump").exists()


def test_backup_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "t.dump"

    result = invoke("backup", str(target), "--db", "postgresql://u@h:5432/d")

    assert result.exit_code == 1
    assert "does not exist; create it first" in result.output


def test_libpq_gets_a_url_it_takes_and_the_password_apart() -> None:
    url, password, schema = libpq_target(
        "postgresql://bot:p%40ss@h:5432/trivia?search_path=s1,public&statement_timeout=5000"
        "&sslmode=verify-full"
    )

    assert password == "p@ss"
    assert schema == "s1"
    assert url == (
        "postgresql://bot@h:5432/trivia?sslmode=verify-full&options=-c%20statement_timeout%3D5000"
    )
    command = dump_command("postgresql://bot@h/trivia", Path("x.dump"))
    assert command.argv == (
        "pg_dump",
        "--format=custom",
        "--file",
        "x.dump",
        "postgresql://bot@h/trivia",
    )
    assert command.password is None
