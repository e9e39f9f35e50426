"""Slack tokens at rest: sealed with TRIVIA_SLACK_TOKEN_KEY, opened with it (or the key before
it), and a clear refusal when the key is missing or wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.slack_installations import InstallationKey, SlackInstallation
from bot.slack_tokens import TokenCipher, TokenKeyError, check_stored_tokens
from bot.storage.sqlite.store import open_sqlite_store
from tests.helpers import rows

TOKEN = "xoxe.xoxb-1-T0BETA-secret"
NEW, OLD = Fernet.generate_key().decode(), Fernet.generate_key().decode()
AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def installation(cipher: TokenCipher, team: str = "T0BETA") -> SlackInstallation:
    return SlackInstallation(
        enterprise_id=None,
        team_id=team,
        bot_user_id="U0BOT",
        bot_id="B0BOT",
        bot_token=cipher.seal(TOKEN),
        bot_refresh_token=cipher.seal("xoxe-1-refresh"),
        bot_token_expires_at=AT + timedelta(hours=12),
        installed_at=AT,
    )


def test_without_a_key_tokens_are_kept_as_they_are() -> None:
    plain = TokenCipher()
    assert not plain.encrypting
    assert plain.seal(TOKEN) == TOKEN
    assert plain.open(TOKEN) == TOKEN


def test_with_a_key_a_token_is_sealed_and_opened_again() -> None:
    cipher = TokenCipher([NEW])
    sealed = cipher.seal(TOKEN)
    assert sealed.startswith("fernet:")
    assert "xox" not in sealed
    assert sealed != cipher.seal(TOKEN)  # a fresh IV each time
    assert cipher.open(sealed) == TOKEN


def test_a_plain_token_stored_before_the_key_was_set_still_opens() -> None:
    assert TokenCipher([NEW]).open(TOKEN) == TOKEN


def test_listing_the_old_key_after_the_new_one_reads_both_and_seals_with_the_new() -> None:
    by_old = TokenCipher([OLD]).seal(TOKEN)
    both = TokenCipher([NEW, OLD])
    assert both.open(by_old) == TOKEN
    assert TokenCipher([NEW]).open(both.seal(TOKEN)) == TOKEN
    with pytest.raises(TokenKeyError):
        TokenCipher([OLD]).open(both.seal(TOKEN))


def test_a_sealed_token_without_a_key_names_the_setting_and_the_installation() -> None:
    sealed = TokenCipher([NEW]).seal(TOKEN)
    with pytest.raises(TokenKeyError) as caught:
        TokenCipher().open(sealed, of=InstallationKey(None, "T0BETA"))
    message = str(caught.value)
    assert "TRIVIA_SLACK_TOKEN_KEY is not set" in message
    assert "workspace T0BETA" in message


def test_the_wrong_key_says_it_is_not_the_key_and_how_to_change_keys() -> None:
    sealed = TokenCipher([OLD]).seal(TOKEN)
    with pytest.raises(TokenKeyError, match=r"not the key they were encrypted with.*new,old"):
        TokenCipher([NEW]).open(sealed)


def test_a_malformed_key_is_refused_when_the_cipher_is_made() -> None:
    with pytest.raises(TokenKeyError, match=r"TRIVIA_SLACK_TOKEN_KEY: key 2 is not a Fernet key"):
        TokenCipher([NEW, "short"])


async def test_tokens_reach_the_database_sealed(tmp_path: Path) -> None:
    db = tmp_path / "trivia.db"
    store = await open_sqlite_store(db)
    try:
        await store.save_slack_installation(installation(TokenCipher([NEW])))
    finally:
        await store.close()
    ((bot_token, refresh),) = rows(
        db, "SELECT bot_token, bot_refresh_token FROM slack_installations"
    )
    assert str(bot_token).startswith("fernet:")
    assert str(refresh).startswith("fernet:")
    assert "xox" not in f"{bot_token}{refresh}"


async def test_the_startup_check_refuses_a_key_that_cannot_open_the_stored_tokens(
    tmp_path: Path,
) -> None:
    store = await open_sqlite_store(tmp_path / "trivia.db")
    try:
        await store.save_slack_installation(installation(TokenCipher([OLD])))
        await store.save_slack_installation(installation(TokenCipher(), team="T0PLAIN"))

        assert await check_stored_tokens(store, TokenCipher([NEW, OLD])) == 2  # T0PLAIN's two
        with pytest.raises(TokenKeyError, match="stored for workspace T0BETA"):
            await check_stored_tokens(store, TokenCipher([NEW]))
        with pytest.raises(TokenKeyError, match="is not set"):
            await check_stored_tokens(store, TokenCipher())
    finally:
        await store.close()
