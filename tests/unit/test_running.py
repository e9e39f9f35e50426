"""`trivia-bot reload` reaches running bots through their pid files, and nobody else."""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.sqlite.running import listed_as_running, running_bots, signal_running


@pytest.fixture
def bystander() -> Iterator[subprocess.Popen[bytes]]:
    """A process that is not a bot: it must never get a signal."""
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


def test_a_bot_lists_itself_while_it_runs(tmp_path: Path) -> None:
    db = tmp_path / "trivia.db"
    with listed_as_running(db):
        (listed,) = tmp_path.glob("trivia.db.*.pid")
        assert listed.read_text().split()[0] == str(os.getpid())
        assert signal_running(db) == []  # never itself
        assert listed.exists()
    assert list(tmp_path.glob("trivia.db.*")) == []


def test_a_stale_pid_file_is_removed_and_its_pid_never_signalled(
    tmp_path: Path, bystander: subprocess.Popen[bytes]
) -> None:
    # Left by a bot that crashed; its pid now belongs to another program.
    stale = tmp_path / f"trivia.db.{bystander.pid}.pid"
    stale.write_text(f"{bystander.pid} 0\n")
    assert signal_running(tmp_path / "trivia.db") == []
    assert not stale.exists()
    assert bystander.poll() is None  # still running


def test_a_bot_in_another_pid_namespace_is_not_signalled_here(
    tmp_path: Path, bystander: subprocess.Popen[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    # A container's bot: pid 1 there, some other process here.
    path = tmp_path / "trivia.db.1.pid"
    path.write_text(f"{bystander.pid} 12345\n")
    with path.open() as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with caplog.at_level(logging.WARNING, logger="bot.storage.sqlite.running"):
            assert signal_running(tmp_path / "trivia.db") == []
    assert "another pid namespace" in caplog.text
    assert bystander.poll() is None


def test_a_live_bot_gets_the_signal(tmp_path: Path) -> None:
    db = tmp_path / "trivia.db"
    script = (
        "import signal, sys, time\n"
        "from pathlib import Path\n"
        "from bot.storage.sqlite.running import listed_as_running\n"
        "signal.signal(signal.SIGHUP, lambda *_: sys.exit(42))\n"
        f"with listed_as_running(Path({str(db)!r})):\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(60)\n"
    )
    bot = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=Path.cwd())
    try:
        assert bot.stdout is not None
        assert bot.stdout.readline() == b"ready\n"
        assert signal_running(db, signal.SIGHUP) == [bot.pid]
        assert bot.wait(timeout=30) == 42
    finally:
        bot.kill()
        bot.wait()
        if bot.stdout is not None:
            bot.stdout.close()


def test_running_bots_names_the_live_ones_and_signals_nobody(
    tmp_path: Path, bystander: subprocess.Popen[bytes]
) -> None:
    here = Path("/proc/self/ns/pid").stat().st_ino
    live = tmp_path / f"trivia.db.{bystander.pid}.pid"
    live.write_text(f"{bystander.pid} {here}\n")
    boxed = tmp_path / "trivia.db.1.pid"
    boxed.write_text(f"{bystander.pid} 12345\n")
    stale = tmp_path / "trivia.db.999999.pid"
    stale.write_text("999999 0\n")
    with live.open() as one, boxed.open() as other:
        fcntl.flock(one, fcntl.LOCK_EX)
        fcntl.flock(other, fcntl.LOCK_EX)
        found = running_bots(tmp_path / "trivia.db")
    assert sorted(found) == [
        f"pid {bystander.pid}",
        f"pid {bystander.pid} in another pid namespace (a container?)",
    ]
    assert not stale.exists()
    assert bystander.poll() is None
    with listed_as_running(tmp_path / "trivia.db"):
        assert running_bots(tmp_path / "trivia.db") == []  # never itself
