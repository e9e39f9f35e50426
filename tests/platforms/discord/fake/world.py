"""Everything the fake Discord knows: users, guilds, channels, messages, synced commands.

No I/O here. The REST API and the gateway read and change the world; the test arranges it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from . import validation
from .errors import UNKNOWN_CHANNEL, FakeDiscordError, unknown
from .gateway import Session
from .interactions import InteractionDesk
from .messages import FakeAttachment, MessageStore
from .payloads import (
    API_VERSION,
    APP_FLAG_GUILD_MEMBERS_LIMITED,
    APP_FLAG_MESSAGE_CONTENT_LIMITED,
    APP_FLAG_PRESENCE_LIMITED,
    BOT_PERMISSIONS,
    CHANNEL_DM,
    DEFAULT_MEMBER_PERMISSIONS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILD_PRESENCES,
    INTENT_MESSAGE_CONTENT,
    JSON,
    PERM_ADMINISTRATOR,
    FakeChannel,
    FakeGuild,
    FakeRole,
    FakeUser,
    Membership,
    SnowflakeGenerator,
    now_iso,
)


class World:
    """The fake's state. ``FakeDiscord`` exposes the parts tests use."""

    def __init__(
        self,
        *,
        token: str,
        bot_name: str,
        interaction_deadline: float,
        allowed_privileged_intents: int,
        shard_count: int = 1,
    ) -> None:
        self.ids = SnowflakeGenerator()
        self.shard_count = shard_count
        self.token = token
        self.base_url = ""  # set once the server listens; attachment URLs need it
        self.gateway_url = ""
        self.allowed_privileged_intents = allowed_privileged_intents
        self.users: dict[int, FakeUser] = {}
        self.bot = self.add_user(bot_name, bot=True)
        self.app_owner = self.add_user("app-owner")
        self.application_id = self.ids()
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self._dm_by_user: dict[int, FakeChannel] = {}
        self.messages = MessageStore(
            self.ids,
            lookup_user=self.users.get,
            file_url=lambda file_id, name: f"{self.base_url}/attachments/{file_id}/{name}",
        )
        self.desk = InteractionDesk(
            self.messages,
            bot=self.bot,
            application_id=self.application_id,
            deadline=interaction_deadline,
        )
        self.global_commands: list[JSON] = []
        self.guild_commands: dict[int, list[JSON]] = {}

    # -- arranging --------------------------------------------------------------------------
    def add_user(self, name: str, *, bot: bool = False) -> FakeUser:
        user = FakeUser(self.ids(), name, bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self, name: str, *, channels: Sequence[str] = ("trivia",), shard: int | None = None
    ) -> FakeGuild:
        if shard is not None and not 0 <= shard < self.shard_count:
            raise FakeDiscordError(
                f"no shard {shard}: the fake runs shards 0 to {self.shard_count - 1}"
            )
        guild_id = self.ids() if shard is None else self.ids.on_shard(shard, self.shard_count)
        everyone = FakeRole(guild_id, "@everyone", DEFAULT_MEMBER_PERMISSIONS)
        guild = FakeGuild(guild_id, name, self.app_owner.id, everyone)
        self.guilds[guild_id] = guild
        bot_role = self._add_role(guild, self.bot.name, BOT_PERMISSIONS, managed=True)
        guild.members[self.bot.id] = Membership(self.bot, (bot_role.id,), now_iso())
        for channel_name in channels:
            self.add_channel(guild_id, channel_name)
        return guild

    def add_channel(self, guild_id: int, name: str) -> FakeChannel:
        guild = self.guild(guild_id)
        channel = FakeChannel(self.ids(), name, guild_id, position=len(guild.channels))
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def add_member(
        self,
        guild_id: int,
        who: str | FakeUser,
        *,
        admin: bool = False,
        permissions: int | None = None,
        bot: bool = False,
    ) -> FakeUser:
        guild = self.guild(guild_id)
        user = who if isinstance(who, FakeUser) else self.add_user(who, bot=bot)
        self.users.setdefault(user.id, user)
        roles: list[int] = []
        if admin:
            roles.append(self._role_named(guild, "Admin", PERM_ADMINISTRATOR).id)
        if permissions is not None:
            roles.append(self._role_named(guild, f"perms-{permissions}", permissions).id)
        guild.members[user.id] = Membership(user, tuple(roles), now_iso())
        return user

    def _role_named(self, guild: FakeGuild, name: str, permissions: int) -> FakeRole:
        existing = next((r for r in guild.roles.values() if r.name == name), None)
        return existing or self._add_role(guild, name, permissions)

    def _add_role(
        self, guild: FakeGuild, name: str, permissions: int, *, managed: bool = False
    ) -> FakeRole:
        role = FakeRole(self.ids(), name, permissions, managed, position=len(guild.roles) + 1)
        guild.roles[role.id] = role
        return role

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        channel = self._dm_by_user.get(user.id)
        if channel is None:
            channel = FakeChannel(self.ids(), "", None, CHANNEL_DM, recipient=user)
            self._dm_by_user[user.id] = channel
            self.channels[channel.id] = channel
        return channel

    def add_file(
        self, filename: str, data: bytes, content_type: str | None = None
    ) -> FakeAttachment:
        return self.messages.add_file(filename, data, content_type)

    # -- lookups ----------------------------------------------------------------------------
    def guild(self, guild_id: int) -> FakeGuild:
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise FakeDiscordError(f"no guild {guild_id}; guilds: {list(self.guilds)}") from None

    def channel(self, channel_id: int) -> FakeChannel:
        try:
            return self.channels[channel_id]
        except KeyError:
            raise unknown("Channel", UNKNOWN_CHANNEL) from None

    def permissions_in(self, channel: FakeChannel, user: FakeUser) -> int:
        if channel.guild_id is None:
            return DEFAULT_MEMBER_PERMISSIONS
        guild = self.guilds[channel.guild_id]
        if user.id not in guild.members:
            raise FakeDiscordError(
                f"{user.name} is not a member of {guild.name!r}: call add_member first"
            )
        return guild.permissions_of(user.id)

    # -- what the gateway sends ---------------------------------------------------------------
    def application_flags(self) -> int:
        flags = 0
        if self.allowed_privileged_intents & INTENT_MESSAGE_CONTENT:
            flags |= APP_FLAG_MESSAGE_CONTENT_LIMITED
        if self.allowed_privileged_intents & INTENT_GUILD_MEMBERS:
            flags |= APP_FLAG_GUILD_MEMBERS_LIMITED
        if self.allowed_privileged_intents & INTENT_GUILD_PRESENCES:
            flags |= APP_FLAG_PRESENCE_LIMITED
        return flags

    def me_payload(self) -> JSON:
        return {**self.bot.payload(), "verified": True, "mfa_enabled": False, "flags": 0}

    def ready_payload(self, session: Session) -> JSON:
        ready: JSON = {
            "v": API_VERSION,
            "user": self.me_payload(),
            "guilds": [
                {"id": str(g), "unavailable": True} for g in self.guilds if session.serves(g)
            ],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags()},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
            "auth": {},
        }
        if "shard" in session.identify:
            ready["shard"] = session.identify["shard"]
        return ready

    def guild_payloads(self, session: Session) -> list[JSON]:
        # Without the GUILD_MEMBERS intent Discord sends only the bot's own member (member_count
        # stays the real count), exactly what a bot sees in production.
        visible = None if session.has(INTENT_GUILD_MEMBERS) else {self.bot.id}
        return [
            g.payload(include_members=visible) for g in self.guilds.values() if session.serves(g.id)
        ]

    def member_chunk(self, request: JSON) -> JSON:
        guild = self.guild(int(request["guild_id"]))
        wanted = {int(u) for u in request.get("user_ids") or []}
        query = str(request.get("query") or "").lower()
        limit = int(request.get("limit") or 0) or len(guild.members)
        members = [
            guild.member_payload(uid)
            for uid, m in guild.members.items()
            if (not wanted or uid in wanted) and m.user.name.lower().startswith(query)
        ][:limit]
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(u) for u in wanted if u not in guild.members],
        }
        if request.get("nonce"):
            chunk["nonce"] = request["nonce"]
        return chunk

    def message_create_for(self, session: Session, message: JSON) -> JSON | None:
        """MESSAGE_CREATE as ``session`` gets it: filtered by intents, content hidden without one.

        Discord hides content, embeds, attachments and components from a bot without the
        MESSAGE_CONTENT intent, except in DMs, in messages mentioning the bot, and in its own.
        """
        in_guild = "guild_id" in message
        if not session.has(INTENT_GUILD_MESSAGES if in_guild else INTENT_DIRECT_MESSAGES):
            return None
        event = copy.deepcopy(message)
        author_id = int(event["author"]["id"])
        mentioned = any(int(u["id"]) == self.bot.id for u in event["mentions"])
        visible = session.has(INTENT_MESSAGE_CONTENT) or not in_guild or mentioned
        if not visible and author_id != self.bot.id:
            event.update(content="", embeds=[], attachments=[], components=[])
            event.pop("poll", None)
        if in_guild:
            guild = self.guilds[int(event["guild_id"])]
            if author_id in guild.members:
                event["member"] = guild.member_payload(author_id, with_user=False)
        return event

    # -- application --------------------------------------------------------------------------
    def application_payload(self) -> JSON:
        return {
            "id": str(self.application_id),
            "name": self.bot.name,
            "description": "",
            "icon": None,
            "summary": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.app_owner.payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": self.application_flags(),
            "bot": self.bot.payload(),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
        }

    def put_commands(
        self, guild_id: int | None, commands: Sequence[Mapping[str, Any]]
    ) -> list[JSON]:
        """A bulk overwrite: ids survive for commands that keep their name and type."""
        validation.raise_for(validation.check_commands(commands))
        previous = (
            self.global_commands if guild_id is None else self.guild_commands.get(guild_id, [])
        )
        old_ids = {(c["name"], c["type"]): c["id"] for c in previous}
        stored: list[JSON] = []
        for command in commands:
            entry: JSON = {
                "type": 1,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                **copy.deepcopy(dict(command)),
            }
            entry["id"] = old_ids.get((entry["name"], entry["type"])) or str(self.ids())
            entry["application_id"] = str(self.application_id)
            entry["version"] = str(self.ids())
            if guild_id is not None:
                entry["guild_id"] = str(guild_id)
            stored.append(entry)
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        return copy.deepcopy(stored)

    def find_command(self, guild_id: int | None, name: str) -> tuple[JSON | None, bool]:
        """The synced definition of ``name`` (the guild's first) and whether it is guild-scoped."""
        if guild_id is not None:
            for command in self.guild_commands.get(guild_id, []):
                if command["name"] == name and command["type"] == 1:
                    return command, True
        for command in self.global_commands:
            if command["name"] == name and command["type"] == 1:
                return command, False
        return None, False
