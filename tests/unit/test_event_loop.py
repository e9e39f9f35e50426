"""The event loop a command runs on: asyncio's own unless TRIVIA_EVENT_LOOP says uvloop."""

from __future__ import annotations

import asyncio
import builtins
import json
from typing import Any

import pytest
from click.testing import CliRunner

from bot.app.event_loop import EventLoopUnavailable, chosen_loop, run
from bot.cli import main


async def loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_commands_run_on_asyncios_own_loop_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRIVIA_EVENT_LOOP", raising=False)
    assert chosen_loop() == "asyncio"
    assert run(loop_module()).startswith("asyncio")


def test_uvloop_runs_the_command_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("uvloop")
    monkeypatch.setenv("TRIVIA_EVENT_LOOP", "uvloop")
    assert run(loop_module()).startswith("uvloop")
    monkeypatch.setenv("TRIVIA_EVENT_LOOP", "asyncio")
    assert run(loop_module(), loop="uvloop").startswith("uvloop")  # the argument wins


def test_an_unknown_loop_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIVIA_EVENT_LOOP", "trio")
    with pytest.raises(EventLoopUnavailable, match="'trio' is not an event loop"):
        run(loop_module())


def test_uvloop_asked_for_but_not_installed_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def no_uvloop(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "uvloop":
            raise ModuleNotFoundError("No module named 'uvloop'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_uvloop)
    with pytest.raises(EventLoopUnavailable, match=r"pip install 'trivia-bot\[uvloop\]'"):
        run(loop_module(), loop="uvloop")


def test_the_bench_measures_on_both_loops_side_by_side(tmp_path: Any) -> None:
    pytest.importorskip("uvloop")
    sizes = ["--channels", "3", "--players", "2", "--seconds", "0.5", "--rate", "100"]
    sizes += ["--steady-rate", "50", "--million", "0", "--dir", str(tmp_path)]
    result = CliRunner().invoke(main, ["bench", *sizes, "--loop", "both", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert sorted(figures) == ["sqlite", "sqlite on uvloop"]
    assert figures["sqlite"]["loop"] == "asyncio"
    assert figures["sqlite on uvloop"]["loop"] == "uvloop"
    assert all(f["paced_answers_per_s"] > 0 for f in figures.values())
