"""The console's one local server and channel, as every ``ChannelKey`` names them."""

from __future__ import annotations

from bot.domain.model import ChannelKey

PLATFORM = "console"
SERVER = "local"
CHANNEL = ChannelKey(PLATFORM, SERVER, "terminal")
