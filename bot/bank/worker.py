"""One worker process for parsing banks off the event loop, shared by uploads and reloads.

Started on first use with ``forkserver`` (the worker must not inherit an SDK's
threads, such as discord.py's heartbeat, or its sockets).  A worker that dies
(the OOM killer, a crash in a C extension) breaks its pool for good; the next
job then starts a new one and is tried once more, so one dead worker never
stops uploads or reloads until a restart.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class WorkerProcess:
    """Runs picklable jobs in one worker process; ``close`` is idempotent."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, job: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._started(), job)
        except BrokenProcessPool:
            log.warning("the bank worker process died; starting a new one")
            self.close()
            return await loop.run_in_executor(self._started(), job)

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else None)
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
