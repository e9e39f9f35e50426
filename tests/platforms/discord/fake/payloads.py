"""Discord's vocabulary for the fake: ids, bit flags, the JSON shapes of users, guilds, channels.

Everything here is plain data. The shapes follow what discord.py 2.7 reads (``user.py``,
``member.py``, ``guild.py``, ``channel.py``, ``role.py``): required keys are always present,
optional ones are filled with the values a fresh small server would have.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000
API_VERSION = 10

# Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1  # privileged
INTENT_GUILD_PRESENCES = 1 << 8  # privileged
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15  # privileged

# Application flags the developer portal sets when a privileged intent is switched on
# (the "limited" variants: what a bot in fewer than 100 servers gets).
APP_FLAG_PRESENCE_LIMITED = 1 << 13
APP_FLAG_GUILD_MEMBERS_LIMITED = 1 << 15
APP_FLAG_MESSAGE_CONTENT_LIMITED = 1 << 19

# Permission bits.
PERM_CREATE_INSTANT_INVITE = 1 << 0
PERM_ADMINISTRATOR = 1 << 3
PERM_MANAGE_CHANNELS = 1 << 4
PERM_MANAGE_GUILD = 1 << 5
PERM_ADD_REACTIONS = 1 << 6
PERM_VIEW_CHANNEL = 1 << 10
PERM_SEND_MESSAGES = 1 << 11
PERM_MANAGE_MESSAGES = 1 << 13
PERM_EMBED_LINKS = 1 << 14
PERM_ATTACH_FILES = 1 << 15
PERM_READ_MESSAGE_HISTORY = 1 << 16
PERM_USE_EXTERNAL_EMOJIS = 1 << 18
PERM_CONNECT = 1 << 20
PERM_SPEAK = 1 << 21
PERM_USE_APPLICATION_COMMANDS = 1 << 31
PERM_SEND_MESSAGES_IN_THREADS = 1 << 38
# The value discord.py's ``Permissions.all()`` uses; Discord sends every bit to administrators.
ALL_PERMISSIONS = 0b0000_0000_0001_1111_0111_1111_1111_1111_1111_1111_1111_1111_1111_1111_1111_1111

#: What @everyone may do on a freshly created server.
DEFAULT_MEMBER_PERMISSIONS = (
    PERM_CREATE_INSTANT_INVITE
    | PERM_ADD_REACTIONS
    | PERM_VIEW_CHANNEL
    | PERM_SEND_MESSAGES
    | PERM_EMBED_LINKS
    | PERM_ATTACH_FILES
    | PERM_READ_MESSAGE_HISTORY
    | PERM_USE_EXTERNAL_EMOJIS
    | PERM_CONNECT
    | PERM_SPEAK
    | PERM_USE_APPLICATION_COMMANDS
    | PERM_SEND_MESSAGES_IN_THREADS
)
#: What the bot's managed role grants (an invite link asking for "send messages, embeds, ...").
BOT_PERMISSIONS = DEFAULT_MEMBER_PERMISSIONS | PERM_MANAGE_MESSAGES

# Message flags.
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_COMPONENTS_V2 = 1 << 15

# Channel types.
CHANNEL_GUILD_TEXT = 0
CHANNEL_DM = 1

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def now_iso() -> str:
    """A timestamp in the ISO 8601 form Discord sends (discord.py parses it with fromisoformat)."""
    return datetime.now(UTC).isoformat()


class SnowflakeGenerator:
    """Real-looking snowflakes (creation time in the high bits) that strictly increase.

    Increasing ids let tests say "a message created after this one" by comparing ids, as on
    Discord, and ``discord.utils.snowflake_time`` gives sensible datetimes.
    """

    def __init__(self) -> None:
        self._last = 0

    def __call__(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last

    def on_shard(self, shard_id: int, shard_count: int) -> int:
        """The next id whose guild would be on ``shard_id`` of ``shard_count``.

        The shard comes from the timestamp bits (``(id >> 22) % shard_count``), so the id
        is moved up to ``shard_count - 1`` milliseconds ahead; later ids stay larger.
        """
        candidate = self()
        step = (shard_id - (candidate >> 22) % shard_count) % shard_count
        self._last = candidate + (step << 22)
        return self._last


@dataclass(frozen=True, slots=True)
class FakeUser:
    """A Discord account: a player, an admin, another bot, or the bot under test."""

    id: int
    name: str
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": None if self.bot else self.name.title(),
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
        }


@dataclass(frozen=True, slots=True)
class FakeRole:
    id: int
    name: str
    permissions: int
    managed: bool = False
    position: int = 0

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass(frozen=True, slots=True)
class FakeChannel:
    """A text channel of a guild, or a DM channel (``guild_id is None``, ``recipient`` set)."""

    id: int
    name: str
    guild_id: int | None
    type: int = CHANNEL_GUILD_TEXT
    position: int = 0
    recipient: FakeUser | None = None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def payload(self, *, bot: FakeUser | None = None) -> JSON:
        if self.type == CHANNEL_DM:
            recipients = [self.recipient.payload()] if self.recipient else []
            return {
                "id": str(self.id),
                "type": CHANNEL_DM,
                "last_message_id": None,
                "recipients": recipients,
                "flags": 0,
            }
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "parent_id": None,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        return data


@dataclass(frozen=True, slots=True)
class Membership:
    user: FakeUser
    role_ids: tuple[int, ...]
    joined_at: str


@dataclass(slots=True)
class FakeGuild:
    """A server. Mutable on purpose: tests add channels and members to it while arranging."""

    id: int
    name: str
    owner_id: int
    everyone_role: FakeRole
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    roles: dict[int, FakeRole] = field(default_factory=dict)
    members: dict[int, Membership] = field(default_factory=dict)
    locale: str = "en-US"

    @property
    def text_channels(self) -> list[FakeChannel]:
        return [c for c in self.channels.values() if c.type == CHANNEL_GUILD_TEXT]

    def permissions_of(self, user_id: int) -> int:
        """A member's guild-wide permissions, computed the way Discord does (no overwrites)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        membership = self.members.get(user_id)
        value = self.everyone_role.permissions
        if membership is not None:
            for role_id in membership.role_ids:
                value |= self.roles[role_id].permissions
        return ALL_PERMISSIONS if value & PERM_ADMINISTRATOR else value

    def member_payload(self, user_id: int, *, with_user: bool = True) -> JSON:
        membership = self.members[user_id]
        data: JSON = {
            "roles": [str(r) for r in membership.role_ids],
            "joined_at": membership.joined_at,
            "nick": None,
            "avatar": None,
            "banner": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = membership.user.payload()
        return data

    def payload(self, *, include_members: set[int] | None = None) -> JSON:
        """The GUILD_CREATE body; ``include_members`` limits the member list (None: everyone)."""
        members = [
            self.member_payload(uid)
            for uid in self.members
            if include_members is None or uid in include_members
        ]
        roles = [self.everyone_role, *self.roles.values()]
        first_text = self.text_channels[0].id if self.text_channels else None
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "system_channel_id": str(first_text) if first_text else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "preferred_locale": self.locale,
            "features": [],
            "roles": [r.payload() for r in roles],
            "emojis": [],
            "stickers": [],
            "channels": [
                {k: v for k, v in c.payload().items() if k != "guild_id"}
                for c in self.channels.values()
            ],
            "threads": [],
            "members": members,
            "member_count": len(self.members),
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "unavailable": False,
            "joined_at": now_iso(),
            "max_members": 500_000,
            "max_video_channel_users": 25,
            "application_id": None,
            "vanity_url_code": None,
        }
