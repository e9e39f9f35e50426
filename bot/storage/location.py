"""Where a store's data lives, as ``TRIVIA_DB`` says it: a SQLite file or a PostgreSQL URL.

A file path (``~/.local/share/trivia-bot/trivia.db``, or ``sqlite:///path``)
means SQLite; ``postgresql://user:password@host:5432/dbname`` (or
``postgres://``) means PostgreSQL.  A URL is never shown with its password.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SCHEME = "sqlite://"


def is_postgres(location: Path | str) -> bool:
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


def sqlite_path(location: Path | str) -> Path:
    """The file of a SQLite location (``sqlite:///path`` or a plain path)."""
    text = str(location)
    return Path(text.removeprefix(SQLITE_SCHEME)).expanduser()


def masked(location: Path | str) -> str:
    """``location`` fit to show: a URL's password becomes ``***``."""
    text = str(location)
    if not is_postgres(text):
        return text
    return masked_url(text)


def masked_urls(text: str) -> str:
    """Comma-separated URLs (``TRIVIA_NATS_URL``) fit to show: passwords become ``***``."""
    return ",".join(masked_url(url.strip()) for url in text.split(","))


def masked_url(text: str) -> str:
    """A URL fit to show (a log line, ``config``): its password becomes ``***``."""
    parts = urlsplit(text)
    if parts.password is None:
        return text
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def check_postgres_url(text: str) -> str | None:
    """What is wrong with a PostgreSQL URL, in words; None when it is usable."""
    parts = urlsplit(text)
    if not parts.hostname and "host=" not in parts.query:
        return "must name the server: postgresql://user@host:5432/dbname"
    if not parts.path.strip("/"):
        return "must name the database: postgresql://user@host:5432/dbname"
    try:
        _ = parts.port
    except ValueError:
        return "has a port that is not a number"
    return None


def same_database(one: Path | str, other: Path | str) -> bool:
    """Whether two locations name the same database: the same file, or the same
    server, database and ``search_path`` (whoever logs in)."""
    return _identity(one) == _identity(other)


def _identity(location: Path | str) -> tuple[object, ...]:
    if not is_postgres(location):
        return ("sqlite", sqlite_path(location).resolve())
    parts = urlsplit(str(location))
    query = dict(parse_qsl(parts.query))
    try:
        port = parts.port or 5432
    except ValueError:
        port = None
    host = parts.hostname or query.get("host", "")
    return ("postgres", host, port, parts.path.strip("/"), query.get("search_path"))
