"""Numbered migrations, as every backend ships them: ``NNNN_description.sql`` files.

Each backend keeps its own folder of migrations in its own SQL dialect, with the
same numbers and names: migration N produces schema version N on SQLite and on
PostgreSQL alike, so ``db copy`` can move data between two databases of one
version.  Versions start at 1 and have no gaps.  Never edit a released
migration: add the next one.

Every migration so far only adds (an *expand* migration: new tables, columns
with defaults, indexes), so a process one version behind keeps working against
the upgraded schema during a rolling upgrade.  A migration that removes or
renames (a *contract* one) must wait until no older process runs; its file's
first line says which kind it is.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from importlib.resources.abc import Traversable

from bot.storage.errors import SchemaError

_FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class MigrationFile:
    version: int
    name: str
    text: str

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


def migration_files(directory: Traversable) -> tuple[MigrationFile, ...]:
    """The ``.sql`` files of ``directory``, in order, checked for names and gaps."""
    found: list[MigrationFile] = []
    for entry in directory.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _FILE_NAME.match(entry.name)
        if match is None:
            raise SchemaError(f"migration file {entry.name!r} is not named NNNN_description.sql")
        text = entry.read_text(encoding="utf-8")
        found.append(MigrationFile(int(match["version"]), match["name"], text))
    found.sort(key=lambda migration: migration.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise SchemaError(
                f"migrations must be numbered 1, 2, 3...: expected {expected:04d}, "
                f"found {migration.label}"
            )
    return tuple(found)


def newer_than_known(location: str, current: int, latest: int) -> SchemaError:
    """The refusal of a database written by a newer trivia-bot (it is left untouched)."""
    return SchemaError(
        f"{location} has schema version {current}, newer than this trivia-bot knows "
        f"(up to {latest}): upgrade trivia-bot or use another database"
    )


class SchemaState(enum.Enum):
    """How a database's schema version compares with this trivia-bot's migrations."""

    CURRENT = "current"
    BEHIND = "behind"  # upgraded by the next start
    AHEAD = "ahead"  # written by a newer trivia-bot, which this one refuses to open
    UNKNOWN = "unknown"  # unreadable


def schema_state(version: int | None, latest: int) -> SchemaState:
    """Where ``version`` (None: it could not be read) stands against ``latest``."""
    if version is None:
        return SchemaState.UNKNOWN
    if version > latest:
        return SchemaState.AHEAD
    if version < latest:
        return SchemaState.BEHIND
    return SchemaState.CURRENT
