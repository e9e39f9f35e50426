"""Backups of a PostgreSQL database: ``pg_dump``, run for ``trivia-bot db backup``.

PostgreSQL's own tools are the right ones: ``pg_dump --format=custom`` takes a
consistent copy while the bots keep writing, and ``pg_restore`` puts it back.
``TRIVIA_DB`` is an asyncpg URL, which libpq (behind ``pg_dump``) does not take
as it is, so it is translated:

* the password leaves the URL for ``PGPASSWORD`` in the tool's environment, so
  it never shows in a process list or a message;
* ``search_path=NAME`` (the bot's tables in schema ``NAME``) becomes
  ``--schema=NAME``: the dump holds the bot's schema, not the whole database;
* any other parameter libpq does not know is a server setting for asyncpg, and
  becomes ``options=-c name=value`` for libpq.

The dump is written under a temporary name beside ``PATH``, readable only by its
owner (it holds user ids), and renamed to ``PATH`` once ``pg_dump`` succeeded.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

#: The connection parameters libpq takes in a URL (the rest are asyncpg's server settings).
LIBPQ_PARAMETERS: Final = frozenset(
    {
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "passfile",
        "channel_binding",
        "connect_timeout",
        "client_encoding",
        "options",
        "application_name",
        "fallback_application_name",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "sslmode",
        "sslcompression",
        "sslcert",
        "sslkey",
        "sslpassword",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "requirepeer",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "gssencmode",
        "krbsrvname",
        "gsslib",
        "service",
        "target_session_attrs",
    }
)


class DumpError(Exception):
    """No backup was made; the message says why, for the operator."""


class DumpTargetExists(DumpError):
    """The backup's destination exists and replacing it was not asked for."""


class PgDumpMissing(DumpError):
    """``pg_dump`` is not on PATH; ``command`` is what to run where it is."""

    def __init__(self, command: LibpqCommand) -> None:
        super().__init__("pg_dump is not installed here (it is not on PATH)")
        self.command = command


@dataclass(frozen=True, slots=True)
class LibpqCommand:
    """A PostgreSQL tool's command line, its password apart."""

    argv: tuple[str, ...]
    password: str | None

    def shown(self) -> str:
        """The command as an operator types it; the password is never in it (it goes
        in ``PGPASSWORD`` or ``~/.pgpass``)."""
        return shlex.join(self.argv)

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        return env


def libpq_target(dsn: str) -> tuple[str, str | None, str | None]:
    """``dsn`` as libpq takes it: (URL without password, the password, the schema
    named by ``search_path``)."""
    parts = urlsplit(dsn)
    password = unquote(parts.password) if parts.password is not None else None
    netloc = parts.netloc.rpartition("@")[2]
    if parts.username is not None:
        netloc = f"{parts.username}@{netloc}"
    kept: list[tuple[str, str]] = []
    options: list[str] = []
    schema: str | None = None
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "search_path":
            schema = value.split(",")[0].strip().strip('"') or None
        elif name in LIBPQ_PARAMETERS:
            kept.append((name, value))
        else:
            options.append(f"-c {name}={value}")
    if options:
        kept.append(("options", " ".join(options)))
    # quote, not quote_plus: libpq decodes %20 in a URL, never "+".
    url = urlunsplit(parts._replace(netloc=netloc, query=urlencode(kept, quote_via=quote)))
    return url, password, schema


def dump_command(dsn: str, path: Path) -> LibpqCommand:
    """``pg_dump --format=custom --file PATH URL``, for the database at ``dsn``."""
    url, password, schema = libpq_target(dsn)
    only = (f"--schema={schema}",) if schema else ()
    return LibpqCommand(("pg_dump", "--format=custom", "--file", str(path), *only, url), password)


def restore_command(dsn: str, path: Path) -> LibpqCommand:
    """The ``pg_restore`` that puts a dump of ``dsn`` back (with the bots stopped)."""
    url, password, _ = libpq_target(dsn)
    argv = ("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction")
    return LibpqCommand((*argv, "--dbname", url, str(path)), password)


def backup_postgres(dsn: str, target: Path, *, overwrite: bool = False) -> int:
    """Dump the database at ``dsn`` to ``target`` with ``pg_dump``; the dump's size.

    Raises ``DumpTargetExists`` when ``target`` exists and ``overwrite`` is false,
    ``PgDumpMissing`` without ``pg_dump``, and ``DumpError`` when ``target``'s folder
    does not exist or ``pg_dump`` fails (nothing is left at ``target`` then).
    """
    command = dump_command(dsn, target)
    if target.exists() and not overwrite:
        raise DumpTargetExists(f"{target} already exists (use --force to replace it)")
    if not target.parent.is_dir():
        raise DumpError(
            f"the folder {target.parent} does not exist; create it first "
            f"(mkdir -p {target.parent}) or name a file in a folder that exists"
        )
    program = shutil.which("pg_dump")
    if program is None:
        raise PgDumpMissing(command)
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
    )
    os.close(handle)
    temp = Path(temp_name)
    try:
        argv = [program, *dump_command(dsn, temp).argv[1:]]
        done = subprocess.run(
            argv, env=command.environment(), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            said = done.stderr.strip() or f"exit status {done.returncode}"
            raise DumpError(f"pg_dump failed: {said}")
        temp.replace(target)
    except BaseException:
        with suppress(FileNotFoundError):
            temp.unlink()
        raise
    return target.stat().st_size
