"""Whole tables, as ``trivia-bot db copy`` moves them between two databases.

``TABLES`` names every table of schema version ``TABLES_VERSION`` with its
columns, in an order where each table comes after the ones its rows refer to
(servers, then players, then answers...), and each table's key, by which its
rows are read.  Both backends' migrations create these tables with these
columns (``tests/unit/test_bulk_tables.py`` checks them against SQLite and
PostgreSQL), so a row read from one backend can be written to the other as it
is, row ids included: every reference between tables is a row id.

A backend offers its tables as ``BulkTables`` (its ``copy.py``); the copy itself,
backend-neutral, is ``bot.storage.copying``.  A new migration that adds a table
or a column adds it here too, and bumps ``TABLES_VERSION``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeAlias, runtime_checkable

#: One row, its values in the order of ``Table.columns``.
Row: TypeAlias = Sequence[Any]


@dataclass(frozen=True, slots=True)
class Table:
    """A table as ``db copy`` sees it.  ``identity``: ``id`` is a row id the database
    hands out (PostgreSQL's identity sequence must be set past the copied ids)."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    identity: bool = False

    def column(self, name: str) -> int:
        """The position of column ``name`` in a row."""
        return self.columns.index(name)


#: The schema version ``TABLES`` describes: the last migration of both backends.
TABLES_VERSION: Final = 9

TABLES: Final[tuple[Table, ...]] = (
    Table("servers", ("id", "platform", "server"), ("id",), identity=True),
    Table(
        "players",
        (
            "id",
            "server_id",
            "user_id",
            "name",
            "name_key",
            "points",
            "correct",
            "answered",
            "best_streak",
            "correct_ms",
            "games",
            "wins",
        ),
        ("id",),
        identity=True,
    ),
    Table(
        "answers",
        (
            "id",
            "player_id",
            "channel",
            "game_id",
            "question_id",
            "correct",
            "points",
            "answer_ms",
            "streak",
            "at_us",
        ),
        ("id",),
        identity=True,
    ),
    Table(
        "period_totals",
        ("server_id", "kind", "start", "player_id", "points", "correct", "reached_us"),
        ("server_id", "kind", "start", "player_id"),
    ),
    Table(
        "games",
        (
            "game_id",
            "server_id",
            "channel",
            "mode",
            "started_us",
            "ended_us",
            "reason",
            "questions_asked",
            "winner_id",
        ),
        ("game_id",),
    ),
    Table(
        "game_players",
        ("game_id", "player_id", "name", "points", "correct", "rank"),
        ("game_id", "player_id"),
    ),
    Table(
        "asked_questions", ("server_id", "question_id", "asked_us"), ("server_id", "question_id")
    ),
    Table(
        "custom_questions",
        (
            "server_id",
            "question_id",
            "body",
            "added_by",
            "added_us",
            "changed_by",
            "changed_us",
            "removed_by",
            "removed_us",
        ),
        ("server_id", "question_id"),
    ),
    Table("server_settings", ("server_id", "body", "changed_by", "changed_us"), ("server_id",)),
    Table(
        "game_journal",
        (
            "game_id",
            "server_id",
            "channel",
            "mode",
            "started_us",
            "started_by",
            "total_questions",
            "questions_asked",
            "answers_after",
            "state",
            "state_seq",
            "state_us",
            "question_message",
        ),
        ("game_id",),
    ),
    Table(
        "question_switches",
        ("server_id", "kind", "name", "off", "changed_by", "changed_us"),
        ("server_id", "kind", "name"),
    ),
    Table(
        "question_reports",
        (
            "id",
            "server_id",
            "channel",
            "question_id",
            "prompt",
            "kind",
            "reason",
            "reporter",
            "reporter_name",
            "reported_us",
            "resolution",
            "resolved_by",
            "resolved_us",
        ),
        ("id",),
        identity=True,
    ),
    # What the processes of one bot share: copied too, so that a bot moved with its games
    # running (stopped, copied, started) carries them on.
    Table("leases", ("name", "holder", "epoch", "expires_us"), ("name",)),
    Table("paced_turns", ("name", "next_us"), ("name",)),
    Table("bot_facts", ("name", "value", "changed_us"), ("name",)),
    Table(
        "last_servers",
        ("platform", "player", "server", "server_name", "played_us"),
        ("platform", "player"),
    ),
    # The Slack app's installations (tokens as stored: sealed), installs in progress and
    # events already seen: a moved bot keeps serving its workspaces.
    Table(
        "slack_installations",
        (
            "enterprise_id",
            "team_id",
            "is_enterprise_install",
            "enterprise_name",
            "team_name",
            "app_id",
            "bot_user_id",
            "bot_id",
            "bot_token",
            "bot_scopes",
            "bot_refresh_token",
            "bot_token_expires_us",
            "installer_user_id",
            "installed_us",
        ),
        ("enterprise_id", "team_id"),
    ),
    Table("slack_oauth_states", ("state", "expires_us"), ("state",)),
    Table("slack_seen_events", ("event_id", "seen_until_us"), ("event_id",)),
    # Scheduled play: the schedules and the due times they fired (a moved bot neither
    # fires a due time again nor forgets a schedule).
    Table(
        "schedules",
        (
            "id",
            "platform",
            "server",
            "channel",
            "kind",
            "at_local",
            "zone",
            "days",
            "closes_local",
            "category",
            "difficulty",
            "options",
            "paused",
            "created_us",
            "remind_minutes",
        ),
        ("id",),
        identity=True,
    ),
    Table(
        "schedule_firings",
        ("schedule_id", "due_us", "holder", "claimed_us"),
        ("schedule_id", "due_us"),
    ),
    # The daily question: its rounds and the answers given (a moved bot neither reveals a
    # round again nor forgets a streak).
    Table(
        "daily_rounds",
        (
            "id",
            "schedule_id",
            "platform",
            "server",
            "channel",
            "question_id",
            "question",
            "choices",
            "opened_us",
            "closes_us",
            "message_ref",
            "revealed",
        ),
        ("id",),
        identity=True,
    ),
    Table(
        "daily_answers",
        (
            "round_id",
            "user_id",
            "platform",
            "server",
            "name",
            "guess",
            "correct",
            "points",
            "answered_us",
        ),
        ("round_id", "user_id"),
    ),
    # A quiz's reminder and a season's results are posted once, moved or not.
    Table(
        "schedule_reminders",
        ("schedule_id", "due_us", "holder", "claimed_us"),
        ("schedule_id", "due_us"),
    ),
    Table(
        "season_results",
        ("platform", "server", "season", "holder", "claimed_us"),
        ("platform", "server", "season"),
    ),
)


def table(name: str) -> Table:
    """The table called ``name``."""
    for candidate in TABLES:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


class TableReader(Protocol):
    """Reads tables from one consistent snapshot of a database."""

    async def count(self, table: Table) -> int:
        """The rows ``rows`` will yield."""
        ...

    def rows(self, table: Table, *, batch: int) -> AsyncIterator[Sequence[Row]]:
        """``table``'s rows in the order of its key, ``batch`` at a time."""
        ...


class TableWriter(Protocol):
    """Writes rows inside the one transaction of ``BulkTables.replacing``."""

    async def write(self, table: Table, rows: Sequence[Row]) -> None:
        """Add ``rows`` (row ids included) to ``table``."""
        ...


class BulkTables(Protocol):
    """A store's tables as a whole, for ``db copy`` (each backend's ``copy.py``)."""

    async def schema_version(self) -> int: ...

    async def row_counts(self) -> dict[str, int]:
        """Rows in each of ``TABLES``, by name."""
        ...

    async def running_bots(self) -> list[str]:
        """The bots known to serve this database now, in words (``pid 1234``): empty
        when none is, or when the backend cannot tell."""
        ...

    def snapshot(self) -> AbstractAsyncContextManager[TableReader]:
        """A reader that sees the database as of one moment while inside."""
        ...

    def replacing(self, *, clear: bool) -> AbstractAsyncContextManager[TableWriter]:
        """A writer whose rows are committed together on leaving, or not at all
        (an error inside rolls everything back); ``clear`` first deletes every
        row of ``TABLES``, in the same transaction.  Row ids the database hands
        out afterwards come after the copied ones."""
        ...


@runtime_checkable
class HasBulkTables(Protocol):
    """A store that can hand out its tables whole (both SQL stores)."""

    def bulk_tables(self) -> BulkTables: ...
