"""Rows the SQL backends read -> records: the admin tables (switches, reports,
question history) and the journal of unfinished games.

Shared by every SQL backend: the columns are the ones each backend's ``sql``
module selects, in that order.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from bot.domain.model import ChannelKey, GameMode, PlayerKey, ServerKey
from bot.domain.records import (
    QuestionHistory,
    QuestionReport,
    ReportDraft,
    ReportKind,
    Resolution,
    RunningGame,
    Switch,
    SwitchedOff,
    UnfinishedGame,
)
from bot.domain.snapshot import GameSnapshot
from bot.domain.standings import Tally, rank
from bot.storage.game_state_json import GameStateError, snapshot_from_json
from bot.storage.periods import from_epoch_us

log = logging.getLogger(__name__)


def history_rows(rows: Iterable[Sequence[Any]]) -> dict[str, QuestionHistory]:
    return {
        question_id: QuestionHistory(
            added_by=added_by,
            added_at=from_epoch_us(added_us),
            changed_by=changed_by,
            changed_at=from_epoch_us(changed_us),
        )
        for question_id, added_by, added_us, changed_by, changed_us in rows
    }


def switched_off_rows(rows: Iterable[Sequence[Any]]) -> SwitchedOff:
    names: dict[str, set[str]] = {kind.value: set() for kind in Switch}
    for kind, name in rows:
        names[kind].add(name)
    return SwitchedOff(
        questions=frozenset(names[Switch.QUESTION.value]),
        categories=frozenset(names[Switch.CATEGORY.value]),
        banks=frozenset(names[Switch.BANK.value]),
    )


def report_row(server: ServerKey, row: Sequence[Any]) -> QuestionReport:
    (
        report_id,
        channel,
        question_id,
        prompt,
        kind,
        reason,
        reporter,
        reporter_name,
        reported_us,
        resolution,
        resolved_by,
        resolved_us,
    ) = row
    draft = ReportDraft(
        server=server,
        channel=ChannelKey(server.platform, server.server, channel),
        question_id=question_id,
        prompt=prompt,
        kind=ReportKind(kind),
        reason=reason,
        reporter=PlayerKey(server.platform, server.server, reporter),
        reporter_name=reporter_name,
        at=from_epoch_us(reported_us),
    )
    return QuestionReport(
        id=report_id,
        draft=draft,
        resolution=Resolution(resolution) if resolution is not None else None,
        resolved_by=resolved_by,
        resolved_at=from_epoch_us(resolved_us) if resolved_us is not None else None,
    )


def unfinished_game(
    platform: str, row: Sequence[Any], tally_rows: Iterable[Sequence[Any]]
) -> UnfinishedGame:
    """A journaled game (``UNFINISHED_GAMES``'s row) with standings rebuilt from its
    committed answers (``GAME_TALLIES``' rows)."""
    game_id, server, channel, mode, started_us, by, total, asked = row[:8]
    state, state_seq, state_us, question_message = row[8:12]
    tallies = [
        Tally(
            PlayerKey(platform, server, user),
            name,
            points=points,
            correct=correct,
            reached_at=float(reached) if reached is not None else float("inf"),
        )
        for user, name, points, correct, reached in tally_rows
    ]
    running = RunningGame(
        game_id=game_id,
        channel=ChannelKey(platform, server, channel),
        mode=GameMode(mode),
        started_at=from_epoch_us(started_us),
        started_by=PlayerKey(platform, server, by),
        total_questions=total,
    )
    return UnfinishedGame(
        running,
        questions_asked=asked,
        standings=rank(tallies),
        state=_readable_state(game_id, state),
        state_seq=state_seq,
        state_at=from_epoch_us(state_us) if state_us is not None else None,
        question_message=question_message,
    )


def _readable_state(game_id: str, body: str | None) -> GameSnapshot | None:
    if body is None:
        return None
    try:
        return snapshot_from_json(body)
    except GameStateError as exc:
        # The game is then ended with its points, as if it had never been saved.
        log.warning("game %s: its saved state cannot be read (%s); it will be ended", game_id, exc)
        return None
