"""One group-commit transaction on PostgreSQL: a batch of writes, in key order.

The batch is folded into a write plan (``bot.storage.write_plan``, shared with
SQLite) and written with one statement per table, over arrays (``unnest``).
Every batch writes its rows in the same order, by each table's key: servers,
then players by (server, user), then period totals, asked questions and
switches by their primary keys.  Several processes committing together then
always take their row locks in the same order and cannot deadlock (unsorted
upserts from three processes deadlocked 5 times in 10 commits when tried).

A change to a server's own questions, switches or settings is announced to the
other processes with ``pg_notify``, which PostgreSQL delivers at commit
(``bot.storage.postgres.notify``): their caches of that server go at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.domain.model import PlayerKey, ServerKey
from bot.domain.records import ReportDraft
from bot.storage.periods import KIND_ALL, to_epoch_us
from bot.storage.postgres import sql
from bot.storage.postgres.fencing import check_fences
from bot.storage.postgres.notify import SERVER_CHANGED
from bot.storage.postgres.score_batch import fits_one_statement, player_rows, write_scores
from bot.storage.postgres.types import Connection
from bot.storage.write_plan import (
    AdminOp,
    DeleteQuestion,
    JournalGame,
    JournalProgress,
    ResolveReports,
    SaveQuestion,
    SaveSettings,
    SaveSwitch,
    WriteOp,
    WritePlan,
    build_plan,
    game_ids,
)


@dataclass(slots=True)
class NewIds:
    """Row ids a committed transaction used, for the store's caches."""

    servers: dict[ServerKey, int] = field(default_factory=dict)
    players: dict[PlayerKey, int] = field(default_factory=dict)


async def write_transaction(
    conn: Connection,
    ops: Sequence[WriteOp],
    *,
    known_servers: Mapping[ServerKey, int],
) -> NewIds:
    """Apply ``ops`` in one transaction; roll back and re-raise on any error."""
    ids = game_ids(ops)
    # Without games to record, nothing in the database changes the plan.
    plan = None if ids else build_plan(ops)
    if plan is not None and fits_one_statement(plan, known_servers):
        # The common batch (scores, the asked history, games' progress and states):
        # one statement, one round trip (bot.storage.postgres.score_batch).
        return NewIds(players=await write_scores(conn, plan, known_servers))
    async with conn.transaction():
        recorded = {row[0] for row in await conn.fetch(sql.RECORDED_GAMES, ids)} if ids else set()
        if plan is None:
            plan = build_plan(ops, recorded_games=recorded)
        if plan.fences:
            await check_fences(conn, plan.fences)
        # Recording a game already recorded (a retry) still closes its journal.
        ended_elsewhere = [i for i in ids if i in recorded]
        server_ids = await resolve_servers(conn, plan.servers(), known_servers)
        # Players first: every other row refers to its player's row id.
        player_ids = await _upsert_players(conn, plan, server_ids)
        await _insert_answers(conn, plan, player_ids)
        await _upsert_periods(conn, plan, server_ids, player_ids)
        await _insert_games(conn, plan, server_ids, player_ids)
        for entry in plan.journal:
            await _apply_journal(conn, entry, server_ids)
        await _save_game_states(conn, plan)
        ended = [g.game_id for g in plan.games] + ended_elsewhere
        if ended:
            # A recorded game leaves the journal in the same transaction.
            await conn.execute(sql.END_JOURNAL, ended)
        await _write_asked(conn, plan, server_ids)
        for admin_op in plan.admin:
            await _apply_admin(conn, admin_op, server_ids[admin_op.server])
        changed = sorted({op.server for op in plan.admin if not isinstance(op, ResolveReports)})
        for server in changed:
            await conn.execute(
                sql.NOTIFY_SERVER_CHANGED, SERVER_CHANGED, server.platform, server.server
            )
    return NewIds(
        servers={k: v for k, v in server_ids.items() if k not in known_servers},
        players=player_ids,
    )


async def resolve_servers(
    conn: Connection, servers: Iterable[ServerKey], known: Mapping[ServerKey, int]
) -> dict[ServerKey, int]:
    """Row ids of ``servers``, adding the ones not stored yet (in key order)."""
    found = {server: known[server] for server in servers if server in known}
    missing = sorted(set(servers) - set(found), key=lambda s: (s.platform, s.server))
    if missing:
        columns = ([s.platform for s in missing], [s.server for s in missing])
        await conn.execute(sql.ADD_SERVERS, *columns)
        for platform, server, server_id in await conn.fetch(sql.SERVER_IDS, *columns):
            found[ServerKey(platform, server)] = server_id
    return found


async def _upsert_players(
    conn: Connection, plan: WritePlan, server_ids: Mapping[ServerKey, int]
) -> dict[PlayerKey, int]:
    if not plan.players:
        return {}
    rows = player_rows(plan, server_ids)
    keys = {server_id: server for server, server_id in server_ids.items()}
    returned = await conn.fetch(sql.UPSERT_PLAYERS, *_columns(rows, 11))
    return {
        PlayerKey(keys[server_id].platform, keys[server_id].server, user): player_id
        for server_id, user, player_id in returned
    }


async def _insert_answers(
    conn: Connection, plan: WritePlan, player_ids: Mapping[PlayerKey, int]
) -> None:
    if not plan.answers:
        return
    rows = [
        (
            player_ids[record.player],
            record.channel.channel,
            record.game_id,
            record.question_id,
            int(record.correct),
            record.points,
            record.answer_ms,
            record.streak,
            at_us,
        )
        for record, at_us in plan.answers
    ]
    await conn.execute(sql.INSERT_ANSWERS, *_columns(rows, 9))


async def _upsert_periods(
    conn: Connection,
    plan: WritePlan,
    server_ids: Mapping[ServerKey, int],
    player_ids: Mapping[PlayerKey, int],
) -> None:
    rows: list[tuple[int, int, int, int, int, int, int]] = []
    for player, delta in plan.players.items():
        if not delta.scored:
            continue
        server_id, player_id = server_ids[player.server_key], player_ids[player]
        rows.append(
            (server_id, KIND_ALL, 0, player_id, delta.points, delta.correct, delta.reached_us)
        )
        rows.extend(
            (server_id, kind, start, player_id, total.points, total.correct, total.reached_us)
            for (kind, start), total in delta.periods.items()
        )
    if rows:
        await conn.execute(sql.UPSERT_PERIOD_TOTALS, *_columns(sorted(rows), 7))


async def _insert_games(
    conn: Connection,
    plan: WritePlan,
    server_ids: Mapping[ServerKey, int],
    player_ids: Mapping[PlayerKey, int],
) -> None:
    if not plan.games:
        return
    games = [
        (
            game.game_id,
            server_ids[game.channel.server_key],
            game.channel.channel,
            str(game.mode),
            to_epoch_us(game.started_at),
            to_epoch_us(game.ended_at),
            game.reason,
            game.questions_asked,
            None if game.winner is None else player_ids[game.winner],
        )
        for game in plan.games
    ]
    standings = [
        (game.game_id, player_ids[s.player], s.name, s.points, s.correct, s.rank)
        for game in plan.games
        for s in game.standings
    ]
    await conn.execute(sql.INSERT_GAMES, *_columns(games, 9))
    if standings:
        await conn.execute(sql.INSERT_GAME_PLAYERS, *_columns(standings, 6))


async def _write_asked(
    conn: Connection, plan: WritePlan, server_ids: Mapping[ServerKey, int]
) -> None:
    upserts: list[tuple[int, str, int]] = []
    deletes: list[tuple[int, str]] = []
    for (server, question_id), at_us in plan.asked.items():
        if at_us is None:
            deletes.append((server_ids[server], question_id))
        else:
            upserts.append((server_ids[server], question_id, at_us))
    if upserts:
        await conn.execute(sql.UPSERT_ASKED, *_columns(sorted(upserts), 3))
    if deletes:
        await conn.execute(sql.DELETE_ASKED, *_columns(sorted(deletes), 2))


async def _save_game_states(conn: Connection, plan: WritePlan) -> None:
    # In key order, like every batch update here: two writers never wait on each other
    # in opposite orders.
    if plan.states:
        states = sorted(plan.states.values(), key=lambda state: state.game_id)
        await conn.execute(
            sql.SAVE_GAME_STATE,
            [s.game_id for s in states],
            [s.body for s in states],
            [s.seq for s in states],
            [s.at_us for s in states],
        )
    if plan.messages:
        games = sorted(plan.messages)
        await conn.execute(
            sql.NOTE_QUESTION_MESSAGE, games, [plan.messages[game] for game in games]
        )


async def _apply_journal(
    conn: Connection,
    op: JournalGame | JournalProgress,
    server_ids: Mapping[ServerKey, int],
) -> None:
    match op:
        case JournalGame(game):
            await conn.execute(
                sql.JOURNAL_GAME,
                game.game_id,
                server_ids[game.channel.server_key],
                game.channel.channel,
                game.mode.value,
                to_epoch_us(game.started_at),
                game.started_by.user,
                game.total_questions,
            )
        case JournalProgress(game_id, questions_asked):
            await conn.execute(sql.JOURNAL_PROGRESS, questions_asked, game_id)


async def _apply_admin(conn: Connection, op: AdminOp, server_id: int) -> None:
    # Admins' writes are rare: one statement each, in the order they were made.
    match op:
        case SaveQuestion(_, question_id, body, by_user, at_us):
            await conn.execute(sql.SAVE_QUESTION, server_id, question_id, body, by_user, at_us)
        case DeleteQuestion(_, question_id, by_user, at_us):
            await conn.execute(sql.REMOVE_QUESTION, server_id, question_id, by_user, at_us)
        case SaveSettings(_, body, by_user, at_us):
            await conn.execute(sql.SAVE_SETTINGS, server_id, body, by_user, at_us)
        case SaveSwitch(_, kind, name, off, by_user, at_us):
            await conn.execute(sql.SAVE_SWITCH, server_id, kind, name, int(off), by_user, at_us)
        case ResolveReports(_, report_ids, resolution, by_user, at_us):
            await conn.execute(
                sql.RESOLVE_REPORTS, resolution, by_user, at_us, server_id, list(report_ids)
            )


async def report_transaction(
    conn: Connection, draft: ReportDraft, *, known_servers: Mapping[ServerKey, int]
) -> tuple[int, NewIds]:
    """Store a player's report in a transaction of its own; its new id.

    Not part of group commit: the caller needs the id back to show it.
    """
    async with conn.transaction():
        server_ids = await resolve_servers(conn, [draft.server], known_servers)
        report_id = await conn.fetchval(
            sql.INSERT_REPORT,
            server_ids[draft.server],
            draft.channel.channel,
            draft.question_id,
            draft.prompt,
            draft.kind.value,
            draft.reason,
            draft.reporter.user,
            draft.reporter_name,
            to_epoch_us(draft.at),
        )
    new = {k: v for k, v in server_ids.items() if k not in known_servers}
    return int(report_id), NewIds(servers=new)


def _columns(rows: Sequence[Sequence[object]], width: int) -> list[list[object]]:
    """Rows -> one list per column, as ``unnest`` takes them."""
    if not rows:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]
