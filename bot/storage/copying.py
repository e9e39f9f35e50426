"""Moving a bot's data from one database to another: ``trivia-bot db copy``.

Backend-neutral: each store hands out its tables (``bot.storage.bulk``), and any
two stores can be copied between, SQLite -> PostgreSQL being the move this is
for.  What a copy does, in order:

1. **Refuses** (``CopyRefused``, nothing written) when a bot is known to be
   running on either database (SQLite's pid files), when the two are at
   different schema versions, when the source holds nothing, or when the target
   holds data and ``replace`` was not asked for.
2. **Copies** every table of ``bulk.TABLES``, parents first, from one snapshot of
   the source, a batch at a time (reading the next batch while the last one is
   written), into one transaction on the target: with ``replace`` its old rows
   are deleted in that same transaction, so a failed copy changes nothing.  Row
   ids are kept, and the target hands out new ones past them.
3. **Verifies** (``bot.storage.copy_check``) that both stores read the same
   through the store API, the way the bot reads them.

The source must not change during the copy: points scored after the snapshot
would be left behind, and the verification would report them as differences.
Stop the bot first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing, suppress
from dataclasses import dataclass
from typing import Final, TypeVar

from bot.domain.words import plural
from bot.ports import OperatedStore
from bot.storage.bulk import TABLES, TABLES_VERSION, BulkTables, HasBulkTables
from bot.storage.copy_check import CopyKeys, Verification, verify_copy

log = logging.getLogger(__name__)

#: Rows read and written at a time: large enough that per-batch costs vanish,
#: small enough that a batch of the widest table stays a few megabytes.
DEFAULT_BATCH: Final = 20_000

#: ``progress(table, rows copied so far, rows in the table)``.
Progress = Callable[[str, int, int], None]

T = TypeVar("T")


class CopyRefused(Exception):
    """The copy was not started; the message says why and what to do."""


class TargetNotEmpty(CopyRefused):
    """The target holds data and replacing it was not asked for."""


class CopyFailed(Exception):
    """The copy, or the check after it, stopped on an error; the message says where.
    A copy that fails wrote nothing to the target's tables (its transaction rolled back)."""


@dataclass(frozen=True, slots=True)
class TableCopied:
    name: str
    rows: int
    seconds: float


@dataclass(frozen=True, slots=True)
class CopyResult:
    tables: tuple[TableCopied, ...]
    seconds: float
    replaced: bool
    verification: Verification

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


def bulk_tables(store: OperatedStore) -> BulkTables:
    """``store``'s tables as a whole; ``CopyRefused`` for a store that has none."""
    if not isinstance(store, HasBulkTables):
        raise CopyRefused(f"{store.location} cannot be copied (not a SQL store)")
    return store.bulk_tables()


async def copy_store(
    source: OperatedStore,
    target: OperatedStore,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    batch: int = DEFAULT_BATCH,
) -> CopyResult:
    """Copy every table of ``source`` into ``target``, then verify (see the module
    docstring).  Raises ``CopyRefused`` (``TargetNotEmpty``) before writing
    anything; an error during the copy rolls the target back and propagates."""
    src, dst = bulk_tables(source), bulk_tables(target)
    await _preflight(source, src, target, dst, replace=replace)
    keys = CopyKeys()
    started = time.perf_counter()
    at = _Position(progress)
    try:
        copied = await _copy_tables(src, dst, replace=replace, keys=keys, batch=batch, at=at)
    except Exception as exc:
        log.debug("db copy failed", exc_info=True)
        raise CopyFailed(
            f"the copy stopped at {at.where}: {exc}. Nothing was written to the "
            f"target's tables (the copy ran in one transaction, rolled back)"
        ) from exc
    seconds = time.perf_counter() - started
    try:
        verification = await verify_copy(source, target, keys, src, dst)
    except Exception as exc:
        log.debug("db copy: the check failed", exc_info=True)
        raise CopyFailed(
            f"the data was copied, but reading it back to compare failed: {exc}"
        ) from exc
    return CopyResult(copied, seconds, replace, verification)


class _Position:
    """Where the copy is, for progress and for the message when it fails."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.where = "its start"
        self._progress = progress

    def moved(self, table: str, done: int, total: int) -> None:
        self.where = f"table {table}"
        if self._progress is not None:
            self._progress(table, done, total)


async def _preflight(
    source: OperatedStore,
    src: BulkTables,
    target: OperatedStore,
    dst: BulkTables,
    *,
    replace: bool,
) -> None:
    for store, tables, role in ((source, src, "source"), (target, dst, "target")):
        running = await tables.running_bots()
        if running:
            raise CopyRefused(
                f"a trivia-bot is running on the {role} {store.location} "
                f"({', '.join(running)}): stop it first, so that nothing is written "
                "there during the copy"
            )
    versions = (await src.schema_version(), await dst.schema_version())
    if versions[0] != versions[1]:
        raise CopyRefused(
            f"the source is at schema version {versions[0]} and the target at "
            f"{versions[1]}: open both with the same trivia-bot first"
        )
    if versions[0] != TABLES_VERSION:
        raise CopyRefused(
            f"this trivia-bot copies schema version {TABLES_VERSION}, and both "
            f"databases are at {versions[0]}: use the trivia-bot that wrote them"
        )
    if not any((await src.row_counts()).values()):
        # Most likely a wrong path or URL; and with --force it would empty the target.
        raise CopyRefused(
            f"the source {source.location} holds no data, so there is nothing to copy: "
            "is it the bot's database?"
        )
    holding = {name: rows for name, rows in (await dst.row_counts()).items() if rows}
    if holding and not replace:
        shown = ", ".join(f"{name} {rows:,}" for name, rows in holding.items())
        raise TargetNotEmpty(
            f"the target {target.location} already holds data ({shown}): copy into an "
            "empty database, or add --force to replace all of its data with the source's"
        )


async def _copy_tables(
    src: BulkTables,
    dst: BulkTables,
    *,
    replace: bool,
    keys: CopyKeys,
    batch: int,
    at: _Position,
) -> tuple[TableCopied, ...]:
    copied: list[TableCopied] = []
    async with src.snapshot() as reader, dst.replacing(clear=replace) as writer:
        for table in TABLES:
            started = time.perf_counter()
            total, done = await reader.count(table), 0
            at.moved(table.name, 0, total)
            async with aclosing(read_ahead(reader.rows(table, batch=batch))) as batches:
                async for rows in batches:
                    await writer.write(table, rows)
                    keys.see(table, rows)
                    done += len(rows)
                    at.moved(table.name, done, total)
            copied.append(TableCopied(table.name, done, time.perf_counter() - started))
        at.where = "the commit"
    return tuple(copied)


async def read_ahead(batches: AsyncIterator[T]) -> AsyncGenerator[T, None]:
    """``batches``, the next one already being read while the caller handles this one
    (reading one database overlaps writing the other)."""

    async def following() -> T:
        return await anext(batches)

    pending = asyncio.create_task(following(), name="db copy: read ahead")
    try:
        while True:
            try:
                current = await pending
            except StopAsyncIteration:
                return
            pending = asyncio.create_task(following(), name="db copy: read ahead")
            yield current
    finally:
        # Let a read in flight finish before its snapshot closes, never under it.
        with suppress(Exception):
            await pending
        close = getattr(batches, "aclose", None)
        if close is not None:
            await close()


def describe_tables(result: CopyResult) -> str:
    """``servers 3, players 5,000, answers 1,000,000, ...`` (tables that had rows)."""
    shown = [f"{table.name} {table.rows:,}" for table in result.tables if table.rows]
    return ", ".join(shown) or "no rows"


def summary(result: CopyResult) -> str:
    verb = "Replaced the target's data with" if result.replaced else "Copied"
    return (
        f"{verb} {plural(result.rows, 'row')} in {plural(len(result.tables), 'table')} "
        f"in {result.seconds:.1f} s: {describe_tables(result)}."
    )
