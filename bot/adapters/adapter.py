"""What every platform's adapter is to the process that runs it.

Each platform folder (``console/``, ``discord/``, ``slack/``) has an
``adapter.py`` whose adapter fits this protocol, and one lifecycle drives them
all (``bot.app.lifecycle``): the adapter is the service's ``EventSink``; it is
``bind``-ed to the service, ``connect``-ed to its platform, ``run`` until the
platform stops on its own or the process is told to stop, and ``close``-d
after the games have ended, so that what they published still goes out.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.domain.events import Event
from bot.domain.model import ServerKey
from bot.observability.health import Health
from bot.observability.metrics import Metrics
from bot.ports import TriviaPort


class Adapter(Protocol):
    """A platform carrying the trivia service (see the module docstring)."""

    @property
    def platform(self) -> str:
        """The platform's name in every ``ChannelKey`` it makes ("discord", ...)."""
        ...

    @property
    def observability_port(self) -> int | None:
        """The port on which the adapter's own HTTP server already answers ``/healthz``
        and ``/metrics`` (Slack's HTTP mode); None when it serves none."""
        ...

    @property
    def resumes_games(self) -> bool:
        """Whether a game stopped with the bot goes on after a restart here (a chat
        channel outlives the process; a terminal session does not)."""
        ...

    def owns(self, server: ServerKey) -> bool:
        """Whether this process serves ``server`` (the shards it runs): it only ever
        resumes or ends the games of servers it owns."""
        ...

    async def publish(self, event: Event) -> None:
        """The ``EventSink``: called with a channel's lock held, so it only queues."""
        ...

    def bind(self, service: TriviaPort) -> None:
        """Send what the platform's users do to ``service``."""
        ...

    def connect(self, health: Health, metrics: Metrics | None) -> AbstractAsyncContextManager[None]:
        """Connected while inside: on entry the platform delivers commands and the
        adapter can post; on exit nothing new comes in (what is queued still goes out
        until ``close``).  Raises ``PlatformUnreachable`` or ``PlatformRefused``."""
        ...

    async def run(self) -> int:
        """Serve until the platform stops on its own; the process's exit code then.
        Cancelled when the process is told to stop."""
        ...

    async def connected(self) -> bool:
        """Whether the platform is reachable now (the health check's question)."""
        ...

    async def close(self, *, within: float | None = None) -> None:
        """Send what is still queued, for at most ``within`` seconds (None: the
        adapter's own bound), then drop the rest with a log line that counts it and
        let go of the platform.  Idempotent."""
        ...


class PlatformRefused(Exception):
    """The platform refused the bot's credentials: retrying will not help (exit 2)."""


class PlatformUnreachable(Exception):
    """The platform could not be reached (network, outage): worth retrying (exit 1)."""
