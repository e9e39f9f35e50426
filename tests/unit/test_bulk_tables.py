"""``bot.storage.bulk.TABLES`` is what both backends' migrations create: every table, every
column, each key and which ids are handed out by the database.  A migration that adds a
table or a column fails here until ``TABLES`` knows it, so ``db copy`` never leaves one
behind."""

from __future__ import annotations

from pathlib import Path

from bot.storage.bulk import TABLES, TABLES_VERSION, table
from bot.storage.postgres.schema import load_migrations as postgres_migrations
from bot.storage.sqlite.schema import load_migrations as sqlite_migrations
from bot.storage.sqlite.store import open_sqlite_store
from tests.helpers import raw

#: The backends' own bookkeeping, which db copy leaves alone.
NOT_COPIED = {"schema_migrations"}


def test_tables_describe_the_last_migration_of_both_backends() -> None:
    assert TABLES_VERSION == len(sqlite_migrations()) == len(postgres_migrations())


def test_each_table_comes_after_the_tables_it_refers_to() -> None:
    order = [t.name for t in TABLES]
    assert order.index("servers") < order.index("players") < order.index("answers")
    assert order.index("games") < order.index("game_players")
    assert table("answers").identity
    assert not table("period_totals").identity


async def test_tables_match_the_sqlite_schema(tmp_path: Path) -> None:
    path = tmp_path / "scores.db"
    await (await open_sqlite_store(path)).close()
    with raw(path) as conn:
        names = {
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        assert names == {t.name for t in TABLES}
        for t in TABLES:
            info = conn.execute(f"PRAGMA table_info({t.name})").fetchall()
            assert tuple(row[1] for row in info) == t.columns, t.name
            key = tuple(row[1] for row in sorted(info, key=lambda row: row[5]) if row[5])
            assert key == t.key, t.name
            rowid_alias = key == ("id",) and info[0][2] == "INTEGER"
            assert rowid_alias == t.identity, t.name


async def test_tables_match_the_postgres_schema(postgres_dsn: str) -> None:
    import asyncpg

    from bot.storage.postgres.store import open_postgres_store

    await (await open_postgres_store(postgres_dsn)).close()
    conn = await asyncpg.connect(postgres_dsn)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name, is_identity FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        )
        keys = await conn.fetch(
            "SELECT t.relname, a.attname FROM pg_index i"
            " JOIN pg_class t ON t.oid = i.indrelid"
            " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indisprimary AND t.relnamespace = current_schema()::regnamespace"
            " ORDER BY t.relname, array_position(i.indkey, a.attnum)"
        )
    finally:
        await conn.close()
    columns: dict[str, list[str]] = {}
    identities = set()
    for name, column, is_identity in rows:
        columns.setdefault(name, []).append(column)
        if is_identity == "YES":
            identities.add(name)
    primary: dict[str, list[str]] = {}
    for name, column in keys:
        primary.setdefault(name, []).append(column)
    assert set(columns) - NOT_COPIED == {t.name for t in TABLES}
    for t in TABLES:
        assert tuple(columns[t.name]) == t.columns, t.name
        assert tuple(primary[t.name]) == t.key, t.name
        assert (t.name in identities) == t.identity, t.name
