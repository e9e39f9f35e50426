"""Operators change bank files while the bot runs; a broken file never takes a bank away."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app.compose import open_app
from bot.bank import StaticQuestionBank, load_banks
from bot.bank.reload import BankReloader
from bot.bank.server_bank import ServerQuestionBank
from bot.bank.worker import WorkerProcess
from bot.config import Settings
from bot.domain.model import PlayerKey, Question, ServerKey
from tests.fakes import MemoryScoreStore, RecordingSink

SERVER = ServerKey("test", "guild-1")
NOW = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)
ONE = """
id: films
title: Films
questions:
  - {id: woo, prompt: Who directed Mission Impossible 2?, answers: [John Woo]}
"""
TWO = ONE + "  - {id: cams, prompt: How many cameras filmed the cliff?, answers: [5]}\n"
BROKEN = ONE + "  - {id: cams, prompt: How many cameras?, answrs: [5]}\n"


Reloading = tuple[BankReloader, ServerQuestionBank, MemoryScoreStore]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "films.yaml").write_text(ONE, encoding="utf-8")
    return banks


@pytest.fixture
async def reloader(folder: Path) -> AsyncIterator[Reloading]:
    store = MemoryScoreStore()
    bank = ServerQuestionBank(StaticQuestionBank(load_banks([folder])), store)
    reloader = BankReloader(bank=bank, paths=[folder], cache_dir=None)
    yield reloader, bank, store
    await reloader.close()


def ids(bank: ServerQuestionBank) -> list[str]:
    return [q.id for q in bank.static.all_questions]


def rewrite(path: Path, text: str) -> None:
    """Write and move the modification time on, as an editor saving twice a second might not."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


async def test_a_reload_serves_the_new_questions_to_the_next_game(
    reloader: Reloading, folder: Path
) -> None:
    reload, bank, _ = reloader
    rewrite(folder / "films.yaml", TWO)
    result = await reload.reload("test")
    assert result.ok
    assert (result.banks, result.questions) == (1, 2)
    assert ids(bank) == ["woo", "cams"]
    assert [q.id for q in await bank.questions(SERVER)] == ["woo", "cams"]


async def test_a_broken_file_is_refused_and_the_last_good_bank_stays(
    reloader: Reloading,
    folder: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reload, bank, _ = reloader
    rewrite(folder / "films.yaml", BROKEN)
    with caplog.at_level(logging.ERROR, logger="bot.bank.reload"):
        result = await reload.reload("test")
    assert not result.ok
    assert result.questions == 1
    assert any("answrs" in problem for problem in result.problems)
    assert ids(bank) == ["woo"]
    logged = caplog.text
    assert "refused" in logged
    assert "still serving the 1 question loaded before" in logged
    assert f"{folder / 'films.yaml'}:" in logged


async def test_a_changed_file_is_noticed_once(reloader: Reloading, folder: Path) -> None:
    reload, bank, _ = reloader
    assert await reload.check_files() is None
    rewrite(folder / "films.yaml", TWO)
    changed = await reload.check_files()
    assert changed is not None
    assert changed.ok
    assert ids(bank) == ["woo", "cams"]
    assert await reload.check_files() is None


async def test_a_new_file_in_the_folder_is_noticed(reloader: Reloading, folder: Path) -> None:
    reload, bank, _ = reloader
    (folder / "more.yaml").write_text(
        "id: more\ntitle: More\nquestions:\n  - {id: sky, prompt: Sky colour?, answers: [blue]}\n",
        encoding="utf-8",
    )
    result = await reload.check_files()
    assert result is not None
    assert sorted(ids(bank)) == ["sky", "woo"]


async def test_a_broken_file_is_tried_once_per_change_not_on_every_poll(
    reloader: Reloading, folder: Path
) -> None:
    reload, _, _ = reloader
    rewrite(folder / "films.yaml", BROKEN)
    first = await reload.check_files()
    assert first is not None
    assert not first.ok
    assert await reload.check_files() is None


async def test_the_watcher_polls_until_cancelled(reloader: Reloading, folder: Path) -> None:
    reload, bank, _ = reloader
    polls = 0
    changed = asyncio.Event()

    async def sleep(_: float) -> None:
        nonlocal polls
        polls += 1
        if polls == 2:
            rewrite(folder / "films.yaml", TWO)
        if polls == 3:
            changed.set()
        await asyncio.sleep(0)

    watcher = asyncio.create_task(reload.watch(5, sleep=sleep))
    await asyncio.wait_for(changed.wait(), 30)
    watcher.cancel()
    with pytest.raises(asyncio.CancelledError):
        await watcher
    assert ids(bank) == ["woo", "cams"]


async def test_sighup_reloads_a_running_app_and_its_pid_file_lists_it(
    folder: Path, tmp_path: Path
) -> None:
    settings = Settings(
        db=tmp_path / "trivia.db",
        questions=(folder,),
        cache_dir=None,
        reload_seconds=0,
    )
    pid_file = tmp_path / f"trivia.db.{os.getpid()}.pid"
    async with open_app(settings, sink=RecordingSink()) as app:
        assert pid_file.read_text().split()[0] == str(os.getpid())
        rewrite(folder / "films.yaml", TWO)
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(600):  # bounded poll: the reload runs in a worker process
            if len(app.bank.static.all_questions) == 2:
                break
            await asyncio.sleep(0.05)
        assert ids(app.bank) == ["woo", "cams"]
    assert not pid_file.exists()


async def test_a_reload_reads_other_processes_changes_even_when_refused(
    reloader: Reloading, folder: Path
) -> None:
    reload, bank, store = reloader
    assert await bank.custom_questions(SERVER) == ()  # cached now
    added = Question(id="mine", prompt="Added from the command line?", answers=("yes",))
    await store.save_custom_question(SERVER, added, by=PlayerKey("test", "guild-1", "cli"), at=NOW)
    rewrite(folder / "films.yaml", BROKEN)
    result = await reload.reload("SIGHUP")
    assert not result.ok
    assert [q.id for q in await bank.custom_questions(SERVER)] == ["mine"]


async def test_a_dead_worker_process_is_replaced() -> None:
    worker = WorkerProcess()
    try:
        first = await worker.run(os.getpid)
        os.kill(first, signal.SIGKILL)
        second = await worker.run(os.getpid)
        assert second != first
    finally:
        worker.close()
