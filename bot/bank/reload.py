"""Reloading the bank folders while the bot runs, without a restart.

A reload loads every configured bank file again, validated as at start-up.
A set with any problem is refused whole: each problem is logged with its file
and line, and the last good banks stay in service.  A good set replaces the
bundled banks for the next game (running games keep the questions they drew).
Either way every server's cached questions are dropped first, so what another
process changed in the database (``trivia-bot questions import``) is read
again even while a bank file is broken.

Three things ask for a reload: SIGHUP (``systemctl reload``, ``docker kill -s
HUP``, ``trivia-bot reload``), and a change to the bank files, which
:meth:`BankReloader.watch` notices by polling their size and modification
time (every ``TRIVIA_RELOAD_SECONDS``).

Parsing runs in a worker process: a 10,000-question bank takes seconds to
parse, and the event loop (a gateway heartbeat, an interaction's 3 s) must
never wait behind it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bot.bank.files import bank_files, load_banks
from bot.bank.format import LoadedBank
from bot.bank.problems import BankError
from bot.bank.server_bank import ServerQuestionBank
from bot.bank.static import StaticQuestionBank
from bot.bank.worker import WorkerProcess
from bot.domain.words import plural

log = logging.getLogger(__name__)

Fingerprint = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What a reload did: ``ok`` and the counts now in service, or the problems."""

    ok: bool
    banks: int
    questions: int
    problems: tuple[str, ...] = ()


def fingerprint(paths: Sequence[Path]) -> Fingerprint:
    """The bank files under ``paths`` with their sizes and modification times."""
    files, _ = bank_files(paths)
    found: list[tuple[str, int, int]] = []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            continue  # gone between listing and stat: the next poll sees it
        found.append((str(file), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


class BankReloader:
    """Reloads the configured banks into ``bank`` on request; one reload at a time."""

    def __init__(
        self,
        *,
        bank: ServerQuestionBank,
        paths: Sequence[Path],
        cache_dir: Path | None,
    ) -> None:
        self._bank = bank
        self._paths = tuple(paths)
        self._cache_dir = cache_dir
        self._lock = asyncio.Lock()
        self._worker = WorkerProcess()
        self._seen = fingerprint(self._paths)
        self._tasks: set[asyncio.Task[ReloadResult]] = set()

    async def reload(self, why: str) -> ReloadResult:
        """Load the banks again; keep the old ones (and log why) if any file is bad."""
        async with self._lock:
            self._bank.forget_all()
            self._seen = fingerprint(self._paths)
            try:
                banks = await self._load_in_worker()
                static = StaticQuestionBank(banks)
            except BankError as exc:
                problems = tuple(str(problem) for problem in exc.problems)
                return self._refused(why, problems)
            except ValueError as exc:  # duplicate ids across banks
                return self._refused(why, (str(exc),))
            self._bank.replace_static(static)
            questions = len(static.all_questions)
            log.warning(
                "banks reloaded (%s): %s, %s",
                why,
                plural(len(banks), "bank"),
                plural(questions, "question"),
            )
            return ReloadResult(ok=True, banks=len(banks), questions=questions)

    def request(self, why: str) -> None:
        """Reload soon, from a signal handler or other code that cannot await."""
        task = asyncio.get_running_loop().create_task(self.reload(why), name=f"bank-reload:{why}")
        self._tasks.add(task)
        task.add_done_callback(self._reloaded)

    def _reloaded(self, task: asyncio.Task[ReloadResult]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            # Nobody awaits a signal's reload: its failure must reach the log.
            log.error("bank reload failed", exc_info=error)

    async def check_files(self) -> ReloadResult | None:
        """Reload if the bank files changed since the last look (None if they did not).

        A file that fails validation is tried once per change, not on every poll.
        """
        if fingerprint(self._paths) == self._seen:
            return None
        return await self.reload("bank files changed")

    async def watch(
        self, interval: float, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        """Poll the files every ``interval`` seconds until cancelled."""
        while True:
            await sleep(interval)
            try:
                await self.check_files()
            except Exception:
                # A watcher has nobody to report to; it must outlive a bad poll.
                log.exception("checking the bank files for changes failed")

    async def close(self) -> None:
        """Wait for reloads under way, then stop the worker process."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._worker.close()

    def _refused(self, why: str, problems: tuple[str, ...]) -> ReloadResult:
        current = self._bank.static
        log.error(
            "bank reload (%s) refused: %s; still serving the %s loaded before",
            why,
            plural(len(problems), "problem"),
            plural(len(current.all_questions), "question"),
        )
        for problem in problems:
            log.error("  %s", problem)
        return ReloadResult(
            ok=False,
            banks=len(current.banks),
            questions=len(current.all_questions),
            problems=problems,
        )

    async def _load_in_worker(self) -> tuple[LoadedBank, ...]:
        return await self._worker.run(partial(load_banks, self._paths, cache_dir=self._cache_dir))
