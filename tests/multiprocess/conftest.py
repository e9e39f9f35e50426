"""Real processes sharing one database: the ``Worker`` that runs and reads one, and the
databases they share (``shared_db``: a SQLite file, and a PostgreSQL schema of its own).

Each test module runs its scenarios at once, each on a thread of its own with lease
names of its own (``Scenarios``), and its tests assert on their outcomes: the whole
module takes about as long as its slowest scenario, not their sum.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.storage import open_store
from tests.services import postgres_schema

ROOT = Path(__file__).resolve().parents[2]
Event = dict[str, Any]


class Worker:
    """``python -m tests.multiprocess.worker ARGS``: its stdout's JSON lines arrive in a
    queue (read by a thread), its stderr goes to a file for the failure message."""

    def __init__(self, db: str, *args: str, logs: Path) -> None:
        self.args = args
        self._stderr_path = logs / f"worker-{os.getpid()}-{time.monotonic_ns()}.err"
        self._stderr = self._stderr_path.open("w")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.multiprocess.worker", *args, "--db", db],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self.seen: list[Event] = []
        self._events: queue.Queue[Event | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            event = json.loads(line)
            event["at"] = time.monotonic()  # when this test saw it
            self._events.put(event)
        self._events.put(None)

    def expect(self, kind: str, *, within: float = 15.0, text: str = "") -> Event:
        """The next event of ``kind`` (whose message contains ``text``); fails after
        ``within`` seconds or when the process ends first, showing what it said."""
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self._events.get(timeout=left)
            except queue.Empty:
                break
            if event is None:
                pytest.fail(f"{self} ended waiting for {kind!r}: {self._story()}")
            self.seen.append(event)
            if event["event"] == kind and text in str(event.get("message", "")):
                return event
        pytest.fail(f"{self}: no {kind!r} within {within:g} s: {self._story()}")

    def events(self, kind: str) -> list[Event]:
        """Every event of ``kind`` seen so far, including those still queued."""
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                break
            if event is not None:
                self.seen.append(event)
        return [e for e in self.seen if e["event"] == kind]

    def eventually(self, kind: str, *, within: float = 5.0) -> list[Event]:
        """Every event of ``kind`` seen so far, once there is one (fails after ``within``)."""
        deadline = time.monotonic() + within
        while not (found := self.events(kind)):
            if time.monotonic() > deadline:
                pytest.fail(f"{self}: no {kind!r} within {within:g} s: {self._story()}")
            time.sleep(0.02)
        return found

    def say(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def signal(self, sig: signal.Signals) -> float:
        """Send ``sig``; the monotonic time it was sent."""
        self.process.send_signal(sig)
        return time.monotonic()

    def wait(self, within: float = 15.0) -> int:
        return self.process.wait(timeout=within)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
        self.process.wait(timeout=10)
        self._reader.join(timeout=10)  # it ends at the end of the dead process's output
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        self._stderr.close()

    def _story(self) -> str:
        said = "\n".join(json.dumps(e) for e in self.seen[-15:])
        self._stderr.flush()
        return f"\nevents:\n{said}\nstderr:\n{self._stderr_path.read_text()[-2000:]}"

    def __repr__(self) -> str:
        return f"<worker {' '.join(self.args)} pid {self.process.pid}>"


class Scenarios:
    """Scenarios started at once, each on its own thread with its own workers."""

    def __init__(self, db: str, logs: Path) -> None:
        self.db = db
        self.logs = logs
        self._pool = ThreadPoolExecutor(max_workers=16)
        self._running: dict[str, Future[Any]] = {}
        self._workers: list[Worker] = []
        self._lock = threading.Lock()

    def worker(self, *args: str) -> Worker:
        worker = Worker(self.db, *args, logs=self.logs)
        with self._lock:
            self._workers.append(worker)
        return worker

    def start(self, name: str, scenario: Callable[[Scenarios, str], Any]) -> None:
        self._running[name] = self._pool.submit(scenario, self, name)

    def outcome(self, name: str, *, within: float = 60.0) -> Any:
        return self._running[name].result(timeout=within)

    def close(self) -> None:
        for future in self._running.values():
            future.cancel()
        for worker in self._workers:
            worker.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def shared_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database for a module's processes: a SQLite file, or a PostgreSQL
    schema of its own (skipped, or failed under TRIVIA_REQUIRE_SERVICES=1, where the
    server cannot be reached)."""
    loop = asyncio.new_event_loop()
    try:
        if request.param == "sqlite":
            location = str(tmp_path_factory.mktemp("shared") / "scores.db")
            loop.run_until_complete(_migrate(location))
            yield location
            return
        schema = postgres_schema()
        dsn = loop.run_until_complete(schema.__aenter__())
        try:
            loop.run_until_complete(_migrate(dsn))
            yield dsn
        finally:
            loop.run_until_complete(schema.__aexit__(None, None, None))
    finally:
        loop.close()


async def _migrate(location: str) -> None:
    store = await open_store(location)
    await store.close()
