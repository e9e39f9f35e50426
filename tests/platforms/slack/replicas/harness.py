"""Slack replicas as real processes: ``python -m bot run slack --http`` on ports of their
own, one PostgreSQL schema, NATS, and the fake Slack spreading requests over them.

The workspaces are those of one Enterprise Grid org with the app installed org-wide
(one bot token that acts in every workspace of the org), so the single-token bot
serves several workspaces until per-workspace installs land.  Each replica's log
(INFO) is kept, and its lines are searched by the tests (``Replica.saw``).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from tests.helpers import free_port
from tests.platforms.slack.bot_harness import SECRET
from tests.platforms.slack.fake import FakeSlack, FakeWorkspace, Message

ROOT = Path(__file__).resolve().parents[4]
#: How long a replica may take to start serving (a loaded machine is slow to import).
START_WITHIN = 30.0
#: Words the bank's questions ask players to type back; none a typo away from another.
WORDS = (
    "anchor", "bishop", "cactus", "dolphin", "ember", "falcon", "glacier", "harbor",
    "igloo", "jasmine", "kettle", "lantern", "meadow", "nutmeg", "orchid", "pepper",
)  # fmt: skip


def write_bank(directory: Path) -> Path:
    """Text questions whose prompts say what to answer (``answer_to``)."""
    lines = ["id: replica-bank", "title: Replica tests", "questions:"]
    for number, word in enumerate(WORDS, 1):
        lines += [
            f"  - id: echo-{number:02d}",
            f'    prompt: "Echo {number:02d}: type the word {word}"',
            f"    answers: [{word}]",
            "    category: echo",
        ]
    path = directory / "replica-bank.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def answer_to(message: Message) -> str:
    text = message.all_text()
    found = [word for word in WORDS if f"type the word {word}" in text]
    assert len(found) == 1, f"no single question in {text!r}"
    return found[0]


@dataclass
class Replica:
    """One bot process; ``start`` again after ``kill`` to bring it back."""

    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: asyncio.subprocess.Process | None = None
    lines: list[str] = field(default_factory=list)
    #: Serving requests (from "Serving ..." until it is killed or stopped).
    up: bool = False
    #: Notified at every line any replica of the cluster writes (``Cluster.wait_for_line``).
    heard: asyncio.Condition = field(default_factory=asyncio.Condition)
    _reader: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "bot", "run", "slack", "--http", "--host", "127.0.0.1"),
            *("--port", str(self.port)),
            env=self.env,
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        serving = asyncio.Event()
        self._reader = asyncio.create_task(self._read(self.process, serving))
        waits = [asyncio.ensure_future(serving.wait()), asyncio.ensure_future(self.process.wait())]
        try:
            done, _ = await asyncio.wait(
                waits, timeout=START_WITHIN, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiting in waits:
                waiting.cancel()
        assert done, f"{self.name} did not serve in {START_WITHIN} s:\n{self.tail()}"
        self.up = serving.is_set()
        if not serving.is_set():
            await self._reader
            code = self.process.returncode
            raise AssertionError(f"{self.name} exited with {code} before serving:\n{self.tail()}")

    async def _read(self, process: asyncio.subprocess.Process, serving: asyncio.Event) -> None:
        assert process.stderr is not None
        with self.log_path.open("a", encoding="utf-8") as log:
            while line := await process.stderr.readline():
                text = line.decode(errors="replace").rstrip()
                self.lines.append(text)
                async with self.heard:
                    self.heard.notify_all()
                log.write(text + "\n")
                log.flush()
                if "Serving Slack's Events API" in text:
                    serving.set()

    def saw(self, fragment: str) -> list[str]:
        return [line for line in self.lines if fragment in line]

    def tail(self, count: int = 40) -> str:
        return "\n".join(self.lines[-count:])

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        """SIGKILL: no goodbye, no release, no save."""
        self.up = False
        if self.running:
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
        if self._reader is not None:
            await self._reader

    async def stop(self, within: float = 20.0) -> int:
        """SIGTERM, and its exit code."""
        self.up = False
        assert self.process is not None
        if self.running:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            await self.kill()
            why = f"{self.name} did not stop in {within} s:\n{self.tail()}"
            raise AssertionError(why) from None
        if self._reader is not None:
            await self._reader
        return code


@dataclass
class Cluster:
    slack: FakeSlack
    replicas: list[Replica]
    workspaces: list[FakeWorkspace]
    dsn: str
    _connection: asyncpg.Connection[Any] | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def owner(self, team: str) -> Replica | None:
        """The replica holding ``team``'s lease now (by the pid in its holder)."""
        holder = await self.fetchval(
            "SELECT holder FROM leases WHERE name = $1 AND expires_us > "
            "(extract(epoch FROM clock_timestamp()) * 1e6)::bigint",
            f"slack:workspace:{team}",
        )
        if holder is None:
            return None
        pid = int(str(holder).split(" pid ")[1].split()[0])
        return next((r for r in self.replicas if r.running and r.process.pid == pid), None)  # type: ignore[union-attr]

    async def wait_for_line(self, fragment: str, *, within: float) -> str:
        """The first line containing ``fragment`` that any replica wrote (or writes within
        ``within`` seconds)."""

        def found() -> str | None:
            return next((ln for r in self.replicas for ln in r.lines if fragment in ln), None)

        heard = self.replicas[0].heard
        async with heard, asyncio.timeout(within):
            await heard.wait_for(found)
        line = found()
        assert line is not None
        return line

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        # One connection for the whole test: the server's connections are shared with
        # every replica (and every other test on the machine).
        async with self._lock:  # one query at a time on it, as asyncpg requires
            if self._connection is None:
                self._connection = await asyncpg.connect(self.dsn, timeout=10)
            return list(await self._connection.fetch(query, *args))

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()

    async def fetchval(self, query: str, *args: Any) -> Any:
        rows = await self.fetch(query, *args)
        return rows[0][0] if rows else None


def replica_env(
    cli_env: dict[str, str], *, token: str, api_url: str, dsn: str, nats: str, bank: Path,
    **extra: str,
) -> dict[str, str]:  # fmt: skip
    env = dict(cli_env)
    env.update(
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        SLACK_BOT_TOKEN=token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        TRIVIA_DB=dsn,
        TRIVIA_NATS_URL=nats,
        TRIVIA_QUESTIONS=str(bank),
        TRIVIA_LOG_LEVEL="INFO",
        TRIVIA_PAUSE="0",
        TRIVIA_AUTO_HINTS="false",
        TRIVIA_LEASE_SECONDS="3",
        TRIVIA_RELOAD_SECONDS="0",
    )
    env.update(extra)
    return env


@asynccontextmanager
async def cluster(
    tmp_path: Path,
    cli_env: dict[str, str],
    *,
    dsn: str,
    nats: str,
    replicas: int = 3,
    workspaces: Sequence[str] = ("East", "West", "North"),
    **extra: str,
) -> AsyncIterator[Cluster]:
    """The fake Slack with an org of ``workspaces`` (installed org-wide), and ``replicas``
    bot processes serving it round robin; every process is stopped on the way out."""
    async with AsyncExitStack() as stack:
        slack = await stack.enter_async_context(FakeSlack())
        org = slack.add_enterprise("Acme")
        spaces = [slack.add_workspace(name, enterprise_id=org.id) for name in workspaces]
        slack.install(spaces[0], org_wide=True)
        bank = write_bank(tmp_path)
        heard = asyncio.Condition()
        env = replica_env(
            cli_env, token=spaces[0].bot_token, api_url=slack.api_url, dsn=dsn, nats=nats,
            bank=bank, **extra,
        )  # fmt: skip
        started = [
            Replica(f"replica-{i}", free_port(), env, tmp_path / f"replica-{i}.log", heard=heard)
            for i in range(replicas)
        ]

        async def kill_all() -> None:
            await asyncio.gather(*(r.kill() for r in started), return_exceptions=True)

        stack.push_async_callback(kill_all)
        await asyncio.gather(*(r.start() for r in started))
        slack.spread_over([r.url for r in started], signing_secret=SECRET)
        made = Cluster(slack, started, spaces, dsn)
        stack.push_async_callback(made.close)
        yield made
