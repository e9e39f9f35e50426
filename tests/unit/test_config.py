"""Settings: defaults < TOML file < environment < command line, all problems at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import FIELDS, Settings, SettingsError, describe, load_settings
from bot.domain.model import GameMode


def test_later_sources_win(tmp_path: Path) -> None:
    config = tmp_path / "trivia.toml"
    config.write_text('rounds = 7\nseconds = 12\nmode = "choice"\n', encoding="utf-8")
    settings = load_settings(
        config_file=config, environ={"TRIVIA_ROUNDS": "8"}, overrides={"rounds": 9, "mode": None}
    )
    assert (settings.rounds, settings.seconds, settings.mode) == (9, 12.0, GameMode.CHOICE)
    assert settings.sources["rounds"] == "option --rounds"
    assert settings.sources["seconds"] == str(config)


def test_every_problem_is_reported_with_its_source(tmp_path: Path) -> None:
    config = tmp_path / "trivia.toml"
    config.write_text('rounds = "many"\nsecnds = 5\n', encoding="utf-8")
    env = {"TRIVIA_SECONDS": "2", "TRIVIA_MODE": "quiz", "TRIVIA_AUTO_HINTS": "maybe"}
    with pytest.raises(SettingsError) as caught:
        load_settings(config_file=config, environ=env)
    problems = "\n".join(caught.value.problems)
    assert f"{config}: rounds = 'many' must be a whole number from 1 to 50" in problems
    assert "unknown setting 'secnds'" in problems
    assert "environment TRIVIA_SECONDS: seconds = '2' must be from 5 to 300" in problems
    assert "must be 'text' or 'choice'" in problems
    assert "must be true or false" in problems
    assert len(caught.value.problems) == 5


def test_a_broken_or_missing_config_file_is_a_clear_problem(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("rounds = = 3", encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(config_file=broken, environ={})
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings(config_file=tmp_path / "nope.toml", environ={})


def test_trivia_config_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("pause = 0\n", encoding="utf-8")
    assert load_settings(environ={"TRIVIA_CONFIG": str(config)}).pause == 0


def test_question_paths_and_admin_ids_are_lists(tmp_path: Path) -> None:
    env = {"TRIVIA_QUESTIONS": f"{tmp_path}/a.yaml:{tmp_path}/b", "TRIVIA_SLACK_ADMINS": "U1, U2"}
    settings = load_settings(environ=env)
    assert settings.questions == (tmp_path / "a.yaml", tmp_path / "b")
    assert settings.slack_admins == ("U1", "U2")


def test_secrets_are_never_shown() -> None:
    settings = load_settings(environ={"DISCORD_TOKEN": "very-secret", "SLACK_BOT_TOKEN": "xoxb-1"})
    shown = {name: value for name, value, *_ in describe(settings)}
    assert shown["discord_token"] == "(set, hidden)"
    assert "very-secret" not in repr(settings)
    assert "xoxb-1" not in repr(settings)


def test_every_setting_has_an_environment_variable_and_help() -> None:
    names = {f.name for f in FIELDS}
    assert names == set(Settings.__dataclass_fields__) - {"sources"}
    assert all(f.env.isupper() and f.help for f in FIELDS)


def test_the_readme_documents_every_setting() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [f.env for f in FIELDS if f"| `{f.name}` | `{f.env}` |" not in readme]
    assert missing == [], "add these to the README's configuration table"


def test_lease_timings_default_to_15_and_60_seconds_and_are_bounded() -> None:
    defaults = load_settings(environ={})
    assert (defaults.lease_seconds, defaults.lease_wait) == (15.0, 60.0)
    short = load_settings(environ={"TRIVIA_LEASE_SECONDS": "2", "TRIVIA_LEASE_WAIT": "0"})
    assert (short.lease_seconds, short.lease_wait) == (2.0, 0.0)
    refused = r"TRIVIA_LEASE_SECONDS: lease_seconds = '0\.5' must be from 1"
    with pytest.raises(SettingsError, match=refused):
        load_settings(environ={"TRIVIA_LEASE_SECONDS": "0.5"})


KEY = "Bk2sX1f0sQm8d1yqLrP9m0wE2xVhN1w7c3kY5tU8z0A="  # 32 bytes, URL-safe base64


def test_the_slack_token_key_is_a_fernet_key_or_several_and_never_shown() -> None:
    other = "A" * 43 + "="
    settings = load_settings(environ={"TRIVIA_SLACK_TOKEN_KEY": f"{KEY}, {other}"})
    shown = {name: value for name, value, *_ in describe(settings)}
    assert settings.slack_token_key == (KEY, other)
    assert shown["slack_token_key"] == "(set, hidden)"
    assert KEY not in repr(settings)


@pytest.mark.parametrize("bad", ["not-a-key", KEY[:-4], KEY + KEY, f"{KEY},short"])
def test_a_malformed_slack_token_key_says_which_setting_and_how_to_make_one(bad: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"TRIVIA_SLACK_TOKEN_KEY": bad})
    (problem,) = caught.value.problems
    assert problem.startswith("environment TRIVIA_SLACK_TOKEN_KEY: slack_token_key = (hidden)")
    assert "is not a Fernet key" in problem
    assert "Fernet.generate_key()" in problem
    assert bad not in problem


def test_the_slack_apps_oauth_credentials_are_checked_and_the_secret_is_hidden() -> None:
    settings = load_settings(
        environ={"SLACK_CLIENT_ID": "1234567890.987654321", "SLACK_CLIENT_SECRET": "s3cr3t"}
    )
    shown = {name: value for name, value, *_ in describe(settings)}
    with pytest.raises(SettingsError) as bad:
        load_settings(environ={"SLACK_CLIENT_ID": "xoxb-not-an-id"})

    assert shown["slack_client_id"] == "1234567890.987654321"
    assert shown["slack_client_secret"] == "(set, hidden)"
    assert "s3cr3t" not in repr(settings)
    (problem,) = bad.value.problems
    assert problem.startswith("environment SLACK_CLIENT_ID: slack_client_id = 'xoxb-not-an-id'")
    assert "Client ID as its Basic Information page shows it" in problem


def test_a_nats_password_is_never_shown() -> None:
    urls = "nats://trivia:s3cr3t@nats-a:4222, nats://nats-b:4222"
    settings = load_settings(environ={"TRIVIA_NATS_URL": urls})
    shown = {name: value for name, value, *_ in describe(settings)}

    assert settings.nats_url == urls  # what the replicas connect with is untouched
    assert shown["nats_url"] == "nats://trivia:***@nats-a:4222,nats://nats-b:4222"
    assert "s3cr3t" not in shown["nats_url"]
