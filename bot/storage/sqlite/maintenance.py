"""Looking after a SQLite database file that a running bot may have open.

``backup_database`` copies it with SQLite's online backup API; ``check_database``
runs SQLite's own integrity and foreign-key checks and compares the schema
version with the migrations this trivia-bot ships.  Both back ``trivia-bot db``,
which runs in its own short-lived process next to the bot, so they use plain,
synchronous ``sqlite3``: there is no event loop to keep responsive.

Why a backup never stalls the bot
    The store runs in WAL mode, where a reader never blocks a writer.  In WAL
    mode the whole database is therefore copied in one backup step, that is
    from one read snapshot: the copy is exactly the database as of one commit,
    and the bot's writers carry on committing to the WAL meanwhile (only the
    checkpoint waits for the copy to finish).  Copying in several steps would
    gain nothing there and would lose: SQLite restarts a backup whenever
    another process commits between two steps, so under steady play it might
    never finish.  A database left in a rollback-journal mode (the store warns
    about this on network filesystems) is copied a few pages at a time with a
    pause between steps instead, because there a reader does block writers.

What a backup file is
    A single self-contained file in rollback-journal mode (no ``-wal`` or
    ``-shm`` beside it), readable only by its owner (backups hold user ids), that
    passed ``PRAGMA integrity_check`` before it was given its name.  It is
    written under a temporary name in the target's folder and renamed into
    place, so a backup cut short never looks like a finished one.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.storage.migrations import SchemaState, schema_state
from bot.storage.sqlite.schema import Migration, load_migrations

# How long to wait for a lock the bot holds (it commits in milliseconds).
BUSY_TIMEOUT_S: Final = 10.0
# Rollback-journal mode only: pages per backup step (4 MiB at 4 KiB pages), and
# the pause between steps that lets the bot's writers in.
PAGES_PER_STEP: Final = 1024
PAUSE_BETWEEN_STEPS_S: Final = 0.005
# integrity_check stops after this many problems: enough to judge, short enough to read.
MAX_REPORTED_PROBLEMS: Final = 20


class MaintenanceError(Exception):
    """The operation could not be done; the message is meant for the operator."""


class NoDatabaseError(MaintenanceError):
    """There is no database file where one was expected."""


class TargetExistsError(MaintenanceError):
    """The backup's destination exists and replacing it was not asked for."""


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What ``check_database`` found.  ``problems`` are integrity and
    foreign-key problems; an empty tuple means SQLite found none."""

    path: Path
    size_bytes: int
    journal_mode: str | None
    problems: tuple[str, ...]
    schema_version: int | None
    latest_version: int

    @property
    def schema_state(self) -> SchemaState:
        return schema_state(self.schema_version, self.latest_version)

    @property
    def healthy(self) -> bool:
        """No problems, and a schema this trivia-bot can open (behind is fine:
        the next start migrates it)."""
        return not self.problems and self.schema_state in {
            SchemaState.CURRENT,
            SchemaState.BEHIND,
        }


@dataclass(frozen=True, slots=True)
class BackupResult:
    source: Path
    target: Path
    size_bytes: int
    schema_version: int


def backup_database(source: Path, target: Path, *, overwrite: bool = False) -> BackupResult:
    """Copy the database at ``source`` to ``target``, consistently, while it may be in use.

    Raises :class:`NoDatabaseError` when ``source`` is not there,
    :class:`TargetExistsError` when ``target`` exists and ``overwrite`` is
    false, and :class:`MaintenanceError` when ``target``'s folder does not
    exist (it is not created), or the copy fails or does not pass the
    integrity check (nothing is left at ``target`` then).
    """
    source, target = Path(source), Path(target)
    _require_database(source)
    if target.exists() and not overwrite:
        raise TargetExistsError(f"{target} already exists (use --force to replace it)")
    if target.resolve() == source.resolve():
        raise MaintenanceError(f"{target} is the database itself; back up to another file")
    if not target.parent.is_dir():
        # Never created: a typo in a path must not leave new folders behind.
        raise MaintenanceError(
            f"the folder {target.parent} does not exist; create it first "
            f"(mkdir -p {target.parent}) or name a file in a folder that exists"
        )
    # mkstemp: a unique name in the target's folder (so the final rename is
    # atomic) and mode 0600 from the start, which SQLite keeps.
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
    )
    os.close(handle)
    temp = Path(temp_name)
    try:
        _copy(source, temp)
        report = check_database(temp)
        if report.problems:
            raise MaintenanceError(
                f"the copy of {source} failed its integrity check: {report.problems[0]}"
                " (run `trivia-bot db check` on the database)"
            )
        if target.exists() and not overwrite:
            raise TargetExistsError(f"{target} appeared during the backup; nothing was replaced")
        temp.replace(target)
    except BaseException:
        for leftover in (temp, *_companions(temp)):
            with suppress(FileNotFoundError):
                leftover.unlink()
        raise
    assert report.schema_version is not None  # a copy that passed its check was readable
    return BackupResult(
        source=source,
        target=target,
        size_bytes=target.stat().st_size,
        schema_version=report.schema_version,
    )


def check_database(path: Path, *, migrations: Sequence[Migration] | None = None) -> CheckReport:
    """Run SQLite's integrity and foreign-key checks on ``path`` and read its
    schema version; never changes the data.  Raises :class:`NoDatabaseError`
    when there is no file; a file SQLite cannot read is reported, not raised."""
    path = Path(path)
    _require_database(path)
    latest = len(load_migrations() if migrations is None else migrations)
    size = path.stat().st_size
    journal_mode: str | None = None
    version: int | None = None
    problems: list[str] = []
    try:
        with closing(_connect(path)) as conn:
            conn.execute("PRAGMA query_only = ON")
            journal_mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            rows = conn.execute(f"PRAGMA integrity_check({MAX_REPORTED_PROBLEMS:d})").fetchall()
            problems += [str(message) for (message,) in rows if message != "ok"]
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall():
                problems.append(f"{table} row {rowid} refers to a missing {parent} row")
    except sqlite3.Error as exc:
        problems.append(_describe(exc))
    return CheckReport(
        path=path,
        size_bytes=size,
        journal_mode=journal_mode,
        problems=tuple(problems),
        schema_version=version,
        latest_version=latest,
    )


def _copy(source: Path, target: Path) -> None:
    try:
        with (
            closing(_connect(source)) as src,
            closing(sqlite3.connect(target, isolation_level=None)) as dst,
        ):
            mode = str(src.execute("PRAGMA journal_mode").fetchone()[0]).lower()
            if mode == "wal":
                src.backup(dst, pages=-1)
            else:
                _copy_in_steps(src, dst)
            # The copy inherits WAL mode from the source's header; make it one
            # self-contained file.  The bot turns WAL back on when it opens it.
            dst.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as exc:
        raise MaintenanceError(f"could not back up {source}: {_describe(exc)}") from exc


def _copy_in_steps(src: sqlite3.Connection, dst: sqlite3.Connection) -> None:
    # Connection.backup sleeps between steps only when a step meets a busy
    # lock; the pause here is what lets the bot commit between two steps.
    def pause(status: int, remaining: int, total: int) -> None:
        if remaining:
            time.sleep(PAUSE_BETWEEN_STEPS_S)

    src.backup(dst, pages=PAGES_PER_STEP, progress=pause)


def _connect(path: Path) -> sqlite3.Connection:
    # mode=rw: never create a database where none was (plain connect would);
    # read-write rather than read-only so a WAL file left by a crash can be
    # recovered, as the bot itself would on its next start.
    uri = f"{path.resolve().as_uri()}?mode=rw"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)


def _require_database(path: Path) -> None:
    if not path.exists():
        raise NoDatabaseError(f"there is no database at {path}")
    if not path.is_file():
        raise NoDatabaseError(f"{path} is not a file")


def _companions(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))


def _describe(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "not a database" in text:
        return f"not a SQLite database, or its first page is damaged ({text})"
    if "malformed" in text:
        return f"the file is damaged ({text})"
    return text
