"""Every bot process fires the schedules of the servers it serves (issue #17).

``firing_schedules`` runs the firing loop (``bot.service.schedule_runner``, driving
``bot.service.scheduled_play``) as a named task while inside: entered once the platform
is connected and the crashed games recovered, left first on the way out (before the
games are saved and the database closes), so nothing fires into a closing process.

The process serves a server when it is of the adapter's platform and the adapter owns
it (``Adapter.owns``: a Discord process its shards' guilds, a Slack replica the
workspaces whose lease it holds, a lone process all of its platform's), and a Slack
replica takes a free workspace when one of its schedules comes due (``App.taking``).
Its claims are made under a holder name that says which process it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from bot.adapters.adapter import Adapter
from bot.app.compose import App
from bot.app.leases import holder_description
from bot.domain.model import ServerKey
from bot.ports import Clock
from bot.service.schedule_runner import DEFAULT_POLL
from bot.service.scheduled_play import DailyRounds, ScheduledPlay

log = logging.getLogger(__name__)


def serves(adapter: Adapter) -> Callable[[ServerKey], bool]:
    """Whether this process acts for a server: its platform's, and owned here."""

    def check(server: ServerKey) -> bool:
        return server.platform == adapter.platform and adapter.owns(server)

    return check


@contextlib.asynccontextmanager
async def firing_schedules(
    app: App,
    adapter: Adapter,
    *,
    clock: Clock,
    daily: DailyRounds | None,
    poll: float = DEFAULT_POLL,
) -> AsyncIterator[ScheduledPlay]:
    """The firing loop running while inside (see the module docstring)."""
    holder = holder_description(clock)
    play = ScheduledPlay(
        service=app.service,
        schedules=app.backend,
        scores=app.store,
        sink=adapter,
        clock=clock,
        holder=holder,
        serves=serves(adapter),
        daily=daily,
    )
    runner = play.runner(poll=poll, take=app.taking.take if app.taking.possible else None)
    task = asyncio.create_task(runner.run(), name=f"{adapter.platform}-schedules")
    log.info("firing the schedules of the servers this process serves, as %s", holder)
    try:
        yield play
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
