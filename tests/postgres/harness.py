"""Processes for the PostgreSQL tests: driver processes held at a barrier, and reading
the database behind a store the way an auditor would (straight SQL, not the store)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parents[2]
#: How long any one step of a driver process may take (start, run, finish).
STEP_TIMEOUT = 30.0


@dataclass
class Driver:
    """One ``python -m tests.postgres.driver`` process."""

    name: str
    process: asyncio.subprocess.Process
    stdout: list[str] = field(default_factory=list)
    stderr: str = ""

    async def ready(self) -> None:
        assert self.process.stdout is not None
        line = (await self.process.stdout.readline()).decode().strip()
        assert line == "ready", f"{self.name} did not get ready: {line!r}"

    def say(self, line: str) -> None:
        assert self.process.stdin is not None
        if not self.process.stdin.is_closing():
            self.process.stdin.write(f"{line}\n".encode())

    async def result(self) -> dict[str, Any]:
        """Its JSON report, once it has exited (with 0, or the test fails with its stderr)."""
        out, err = await self.process.communicate()
        self.stderr = err.decode(errors="replace")
        assert self.process.returncode == 0, (
            f"{self.name} exited {self.process.returncode}:\n" + self.stderr[-3000:]
        )
        report: dict[str, Any] = json.loads(out.decode().splitlines()[-1])
        return report


@asynccontextmanager
async def drivers(
    mode: str, dsn: str, names: Sequence[str], *args: str
) -> AsyncIterator[list[Driver]]:
    """The drivers, started together and each ``ready`` at the barrier; killed on the way out
    if still running."""
    started = [
        Driver(
            name,
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.postgres.driver",
                mode,
                dsn,
                name,
                *args,
                cwd=ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            ),
        )
        for name in names
    ]
    try:
        async with asyncio.timeout(STEP_TIMEOUT):
            await asyncio.gather(*(d.ready() for d in started))
        yield started
    finally:
        for driver in started:
            if driver.process.returncode is None:
                driver.process.kill()
                await driver.process.wait()


def release(started: Sequence[Driver]) -> None:
    """Open the barrier: every driver gets its ``go`` in the same instant."""
    for driver in started:
        driver.say("go")


async def results(started: Sequence[Driver]) -> list[dict[str, Any]]:
    async with asyncio.timeout(STEP_TIMEOUT):
        return list(await asyncio.gather(*(d.result() for d in started)))


@asynccontextmanager
async def database(dsn: str) -> AsyncIterator[asyncpg.Connection[Any]]:
    """A plain connection to the test's schema, for looking at the rows themselves."""
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        yield conn
    finally:
        await conn.close()


@dataclass
class CliRun:
    """``trivia-bot ARGS`` running; its stdout read line by line as it comes."""

    process: asyncio.subprocess.Process
    stdout: list[str] = field(default_factory=list)

    async def line_with(self, text: str) -> float:
        """Read stdout until a line contains ``text``; when it came (``time.monotonic``)."""
        assert self.process.stdout is not None
        async with asyncio.timeout(STEP_TIMEOUT):
            while line := (await self.process.stdout.readline()).decode():
                self.stdout.append(line)
                if text in line:
                    return time.monotonic()
        raise AssertionError(f"no line with {text!r} in {''.join(self.stdout)!r}")

    async def finished(self) -> tuple[int, str, str]:
        """Exit code, all of stdout and stderr."""
        async with asyncio.timeout(STEP_TIMEOUT):
            out, err = await self.process.communicate()
        self.stdout.append(out.decode())
        assert self.process.returncode is not None
        return self.process.returncode, "".join(self.stdout), err.decode()


@asynccontextmanager
async def cli(*args: str, env: dict[str, str], cwd: Path | None = None) -> AsyncIterator[CliRun]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield CliRun(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def within(seconds: float, probe: Callable[[], Awaitable[bool]]) -> float:
    """Poll ``probe`` every 10 ms until it is true; how long that took. Fails after
    ``seconds``."""
    started = time.monotonic()
    while not await probe():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"not within {seconds} s")
        await asyncio.sleep(0.01)
    return time.monotonic() - started
