"""Games a crash left running: ended on restart, with every point that was announced.

(Games saved recently enough go on instead: ``carry_over``.)

The journal (``GameJournal``) notes each game when it starts and its progress;
``record_game`` ends the entry in the same transaction.  A game still in the
journal when the bot starts was cut short: it is recorded with the standings
rebuilt from its committed answers (a point is committed before it is
announced) and announced in its channel as a ``GameEnded`` with reason
``RESTARTED``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.domain.events import EndReason, GameEnded
from bot.domain.records import GameRecord, UnfinishedGame
from bot.domain.standings import winner_of
from bot.observability.logs import channel_context
from bot.ports import Clock, EventSink, ScoreStore

log = logging.getLogger(__name__)


async def end_interrupted_games(
    unfinished: Sequence[UnfinishedGame], *, store: ScoreStore, sink: EventSink, clock: Clock
) -> None:
    """End the games a crash left running (or that were saved too long ago to go on)."""
    now = clock.now()
    for item in unfinished:
        with channel_context(item.game.channel):
            running = item.game
            winner = winner_of(item.standings)
            await store.record_game(
                GameRecord(
                    game_id=running.game_id,
                    channel=running.channel,
                    mode=running.mode,
                    started_at=running.started_at,
                    ended_at=now,
                    reason=EndReason.RESTARTED.value,
                    questions_asked=item.questions_asked,
                    standings=item.standings,
                    winner=winner.player if winner else None,
                )
            )
            log.warning(
                "game %s in %s was interrupted; ended with %d players' points",
                running.game_id,
                running.channel,
                len(item.standings),
            )
            await sink.publish(
                GameEnded(
                    channel=running.channel,
                    game_id=running.game_id,
                    reason=EndReason.RESTARTED,
                    standings=item.standings,
                    winner=winner,
                    questions_asked=item.questions_asked,
                )
            )
