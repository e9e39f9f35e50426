"""The invite link that adds the bot to a Discord server, built without discord.py.

``trivia-bot discord invite --client-id ID`` only prints this URL, so it must
work on an install without the Discord extra.  The permission bits are
Discord's (https://discord.com/developers/docs/topics/permissions); a test
checks that they add up to what ``discord.Permissions`` says.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlencode

#: Invite scopes: a bot user, and slash commands.
INVITE_SCOPES: Final = ("bot", "applications.commands")

VIEW_CHANNEL: Final = 1 << 10
SEND_MESSAGES: Final = 1 << 11
EMBED_LINKS: Final = 1 << 14
#: What the bot does in a channel, and nothing more (see the README's Discord section):
#: see it, post questions and results, and show them as embeds.  19456.
INVITE_PERMISSIONS: Final = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS

_AUTHORIZE: Final = "https://discord.com/oauth2/authorize"


def invite_url(client_id: str | int) -> str:
    """The OAuth2 URL that adds the bot with exactly the scopes and permissions it uses."""
    query = {
        "client_id": str(client_id),
        "scope": " ".join(INVITE_SCOPES),
        "permissions": str(INVITE_PERMISSIONS),
    }
    return f"{_AUTHORIZE}?{urlencode(query)}"
