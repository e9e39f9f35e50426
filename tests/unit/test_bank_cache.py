"""The bank cache returns what parsing would, and never trusts a bad entry."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.bank import (
    BankError,
    LoadedBank,
    cache,
    load_bank_file,
    load_banks,
    loader,
    synthetic_bank_text,
)

BANK = synthetic_bank_text(40)


class ParseCounter:
    """Counts the loader's real parses, through the name the cache calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = loader.load_bank_text

        def counting(text: str | bytes, *, path: str) -> LoadedBank:
            self.calls += 1
            return real(text, path=path)

        monkeypatch.setattr(loader, "load_bank_text", counting)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> ParseCounter:
    return ParseCounter(monkeypatch)


@pytest.fixture
def bank_file(tmp_path: Path) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(BANK, encoding="utf-8")
    return path


def only_entry(cache_dir: Path) -> Path:
    (entry,) = cache_dir.iterdir()
    return entry


def test_an_unchanged_bank_comes_from_the_cache_without_parsing(
    bank_file: Path, tmp_path: Path, parses: ParseCounter
) -> None:
    cache_dir = tmp_path / "cache"
    first = load_bank_file(bank_file, cache_dir=cache_dir)

    second = load_bank_file(bank_file, cache_dir=cache_dir)

    assert parses.calls == 1
    assert second == first
    assert len(second.questions) == 40


def test_the_cache_serves_the_path_the_bank_was_asked_by(
    bank_file: Path, tmp_path: Path, parses: ParseCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    load_bank_file(bank_file, cache_dir=cache_dir)
    monkeypatch.chdir(tmp_path)

    again = load_bank_file(Path("bank.yaml"), cache_dir=cache_dir)

    assert parses.calls == 1
    assert again.info.path == "bank.yaml"


def test_an_edited_bank_is_parsed_again_and_its_entry_replaced(
    bank_file: Path, tmp_path: Path, parses: ParseCounter
) -> None:
    cache_dir = tmp_path / "cache"
    load_bank_file(bank_file, cache_dir=cache_dir)
    bank_file.write_text(synthetic_bank_text(3), encoding="utf-8")

    edited = load_bank_file(bank_file, cache_dir=cache_dir)
    load_bank_file(bank_file, cache_dir=cache_dir)

    assert parses.calls == 2
    assert len(edited.questions) == 3
    only_entry(cache_dir)  # one entry per bank file, however often it changes


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: b"\x00\xff garbage", id="garbage"),
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
        pytest.param(lambda raw: raw.replace(b"series", b"serial", 1), id="one-word-changed"),
        pytest.param(lambda raw: b"0" * 64 + raw[64:], id="checksum-wrong"),
    ],
)
def test_a_corrupt_cache_entry_is_ignored_and_rewritten(
    bank_file: Path,
    tmp_path: Path,
    parses: ParseCounter,
    damage: Callable[[bytes], bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache_dir = tmp_path / "cache"
    good = load_bank_file(bank_file, cache_dir=cache_dir)
    entry = only_entry(cache_dir)
    entry.write_bytes(damage(entry.read_bytes()))

    with caplog.at_level(logging.WARNING, logger="bot.bank.cache"):
        reloaded = load_bank_file(bank_file, cache_dir=cache_dir)
    load_bank_file(bank_file, cache_dir=cache_dir)

    assert reloaded == good
    assert parses.calls == 2  # the damaged entry was replaced by a good one
    assert "corrupt" in caplog.text


def test_a_well_formed_entry_of_the_wrong_shape_is_ignored(
    bank_file: Path, tmp_path: Path, parses: ParseCounter
) -> None:
    cache_dir = tmp_path / "cache"
    good = load_bank_file(bank_file, cache_dir=cache_dir)
    entry = only_entry(cache_dir)
    body = entry.read_bytes().partition(b"\n")[2].replace(b'"questions":[[', b'"questions":[[1,', 1)
    entry.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)

    assert load_bank_file(bank_file, cache_dir=cache_dir) == good
    assert parses.calls == 2


def test_an_entry_from_another_loader_version_is_stale(
    bank_file: Path, tmp_path: Path, parses: ParseCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    load_bank_file(bank_file, cache_dir=cache_dir)

    monkeypatch.setattr(cache, "LOADER_VERSION", "bank-loader-next")
    load_bank_file(bank_file, cache_dir=cache_dir)
    load_bank_file(bank_file, cache_dir=cache_dir)

    assert parses.calls == 2


def test_a_cache_that_cannot_be_written_only_costs_speed(
    bank_file: Path, tmp_path: Path, parses: ParseCounter, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")

    with caplog.at_level(logging.WARNING, logger="bot.bank.cache"):
        first = load_bank_file(bank_file, cache_dir=not_a_folder)
        second = load_bank_file(bank_file, cache_dir=not_a_folder)

    assert first == second
    assert parses.calls == 2
    assert "cannot write bank cache" in caplog.text
    assert not list(tmp_path.glob("cache*/.bank-*"))


def test_a_bank_with_problems_is_never_cached(tmp_path: Path, parses: ParseCounter) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: b-1\ntitle: T\nquestions: []\n")
    cache_dir = tmp_path / "cache"

    for _ in range(2):
        with pytest.raises(BankError):
            load_banks([broken], cache_dir=cache_dir)

    assert parses.calls == 2
    assert not cache_dir.exists() or not any(cache_dir.iterdir())


def test_load_banks_uses_the_cache_for_every_file(tmp_path: Path, parses: ParseCounter) -> None:
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "a.yaml").write_text(synthetic_bank_text(5, seed=1))
    (folder / "b.yaml").write_text(synthetic_bank_text(5, seed=2))
    cache_dir = tmp_path / "cache"

    first = load_banks([folder], cache_dir=cache_dir)
    second = load_banks([folder], cache_dir=cache_dir)

    assert second == first
    assert parses.calls == 2
