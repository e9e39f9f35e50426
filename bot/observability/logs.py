"""Log lines that say where they happened: the platform, server and channel.

A context variable holds the place the current piece of work concerns.  The
service sets it for each command from the command's channel (and each game's
timer from its game's channel), the adapters for each inbound event as soon as
they know where it comes from, and the runners set the platform for the whole
run.  asyncio copies the context into every task at creation, so the timers,
write-behind tasks and SDK handler tasks started from there carry it too.

A second context variable holds the gateway shard whose connection delivered
the event being handled (Discord): set by the adapter with ``shard=``, left as
it is by blocks that do not name one, so the service's own per-channel blocks
inside an event keep it.

``WhereFilter`` copies both onto every record that reaches the handler, whatever
logger it came through (ours, discord.py's, slack-bolt's): ``platform``,
``server``, ``channel``, ``shard`` and ``where``, a compact
`` [discord:123:456 shard=3]``.
``setup_logging`` installs one handler on the root logger: human-readable lines
by default, one JSON object per line with ``fmt="json"``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any, Final

from bot.domain.model import ChannelKey

FORMATS: Final = ("human", "json")
HUMAN_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s%(where)s: %(message)s"


@dataclass(frozen=True, slots=True)
class Where:
    """The place a log line concerns; None where it is not known."""

    platform: str | None = None
    server: str | None = None
    channel: str | None = None

    def label(self) -> str:
        """``discord:123:456``, shorter when less is known, "" when nothing is."""
        return ":".join(part for part in (self.platform, self.server, self.channel) if part)


NOWHERE: Final = Where()
_where: ContextVar[Where] = ContextVar("trivia_log_where", default=NOWHERE)
_shard: ContextVar[int | None] = ContextVar("trivia_log_shard", default=None)


@contextmanager
def log_context(
    platform: str | None,
    server: object = None,
    channel: object = None,
    *,
    shard: int | None = None,
) -> Iterator[None]:
    """Tag the log lines of this block, and of the tasks created in it, with a place.

    ``server`` and ``channel`` may be ids of any type (Discord's are ints); None
    leaves them unknown.  ``shard`` names the gateway shard that delivered the
    event; None keeps the one already set (if any).
    """
    token = _where.set(Where(platform, _text(server), _text(channel)))
    shard_token = _shard.set(shard) if shard is not None else None
    try:
        yield
    finally:
        if shard_token is not None:
            _shard.reset(shard_token)
        _where.reset(token)


def tag_task(
    platform: str | None,
    server: object = None,
    channel: object = None,
    *,
    shard: int | None = None,
) -> None:
    """Tag the rest of the current task with a place, for work that runs in a task
    of its own from here to its end (an SDK's per-event task) with no block to wrap."""
    _where.set(Where(platform, _text(server), _text(channel)))
    if shard is not None:
        _shard.set(shard)


def channel_context(channel: ChannelKey) -> AbstractContextManager[None]:
    """``log_context`` for a game's channel (entered for every command: a plain
    object rather than a generator, at a third of the cost)."""
    return _Tagged(Where(channel.platform, channel.server or None, channel.channel or None))


class _Tagged:
    """Tags the block it wraps with ``where`` (the shard is left as it is)."""

    __slots__ = ("_place", "_token")

    def __init__(self, place: Where) -> None:
        self._place = place

    def __enter__(self) -> None:
        self._token = _where.set(self._place)

    def __exit__(self, *_exc: object) -> None:
        _where.reset(self._token)


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


class WhereFilter(logging.Filter):
    """Adds ``platform``, ``server``, ``channel`` and ``where`` to each record.

    Installed on the handler, not on a logger, so that records of every logger
    get the fields.  Fields a caller passed explicitly (``extra=``) are kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        where, fields = _where.get(), record.__dict__
        fields.setdefault("platform", where.platform)
        fields.setdefault("server", where.server)
        fields.setdefault("channel", where.channel)
        fields.setdefault("shard", _shard.get())
        label = Where(*(_text(fields[k]) for k in ("platform", "server", "channel"))).label()
        if fields["shard"] is not None:
            label = f"{label} shard={fields['shard']}".strip()
        fields["where"] = f" [{label}]" if label else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line.

    Keys: ``time`` (UTC, ISO 8601, milliseconds), ``level``, ``logger``,
    ``message``, ``platform``, ``server``, ``channel``, ``shard`` (null when
    unknown), and
    ``exception`` (the traceback's text) when the record carries one.  Non-ASCII
    text is escaped, so no character of a player's name can split a line for a
    log shipper that also breaks on Unicode line separators.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "platform": getattr(record, "platform", None),
            "server": getattr(record, "server", None),
            "channel": getattr(record, "channel", None),
            "shard": getattr(record, "shard", None),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def setup_logging(
    level: str | int, fmt: str = "human", *, stream: IO[str] | None = None
) -> logging.Handler:
    """Send every log record to ``stream`` (default: stderr) in ``fmt``: human or json.

    Replaces the root logger's handlers (like ``logging.basicConfig(force=True)``)
    and returns the one it installed.
    """
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    handler = logging.StreamHandler(sys.stderr if stream is None else stream)
    handler.addFilter(WhereFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(HUMAN_FORMAT))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    return handler
