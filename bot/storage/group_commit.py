"""Group commit: many callers' writes share one transaction.

One writer task owns the database's write side.  A caller submits an
operation and awaits a future; the writer takes everything pending (up to
``max_batch`` rows, never splitting an operation), hands the batch to the
backend's ``write`` (one transaction), and resolves every future only once it
has returned, so "``submit`` returned" means "committed".  While a transaction
is in flight, new operations queue and share the next one: under load the
number of commits stays small whatever the number of callers.

Failures: ``write`` is expected to roll back what it did before raising.  If
``blame_data(exc)`` says the error may come from one operation's data (a
constraint, a bad value), each operation of the batch is retried alone so only
the faulty one fails; otherwise (database locked, disk full) the whole batch
fails at once, without retrying each operation into the same wall.

A caller cancelled while waiting only stops waiting: its operation is still
written.  Operations are written in the order they were submitted.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.storage.errors import StoreClosedError

log = logging.getLogger(__name__)

Op = TypeVar("Op")


@dataclass(frozen=True, slots=True)
class CommitCounters:
    """What the writer has committed: transactions, operations and rows."""

    transactions: int
    requests: int
    records: int


@dataclass(slots=True, eq=False)
class _Request(Generic[Op]):
    op: Op
    size: int
    future: asyncio.Future[None]


class GroupCommitter(Generic[Op]):
    """Runs ``write`` on batches of submitted operations; see the module docstring.

    Create it inside a running event loop: it starts its writer task at once.
    """

    def __init__(
        self,
        write: Callable[[Sequence[Op]], Awaitable[None]],
        *,
        size: Callable[[Op], int],
        max_batch: int,
        blame_data: Callable[[Exception], bool],
        name: str,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch}")
        self._write = write
        self._size = size
        self._max_batch = max_batch
        self._blame_data = blame_data
        self._name = name
        self._pending: deque[_Request[Op]] = deque()
        self._wakeup = asyncio.Event()
        self._closing = False
        self._transactions = 0
        self._requests = 0
        self._records = 0
        self._task = asyncio.create_task(self._run(), name=name)

    @property
    def closing(self) -> bool:
        return self._closing

    def counters(self) -> CommitCounters:
        return CommitCounters(self._transactions, self._requests, self._records)

    async def submit(self, op: Op) -> None:
        """Queue ``op`` and return once the transaction holding it has committed."""
        if self._closing:
            raise StoreClosedError(f"{self._name}: closed")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append(_Request(op, self._size(op), future))
        self._wakeup.set()
        await future

    async def close(self) -> None:
        """Refuse new operations, write every pending one, stop the writer task."""
        self._closing = True
        self._wakeup.set()
        await self._task

    async def _run(self) -> None:
        try:
            while True:
                if not self._pending:
                    if self._closing:
                        return
                    self._wakeup.clear()
                    await self._wakeup.wait()
                    continue
                await self._commit(self._take_batch())
        finally:
            # Requests are left only if this task was cancelled: never leave a caller hanging.
            while self._pending:
                _fail(self._pending.popleft(), StoreClosedError(f"{self._name}: writer stopped"))

    def _take_batch(self) -> list[_Request[Op]]:
        batch = [self._pending.popleft()]
        size = batch[0].size
        while self._pending and size + self._pending[0].size <= self._max_batch:
            request = self._pending.popleft()
            size += request.size
            batch.append(request)
        return batch

    async def _commit(self, batch: list[_Request[Op]]) -> None:
        try:
            await self._write([request.op for request in batch])
        except Exception as exc:
            if len(batch) > 1 and self._blame_data(exc):
                log.warning(
                    "%s: a batch of %d writes failed (%s); retrying each alone",
                    self._name,
                    len(batch),
                    exc,
                )
                for request in batch:
                    await self._commit([request])
                return
            # Each caller hears of it and decides what the log says (the service
            # logs a stall once, not once per retry): one line here only when debugging.
            log.debug("%s: %d writes failed: %s", self._name, len(batch), exc)
            for request in batch:
                _fail(request, exc)
        except BaseException as exc:
            for request in batch:
                _fail(request, StoreClosedError(f"{self._name}: interrupted mid-write ({exc!r})"))
            raise
        else:
            self._transactions += 1
            self._requests += len(batch)
            self._records += sum(request.size for request in batch)
            for request in batch:
                if not request.future.done():
                    request.future.set_result(None)


def _fail(request: _Request[Op], exc: BaseException) -> None:
    if not request.future.done():
        request.future.set_exception(exc)
