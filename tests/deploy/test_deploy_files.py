"""What deploy/ says, checked without a container engine or systemd running:
the Dockerfile, compose.yaml, env.example, the systemd unit and the entry script.

The slow half, which follows the Dockerfile's install steps in a real virtual
environment, is ``test_image_install.py``.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import FIELDS, load_settings
from tests.deploy.deploy_files import (
    COMPOSE,
    DOCKERFILE,
    ENTRYPOINT,
    ENV_EXAMPLE,
    OPERATIONS,
    REPO,
    SETTING_NAME,
    UNIT,
    compose,
    dockerfile_instructions,
    dockerignore_patterns,
    env_file_assignments,
    env_pairs,
    exec_form,
    ignored,
    unit_lines,
)

KNOWN = {spec.env for spec in FIELDS}
# Variables the deploy files may use that are not bot settings, each with the
# file that reads it (checked below, so this list cannot go stale).
EXTRA = {
    "TRIVIA_PLATFORM": ENTRYPOINT,  # picks `run discord` or `run slack` in the container
    "TRIVIA_CONFIG": REPO / "bot" / "config.py",  # names the TOML settings file
    "TRIVIA_PG_PASSWORD": COMPOSE,  # the compose file's PostgreSQL password, for the bots' URL
    "TRIVIA_EVENT_LOOP": REPO / "bot" / "app" / "event_loop.py",  # asyncio's loop or uvloop
}
INSTRUCTIONS = dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8"))
FINAL_STAGE = max(i.stage for i in INSTRUCTIONS)


def final(keyword: str) -> list[str]:
    return [i.args for i in INSTRUCTIONS if i.stage == FINAL_STAGE and i.keyword == keyword]


def final_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for args in final("ENV"):
        env |= env_pairs(args)
    return env


def healthcheck_command() -> list[str]:
    (args,) = final("HEALTHCHECK")
    _, _, command = args.partition(" CMD ")
    return exec_form(command)


# -- Dockerfile --------------------------------------------------------------------------------


def test_the_image_is_built_in_two_stages_on_python_3_11_slim() -> None:
    bases = [i.args for i in INSTRUCTIONS if i.keyword == "FROM"]
    assert bases == ["python:3.11-slim AS builder", "python:3.11-slim"]
    assert any(args.startswith("--from=builder ") for args in final("COPY"))
    assert not any("pip" in args for args in final("RUN")), "the final stage installs nothing"


def test_the_image_runs_as_an_unprivileged_user() -> None:
    (user,) = final("USER")
    assert user.split(":")[0] not in {"root", "0"}


def test_the_database_and_the_cache_are_on_the_volume_and_the_port_is_exposed() -> None:
    env = final_env()
    (volume,) = (exec_form(args) for args in final("VOLUME"))
    assert volume == ["/data"]
    assert Path(env["TRIVIA_DB"]).parent == Path("/data")
    assert Path(env["TRIVIA_CACHE_DIR"]).is_relative_to("/data")
    assert final("EXPOSE") == [env["TRIVIA_HTTP_PORT"]]


def test_the_entry_point_is_the_platform_script_from_deploy() -> None:
    (entrypoint,) = (exec_form(args) for args in final("ENTRYPOINT"))
    copies = [args.split() for args in final("COPY")]
    sources = {words[-1]: words[-2] for words in copies}
    # A bare name: found on the base image's PATH.
    installed = f"/usr/local/bin/{entrypoint[0]}"
    assert sources[installed] == "deploy/entrypoint.sh"
    assert exec_form(final("CMD")[0]) == []


class Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        Health.status = 200


def run_healthcheck(port: int) -> int:
    command = healthcheck_command()
    assert command[0] == "python"
    env = {"PATH": os.environ.get("PATH", ""), "TRIVIA_HTTP_PORT": str(port)}
    done = subprocess.run(
        [sys.executable, *command[1:]], env=env, capture_output=True, timeout=30, check=False
    )
    return done.returncode


def test_the_healthcheck_passes_on_200_and_fails_on_503(
    health_server: http.server.HTTPServer,
) -> None:
    port = health_server.server_address[1]
    assert run_healthcheck(port) == 0
    Health.status = 503
    assert run_healthcheck(port) != 0


def test_the_healthcheck_fails_when_nothing_listens(health_server: http.server.HTTPServer) -> None:
    port = health_server.server_address[1]
    health_server.server_close()
    assert run_healthcheck(port) != 0


def test_dockerignore_keeps_the_venv_git_databases_and_secrets_out() -> None:
    patterns = dockerignore_patterns()
    for path in (
        ".venv/bin/python",
        ".git/HEAD",
        "trivia.db",
        "data/trivia.db-wal",
        "bot/__pycache__/cli.cpython-311.pyc",
        ".pytest_cache/v",
        "deploy/discord.env",
    ):
        assert ignored(path, patterns), path
    for path in ("bot/cli.py", "README.md", "questions/bank.schema.json", "deploy/env.example"):
        assert not ignored(path, patterns), path


# -- compose.yaml ------------------------------------------------------------------------------


def all_services() -> dict[str, dict[str, object]]:
    found = compose()["services"]
    assert isinstance(found, dict)
    return found


def services() -> dict[str, dict[str, object]]:
    """The bots (the database beside them is checked on its own)."""
    return {name: s for name, s in all_services().items() if name != "postgres"}


def test_compose_has_postgresql_for_bots_that_outgrow_sqlite_when_asked_for() -> None:
    database = all_services()["postgres"]
    assert database["profiles"] == ["postgres"]  # SQLite stays the default
    assert str(database["image"]).startswith("postgres:15")
    assert database["volumes"] == ["trivia-postgres:/var/lib/postgresql/data"]
    assert "trivia-postgres" in compose()["volumes"]  # type: ignore[operator]
    check = database["healthcheck"]
    assert isinstance(check, dict)
    assert "pg_isready" in check["test"]
    environment = database["environment"]
    assert isinstance(environment, dict)
    # No default password: the profile does not start without one.
    assert environment["POSTGRES_PASSWORD"].startswith("${TRIVIA_PG_PASSWORD:?")
    assert "ports" not in database  # reachable from the bots only


def test_compose_runs_discord_and_slack_from_one_image_on_one_volume() -> None:
    found = services()
    assert sorted(found) == ["discord", "slack"]
    images = {str(s["image"]) for s in found.values()}
    assert len(images) == 1
    mounts = {tuple(s["volumes"]) for s in found.values()}  # type: ignore[arg-type]
    assert mounts == {("trivia-data:/data",)}
    assert compose()["volumes"] == {"trivia-data": None, "trivia-postgres": None}
    for service in found.values():
        build = service["build"]
        assert isinstance(build, dict)
        context = (COMPOSE.parent / str(build["context"])).resolve()
        assert context == REPO
        assert context / str(build["dockerfile"]) == DOCKERFILE


def test_each_compose_service_runs_its_platform_with_its_own_env_file() -> None:
    for name, service in services().items():
        assert service["environment"] == {"TRIVIA_PLATFORM": name}
        assert service["env_file"] == f"{name}.env"
        assert service["restart"] == "unless-stopped"
        assert service.get("command") is None, "the platform comes from TRIVIA_PLATFORM"


def test_compose_checks_health_like_the_image_and_waits_for_a_clean_stop() -> None:
    for service in services().values():
        check = service["healthcheck"]
        assert isinstance(check, dict)
        assert check["test"] == ["CMD", *healthcheck_command()]
        assert service["stop_grace_period"] == "30s"


# -- every file: settings the bot knows ---------------------------------------------------------

DEPLOY_FILES = [DOCKERFILE, COMPOSE, ENV_EXAMPLE, UNIT, ENTRYPOINT, OPERATIONS]


@pytest.mark.parametrize("path", DEPLOY_FILES, ids=lambda p: p.name)
def test_deploy_files_mention_only_settings_the_bot_knows(path: Path) -> None:
    mentioned = set(SETTING_NAME.findall(path.read_text(encoding="utf-8")))
    unknown = sorted(mentioned - KNOWN - set(EXTRA))
    assert not unknown, f"{path.name} mentions {unknown}, which bot/config.py does not read"


def test_the_extra_variables_are_read_where_claimed() -> None:
    for name, reader in EXTRA.items():
        assert name in reader.read_text(encoding="utf-8"), f"{reader} does not read {name}"


def test_env_example_lists_every_setting() -> None:
    listed = env_file_assignments(ENV_EXAMPLE.read_text(encoding="utf-8"), commented=True)
    missing = sorted(KNOWN - set(listed))
    assert not missing, f"deploy/env.example does not document {missing}"


def test_env_example_leaves_every_secret_blank() -> None:
    listed = env_file_assignments(ENV_EXAMPLE.read_text(encoding="utf-8"), commented=True)
    for spec in FIELDS:
        if spec.secret:
            assert listed[spec.env] == "", f"{spec.env} has a value in env.example"


def test_every_value_in_env_example_is_accepted_by_the_settings(tmp_path: Path) -> None:
    listed = env_file_assignments(ENV_EXAMPLE.read_text(encoding="utf-8"), commented=True)
    assert not any(value.startswith(("'", '"')) for value in listed.values()), "no quotes"
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    settings = load_settings(config_file=empty, environ=listed)
    overridden = {spec.name for spec in FIELDS if listed.get(spec.env)}
    assert set(settings.sources) == overridden


# -- systemd --------------------------------------------------------------------------------------


def service_options() -> dict[str, list[str]]:
    options: dict[str, list[str]] = {}
    for line in unit_lines(UNIT.read_text(encoding="utf-8")):
        if line.section == "Service":
            options.setdefault(line.key, []).append(line.value)
    return options


def test_the_unit_is_hardened() -> None:
    options = service_options()
    for key, value in {
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateDevices": "yes",
        "StateDirectory": "trivia-bot",
        "ReadWritePaths": "/var/lib/trivia-bot",
        "CapabilityBoundingSet": "",
    }.items():
        assert options.get(key) == [value], f"{key}={value} is missing"
    assert options["User"] != ["root"]


def test_the_unit_restarts_on_failure_but_not_on_bad_settings() -> None:
    options = service_options()
    assert options["Restart"] == ["on-failure"]
    assert options["RestartPreventExitStatus"] == ["2"]


def test_the_unit_stops_with_sigterm_and_waits_for_games_to_end() -> None:
    options = service_options()
    assert options["KillSignal"] == ["SIGTERM"]
    (timeout,) = options["TimeoutStopSec"]
    assert int(timeout.removesuffix("s")) >= 15


def test_the_unit_takes_its_platform_and_settings_from_the_instance_name() -> None:
    options = service_options()
    assert options["EnvironmentFile"] == ["/etc/trivia-bot/%i.env"]
    assert options["ExecStart"] == ["/opt/trivia-bot/bin/trivia-bot run %i"]
    defaults = dict(value.split("=", 1) for value in options["Environment"])
    assert Path(defaults["TRIVIA_DB"]).parent == Path("/var/lib/trivia-bot")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_rates_the_unit_well_exposed(tmp_path: Path) -> None:
    instance = tmp_path / "trivia-bot@discord.service"
    shutil.copy(UNIT, instance)
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--no-pager", str(instance)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+)", done.stdout)
    assert match, done.stdout + done.stderr
    assert float(match[1]) < 2.0, done.stdout


# -- the container's entry script ----------------------------------------------------------------


@pytest.fixture
def fake_bot(tmp_path: Path) -> Path:
    """A `trivia-bot` that prints the arguments it was given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "trivia-bot"
    script.write_text('#!/bin/sh\necho "trivia-bot $*"\n')
    script.chmod(0o755)
    return bin_dir


def entry(bin_dir: Path, *args: str, platform: str | None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    if platform is not None:
        env["TRIVIA_PLATFORM"] = platform
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize("platform", ["discord", "slack"])
def test_the_entry_script_runs_the_platform_in_trivia_platform(
    fake_bot: Path, platform: str
) -> None:
    done = entry(fake_bot, platform=platform)
    assert (done.returncode, done.stdout) == (0, f"trivia-bot run {platform}\n")


def test_the_entry_script_runs_a_command_it_is_given(fake_bot: Path) -> None:
    assert entry(fake_bot, "db", "check", platform="slack").stdout == "trivia-bot db check\n"
    assert entry(fake_bot, "trivia-bot", "--version", platform=None).stdout == (
        "trivia-bot --version\n"
    )


@pytest.mark.parametrize(("platform", "said"), [(None, "is not set"), ("irc", "not a platform")])
def test_the_entry_script_refuses_a_missing_or_unknown_platform(
    fake_bot: Path, platform: str | None, said: str
) -> None:
    done = entry(fake_bot, platform=platform)
    assert done.returncode == 2
    assert "TRIVIA_PLATFORM" in done.stderr
    assert said in done.stderr
    assert done.stdout == ""
