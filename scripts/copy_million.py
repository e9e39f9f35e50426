"""Time ``trivia-bot db copy`` of a SQLite database with a million answers into PostgreSQL.

Builds the SQLite database through the store API (``bot.storage.bench.seed_answers``,
10,000 answers a transaction, spread over several servers and eight weeks, so
there are many daily and weekly leaderboards to verify), then runs the real
command in a subprocess, as an operator would, and times it::

    .venv/bin/python scripts/copy_million.py postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python scripts/copy_million.py URL --answers 200000 --keep /tmp/million.db

TARGET must be an empty database (or schema: ``?search_path=NAME``), unless
``--force`` is given, which ``db copy`` then uses to replace its data.  The load
average is printed before and after: the time means little on a busy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.model import ServerKey
from bot.storage import open_store
from bot.storage.bench import seed_answers

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def build(path: Path, *, answers: int, players: int, servers: int) -> float:
    """Seed ``answers`` answers over ``servers`` servers at ``path``; the seconds it took."""
    store = await open_store(path)
    started = time.perf_counter()
    try:
        for n in range(servers):
            share = answers // servers + (1 if n < answers % servers else 0)
            await seed_answers(
                store,
                server=ServerKey("discord", f"guild-{n}"),
                count=share,
                players=max(1, players // servers),
                now=NOW,
                rng=random.Random(n),
                span=timedelta(weeks=8),
            )
    finally:
        await store.close()
    return time.perf_counter() - started


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", help="postgresql:// URL of an empty database or schema")
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--players", type=int, default=5_000, help="in all servers together")
    parser.add_argument("--servers", type=int, default=4)
    parser.add_argument("--keep", type=Path, help="build the SQLite file here and keep it")
    parser.add_argument("--force", action="store_true", help="let db copy replace TARGET's data")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="copy-million-") as scratch:
        path = args.keep or Path(scratch) / "million.db"
        if not path.exists():
            print(f"building {path}: {args.answers:,} answers ...", flush=True)
            seconds = asyncio.run(
                build(path, answers=args.answers, players=args.players, servers=args.servers)
            )
            print(f"built in {seconds:.1f} s ({args.answers / seconds:,.0f} answers/s)")
        print(f"before the copy: {load()}", flush=True)
        command = [sys.executable, "-m", "bot", "db", "copy", str(path), args.target]
        started = time.perf_counter()
        done = subprocess.run([*command, *(["--force"] if args.force else [])], check=False)
        seconds = time.perf_counter() - started
        print(f"after the copy:  {load()}")
        print(
            f"db copy took {seconds:.1f} s (the whole command: open, copy, verify), "
            f"exit status {done.returncode}"
        )
        return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
