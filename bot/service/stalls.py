"""Channels whose results wait for the database, and what the log says about them.

When a write fails, the service keeps the channel's events and tries again
every ``RETRY_SECONDS`` (``trivia.TriviaService._apply``): a database locked by
a backup, a full disk or a lost connection can last a while.  The log gets one
warning when a channel's saving starts to fail, a line with the count every
``still_every`` seconds while it goes on, and one line when its results are
saved again: not a traceback a second.  Only an error that is not the store's
``StoreUnavailable`` (a bug) is logged with its traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.domain.model import ChannelKey
from bot.ports import Clock, StoreUnavailable

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Stall:
    game_id: str
    started: float
    last_said: float
    tries: int = 1


class WriteStalls:
    """The stalled channels (see the module docstring)."""

    def __init__(self, clock: Clock, *, still_every: float = 30.0) -> None:
        self._clock = clock
        self._still_every = still_every
        self._stalls: dict[ChannelKey, _Stall] = {}

    def __contains__(self, channel: ChannelKey) -> bool:
        return channel in self._stalls

    def failed(self, channel: ChannelKey, game_id: str, error: BaseException) -> bool:
        """Note a failed write; True when it starts the channel's stall (tell its players)."""
        now = self._clock.monotonic()
        stall = self._stalls.get(channel)
        bug = not isinstance(error, StoreUnavailable)
        if stall is None:
            self._stalls[channel] = _Stall(game_id, started=now, last_said=now)
            log.warning(
                "cannot save game %s in %s yet: %s; its results wait and are saved as soon "
                "as the database allows",
                game_id,
                channel,
                error,
                exc_info=error if bug else None,
            )
            return True
        stall.tries += 1
        if bug:
            log.error("saving game %s in %s failed again", game_id, channel, exc_info=error)
        elif now - stall.last_said >= self._still_every:
            stall.last_said = now
            log.warning(
                "still cannot save game %s in %s: %d tries in %.0f s (%s)",
                stall.game_id,
                channel,
                stall.tries,
                now - stall.started,
                error,
            )
        return False

    def saved(self, channel: ChannelKey) -> None:
        """The channel's results are saved: its stall, if any, is over."""
        stall = self._stalls.pop(channel, None)
        if stall is not None:
            log.warning(
                "saved game %s in %s again after %d failed tries in %.0f s",
                stall.game_id,
                channel,
                stall.tries,
                self._clock.monotonic() - stall.started,
            )
