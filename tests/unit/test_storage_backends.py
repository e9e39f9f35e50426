"""What every backend must agree on, checked on the code: queries, migrations, locations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import SettingsError, describe, load_settings
from bot.storage.location import is_postgres, masked, sqlite_path
from bot.storage.postgres import sql as postgres_sql
from bot.storage.postgres.schema import load_migrations as postgres_migrations
from bot.storage.sqlite import sql as sqlite_sql
from bot.storage.sqlite.schema import load_migrations as sqlite_migrations

SHARED_API = Path(__file__).resolve().parents[2] / "bot" / "storage" / "sql_store.py"


def test_every_query_the_shared_api_runs_exists_in_every_dialect() -> None:
    used = set(re.findall(r"self\._sql\.([A-Z_]+)", SHARED_API.read_text(encoding="utf-8")))
    assert used, "the shared API runs no query?"
    for dialect in (sqlite_sql, postgres_sql):
        missing = sorted(name for name in used if not hasattr(dialect, name))
        assert not missing, f"{dialect.__name__} lacks {missing}"


@pytest.mark.parametrize("name", ["LEADERBOARD", "OPEN_REPORTS", "GAME_TALLIES"])
def test_a_query_takes_as_many_parameters_in_each_dialect(name: str) -> None:
    sqlite_text, postgres_text = getattr(sqlite_sql, name), getattr(postgres_sql, name)
    numbered = {int(n) for n in re.findall(r"\?(\d+)", sqlite_text)}
    sqlite_count = max(numbered) if numbered else sqlite_text.count("?")
    assert sqlite_count == max(int(n) for n in re.findall(r"\$(\d+)", postgres_text))


def test_both_backends_ship_the_same_migration_numbers_and_names() -> None:
    sqlite = [(m.version, m.name) for m in sqlite_migrations()]
    postgres = [(m.version, m.name) for m in postgres_migrations()]
    assert sqlite == postgres


def test_every_postgresql_migration_says_whether_it_expands_or_contracts() -> None:
    for migration in postgres_migrations():
        first = migration.text.splitlines()[0]
        assert re.match(rf"-- {migration.version:04d} \((expand|contract)\):", first), first


def test_trivia_db_takes_a_path_or_a_postgresql_url(tmp_path: Path) -> None:
    url = "postgresql://trivia:s3cret@db.example:5432/trivia"
    on_postgres = load_settings(environ={"TRIVIA_DB": url}, config_file=None)
    on_sqlite = load_settings(environ={"TRIVIA_DB": str(tmp_path / "t.db")}, config_file=None)

    assert on_postgres.db == url
    assert is_postgres(on_postgres.db)
    assert on_sqlite.db == tmp_path / "t.db"
    assert not is_postgres(on_sqlite.db)
    assert sqlite_path("sqlite:///var/lib/x.db") == Path("/var/lib/x.db")


def test_config_never_shows_the_databases_password() -> None:
    settings = load_settings(
        environ={"TRIVIA_DB": "postgresql://trivia:s3cret@db.example:5432/trivia"},
        config_file=None,
    )
    shown = {name: value for name, value, *_ in describe(settings)}

    assert shown["db"] == "postgresql://trivia:***@db.example:5432/trivia"
    assert "s3cret" not in repr(describe(settings))
    assert masked("postgresql://db.example/trivia") == "postgresql://db.example/trivia"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql://db.example:5432/", "must name the database"),
        ("postgresql:///trivia", "must name the server"),
        ("postgresql://db.example:port/trivia", "port that is not a number"),
    ],
)
def test_a_postgresql_url_missing_a_part_is_refused_in_words(url: str, problem: str) -> None:
    with pytest.raises(SettingsError, match=problem):
        load_settings(environ={"TRIVIA_DB": url}, config_file=None)
