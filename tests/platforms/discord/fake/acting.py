"""The verbs of FakeDiscord that act like Discord users: say, run a command, click, submit.

Each builds the gateway event as discord.py 2.7 reads it (INTERACTION_CREATE carries what
``Interaction._from_data`` needs: ``attachment_size_limit``, ``token``, ``version``,
``application_id``, ``channel``, ``member.permissions``, ``locale``, ``entitlements``...) and
sends it to the connected client. They return at once; the bot handles the event in its own time.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from .command_options import build_command_data
from .errors import ApiError, FakeDiscordError
from .gateway import Gateway
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    FakeInteraction,
    InteractionHost,
)
from .messages import FakeAttachment, FakeMessage, MessageRef, message_id_of, walk_components
from .payloads import ATTACHMENT_SIZE_LIMIT, JSON, PERM_ADMINISTRATOR, FakeChannel, FakeUser
from .world import World

log = logging.getLogger(__name__)

_BUTTON, _LINK_STYLE, _TEXT_INPUT, _LABEL, _ACTION_ROW = 2, 5, 4, 18, 1
GUILD_CONTEXT, BOT_DM_CONTEXT = 0, 1


class UserActions:
    """Mixed into FakeDiscord, which supplies the world, the gateway and the waiting."""

    _world: World
    _gateway: Gateway

    def changed(self) -> None:
        raise NotImplementedError

    def _interaction_host(self) -> InteractionHost:
        raise NotImplementedError

    @property
    def interactions(self) -> list[FakeInteraction]:
        """Every interaction delivered to the bot, oldest first."""
        return self._world.desk.all

    # -- acting like users --------------------------------------------------------------------
    def _channel(self, channel_id: int) -> FakeChannel:
        try:
            return self._world.channel(channel_id)
        except ApiError:
            raise FakeDiscordError(f"no channel {channel_id}") from None

    def _require_client(self) -> None:
        if not self._gateway.live:
            raise FakeDiscordError("no client is connected to the fake gateway")

    async def user_says(
        self,
        channel_id: int,
        user: FakeUser,
        content: str,
        *,
        attachments: Sequence[FakeAttachment] = (),
        reply_to: MessageRef | None = None,
    ) -> FakeMessage:
        """``user`` posts ``content``: stored, then MESSAGE_CREATE to the bot.

        The bot gets the text only if it identified with the MESSAGE_CONTENT intent (or the
        message is a DM or mentions it), and the event at all only with GUILD_MESSAGES
        (DIRECT_MESSAGES for DMs), as on Discord.
        """
        self._require_client()
        channel = self._channel(channel_id)
        self._world.permissions_in(channel, user)  # membership check
        body: JSON = {"content": content, "attachments": [a.payload() for a in attachments]}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(message_id_of(reply_to))}
        message = self._world.messages.create(channel, user, body)
        delivered = await self._gateway.dispatch(
            "MESSAGE_CREATE",
            lambda s: self._world.message_create_for(s, message),
            guild_id=channel.guild_id,
        )
        if not delivered:
            needed = "DIRECT_MESSAGES" if channel.guild_id is None else "GUILD_MESSAGES"
            log.warning(
                "message %s not delivered: no client of its shard, or the client lacks the %s "
                "intent",
                message["id"],
                needed,
            )
        self.changed()
        return self._world.messages.snapshot(int(message["id"]))

    async def slash_command(
        self,
        guild_id: int | None,
        channel_id: int,
        user: FakeUser,
        *,
        name: str = "trivia",
        subcommand: str | None = None,
        options: Mapping[str, Any] | None = None,
        permissions: int | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """``user`` runs ``/name subcommand option:value...``; returns the interaction handle.

        ``subcommand`` may name a group and a subcommand: ``"settings set"``. Options are plain
        values (str, int, float, bool, FakeUser, FakeChannel, FakeAttachment). When the bot
        synced its commands, they are checked against the definitions like the client would.
        """
        return await self._command(
            APPLICATION_COMMAND,
            guild_id,
            channel_id,
            user,
            name=name,
            subcommand=subcommand,
            options=options or {},
            permissions=permissions,
            locale=locale,
            focused=None,
        )

    async def autocomplete(
        self,
        guild_id: int | None,
        channel_id: int,
        user: FakeUser,
        *,
        focused: str,
        name: str = "trivia",
        subcommand: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> FakeInteraction:
        """``user`` is typing option ``focused``; ``interaction.choices`` holds the bot's answer."""
        return await self._command(
            AUTOCOMPLETE,
            guild_id,
            channel_id,
            user,
            name=name,
            subcommand=subcommand,
            options=options or {},
            permissions=None,
            locale="en-US",
            focused=focused,
        )

    async def _command(
        self,
        kind: int,
        guild_id: int | None,
        channel_id: int,
        user: FakeUser,
        *,
        name: str,
        subcommand: str | None,
        options: Mapping[str, Any],
        permissions: int | None,
        locale: str,
        focused: str | None,
    ) -> FakeInteraction:
        channel = self._channel(channel_id)
        if channel.guild_id != guild_id:
            raise FakeDiscordError(f"channel {channel_id} is not in guild {guild_id}")
        definition, guild_scoped = self._world.find_command(guild_id, name)
        perms = (
            permissions if permissions is not None else self._world.permissions_in(channel, user)
        )
        _check_command_visible(definition, name, user, perms, in_guild=guild_id is not None)
        data = build_command_data(
            definition=definition,
            command_id=int(definition["id"]) if definition else self._world.ids(),
            name=name,
            path=subcommand.split() if subcommand else [],
            options=options,
            guild=self._world.guilds.get(guild_id) if guild_id is not None else None,
            guild_scoped=guild_scoped,
            focused=focused,
        )
        return await self._deliver(kind, channel, user, data=data, permissions=perms, locale=locale)

    async def click_button(
        self,
        message: MessageRef,
        custom_id: str,
        user: FakeUser,
        *,
        permissions: int | None = None,
        allow_disabled: bool = False,
    ) -> FakeInteraction:
        """``user`` clicks the button ``custom_id`` on the message as it stands now.

        A disabled button cannot be clicked on Discord; ``allow_disabled=True`` simulates a
        stale client that still shows it enabled.
        """
        current, component = self._component(message, custom_id)
        if component.get("type") != _BUTTON or component.get("style") == _LINK_STYLE:
            raise FakeDiscordError(f"{custom_id!r} is not a clickable button: {component}")
        if component.get("disabled") and not allow_disabled:
            raise FakeDiscordError(f"button {custom_id!r} is disabled")
        data: JSON = {"custom_id": custom_id, "component_type": _BUTTON}
        return await self._from_message(current, user, data, permissions)

    async def select(
        self,
        message: MessageRef,
        custom_id: str,
        values: Sequence[str],
        user: FakeUser,
        *,
        permissions: int | None = None,
    ) -> FakeInteraction:
        """``user`` picks ``values`` in the select menu ``custom_id``."""
        current, component = self._component(message, custom_id)
        kind = int(component.get("type", 0))
        if kind not in (3, 5, 6, 7, 8):
            raise FakeDiscordError(f"{custom_id!r} is not a select menu: {component}")
        if kind == 3:
            offered = [o["value"] for o in component.get("options", [])]
            if not set(values) <= set(offered):
                raise FakeDiscordError(f"values {list(values)} not among the options {offered}")
        low, high = int(component.get("min_values", 1)), int(component.get("max_values", 1))
        if not low <= len(values) <= high:
            raise FakeDiscordError(f"select {custom_id!r} takes {low}..{high} values")
        data: JSON = {"custom_id": custom_id, "component_type": kind, "values": list(values)}
        return await self._from_message(current, user, data, permissions)

    async def submit_modal(
        self,
        modal: FakeInteraction | str,
        values: Mapping[str, str | Sequence[str]],
        user: FakeUser | None = None,
    ) -> FakeInteraction:
        """Fill in and submit the modal the bot opened (by its custom_id, or the opening handle).

        Values are keyed by the inputs' custom_ids: text for a text input (left out: its
        pre-filled value), an option value or a list of them for a select (left out: its
        default options). Required inputs left empty, lengths outside min/max and values that
        are not options are refused, as the Discord client refuses them.
        """
        opener = self._modal_opener(modal)
        assert opener.modal is not None
        components = [_submitted_row(top, values) for top in opener.modal.get("components", [])]
        known = {c.get("custom_id") for c in walk_components(opener.modal.get("components", []))}
        if unknown_keys := set(values) - known:
            raise FakeDiscordError(
                f"the modal has no inputs {sorted(unknown_keys)}; it has {known}"
            )
        data: JSON = {"custom_id": opener.modal["custom_id"], "components": components}
        source = opener.source_message_id
        message = self._world.messages.get(source) if source is not None else None
        return await self._deliver(
            MODAL_SUBMIT,
            opener.channel,
            user or opener.user,
            data=data,
            message=message,
            permissions=None,
        )

    def _modal_opener(self, modal: FakeInteraction | str) -> FakeInteraction:
        if isinstance(modal, FakeInteraction):
            if modal.modal is None:
                raise FakeDiscordError(f"{modal!r} did not open a modal")
            return modal
        for interaction in reversed(self.interactions):
            if interaction.modal is not None and interaction.modal.get("custom_id") == modal:
                return interaction
        opened = [i.modal.get("custom_id") for i in self.interactions if i.modal is not None]
        raise FakeDiscordError(f"no modal {modal!r} was opened; opened: {opened}")

    def _component(self, message: MessageRef, custom_id: str) -> tuple[JSON, JSON]:
        current = self._world.messages.get(message_id_of(message))
        if current is None:
            raise FakeDiscordError(f"message {message_id_of(message)} does not exist (deleted?)")
        for component in walk_components(current["components"]):
            if component.get("custom_id") == custom_id:
                return current, component
        ids = [
            c.get("custom_id") for c in walk_components(current["components"]) if "custom_id" in c
        ]
        raise FakeDiscordError(f"no component {custom_id!r} on message {current['id']}; has {ids}")

    async def _from_message(
        self, message: JSON, user: FakeUser, data: JSON, permissions: int | None
    ) -> FakeInteraction:
        channel = self._channel(int(message["channel_id"]))
        return await self._deliver(
            MESSAGE_COMPONENT, channel, user, data=data, message=message, permissions=permissions
        )

    async def _deliver(
        self,
        kind: int,
        channel: FakeChannel,
        user: FakeUser,
        *,
        data: JSON,
        permissions: int | None,
        message: JSON | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Build an INTERACTION_CREATE as discord.py 2.7 reads it, send it, return the handle."""
        self._require_client()
        world = self._world
        perms = permissions if permissions is not None else world.permissions_in(channel, user)
        interaction_id = world.ids()
        token = secrets.token_urlsafe(48)
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(world.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "channel_id": str(channel.id),
            "channel": {**channel.payload(), "permissions": str(perms)},
            "locale": locale,
            "entitlements": [],
            "entitlement_skus": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if channel.guild_id is not None:
            guild = world.guilds[channel.guild_id]
            member = guild.member_payload(user.id)
            member["permissions"] = str(perms)
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": guild.locale, "features": []},
                guild_locale=guild.locale,
                member=member,
                app_permissions=str(guild.permissions_of(world.bot.id)),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                user=user.payload(),
                app_permissions="0",
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        interaction = FakeInteraction(
            self._interaction_host(),
            id=interaction_id,
            token=token,
            type=kind,
            payload=payload,
            channel=channel,
            user=user,
            source_message_id=int(message["id"]) if message is not None else None,
            created_at=asyncio.get_running_loop().time(),
        )
        world.desk.register(interaction)
        await self._gateway.dispatch(
            "INTERACTION_CREATE", lambda s: copy.deepcopy(payload), guild_id=channel.guild_id
        )
        self.changed()
        return interaction


def _check_command_visible(
    definition: JSON | None, name: str, user: FakeUser, perms: int, *, in_guild: bool
) -> None:
    """Discord offers a command only where its contexts allow it, and only to members with
    its ``default_member_permissions``."""
    if definition is None:
        return
    contexts = definition.get("contexts")
    context = GUILD_CONTEXT if in_guild else BOT_DM_CONTEXT
    if (contexts is not None and context not in contexts) or (
        not in_guild and definition.get("dm_permission") is False
    ):
        where = "in a guild" if in_guild else "in DMs"
        raise FakeDiscordError(f"/{name} is not available {where} (contexts {contexts})")
    if not in_guild:
        return
    required = definition.get("default_member_permissions")
    if required is None or perms & PERM_ADMINISTRATOR:
        return
    if int(required) == 0 or perms & int(required) != int(required):
        raise FakeDiscordError(f"{user.name} cannot see /{name}: it needs permissions {required}")


def _submitted_row(top: JSON, values: Mapping[str, str | Sequence[str]]) -> JSON:
    if top.get("type") == _ACTION_ROW:
        return {
            "type": _ACTION_ROW,
            "components": [_submitted(c, values) for c in top["components"]],
        }
    if top.get("type") == _LABEL:
        return {"type": _LABEL, "component": _submitted(top["component"], values)}
    return {k: top[k] for k in ("type", "id") if k in top}


def _submitted(component: JSON, values: Mapping[str, str | Sequence[str]]) -> JSON:
    custom_id = str(component.get("custom_id"))
    given = values.get(custom_id)
    if component.get("type") == _TEXT_INPUT:
        text = given if isinstance(given, str) else str(component.get("value") or "")
        if component.get("required", True) and not text:
            raise FakeDiscordError(f"text input {custom_id!r} is required")
        low, high = int(component.get("min_length") or 0), int(component.get("max_length") or 4000)
        if text and not low <= len(text) <= high:
            raise FakeDiscordError(f"text input {custom_id!r} takes {low}..{high} characters")
        return {"type": _TEXT_INPUT, "custom_id": custom_id, "value": text}
    if given is None:  # left as it was: the options marked default
        chosen = [o["value"] for o in component.get("options", []) if o.get("default")]
    else:
        chosen = [given] if isinstance(given, str) else list(given)
    offered = [o["value"] for o in component.get("options", [])]
    if offered and not set(chosen) <= set(offered):
        raise FakeDiscordError(f"values {chosen} not among the options {offered} of {custom_id!r}")
    low, high = int(component.get("min_values", 1)), int(component.get("max_values", 1))
    if component.get("required", True) and not low <= len(chosen) <= high:
        raise FakeDiscordError(f"select {custom_id!r} takes {low}..{high} values, not {chosen}")
    return {"type": component.get("type"), "custom_id": custom_id, "values": chosen}
