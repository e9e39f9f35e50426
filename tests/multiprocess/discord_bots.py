"""Real ``trivia-bot run discord`` processes against one fake Discord and one database.

``Bot`` is one ``python -m bot run discord`` (configured by environment variables only,
``bot_env``): its log lines are read as they come, and its REST requests reach the fake
through an API base of its own, so the fake records them with the bot's name
(``FakeDiscord.api_base_via``).  The rest reads what users saw (the fake's messages and
the requests that made them) and what the database holds (``rows``, both backends).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.storage import open_store
from tests.platforms.discord.fake import FakeDiscord, FakeMessage, RecordedRequest

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")

WORDS = (
    "apple",
    "banana",
    "cherry",
    "delta",
    "eagle",
    "falcon",
    "garnet",
    "harbor",
    "island",
    "jungle",
    "kettle",
    "lemon",
    "mango",
    "nickel",
    "olive",
    "pepper",
    "quartz",
    "river",
    "salmon",
    "tiger",
    "umber",
    "violet",
    "walnut",
    "xenon",
    "yellow",
    "zebra",
    "amber",
    "basil",
    "cedar",
    "dune",
)

BANK_HEAD = "id: shard-tests\ntitle: Shard tests\nquestions:\n"
BANK_ITEM = (
    '  - id: w-{word}\n    prompt: "Type the word {word}"\n    answers: [{word}]\n'
    "    category: words\n    difficulty: easy\n"
)
_TYPE = re.compile(r"Type the word (\w+)")
_DEADLINE = re.compile(r"Time's up <t:(\d+)")
_QUESTION = re.compile(r"Question (\d+)/(\d+)")
_AWARD = re.compile(r"^(\w+) \*\*\+(\d+)\*\*", re.MULTILINE)
CHANGES = ("POST", "PATCH", "PUT", "DELETE")
#: What a bot says once it has started (imported everything, opened the database).
STARTED = "opened score store"
#: How many bots may be starting at once, over every scenario's thread: a start is
#: mostly CPU (imports), and a burst of them on a small machine would stall them all.
STARTING = threading.BoundedSemaphore(3)


def write_bank(directory: Path) -> Path:
    path = directory / "bank.yaml"
    path.write_text(BANK_HEAD + "".join(BANK_ITEM.format(word=w) for w in WORDS), "utf-8")
    return path


def bot_env(
    home: Path, fake: FakeDiscord, db: str, name: str, *, shards: str, **extra: str
) -> dict[str, str]:
    """The whole configuration of bot ``name`` running ``shards`` of the fake's shards."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TRIVIA_", "DISCORD_", "SLACK_"))
    }
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        PYTHONIOENCODING="utf-8",
        NO_COLOR="1",
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "xcache"),
        TRIVIA_CACHE_DIR=str(home / "cache"),
        DISCORD_TOKEN=fake.token,
        DISCORD_API_BASE=fake.api_base_via(name),
        DISCORD_GATEWAY_URL=fake.gateway_url,
        TRIVIA_DISCORD_GUILD="",
        TRIVIA_DB=db,
        TRIVIA_QUESTIONS=str(write_bank(home)),
        TRIVIA_CATEGORY="words",
        TRIVIA_PAUSE="0",
        TRIVIA_AUTO_HINTS="false",
        TRIVIA_IDLE_QUESTIONS="50",
        TRIVIA_LOG_LEVEL="INFO",
        TRIVIA_DISCORD_SHARD_COUNT=str(fake.shard_count),
        TRIVIA_DISCORD_SHARDS=shards,
        TRIVIA_LEASE_SECONDS="2",
        TRIVIA_LEASE_WAIT="60",
        TRIVIA_RESUME_WITHIN="120",
    )
    env.update(extra)
    return env


@dataclass
class Bot:
    """One bot process; ``log`` fills in line by line (its stderr)."""

    name: str
    process: asyncio.subprocess.Process
    log: list[str] = field(default_factory=list)
    _seen: asyncio.Event = field(default_factory=asyncio.Event)
    _reader: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, name: str, env: dict[str, str]) -> Bot:
        """Bot ``name`` started, once it has said so (``STARTED``; a few starting at a time)."""
        # Shared by the loops of several threads: there is no asyncio.Event to wait on.
        while not STARTING.acquire(blocking=False):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        try:
            bot = await cls._spawn(name, env)
            await bot.wait_for_log(STARTED, within=60)
        finally:
            STARTING.release()
        return bot

    @classmethod
    async def _spawn(cls, name: str, env: dict[str, str]) -> Bot:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "discord",
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        bot = cls(name, process)
        bot._reader = asyncio.create_task(bot._read(), name=f"read {name}")
        return bot

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            self.log.append(raw.decode(errors="replace").rstrip())
            self._seen.set()
        self._seen.set()

    @property
    def pid(self) -> int:
        return self.process.pid

    def said(self, text: str) -> int:
        return sum(text in line for line in self.log)

    async def wait_for_log(self, text: str, *, count: int = 1, within: float = 30.0) -> None:
        try:
            async with asyncio.timeout(within):
                while self.said(text) < count:
                    if self._reader_done():  # its stderr closed: it ended
                        code = await self.process.wait()
                        raise AssertionError(
                            f"{self} ended ({code}) before saying {text!r}\n{self.story()}"
                        )
                    self._seen.clear()
                    await self._seen.wait()
        except TimeoutError:
            raise AssertionError(
                f"{self} did not say {text!r} within {within:g} s\n{self.story()}"
            ) from None

    def _reader_done(self) -> bool:
        return self._reader is None or self._reader.done()

    def signal(self, sig: signal.Signals) -> float:
        """Send ``sig``; the wall-clock time it was sent."""
        self.process.send_signal(sig)
        return time.time()

    async def wait(self, within: float = 20.0) -> int:
        code = await asyncio.wait_for(self.process.wait(), within)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 5)
        return code

    async def stop(self) -> None:
        """However it stands: killed if still running (resumed first if stopped)."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
        await self.wait()

    def story(self) -> str:
        return f"--- {self} ---\n" + "\n".join(self.log[-60:])

    def __str__(self) -> str:
        return f"bot {self.name} (pid {self.process.pid})"


async def stop_all(bots: Iterable[Bot]) -> None:
    await asyncio.gather(*(bot.stop() for bot in bots), return_exceptions=True)


# -- the database --------------------------------------------------------------------------


async def migrate(db: str) -> None:
    store = await open_store(db)
    await store.close()


async def rows(db: str, sql: str) -> list[tuple[Any, ...]]:
    """``sql`` (no parameters) on a SQLite file or a PostgreSQL URL."""
    if db.startswith("postgresql://"):
        import asyncpg

        connection = await asyncpg.connect(db)
        try:
            return [tuple(r) for r in await connection.fetch(sql)]
        finally:
            await connection.close()

    def read() -> list[tuple[Any, ...]]:
        with sqlite3.connect(db) as connection:
            return list(connection.execute(sql))

    return await asyncio.to_thread(read)


# -- what users saw ------------------------------------------------------------------------


async def poll(
    fake: FakeDiscord,
    check: Callable[[], T | None],
    *,
    within: float,
    what: str,
    every: float = 0.05,
) -> T:
    """``check()``'s first truthy result, asked every ``every`` seconds (not at each of
    the fake's requests, as ``wait_until`` does: many waits at once would keep the
    test's one CPU busy copying messages); AssertionError after ``within``."""
    deadline = time.monotonic() + within
    while not (found := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {within:g} s\n{fake.describe()}")
        await asyncio.sleep(every)
    return found


def body_text(body: Any) -> str:
    """The text of a message body as sent (content, embed parts), one part a line."""
    if not isinstance(body, dict):
        return ""
    parts = [str(body.get("content") or "")]
    for embed in body.get("embeds") or []:
        parts += [str(embed.get("title") or ""), str(embed.get("description") or "")]
        parts += [f"{f.get('name')}: {f.get('value')}" for f in embed.get("fields") or []]
    return "\n".join(p for p in parts if p)


def word_of(text: str) -> str | None:
    found = _TYPE.search(text)
    return found[1] if found else None


def deadline_of(text: str) -> int | None:
    """The ``<t:...>`` second a question's time is up (its wall-clock deadline, floored)."""
    found = _DEADLINE.search(text)
    return int(found[1]) if found else None


def number_of(text: str) -> tuple[int, int] | None:
    found = _QUESTION.search(text)
    return (int(found[1]), int(found[2])) if found else None


def is_open(message: FakeMessage) -> bool:
    return deadline_of(message.text) is not None and "The answer:" not in message.text


def questions_in(fake: FakeDiscord, channel: int) -> list[FakeMessage]:
    """The channel's question messages (open or revealed), oldest first."""
    return [m for m in fake.channel_messages(channel, from_bot=True) if number_of(m.text)]


def message_requests(fake: FakeDiscord, channel: int) -> list[RecordedRequest]:
    """The requests that posted or edited messages in ``channel``, in order."""
    pattern = re.compile(rf"/channels/{channel}/messages(/\d+)?")
    return [r for r in fake.requests if r.method in CHANGES and pattern.fullmatch(r.path)]


def reveals_of(fake: FakeDiscord, message_id: int) -> list[RecordedRequest]:
    """The edits that revealed message ``message_id``'s answer."""
    return [
        r
        for r in fake.requests
        if r.method == "PATCH"
        and r.path.endswith(f"/messages/{message_id}")
        and "The answer:" in body_text(r.json)
        and r.status == 200
    ]


def awards_in(text: str) -> list[tuple[str, int]]:
    """The (name, points) lines of a reveal's "Scored" field."""
    scored = text.split("Scored: ", 1)
    return [(n, int(p)) for n, p in _AWARD.findall(scored[1])] if len(scored) == 2 else []


def wall_clock(fake_loop_time: float, loop: asyncio.AbstractEventLoop) -> float:
    """The wall-clock time of an instant on ``loop``'s clock (the fake's request times)."""
    return time.time() - (loop.time() - fake_loop_time)
