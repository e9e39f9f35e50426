"""Where a Slack command runs when several replicas serve the same workspaces.

Each workspace's games have one owner replica at a time (the holder of the lease
``slack:workspace:<team>``, ``bot.app.slack_replicas``).  A command that acts on
a game (``bot.forwarding.codec.GAME_COMMANDS``: an answer, a click, start, stop,
hint, skip, the score) runs on that owner; everything else (leaderboard, stats,
admin, reports, App Home) runs wherever it landed.  ``route`` is the decision,
pure; the adapter calls a ``Router`` instead of the service when one is set.

Each request's id and ``response_url`` are noted (``note_request``) in a context
variable by the adapter's middleware, so that the command built from it can be
forwarded with the same id when it is retried: Slack's ``event_id`` for an
event, the ``trigger_id`` of a slash command or a click.  No SDK, no I/O.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

from bot.coordination import LeaseHeld
from bot.domain.commands import Command
from bot.domain.model import ChannelKey, ServerKey
from bot.forwarding.codec import is_game_command


@dataclass(frozen=True, slots=True)
class RequestIds:
    """The Slack request a command came from: its id (None: it has none) and where
    its sender can be answered."""

    request_id: str | None
    response_url: str | None = None


_REQUEST: contextvars.ContextVar[RequestIds | None] = contextvars.ContextVar(
    "slack_request", default=None
)


def note_request(body: Mapping[str, Any]) -> None:
    """Remember, for the rest of this request's task (and the tasks it starts), which
    Slack request it is handling."""
    found = body.get("event_id") or body.get("trigger_id")
    url = body.get("response_url")
    _REQUEST.set(
        RequestIds(
            request_id=found if isinstance(found, str) and found else None,
            response_url=url if isinstance(url, str) and url else None,
        )
    )


def current_request() -> RequestIds:
    return _REQUEST.get() or RequestIds(None)


class Router(Protocol):
    """What the Slack adapter asks when several replicas share its workspaces."""

    async def run(self, command: Command) -> None:
        """Carry ``command`` out here, or on the owner of its workspace's games."""

    async def may_have_game(self, channel: ChannelKey) -> bool:
        """Whether a typed message in ``channel`` may be an answer (a game runs here,
        or the workspace's games run on another replica)."""

    def owns(self, server: ServerKey) -> bool:
        """Whether this replica owns ``server``'s games now."""


@dataclass(frozen=True, slots=True)
class RunHere:
    """Run the command on this replica (``take``: first take the workspace's lease)."""

    take: bool = False


@dataclass(frozen=True, slots=True)
class SendTo:
    """Forward the command to the replica that holds the workspace's lease."""

    holder: str


Route: TypeAlias = RunHere | SendTo


def route(command: Command, *, mine: bool, lease: LeaseHeld | None, me: str) -> Route:
    """Where ``command`` runs: here if it touches no game or this replica owns its
    workspace; here after taking the lease if nobody holds it live (free, expired,
    released, or still ours from before); else on the lease's live holder."""
    if mine or not is_game_command(command):
        return RunHere()
    if lease is None or lease.expired or lease.holder == me:
        return RunHere(take=True)
    return SendTo(lease.holder)
