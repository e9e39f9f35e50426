"""The common batch in one statement: points, misses, the asked history and game states.

Almost every batch the engine commits holds only answers (with the players' and
period totals they change), questions marked asked, and running games' progress
and saved states.  Written the general way (``transaction``) that is a BEGIN, a
statement per table and a COMMIT: five to eight round trips to the server, each a
wake-up of the server's process and then of ours, and each waiting for a CPU on a
busy machine.  Here the same rows go in as **one** statement (data-modifying
``WITH`` parts, atomic on its own, so no BEGIN or COMMIT either): one round trip.

The rows are those the general way writes, in the same key order (players by
(server, user), period totals by their primary key, asked questions and journal
rows by theirs), so processes committing at once still take their row locks in one
order.  Answers and period totals get their player's row id from the players part's
``RETURNING``, in the same statement.  A game's progress and its newest state touch
the same journal row, so they are one ``UPDATE`` (a statement may change a row only
once): the progress only ever grows and a state replaces the saved one only when
its number is higher, as with the general way's two statements.

A batch with anything else (a game's record or start, an admin's write, a
question's message, a forgotten question, a fence, a server not stored yet) is
written the general way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from bot.domain.model import PlayerKey, ServerKey
from bot.storage.periods import KIND_ALL
from bot.storage.postgres import sql
from bot.storage.postgres.types import Connection
from bot.storage.write_plan import JournalProgress, WritePlan, name_key

# The players' upsert is the one the step-by-step path runs (``sql.UPSERT_PLAYERS``).
WRITE_SCORES: Final = f"""
WITH p AS (
{sql.UPSERT_PLAYERS}), a AS (
    INSERT INTO answers (player_id, channel, game_id, question_id,
                         correct, points, answer_ms, streak, at_us)
    SELECT p.id, x.channel, x.game_id, x.question_id,
           x.correct, x.points, x.answer_ms, x.streak, x.at_us
    FROM unnest($12::bigint[], $13::text[], $14::text[], $15::text[], $16::text[],
                $17::smallint[], $18::integer[], $19::integer[], $20::integer[], $21::bigint[])
         WITH ORDINALITY AS x (server_id, user_id, channel, game_id, question_id,
                               correct, points, answer_ms, streak, at_us, n)
    JOIN p ON p.server_id = x.server_id AND p.user_id = x.user_id
    ORDER BY x.n
), t AS (
    INSERT INTO period_totals AS t (server_id, kind, start, player_id,
                                    points, correct, reached_us)
    SELECT x.server_id, x.kind, x.start, p.id, x.points, x.correct, x.reached_us
    FROM unnest($22::bigint[], $23::smallint[], $24::integer[], $25::text[], $26::bigint[],
                $27::bigint[], $28::bigint[])
         AS x (server_id, kind, start, user_id, points, correct, reached_us)
    JOIN p ON p.server_id = x.server_id AND p.user_id = x.user_id
    ORDER BY x.server_id, x.kind, x.start, p.id
    ON CONFLICT (server_id, kind, start, player_id) DO UPDATE SET
        points     = t.points + excluded.points,
        correct    = t.correct + excluded.correct,
        reached_us = GREATEST(t.reached_us, excluded.reached_us)
), q AS (
    INSERT INTO asked_questions AS q (server_id, question_id, asked_us)
    SELECT * FROM unnest($29::bigint[], $30::text[], $31::bigint[])
    ON CONFLICT (server_id, question_id) DO UPDATE SET asked_us = excluded.asked_us
), j AS (
    UPDATE game_journal AS j SET
        questions_asked = GREATEST(j.questions_asked, k.asked),
        state     = CASE WHEN k.seq > j.state_seq THEN k.state ELSE j.state END,
        state_us  = CASE WHEN k.seq > j.state_seq THEN k.at_us ELSE j.state_us END,
        state_seq = GREATEST(j.state_seq, k.seq)
    FROM unnest($32::text[], $33::integer[], $34::text[], $35::bigint[], $36::bigint[])
         AS k (game_id, asked, state, seq, at_us)
    WHERE j.game_id = k.game_id
)
SELECT server_id, user_id, id FROM p
"""


def fits_one_statement(plan: WritePlan, known_servers: Mapping[ServerKey, int]) -> bool:
    """Whether ``plan`` holds only what :data:`WRITE_SCORES` writes (module docstring)."""
    return (
        not plan.games
        and not plan.admin
        and not plan.messages
        and not plan.fences
        and all(isinstance(op, JournalProgress) for op in plan.journal)
        and all(at_us is not None for at_us in plan.asked.values())
        and plan.servers() <= known_servers.keys()
    )


def player_rows(
    plan: WritePlan, server_ids: Mapping[ServerKey, int]
) -> list[tuple[int, str, str, str, int, int, int, int, int, int, int]]:
    """``plan``'s player deltas as ``sql.UPSERT_PLAYERS`` takes them, sorted by
    (server_id, user_id): every writer locks players' rows in that order."""
    return sorted(
        (
            server_ids[player.server_key],
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
    )


async def write_scores(
    conn: Connection, plan: WritePlan, server_ids: Mapping[ServerKey, int]
) -> dict[PlayerKey, int]:
    """Write ``plan`` (which :func:`fits_one_statement`) in one statement; the players'
    row ids."""
    players = player_rows(plan, server_ids)
    answers = [
        (
            server_ids[record.player.server_key],
            record.player.user,
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
    periods: list[tuple[int, int, int, str, int, int, int]] = []
    for player, delta in plan.players.items():
        if not delta.scored:
            continue
        server_id = server_ids[player.server_key]
        periods.append(
            (server_id, KIND_ALL, 0, player.user, delta.points, delta.correct, delta.reached_us)
        )
        periods.extend(
            (server_id, kind, start, player.user, total.points, total.correct, total.reached_us)
            for (kind, start), total in delta.periods.items()
        )
    asked = sorted(
        (server_ids[server], question_id, at_us)
        for (server, question_id), at_us in plan.asked.items()
    )
    rows = await conn.fetch(
        WRITE_SCORES,
        *_columns(players, 11),
        *_columns(answers, 10),
        *_columns(periods, 7),
        *_columns(asked, 3),
        *_columns(_journal_rows(plan), 5),
    )
    keys = {server_id: server for server, server_id in server_ids.items()}
    return {
        PlayerKey(keys[server_id].platform, keys[server_id].server, user): player_id
        for server_id, user, player_id in rows
    }


def _journal_rows(
    plan: WritePlan,
) -> list[tuple[str, int | None, str | None, int | None, int | None]]:
    """One row per running game, in key order: (game id, questions asked or None, newest
    state, its number and time, or None)."""
    asked: dict[str, int] = {}
    for op in plan.journal:
        if isinstance(op, JournalProgress):  # all of them: fits_one_statement checked it
            asked[op.game_id] = max(op.questions_asked, asked.get(op.game_id, 0))
    rows = []
    for game_id in sorted(asked.keys() | plan.states.keys()):
        state = plan.states.get(game_id)
        rows.append(
            (
                game_id,
                asked.get(game_id),
                None if state is None else state.body,
                None if state is None else state.seq,
                None if state is None else state.at_us,
            )
        )
    return rows


def _columns(rows: Sequence[Sequence[object]], width: int) -> list[list[object]]:
    """Rows -> one list per column, as ``unnest`` takes them."""
    if not rows:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]
