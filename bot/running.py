"""Which trivia-bot processes run on a database, so they can be told to reload.

Each running bot writes a small pid file next to its database file
(``trivia.db.1234.pid``) while it serves, and removes it when it stops.
``trivia-bot reload`` (and the CLI commands that change a server's questions)
send SIGHUP to every process listed there that is still alive; stale files
left by a crash are removed on the way.

The SIGHUP handler is installed *before* the pid file is written and removed
*after* it is deleted: SIGHUP's default action ends a process, so a bot must
never be listed while it would die of the signal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

_SUFFIX = ".pid"


def _pid_files(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f"{db.name}.*{_SUFFIX}"))


def _pid_file(db: Path, pid: int) -> Path:
    return db.parent / f"{db.name}.{pid}{_SUFFIX}"


@contextlib.contextmanager
def listed_as_running(db: Path) -> Iterator[None]:
    """List this process as a bot serving ``db`` while inside.

    Does nothing for an in-memory database or a folder that cannot be written
    (the bot runs all the same; it just cannot be reached by ``reload``).
    """
    if str(db) == ":memory:":
        yield
        return
    path = _pid_file(db, os.getpid())
    try:
        path.write_text(f"{os.getpid()}\n", encoding="ascii")
    except OSError as exc:
        log.warning("cannot write %s (%s): `trivia-bot reload` will not reach this bot", path, exc)
        yield
        return
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, but someone else's: signalling it will fail and say so
    return True


def signal_running(db: Path, signum: int = signal.SIGHUP) -> list[int]:
    """Send ``signum`` to every live bot listed for ``db``; the pids signalled.

    Stale pid files (their process is gone) are removed.  The calling process
    is never signalled.
    """
    signalled: list[int] = []
    for path in _pid_files(db):
        try:
            pid = int(path.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue
        if pid == os.getpid():
            continue
        if not _alive(pid):
            path.unlink(missing_ok=True)
            continue
        try:
            os.kill(pid, signum)
        except OSError as exc:
            log.warning("cannot signal trivia-bot process %d: %s", pid, exc)
            continue
        signalled.append(pid)
    return signalled
