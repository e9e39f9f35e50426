"""Slack tokens at rest: sealed with ``TRIVIA_SLACK_TOKEN_KEY`` when it is set.

``TokenCipher.seal`` turns a token into what the database keeps, ``open`` turns it
back.  With a key, a sealed token is ``fernet:`` followed by a Fernet token
(AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package): the database
alone, a backup or a ``db copy`` of it, gives nobody a working token.  Without a key,
tokens are kept as they are (``xoxb-...``), as slack_sdk's own stores keep them.

Several keys (comma-separated) rotate the key: the first seals, every one opens, so
``TRIVIA_SLACK_TOKEN_KEY=new,old`` reads tokens sealed with either and seals anew with
``new`` (each token is sealed again when it is next saved or refreshed).  A plain token
stored before a key was set still opens, and is sealed at its next save.

A stored token that cannot be opened is bad configuration, not bad data:
``TokenKeyError`` says which setting to change and how; ``check_stored_tokens`` finds
it at startup rather than at the first request from that workspace.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Final, Protocol

from bot.slack_installations import InstallationKey, SlackInstallation

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

#: What marks a sealed token in the database.
SEALED_PREFIX: Final = "fernet:"
SETTING: Final = "TRIVIA_SLACK_TOKEN_KEY"
MAKE_A_KEY: Final = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


class TokenKeyError(Exception):
    """``TRIVIA_SLACK_TOKEN_KEY`` is malformed, missing, or not the key the stored tokens
    were sealed with; the message says what to do."""


def check_key(key: str) -> str:
    """``key`` if it is a Fernet key (32 bytes in URL-safe base64, 44 characters), else
    ``ValueError`` saying how to make one."""
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(key) != 44 or len(raw) != 32:
        raise ValueError(
            "is not a Fernet key (44 characters of URL-safe base64, 32 bytes); make one "
            f"with: {MAKE_A_KEY}"
        )
    return key


class TokenCipher:
    """Seals tokens with the first of ``keys`` and opens them with any (module docstring);
    with no keys, tokens are kept plain."""

    __slots__ = ("_fernet",)

    def __init__(self, keys: Sequence[str] = ()) -> None:
        self._fernet: MultiFernet | None = None
        if keys:
            for number, key in enumerate(keys, start=1):
                try:
                    check_key(key)
                except ValueError as exc:
                    raise TokenKeyError(f"{SETTING}: key {number} {exc}.") from None
            try:
                from cryptography.fernet import Fernet, MultiFernet
            except ImportError as exc:
                raise TokenKeyError(
                    f"{SETTING} is set, but the cryptography package is not installed: "
                    "install trivia-bot[slack] (or pip install cryptography)."
                ) from exc
            self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])

    @property
    def encrypting(self) -> bool:
        return self._fernet is not None

    def seal(self, token: str) -> str:
        if self._fernet is None:
            return token
        return SEALED_PREFIX + self._fernet.encrypt(token.encode()).decode("ascii")

    def open(self, stored: str, *, of: InstallationKey | None = None) -> str:
        """The token ``stored`` seals; ``TokenKeyError`` if this cipher cannot open it
        (``of`` names the installation in the message)."""
        if not stored.startswith(SEALED_PREFIX):
            return stored
        whose = f" for {of}" if of is not None else ""
        if self._fernet is None:
            raise TokenKeyError(
                f"The Slack tokens stored{whose} are encrypted, and {SETTING} is not set: "
                "set it to the key they were encrypted with (the value the other replicas "
                "use)."
            )
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(stored[len(SEALED_PREFIX) :].encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as exc:
            raise TokenKeyError(
                f"Cannot decrypt the Slack tokens stored{whose} with {SETTING}: it is not "
                "the key they were encrypted with. Set it to that key; to change keys, "
                f"list the new one first and the old one after it (new,old)."
            ) from exc

    def opened(self, installation: SlackInstallation) -> SlackInstallation:
        """``installation`` with its tokens opened (plain)."""
        key, refresh = installation.key, installation.bot_refresh_token
        return replace(
            installation,
            bot_token=self.open(installation.bot_token, of=key),
            bot_refresh_token=None if refresh is None else self.open(refresh, of=key),
        )


class InstallationLister(Protocol):
    async def slack_installations(self) -> list[SlackInstallation]: ...


async def check_stored_tokens(store: InstallationLister, cipher: TokenCipher) -> int:
    """Open every stored token once (at startup), raising ``TokenKeyError`` for the first
    that cannot be; how many are stored plain although a key is set (they are sealed at
    their next save or refresh)."""
    plain = 0
    for installation in await store.slack_installations():
        for stored in (installation.bot_token, installation.bot_refresh_token):
            if stored is None:
                continue
            cipher.open(stored, of=installation.key)
            plain += cipher.encrypting and not stored.startswith(SEALED_PREFIX)
    return plain
