"""Parameter rows for the SQLite statements in ``sqlite_sql``, built from a write plan.

Pure functions: the store resolves server and player row ids first, then sends
each list below with one ``executemany``.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.model import PlayerKey, ServerKey
from bot.storage.periods import KIND_ALL, to_epoch_us
from bot.storage.write_plan import WritePlan, name_key

Row = tuple[object, ...]


def player_rows(plan: WritePlan, server_ids: Mapping[ServerKey, int]) -> list[Row]:
    """For ``UPSERT_PLAYER``: each player's latest name and what the batch adds."""
    return [
        (
            server_ids[ServerKey(player.platform, player.server)],
            player.user,
            delta.name,
            name_key(delta.name),
            delta.points,
            delta.correct,
            delta.answered,
            delta.best_streak,
            delta.correct_ms,
            delta.games,
            delta.wins,
        )
        for player, delta in plan.players.items()
    ]


def answer_rows(plan: WritePlan, player_ids: Mapping[PlayerKey, int]) -> list[Row]:
    """For ``INSERT_ANSWER``."""
    return [
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


def period_rows(
    plan: WritePlan,
    server_ids: Mapping[ServerKey, int],
    player_ids: Mapping[PlayerKey, int],
) -> list[Row]:
    """For ``UPSERT_PERIOD_TOTAL``: all-time, week and day deltas of players who scored."""
    rows: list[Row] = []
    for player, delta in plan.players.items():
        if not delta.scored:
            continue
        server_id = server_ids[ServerKey(player.platform, player.server)]
        player_id = player_ids[player]
        rows.append(
            (server_id, KIND_ALL, 0, player_id, delta.points, delta.correct, delta.reached_us)
        )
        rows.extend(
            (server_id, kind, start, player_id, total.points, total.correct, total.reached_us)
            for (kind, start), total in delta.periods.items()
        )
    return rows


def game_rows(
    plan: WritePlan,
    server_ids: Mapping[ServerKey, int],
    player_ids: Mapping[PlayerKey, int],
) -> tuple[list[Row], list[Row]]:
    """For ``INSERT_GAME`` and ``INSERT_GAME_PLAYER``."""
    games: list[Row] = []
    standings: list[Row] = []
    for game in plan.games:
        games.append(
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
        )
        standings.extend(
            (game.game_id, player_ids[s.player], s.name, s.points, s.correct, s.rank)
            for s in game.standings
        )
    return games, standings


def asked_rows(plan: WritePlan, server_ids: Mapping[ServerKey, int]) -> tuple[list[Row], list[Row]]:
    """For ``UPSERT_ASKED`` and ``DELETE_ASKED``."""
    upserts: list[Row] = []
    deletes: list[Row] = []
    for (server, question_id), at_us in plan.asked.items():
        if at_us is None:
            deletes.append((server_ids[server], question_id))
        else:
            upserts.append((server_ids[server], question_id, at_us))
    return upserts, deletes
