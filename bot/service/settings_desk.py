"""Servers' own rules: their settings, their admins, their questions.

``ServerPolicy`` lays a server's saved settings over the bot's defaults and
says who counts as an admin there; ``AdminDesk`` carries out the settings
commands, answering with events like every other command.  Admins' question
commands are ``bot.service.question_desk``'s.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from bot.domain.commands import ChangeSettings, ShowSettings
from bot.domain.events import Refusal, Rejected, SettingsShown
from bot.domain.model import (
    Actor,
    ChannelKey,
    GameOptions,
    Limits,
    ServerKey,
    ServerSettings,
    StartPolicy,
)
from bot.ports import (
    Clock,
    EventSink,
    SettingsStore,
)

log = logging.getLogger(__name__)

AdminCommand = ShowSettings | ChangeSettings

_DEFAULTS: dict[str, Any] = {
    "rounds": ServerSettings().rounds,
    "seconds": ServerSettings().seconds,
    "mode": ServerSettings().mode,
    "start_policy": ServerSettings().start_policy,
    "starter_role": ServerSettings().starter_role,
    "admin_role": ServerSettings().admin_role,
    "season_length": ServerSettings().season_length,
}
_RESETTABLE = frozenset(_DEFAULTS)


class ServerPolicy:
    """Each server's settings (read once, then cached) laid over the bot's
    defaults, and the limits every game option must respect."""

    def __init__(
        self,
        *,
        defaults: GameOptions,
        limits: Limits,
        store: SettingsStore | None,
    ) -> None:
        self._defaults = defaults
        self._limits = limits
        self._store = store
        self._cache: dict[ServerKey, ServerSettings] = {}

    @property
    def defaults(self) -> GameOptions:
        return self._defaults

    @property
    def limits(self) -> Limits:
        return self._limits

    def check_limits(self, rounds: int | None, seconds: float | None) -> str | None:
        limits = self._limits
        if rounds is not None and not limits.min_rounds <= rounds <= limits.max_rounds:
            return (
                f"Rounds must be between {limits.min_rounds} and {limits.max_rounds}; "
                f"you asked for {rounds}."
            )
        if seconds is not None and not limits.min_seconds <= seconds <= limits.max_seconds:
            return (
                f"Seconds per question must be between {limits.min_seconds:g} and "
                f"{limits.max_seconds:g}; you asked for {seconds:g}."
            )
        return None

    def server_defaults(self, settings: ServerSettings) -> GameOptions:
        """The bot's defaults with a server's own choices laid over them."""
        return replace(
            self._defaults,
            rounds=settings.rounds if settings.rounds is not None else self._defaults.rounds,
            seconds=settings.seconds if settings.seconds is not None else self._defaults.seconds,
            mode=settings.mode or self._defaults.mode,
        )

    def forget(self, server: ServerKey | None) -> None:
        """Read ``server``'s settings again next time (None: every server's)."""
        if server is None:
            self._cache.clear()
        else:
            self._cache.pop(server, None)

    async def server_settings(self, server: ServerKey) -> ServerSettings:
        """A server's settings (cached; the store is read once per server)."""
        cached = self._cache.get(server)
        if cached is None:
            cached = (
                await self._store.server_settings(server)
                if self._store is not None
                else ServerSettings()
            )
            self._cache[server] = cached
        return cached

    async def effective(self, actor: Actor, server: ServerKey) -> Actor:
        """The actor with the server's own admin role taken into account."""
        if actor.is_admin:
            return actor
        settings = await self.server_settings(server)
        return replace(actor, is_admin=True) if settings.is_admin(actor) else actor

    async def admin_refusal(self, server: ServerKey, actor: Actor, what: str) -> str | None:
        """None if ``actor`` is an admin of ``server``; otherwise why they may not ``what``."""
        settings = await self.server_settings(server)
        if settings.is_admin(actor):
            return None
        role = " or have the server's trivia admin role" if settings.admin_role else ""
        return f"Only admins can {what}: you need the server's admin permission{role}."

    def remember(self, server: ServerKey, settings: ServerSettings) -> None:
        """Use ``settings`` for ``server`` from now on (they have been saved)."""
        self._cache[server] = settings

    def who_may_start(self, settings: ServerSettings) -> str:
        """Why someone may not start a game here, in words."""
        if settings.start_policy is StartPolicy.ADMINS:
            return "On this server only admins can start games."
        return "On this server only admins and members of the trivia role can start games."


async def refuse(
    sink: EventSink, channel: ChannelKey, actor: Actor, reason: Refusal, message: str
) -> None:
    """Tell ``actor`` (alone) why their command was refused."""
    await sink.publish(
        Rejected(channel=channel, recipient=actor.key, reason=reason, message=message)
    )


async def admits(
    policy: ServerPolicy, sink: EventSink, channel: ChannelKey, actor: Actor, what: str
) -> bool:
    """True if ``actor`` is an admin of the channel's server; otherwise tell them why not."""
    message = await policy.admin_refusal(channel.server_key, actor, what)
    if message is None:
        return True
    await refuse(sink, channel, actor, Refusal.NOT_ALLOWED, message)
    return False


class AdminDesk:
    """Admins' commands about their server's settings."""

    def __init__(
        self,
        *,
        policy: ServerPolicy,
        store: SettingsStore | None,
        clock: Clock,
        sink: EventSink,
    ) -> None:
        self._policy = policy
        self._settings_store = store
        self._clock = clock
        self._sink = sink

    async def handle(self, command: AdminCommand) -> None:
        match command:
            case ShowSettings():
                await self._show_settings(command)
            case ChangeSettings():
                await self._change_settings(command)

    async def _show_settings(self, command: ShowSettings) -> None:
        settings = await self._policy.server_settings(command.channel.server_key)
        await self._sink.publish(
            SettingsShown(
                channel=command.channel,
                recipient=command.actor.key,
                settings=settings,
                defaults=self._policy.server_defaults(settings),
            )
        )

    async def _change_settings(self, command: ChangeSettings) -> None:
        channel, actor = command.channel, command.actor
        if not await admits(self._policy, self._sink, channel, actor, "change settings"):
            return
        problem = self._policy.check_limits(command.rounds, command.seconds)
        unknown = command.reset - _RESETTABLE
        if unknown:
            problem = f"Unknown settings to reset: {', '.join(sorted(unknown))}."
        current = await self._policy.server_settings(channel.server_key)
        changed = replace(
            current,
            rounds=command.rounds if command.rounds is not None else current.rounds,
            seconds=command.seconds if command.seconds is not None else current.seconds,
            mode=command.mode or current.mode,
            start_policy=command.start_policy or current.start_policy,
            starter_role=command.starter_role or current.starter_role,
            admin_role=command.admin_role or current.admin_role,
            season_length=command.season_length or current.season_length,
        )
        changed = replace(
            changed, **{name: _DEFAULTS[name] for name in command.reset & _RESETTABLE}
        )
        if problem is None and changed.start_policy.value == "role" and not changed.starter_role:
            problem = "Choose the role that may start games, or another start policy."
        if problem is not None:
            await refuse(self._sink, channel, actor, Refusal.BAD_OPTION, problem)
            return
        if self._settings_store is not None:
            await self._settings_store.save_server_settings(
                channel.server_key, changed, by=actor.key, at=self._clock.now()
            )
        self._policy.remember(channel.server_key, changed)
        await self._sink.publish(
            SettingsShown(
                channel=channel,
                recipient=actor.key,
                settings=changed,
                defaults=self._policy.server_defaults(changed),
                changed=True,
            )
        )
