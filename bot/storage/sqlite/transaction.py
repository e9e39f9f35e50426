"""One group-commit transaction, run start to finish on the connection's thread.

aiosqlite turns every call into a round trip between the event loop and the
connection's thread.  A transaction of six statements made six round trips,
each waiting for the loop to come back to it: with a thousand busy channels
that was most of a write's latency.  Here the whole transaction is one
synchronous function on the plain ``sqlite3`` connection, sent to aiosqlite's
thread as one call (see ``SqliteScoreStore._transaction``), so a batch costs one
round trip whatever its size.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.domain.model import PlayerKey, ServerKey
from bot.domain.records import ReportDraft
from bot.storage.periods import to_epoch_us
from bot.storage.sqlite import rows as sqlite_rows
from bot.storage.sqlite import sql
from bot.storage.sqlite.fencing import check_fences
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
    build_plan,
    game_ids,
)


@dataclass(slots=True)
class NewIds:
    """Row ids a committed transaction used, for the store's caches."""

    servers: dict[ServerKey, int] = field(default_factory=dict)
    players: dict[PlayerKey, int] = field(default_factory=dict)


def write_transaction(
    conn: sqlite3.Connection,
    ops: Sequence[WriteOp],
    *,
    known_servers: Mapping[ServerKey, int],
    known_players: Mapping[PlayerKey, int],
) -> NewIds:
    """Apply ``ops`` in one transaction; roll back and re-raise on any error."""
    # IMMEDIATE takes the write lock up front, so a busy database is waited
    # for (busy timeout) here rather than failing halfway through.
    conn.execute("BEGIN IMMEDIATE")
    try:
        ids = game_ids(ops)
        recorded = (
            {row[0] for row in conn.execute(sql.RECORDED_GAMES, (json.dumps(ids),))}
            if ids
            else set()
        )
        plan = build_plan(ops, recorded_games=recorded)
        if plan.fences:
            check_fences(conn, plan.fences)
        # Recording a game already recorded (a retry) still closes its journal.
        ended_elsewhere = [i for i in ids if i in recorded]
        server_ids = _resolve_servers(conn, plan.servers(), known_servers)
        if plan.players:
            # Players first: every other row refers to its player's row id.
            conn.executemany(sql.UPSERT_PLAYER, sqlite_rows.player_rows(plan, server_ids))
        player_ids = _resolve_players(conn, plan.players, server_ids, known_players)
        if plan.answers:
            conn.executemany(sql.INSERT_ANSWER, sqlite_rows.answer_rows(plan, player_ids))
        periods = sqlite_rows.period_rows(plan, server_ids, player_ids)
        if periods:
            conn.executemany(sql.UPSERT_PERIOD_TOTAL, periods)
        if plan.games:
            games, standings = sqlite_rows.game_rows(plan, server_ids, player_ids)
            conn.executemany(sql.INSERT_GAME, games)
            conn.executemany(sql.INSERT_GAME_PLAYER, standings)
        for entry in plan.journal:
            _apply_journal(conn, entry, server_ids)
        if plan.states:
            conn.executemany(
                sql.SAVE_GAME_STATE,
                [(s.body, s.seq, s.at_us, s.game_id, s.seq) for s in plan.states.values()],
            )
        if plan.messages:
            conn.executemany(
                sql.NOTE_QUESTION_MESSAGE, [(ref, game) for game, ref in plan.messages.items()]
            )
        if plan.games or ended_elsewhere:
            # A recorded game leaves the journal in the same transaction.
            ended = [(g.game_id,) for g in plan.games] + [(i,) for i in ended_elsewhere]
            conn.executemany(sql.END_JOURNAL, ended)
        upserts, deletes = sqlite_rows.asked_rows(plan, server_ids)
        if upserts:
            conn.executemany(sql.UPSERT_ASKED, upserts)
        if deletes:
            conn.executemany(sql.DELETE_ASKED, deletes)
        for admin_op in plan.admin:
            _apply_admin(conn, admin_op, server_ids[admin_op.server])
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return NewIds(
        servers={k: v for k, v in server_ids.items() if k not in known_servers},
        players={k: v for k, v in player_ids.items() if k not in known_players},
    )


def _apply_journal(
    conn: sqlite3.Connection, op: JournalGame | JournalProgress, server_ids: Mapping[ServerKey, int]
) -> None:
    match op:
        case JournalGame(game):
            conn.execute(
                sql.JOURNAL_GAME,
                (
                    game.game_id,
                    server_ids[game.channel.server_key],
                    game.channel.channel,
                    game.mode.value,
                    to_epoch_us(game.started_at),
                    game.started_by.user,
                    game.total_questions,
                ),
            )
        case JournalProgress(game_id, questions_asked):
            conn.execute(sql.JOURNAL_PROGRESS, (questions_asked, game_id))


def _apply_admin(conn: sqlite3.Connection, op: AdminOp, server_id: int) -> None:
    # Admins' writes are rare: one statement each, in the order they were made.
    match op:
        case SaveQuestion(_, question_id, body, by_user, at_us):
            conn.execute(sql.SAVE_QUESTION, (server_id, question_id, body, by_user, at_us))
        case DeleteQuestion(_, question_id, by_user, at_us):
            conn.execute(sql.REMOVE_QUESTION, (server_id, question_id, by_user, at_us))
        case SaveSettings(_, body, by_user, at_us):
            conn.execute(sql.SAVE_SETTINGS, (server_id, body, by_user, at_us))
        case SaveSwitch(_, kind, name, off, by_user, at_us):
            conn.execute(sql.SAVE_SWITCH, (server_id, kind, name, int(off), by_user, at_us))
        case ResolveReports(_, report_ids, resolution, by_user, at_us):
            conn.executemany(
                sql.RESOLVE_REPORT,
                [(resolution, by_user, at_us, server_id, report_id) for report_id in report_ids],
            )


def report_transaction(
    conn: sqlite3.Connection, draft: ReportDraft, *, known_servers: Mapping[ServerKey, int]
) -> tuple[int, NewIds]:
    """Store a player's report in a transaction of its own; its new row id.

    Not part of group commit: the caller needs the id back to show it.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        server = draft.server
        server_ids = _resolve_servers(conn, [server], known_servers)
        cursor = conn.execute(
            sql.INSERT_REPORT,
            (
                server_ids[server],
                draft.channel.channel,
                draft.question_id,
                draft.prompt,
                draft.kind.value,
                draft.reason,
                draft.reporter.user,
                draft.reporter_name,
                to_epoch_us(draft.at),
            ),
        )
        report_id = cursor.lastrowid
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    assert report_id is not None  # an INSERT into a rowid table always has one
    new = {k: v for k, v in server_ids.items() if k not in known_servers}
    return report_id, NewIds(servers=new)


def _resolve_servers(
    conn: sqlite3.Connection, servers: Iterable[ServerKey], known: Mapping[ServerKey, int]
) -> dict[ServerKey, int]:
    """Row ids of ``servers``, adding the ones not stored yet."""
    found: dict[ServerKey, int] = {}
    for server in servers:
        server_id = known.get(server)
        if server_id is None:
            params = (server.platform, server.server)
            conn.execute(sql.ADD_SERVER, params)
            (server_id,) = conn.execute(sql.SERVER_ID, params).fetchone()
        found[server] = server_id
    return found


def _resolve_players(
    conn: sqlite3.Connection,
    players: Iterable[PlayerKey],
    server_ids: Mapping[ServerKey, int],
    known: Mapping[PlayerKey, int],
) -> dict[PlayerKey, int]:
    """Row ids of ``players``, all of which exist by now (just upserted)."""
    found: dict[PlayerKey, int] = {}
    missing: dict[ServerKey, list[str]] = {}
    for player in players:
        player_id = known.get(player)
        if player_id is None:
            missing.setdefault(player.server_key, []).append(player.user)
        else:
            found[player] = player_id
    for server, users in missing.items():
        params = (server_ids[server], json.dumps(users))
        for user, player_id in conn.execute(sql.PLAYER_IDS, params):
            found[PlayerKey(server.platform, server.server, user)] = player_id
    return found
