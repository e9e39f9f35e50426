"""Whether two stores read the same: the check that ends ``trivia-bot db copy``.

The copy (``bot.storage.copying``) passes every row it moves through
``CopyKeys.see``, which notes what there is to read back: each server, player,
period with scores, report, server with own questions, settings, switches or
asked questions, and each platform with unfinished games.  ``verify_copy`` then
reads each of them from both stores **through the store API**, as the bot
would (leaderboards, stats, questions with their history, reports, settings,
switches, asked questions, the journal), and compares, beside the row count of
every table.  Reading through the API rather than comparing rows checks what
players and admins will see, in each backend's own SQL.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Final

from bot.domain.model import PlayerKey, ServerKey
from bot.domain.records import Period
from bot.domain.words import plural
from bot.ports import TriviaStore
from bot.storage.bulk import TABLES, BulkTables, Row, Table
from bot.storage.periods import EPOCH, PERIOD_KINDS, day_to_date

#: Reads in flight at once, per store.
CONCURRENCY: Final = 32
#: Differences listed one by one; past this they are counted.
MAX_LISTED: Final = 20

_PERIODS: Final = {kind: period for period, kind in PERIOD_KINDS.items()}

Read = Callable[[TriviaStore], Awaitable[object]]


@dataclass(slots=True)
class CopyKeys:
    """What the copied rows hold that can be read back through the store API."""

    servers: dict[int, ServerKey] = field(default_factory=dict)
    players: list[tuple[int, str]] = field(default_factory=list)
    periods: Counter[tuple[int, int, int]] = field(default_factory=Counter)
    reports: dict[int, list[tuple[int, bool]]] = field(default_factory=dict)
    asked: dict[int, list[str]] = field(default_factory=dict)
    own_questions: set[int] = field(default_factory=set)
    settings: set[int] = field(default_factory=set)
    switches: set[int] = field(default_factory=set)
    journal: set[int] = field(default_factory=set)

    def see(self, table: Table, rows: Sequence[Row]) -> None:
        """Note what ``rows`` of ``table`` hold (the copy calls this for every batch)."""
        server = table.column("server_id") if "server_id" in table.columns else None
        match table.name:
            case "servers":
                self.servers.update((row[0], ServerKey(row[1], row[2])) for row in rows)
            case "players":
                self.players.extend((row[1], row[2]) for row in rows)
            case "period_totals":
                self.periods.update((row[0], row[1], row[2]) for row in rows)
            case "question_reports":
                resolution = table.column("resolution")
                for row in rows:
                    self.reports.setdefault(row[1], []).append((row[0], row[resolution] is None))
            case "asked_questions":
                for row in rows:
                    self.asked.setdefault(row[0], []).append(row[1])
            case "custom_questions" | "server_settings" | "question_switches" | "game_journal":
                assert server is not None
                noted = {
                    "custom_questions": self.own_questions,
                    "server_settings": self.settings,
                    "question_switches": self.switches,
                    "game_journal": self.journal,
                }[table.name]
                noted.update(row[server] for row in rows)


@dataclass(frozen=True, slots=True)
class Verification:
    """What was read from both stores (``compared``, in words) and where they differ."""

    compared: tuple[str, ...]
    differences: tuple[str, ...]
    more_differences: int = 0

    @property
    def same(self) -> bool:
        return not self.differences


class _Comparison:
    def __init__(self, source: TriviaStore, target: TriviaStore) -> None:
        self._stores = (source, target)
        self.differences: list[str] = []
        self.more = 0

    def differ(self, text: str) -> None:
        if len(self.differences) < MAX_LISTED:
            self.differences.append(text)
        else:
            self.more += 1

    async def same(self, checks: Sequence[tuple[str, Read]]) -> None:
        """Read each check from both stores and note the ones that differ."""
        for start in range(0, len(checks), CONCURRENCY):
            chunk = checks[start : start + CONCURRENCY]
            reads = [read(store) for _, read in chunk for store in self._stores]
            results = await asyncio.gather(*reads)
            for index, (what, _) in enumerate(chunk):
                theirs, ours = results[2 * index], results[2 * index + 1]
                if theirs != ours:
                    self.differ(f"{what}: {_difference(theirs, ours)}")


def _difference(theirs: object, ours: object) -> str:
    """Where two different reads differ first, in words."""
    if isinstance(theirs, list | tuple) and isinstance(ours, list | tuple):
        if len(theirs) != len(ours):
            return f"{len(theirs):,} entries in the source, {len(ours):,} in the target"
        for number, (one, other) in enumerate(zip(theirs, ours, strict=True), start=1):
            if one != other:
                return f"entry {number}: {_difference(one, other)}"
    return f"the source reads {_short(theirs)}, the target {_short(ours)}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def _named(server: ServerKey) -> str:
    return f"{server.platform}:{server.server}"


def _period_label(kind: int, start: int) -> tuple[Period, str]:
    period = _PERIODS[kind]
    if period is Period.ALL:
        return period, "all time"
    day = day_to_date(start).isoformat()
    return period, (f"the week of {day}" if period is Period.WEEK else day)


async def verify_copy(
    source: TriviaStore, target: TriviaStore, keys: CopyKeys, src: BulkTables, dst: BulkTables
) -> Verification:
    """Compare ``source`` and ``target`` on everything ``keys`` noted (module docstring)."""
    compare = _Comparison(source, target)
    theirs, ours = await asyncio.gather(src.row_counts(), dst.row_counts())
    for table in TABLES:
        if theirs[table.name] != ours[table.name]:
            compare.differ(
                f"table {table.name}: {theirs[table.name]:,} rows in the source, "
                f"{ours[table.name]:,} in the target"
            )
    compared = [f"the row counts of {plural(len(TABLES), 'table')}"]
    compared.append(await _leaderboards(compare, keys))
    compared.append(await _players(compare, keys))
    compared += await _server_data(compare, keys)
    return Verification(tuple(compared), tuple(compare.differences), compare.more)


async def _leaderboards(compare: _Comparison, keys: CopyKeys) -> str:
    checks: list[tuple[str, Read]] = []
    kinds: Counter[Period] = Counter()
    for (server_id, kind, start), players in sorted(keys.periods.items()):
        server = keys.servers[server_id]
        period, label = _period_label(kind, start)
        kinds[period] += 1
        at = EPOCH + timedelta(days=start, hours=12)
        # One row more than the source has: a target with extra rows shows them.
        read = partial(_leaderboard, server=server, period=period, at=at, limit=players + 1)
        checks.append((f"{_named(server)} leaderboard of {label}", read))
    await compare.same(checks)
    return (
        f"{plural(len(checks), 'leaderboard')}, every period with scores "
        f"({kinds[Period.ALL]:,} all-time, {kinds[Period.WEEK]:,} weekly, "
        f"{kinds[Period.TODAY]:,} daily)"
    )


async def _leaderboard(
    store: TriviaStore, *, server: ServerKey, period: Period, at: datetime, limit: int
) -> object:
    return await store.leaderboard(server, period, now=at, limit=limit)


async def _players(compare: _Comparison, keys: CopyKeys) -> str:
    checks: list[tuple[str, Read]] = []
    for server_id, user in keys.players:
        server = keys.servers[server_id]
        player = PlayerKey(server.platform, server.server, user)
        checks.append((f"{_named(server)} stats of {user}", partial(_stats, player=player)))
    await compare.same(checks)
    return f"the stats of {plural(len(checks), 'player')}"


async def _stats(store: TriviaStore, *, player: PlayerKey) -> object:
    return await store.player_stats(player)


async def _server_data(compare: _Comparison, keys: CopyKeys) -> list[str]:
    """Own questions, reports, settings, switches, asked questions and the journal."""
    checks: list[tuple[str, Read]] = []
    for server_id in sorted(keys.own_questions):
        server = keys.servers[server_id]
        checks.append((f"{_named(server)} own questions", partial(_own, server=server)))
    reports = 0
    open_reports = 0
    for server_id, found in sorted(keys.reports.items()):
        server = keys.servers[server_id]
        still_open = sum(1 for _, is_open in found if is_open)
        reports += len(found)
        open_reports += still_open
        read = partial(_open_reports, server=server, limit=still_open + 1)
        checks.append((f"{_named(server)} open reports", read))
        checks += [
            (f"{_named(server)} report {report_id}", partial(_report, server=server, id=report_id))
            for report_id, _ in found
        ]
    for server_id in sorted(keys.settings):
        server = keys.servers[server_id]
        checks.append((f"{_named(server)} settings", partial(_settings, server=server)))
    for server_id in sorted(keys.switches):
        server = keys.servers[server_id]
        checks.append((f"{_named(server)} switches", partial(_switches, server=server)))
    asked = 0
    for server_id, ids in sorted(keys.asked.items()):
        server = keys.servers[server_id]
        asked += len(ids)
        read = partial(_asked, server=server, ids=tuple(ids))
        checks.append((f"{_named(server)} asked questions", read))
    platforms = sorted({keys.servers[server_id].platform for server_id in keys.journal})
    checks += [
        (f"unfinished {platform} games", partial(_unfinished, platform=platform))
        for platform in platforms
    ]
    await compare.same(checks)
    return [
        f"the own questions, with their history, of {plural(len(keys.own_questions), 'server')}",
        f"{plural(reports, 'report')} ({open_reports:,} open) and the open reports of "
        f"{plural(len(keys.reports), 'server')}",
        f"the settings of {plural(len(keys.settings), 'server')} and the switches of "
        f"{plural(len(keys.switches), 'server')}",
        f"{plural(asked, 'asked question')} in {plural(len(keys.asked), 'server')}",
        f"the unfinished games of {plural(len(platforms), 'platform')}",
    ]


async def _own(store: TriviaStore, *, server: ServerKey) -> object:
    return (await store.custom_questions(server), await store.question_history(server))


async def _open_reports(store: TriviaStore, *, server: ServerKey, limit: int) -> object:
    listed = await store.open_reports(server, limit=limit)
    return (listed, await store.count_open_reports(server))


async def _report(store: TriviaStore, *, server: ServerKey, id: int) -> object:
    return await store.get_report(server, id)


async def _settings(store: TriviaStore, *, server: ServerKey) -> object:
    return await store.server_settings(server)


async def _switches(store: TriviaStore, *, server: ServerKey) -> object:
    return await store.switched_off(server)


async def _asked(store: TriviaStore, *, server: ServerKey, ids: tuple[str, ...]) -> object:
    return await store.asked_questions(server, ids)


async def _unfinished(store: TriviaStore, *, platform: str) -> object:
    return await store.unfinished_games(platform)
