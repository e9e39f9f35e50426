"""Which trivia-bot processes run on a SQLite file, so they can be told to reload.

A SQLite database is a file on one machine, and so are the bots that share it:
they find each other through the file system.  Each running bot keeps a small
pid file next to its database file (``trivia.db.1234.pid``) while it serves,
**locked** (``flock``) for as long as it runs, and removes it when it stops.
``trivia-bot reload`` (and the CLI commands that change a server's questions)
send SIGHUP to the process of each pid file that is still locked: a file nobody
holds is left over from a crash and is removed, so a pid the system has since
given to another program is never signalled.  A bot in another pid namespace (a
container, seen from the host) is skipped with a word on how to reach it: its
pid means another process here.

The SIGHUP handler is installed *before* the pid file is written and removed
*after* it is deleted (``bot.app.compose``): SIGHUP's default action ends a
process, so a bot must never be listed while it would die of the signal.
``PidFileReloads`` is all this as the store's ``ReloadChannel``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

from bot.domain.model import ServerKey

if sys.platform != "win32":  # Windows has neither flock nor SIGHUP: bots are not listed there
    import fcntl

log = logging.getLogger(__name__)

_SUFFIX = ".pid"


def _pid_files(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f"{db.name}.*{_SUFFIX}"))


def _pid_namespace() -> int:
    """An id of this process's pid namespace (0 where the system does not say)."""
    try:
        return Path("/proc/self/ns/pid").stat().st_ino
    except OSError:
        return 0


@contextlib.contextmanager
def listed_as_running(db: Path) -> Iterator[None]:
    """List this process as a bot serving ``db`` while inside.

    Does nothing for an in-memory database, where file locks are missing, or
    in a folder that cannot be written (the bot runs all the same; it just
    cannot be reached by ``reload``).
    """
    if sys.platform == "win32" or str(db) == ":memory:":
        yield
        return
    path = db.parent / f"{db.name}.{os.getpid()}{_SUFFIX}"
    # Written and locked under another name, then renamed into place (the lock
    # stays with the file): a signaller never sees the file unlocked and takes
    # it for a stale one.
    draft = path.with_name(path.name + ".new")
    try:
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except OSError as exc:
        log.warning("cannot write %s (%s): `trivia-bot reload` will not reach this bot", path, exc)
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, f"{os.getpid()} {_pid_namespace()}\n".encode("ascii"))
        draft.rename(path)
    except OSError as exc:
        os.close(fd)
        draft.unlink(missing_ok=True)
        log.warning(
            "cannot list this bot in %s (%s): `trivia-bot reload` will not reach it", path, exc
        )
        yield
        return
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)  # releases the lock


def _owner(path: Path) -> tuple[int, int] | None:
    """``(pid, pid namespace)`` of the live bot holding ``path``; None if nobody does
    (the file is then removed as stale) or it cannot be read."""
    if sys.platform == "win32":
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # held: its bot is running
        else:
            path.unlink(missing_ok=True)  # nobody holds it: its bot is gone
            return None
        text = os.read(fd, 100).decode("ascii", "replace").split()
    finally:
        os.close(fd)
    try:
        return int(text[0]), int(text[1])
    except (IndexError, ValueError):
        return None


def running_bots(db: Path) -> list[str]:
    """The bots running on ``db`` now, in words (``pid 1234``), found by their locked
    pid files; stale files are removed.  Empty where pid files are not kept (Windows)."""
    found: list[str] = []
    here = _pid_namespace()
    for path in _pid_files(db):
        owner = _owner(path)
        if owner is None:
            continue
        pid, namespace = owner
        if pid == os.getpid() and namespace == here:
            continue
        where = "" if namespace == here else " in another pid namespace (a container?)"
        found.append(f"pid {pid}{where}")
    return found


def signal_running(db: Path, signum: int = signal.SIGHUP) -> list[int]:
    """Send ``signum`` to every bot running on ``db``; the pids signalled.

    Stale pid files are removed; the calling process is never signalled.
    """
    if sys.platform == "win32":
        return []
    signalled: list[int] = []
    here = _pid_namespace()
    for path in _pid_files(db):
        owner = _owner(path)
        if owner is None:
            continue
        pid, namespace = owner
        if namespace != here:
            log.warning(
                "%s belongs to a bot in another pid namespace (a container?): reload it "
                "there, e.g. `docker compose exec SERVICE trivia-bot reload` or "
                "`docker kill -s HUP CONTAINER`",
                path,
            )
            continue
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, signum)
        except OSError as exc:
            log.warning("cannot signal trivia-bot process %d: %s", pid, exc)
            continue
        signalled.append(pid)
    return signalled


class PidFileReloads:
    """The ``ReloadChannel`` of a SQLite store: pid files beside the file, and SIGHUP.

    The signal itself reaches the bot's SIGHUP handler (``bot.app.compose``), the
    same one ``systemctl reload`` uses; ``listening`` only lists the process.
    """

    by_signal = True

    def __init__(self, db: Path) -> None:
        self._db = db

    @contextlib.asynccontextmanager
    async def listening(
        self,
        reload: Callable[[str], None],
        server_changed: Callable[[ServerKey | None], None],
    ) -> AsyncIterator[None]:
        # The ask arrives as SIGHUP at the app's handler; the CLI asks after every
        # change it makes, so there is no separate news of changed servers.
        with listed_as_running(self._db):
            yield

    async def ask_to_reload(self) -> list[str]:
        return [f"pid {pid}" for pid in signal_running(self._db)]
