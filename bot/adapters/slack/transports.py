"""How Slack's requests reach the bot: Socket Mode out to Slack, or Slack's HTTP calls in.

``SlackAdapter(transport=...)`` connects with one of these; ``trivia-bot run
slack`` picks Socket Mode unless told ``--http``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SocketMode:
    """Connect out to Slack with an app-level token (``xapp-``): no public URL needed."""

    app_token: str


@dataclass(frozen=True, slots=True)
class EventsApi:
    """Serve Slack's signed HTTP requests (events, commands, interactions) on ``path``."""

    host: str
    port: int
    path: str = "/slack/events"


Transport = SocketMode | EventsApi
