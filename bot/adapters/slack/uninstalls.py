"""Ending the games of a workspace that removed the app, on whichever replica runs them.

``app_uninstalled`` and ``tokens_revoked`` reach one replica (the adapter ends the
games it runs there at once), but with several replicas the workspace's games may
run on another, whose outbox then finds no token for it.  ``Uninstalls.noticed``
is that outbox's word: if the workspace really has no installation any more (not
merely a token that could not be refreshed just now), its games here end, recorded
with their standings, once.  No SDK: the checks come in as functions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.adapters.slack.ids import PLATFORM
from bot.domain.model import ServerKey

log = logging.getLogger(__name__)


class Uninstalls:
    """Each uninstalled workspace's games here are ended once (module docstring)."""

    def __init__(
        self,
        *,
        installed: Callable[[str], Awaitable[bool]],
        end_games: Callable[[ServerKey], Awaitable[int]],
    ) -> None:
        self._installed = installed
        self._end_games = end_games
        self._ended: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def noticed(self, team_id: str) -> None:
        """Nothing covers ``team_id`` now: end its games if it was uninstalled."""
        if team_id in self._ended:
            return
        self._ended.add(team_id)
        task = asyncio.create_task(self._check(team_id), name=f"slack-uninstalled:{team_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def covered(self, team_id: str) -> None:
        """``team_id`` has a token again (installed anew): a later removal counts again."""
        self._ended.discard(team_id)

    async def end(self, team_id: str) -> int:
        """End ``team_id``'s games here now (its uninstall event arrived here)."""
        self._ended.add(team_id)
        ended = await self._end_games(ServerKey(PLATFORM, team_id))
        if ended:
            log.warning("slack: %s uninstalled: %d game(s) ended and recorded", team_id, ended)
        return ended

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _check(self, team_id: str) -> None:
        try:
            if await self._installed(team_id):
                self._ended.discard(team_id)  # a refresh failed, say: try again later
                return
            await self.end(team_id)
        except Exception:
            self._ended.discard(team_id)
            log.exception("slack: ending the games of uninstalled %s failed", team_id)
