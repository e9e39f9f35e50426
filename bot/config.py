"""Settings: defaults, then a TOML file, then environment variables, then flags.

Every setting is declared once in ``FIELDS`` (name, environment variable, how
to parse it, what it means), which drives parsing, validation and
``trivia-bot config``.  Problems are collected and reported together, each
naming where the bad value came from, so an operator fixes them in one go.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from bot.domain.model import GameMode, GameOptions, Limits
from bot.slack_tokens import check_key
from bot.storage.location import check_postgres_url, is_postgres, masked, masked_urls

APP_NAME = "trivia-bot"
LIMITS = Limits()
#: Discord's global REST limit: requests per second for one bot token, all processes together.
DISCORD_REST_LIMIT = 50
#: More shards than any bot runs (the largest run a few thousand): a typo guard.
MAX_SHARDS = 100_000


class SettingsError(Exception):
    """Bad configuration; ``problems`` lists every bad value with its source."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Settings:
    db: Path | str = field(
        default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)) / "trivia.db"
    )
    questions: tuple[Path, ...] = ()
    cache_dir: Path | None = field(
        default_factory=lambda: Path(platformdirs.user_cache_dir(APP_NAME))
    )
    rounds: int = 10
    seconds: float = 30.0
    mode: GameMode = GameMode.TEXT
    category: str | None = None
    pause: float = 4.0
    auto_hints: bool = True
    idle_questions: int = 3
    log_level: str = "WARNING"
    log_format: str = "human"
    http_port: int | None = None
    reload_seconds: float = 5.0
    shutdown_seconds: float = 8.0
    resume_within: float = 120.0
    lease_seconds: float = 15.0
    lease_wait: float = 60.0
    nats_url: str | None = None
    discord_token: str | None = field(default=None, repr=False)
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    discord_guild: str | None = None
    discord_shard_count: int | None = None
    discord_shards: tuple[int, ...] | None = None
    discord_rest_share: int | None = None
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    slack_authorization_url: str | None = None
    slack_api_url: str | None = None
    slack_admins: tuple[str, ...] = ()
    slack_token_key: tuple[str, ...] = field(default=(), repr=False)
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def game_options(self) -> GameOptions:
        return GameOptions(
            rounds=self.rounds,
            seconds=self.seconds,
            mode=self.mode,
            category=self.category,
            pause=self.pause,
            auto_hints=self.auto_hints,
            max_idle_questions=self.idle_questions,
        )

    def discord_rest_rate(self) -> int:
        """REST requests per second this process may spend: ``discord_rest_share``, else
        its shards' part of Discord's 50/s (rounded down, at least 1), else all 50."""
        if self.discord_rest_share is not None:
            return self.discord_rest_share
        if self.discord_shards is None or self.discord_shard_count is None:
            return DISCORD_REST_LIMIT
        share = DISCORD_REST_LIMIT * len(self.discord_shards) // self.discord_shard_count
        return max(1, share)


# -- parsers: text (or a TOML value) -> typed value, raising ValueError with a hint --------


def _int_between(low: int, high: int) -> Callable[[Any], int]:
    def parse(raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValueError(f"must be a whole number from {low} to {high}")
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"must be a whole number from {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"must be from {low} to {high}")
        return value

    return parse


def _float_between(low: float, high: float) -> Callable[[Any], float]:
    def parse(raw: Any) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ValueError(f"must be a number of seconds from {low:g} to {high:g}")
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"must be a number of seconds from {low:g} to {high:g}") from None
        if not low <= value <= high:
            raise ValueError(f"must be from {low:g} to {high:g}")
        return value

    return parse


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _mode(raw: Any) -> GameMode:
    try:
        return GameMode(str(raw).strip().lower())
    except ValueError:
        raise ValueError("must be 'text' or 'choice'") from None


def _database(raw: Any) -> Path | str:
    """A SQLite file's path, or a PostgreSQL URL (kept as text)."""
    if isinstance(raw, str) and is_postgres(raw.strip()):
        url = raw.strip()
        problem = check_postgres_url(url)
        if problem is not None:
            raise ValueError(problem)
        return url
    return _path(raw)


def _path(raw: Any) -> Path:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("must be a file path")
    return Path(raw).expanduser()


def _paths(raw: Any) -> tuple[Path, ...]:
    items = raw.split(os.pathsep) if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not all(isinstance(i, str | Path) for i in items):
        raise ValueError(f"must be a list of paths (separated by {os.pathsep!r} in a variable)")
    return tuple(Path(i).expanduser() for i in items if str(i).strip())


def _text(raw: Any) -> str | None:
    if not isinstance(raw, str):
        raise ValueError("must be text")
    return raw.strip() or None


def _log_format(raw: Any) -> str:
    value = str(raw).strip().lower()
    if value not in {"human", "json"}:
        raise ValueError("must be 'human' or 'json'")
    return value


def _port(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    return _int_between(1, 65535)(raw)


def _log_level(raw: Any) -> str:
    level = str(raw).strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return level


def _url(raw: Any) -> str | None:
    text = _text(raw)
    if text is not None and not text.startswith(("http://", "https://", "ws://", "wss://")):
        raise ValueError("must be a URL starting with http://, https://, ws:// or wss://")
    return text


def _nats_urls(raw: Any) -> str | None:
    text = _text(raw)
    if text is None:
        return None
    for url in text.split(","):
        if not url.strip().startswith(("nats://", "tls://", "ws://", "wss://")):
            raise ValueError("must be NATS URLs (nats://host:4222), comma-separated")
    return text


_SHARDS_EXAMPLE = "shard ids and ranges, for example 0-7, 0,2,4 or 0-3,8"


def _shard_ids(raw: Any) -> tuple[int, ...]:
    """``0-7``, ``0,2,4``, ``0-3,8`` (a TOML list of ids too) -> sorted ids, each once."""
    items = [str(i) for i in raw] if isinstance(raw, list) else str(raw).split(",")
    ids: set[int] = set()
    for item in (i.strip() for i in items):
        if not item:
            raise ValueError(f"has an empty entry; it must be {_SHARDS_EXAMPLE}")
        low, dash, high = item.partition("-")
        bounds = (low, high) if dash else (low, low)
        if not all(b.strip().isdigit() for b in bounds):
            raise ValueError(
                f"has {item!r}, which is not a shard id or range; use {_SHARDS_EXAMPLE}"
            )
        first, last = (int(b) for b in bounds)
        if first > last:
            raise ValueError(
                f"has the range {item!r}, which runs backwards; write it {last}-{first}"
            )
        if last >= MAX_SHARDS:
            raise ValueError(f"has shard {last}; shard ids go from 0 to {MAX_SHARDS - 1}")
        listed = set(range(first, last + 1))
        if listed & ids:
            twice = min(listed & ids)
            raise ValueError(f"lists shard {twice} twice; name each shard once")
        ids |= listed
    return tuple(sorted(ids))


def shard_ranges(ids: Collection[int]) -> str:
    """Shard ids written compactly, as an operator would: ``0-3,8``."""
    runs: list[list[int]] = []
    for shard in sorted(ids):
        if runs and shard == runs[-1][-1] + 1:
            runs[-1].append(shard)
        else:
            runs.append([shard])
    return ",".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _client_id(raw: Any) -> str | None:
    """A Slack app's Client ID: two numbers joined by a dot, as the app's page shows it."""
    text = _text(raw)
    if text is not None and not re.fullmatch(r"\d+\.\d+", text):
        raise ValueError(
            "must be the app's Client ID as its Basic Information page shows it "
            "(two numbers joined by a dot, e.g. 1234567890.1234567890)"
        )
    return text


def _optional_int_between(low: int, high: int) -> Callable[[Any], int | None]:
    whole = _int_between(low, high)
    return lambda raw: None if raw in (None, "") else whole(raw)


def _ids(raw: Any) -> tuple[str, ...]:
    items = raw.replace(",", " ").split() if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise ValueError("must be a list of user ids (comma- or space-separated in a variable)")
    return tuple(i.strip() for i in items if i.strip())


def _token_keys(raw: Any) -> tuple[str, ...]:
    """Fernet keys, comma-separated (the first encrypts, every one decrypts)."""
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise ValueError("must be one Fernet key, or several separated by commas")
    keys = tuple(i.strip() for i in items if i.strip())
    for number, key in enumerate(keys, start=1):
        try:
            check_key(key)
        except ValueError as exc:
            which = f"(key {number}) " if len(keys) > 1 else ""
            raise ValueError(f"{which}{exc}") from None
    return keys


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    env: str
    parse: Callable[[Any], Any]
    help: str
    secret: bool = False


FIELDS: tuple[Field, ...] = (
    Field(
        "db",
        "TRIVIA_DB",
        _database,
        "where scores are kept: a SQLite file, or postgresql://user:password@host:5432/dbname",
    ),
    Field(
        "questions",
        "TRIVIA_QUESTIONS",
        _paths,
        f"bank files or folders ({os.pathsep!r}-separated); default: the bundled bank",
    ),
    Field("cache_dir", "TRIVIA_CACHE_DIR", _path, "where validated banks are cached"),
    Field(
        "rounds",
        "TRIVIA_ROUNDS",
        _int_between(LIMITS.min_rounds, LIMITS.max_rounds),
        "questions per game",
    ),
    Field(
        "seconds",
        "TRIVIA_SECONDS",
        _float_between(LIMITS.min_seconds, LIMITS.max_seconds),
        "seconds per question",
    ),
    Field("mode", "TRIVIA_MODE", _mode, "default game mode: text or choice"),
    Field("category", "TRIVIA_CATEGORY", _text, "default category (empty: all)"),
    Field("pause", "TRIVIA_PAUSE", _float_between(0, 60), "seconds between questions"),
    Field("auto_hints", "TRIVIA_AUTO_HINTS", _bool, "give hints automatically as time runs"),
    Field(
        "idle_questions",
        "TRIVIA_IDLE_QUESTIONS",
        _int_between(1, 50),
        "end a game after this many questions in a row nobody answered",
    ),
    Field("log_level", "TRIVIA_LOG_LEVEL", _log_level, "DEBUG, INFO, WARNING or ERROR"),
    Field("log_format", "TRIVIA_LOG_FORMAT", _log_format, "human, or json (one object a line)"),
    Field("http_port", "TRIVIA_HTTP_PORT", _port, "serve /healthz and /metrics on this port"),
    Field(
        "reload_seconds",
        "TRIVIA_RELOAD_SECONDS",
        _float_between(0, 3600),
        "how often bank files are checked for changes and reloaded (0: only on SIGHUP "
        "and `trivia-bot reload`)",
    ),
    Field(
        "shutdown_seconds",
        "TRIVIA_SHUTDOWN_SECONDS",
        _float_between(1, 600),
        "how long a stopping bot may take: it records every game first, then sends their "
        "last messages; keep it under your supervisor's grace period (Docker: 10 s)",
    ),
    Field(
        "resume_within",
        "TRIVIA_RESUME_WITHIN",
        _float_between(0, 3600),
        "on Discord and Slack, a game saved at most this many seconds before a start goes "
        "on where it stood (a stop saves every game and says 'back in a moment'); older "
        "ones end with their points; 0 ends every game when the bot stops",
    ),
    Field(
        "lease_seconds",
        "TRIVIA_LEASE_SECONDS",
        _float_between(1, 600),
        "how long a process's lease on its work (a Discord shard) lasts unless renewed "
        "(every third of it); a process that stops renewing loses its work after this",
    ),
    Field(
        "lease_wait",
        "TRIVIA_LEASE_WAIT",
        _float_between(0, 3600),
        "how long a starting process waits for work another process holds (a rolling "
        "restart) before it exits with 2, naming the holder",
    ),
    Field(
        "nats_url",
        "TRIVIA_NATS_URL",
        _nats_urls,
        "Slack replicas: NATS server(s) over which a replica forwards game commands to the "
        "replica that owns their workspace (unset: one process serves every workspace)",
    ),
    Field("discord_token", "DISCORD_TOKEN", _text, "Discord bot token", secret=True),
    Field("discord_api_base", "DISCORD_API_BASE", _url, "Discord REST base (API proxies)"),
    Field("discord_gateway_url", "DISCORD_GATEWAY_URL", _url, "Discord gateway URL (proxies)"),
    Field(
        "discord_guild",
        "TRIVIA_DISCORD_GUILD",
        _text,
        "sync slash commands to this guild only, at once (development)",
    ),
    Field(
        "discord_shard_count",
        "TRIVIA_DISCORD_SHARD_COUNT",
        _optional_int_between(1, MAX_SHARDS),
        "how many shards the bot runs in all processes together (default: as many as "
        "Discord recommends)",
    ),
    Field(
        "discord_shards",
        "TRIVIA_DISCORD_SHARDS",
        _shard_ids,
        "which shards this process runs, e.g. 0-7 or 0,2,4 (needs the shard count; default: all)",
    ),
    Field(
        "discord_rest_share",
        "TRIVIA_DISCORD_REST_SHARE",
        _optional_int_between(1, 100_000),
        "Discord REST requests per second this process may send (default: its shards' part of 50)",
    ),
    Field("slack_bot_token", "SLACK_BOT_TOKEN", _text, "Slack bot token (xoxb-)", secret=True),
    Field(
        "slack_app_token", "SLACK_APP_TOKEN", _text, "Slack app token for Socket Mode", secret=True
    ),
    Field(
        "slack_signing_secret",
        "SLACK_SIGNING_SECRET",
        _text,
        "Slack signing secret (HTTP mode)",
        secret=True,
    ),
    Field(
        "slack_client_id",
        "SLACK_CLIENT_ID",
        _client_id,
        "Slack app's Client ID: with the client secret, --http serves /slack/install and takes "
        "installs from any workspace (no SLACK_BOT_TOKEN then)",
    ),
    Field(
        "slack_client_secret",
        "SLACK_CLIENT_SECRET",
        _text,
        "Slack app's Client Secret (OAuth installs)",
        secret=True,
    ),
    Field(
        "slack_authorization_url",
        "SLACK_AUTHORIZATION_URL",
        _url,
        "Slack's authorize page for OAuth installs (default https://slack.com/oauth/v2/authorize; "
        "GovSlack, proxies)",
    ),
    Field("slack_api_url", "SLACK_API_URL", _url, "Slack Web API base (GovSlack, proxies)"),
    Field("slack_admins", "TRIVIA_SLACK_ADMINS", _ids, "Slack user ids that count as admins"),
    Field(
        "slack_token_key",
        "TRIVIA_SLACK_TOKEN_KEY",
        _token_keys,
        "Fernet key that encrypts the Slack tokens of installed workspaces in the database "
        "(new,old to change keys); unset: stored plain",
        secret=True,
    ),
)
_BY_NAME = {f.name: f for f in FIELDS}


def default_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def load_settings(
    *,
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build validated settings; raise ``SettingsError`` listing every problem.

    ``config_file`` defaults to ``$TRIVIA_CONFIG``, else the user's config
    file if it exists. ``overrides`` are command-line values (None = not given).
    """
    env = os.environ if environ is None else environ
    problems: list[str] = []
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}

    def take(name: str, raw: Any, source: str) -> None:
        spec = _BY_NAME[name]
        try:
            values[name] = spec.parse(raw)
            sources[name] = source
        except ValueError as exc:
            shown = "(hidden)" if spec.secret else repr(raw)
            problems.append(f"{source}: {name} = {shown} {exc}.")

    path = config_file or (Path(env["TRIVIA_CONFIG"]) if env.get("TRIVIA_CONFIG") else None)
    if path is None and default_config_file().is_file():
        path = default_config_file()
    if path is not None:
        for name, raw in _read_toml(path, problems).items():
            if name not in _BY_NAME:
                known = ", ".join(sorted(_BY_NAME))
                problems.append(f"{path}: unknown setting {name!r}; known settings: {known}.")
                continue
            take(name, raw, str(path))
    for spec in FIELDS:
        if spec.env in env and env[spec.env] != "":
            take(spec.name, env[spec.env], f"environment {spec.env}")
    for name, raw in (overrides or {}).items():
        if raw is not None:
            take(name, raw, f"option --{name.replace('_', '-')}")
    problems += _shard_problems(values, sources)
    if problems:
        raise SettingsError(problems)
    return replace(Settings(), **values, sources=sources)


def _shard_problems(values: Mapping[str, Any], sources: Mapping[str, str]) -> list[str]:
    """What is wrong with the shard settings together (each was valid on its own)."""
    shards: tuple[int, ...] | None = values.get("discord_shards")
    count: int | None = values.get("discord_shard_count")
    if shards is None:
        return []
    where = sources["discord_shards"]
    listed = shard_ranges(shards)
    if count is None:
        return [
            f"{where}: discord_shards = {listed!r} needs the shard count too: set "
            "TRIVIA_DISCORD_SHARD_COUNT to the number of shards of all processes together "
            "(for example 4 with TRIVIA_DISCORD_SHARDS=0-1 here and 2-3 in another process)."
        ]
    beyond = [s for s in shards if s >= count]
    if beyond:
        return [
            f"{where}: discord_shards = {listed!r} names shard {beyond[0]}, but "
            f"discord_shard_count is {count} ({sources['discord_shard_count']}): shard ids "
            f"go from 0 to {count - 1}, for example 0-{count - 1}."
        ]
    return []


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        problems.append(f"{path}: config file not found.")
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path}: not valid TOML: {exc}.")
        return {}
    except OSError as exc:
        problems.append(f"{path}: cannot read config file: {exc.strerror}.")
        return {}
    return data


def describe(settings: Settings) -> list[tuple[str, str, str, str, str]]:
    """(name, value, where it came from, environment variable, meaning) per setting."""
    rows = []
    for spec in FIELDS:
        value = getattr(settings, spec.name)
        if spec.secret and value:
            shown = "(set, hidden)"
        elif spec.name == "db":
            shown = masked(value)
        elif spec.name == "nats_url" and value:
            shown = masked_urls(value)
        elif isinstance(value, tuple) and spec.name == "questions":
            shown = os.pathsep.join(str(v) for v in value) or "(bundled bank)"
        elif isinstance(value, tuple) and spec.name == "discord_shards":
            shown = shard_ranges(value)
        elif isinstance(value, tuple):
            shown = ", ".join(value)
        else:
            shown = "" if value is None else str(value)
        source = settings.sources.get(spec.name, "default")
        rows.append((spec.name, shown, source, spec.env, spec.help))
    return rows


assert {f.name for f in fields(Settings)} - {"sources"} == set(_BY_NAME), "FIELDS out of sync"
