"""Loading banks from files and folders as one set, and serving them."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot
from bot.bank import (
    BankError,
    StaticQuestionBank,
    bank_files,
    bundled_bank_dir,
    load_bank_text,
    load_banks,
)
from bot.domain.model import ServerKey


def write_bank(path: Path, bank_id: str, *question_ids: str) -> Path:
    lines = [f"id: {bank_id}", f"title: {bank_id}", "questions:"]
    for question_id in question_ids:
        lines += [f"  - id: {question_id}", f"    prompt: {question_id}?", "    answers: [a]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_folder_loads_its_yaml_and_yml_files_in_name_order(tmp_path: Path) -> None:
    write_bank(tmp_path / "b.yml", "bank-b", "b-1")
    write_bank(tmp_path / "a.yaml", "bank-a", "a-1", "a-2")
    (tmp_path / "notes.txt").write_text("not a bank")
    (tmp_path / "bank.schema.json").write_text("{}")
    (tmp_path / "nested").mkdir()
    write_bank(tmp_path / "nested" / "c.yaml", "bank-c", "c-1")

    banks = load_banks([tmp_path])

    assert [bank.info.id for bank in banks] == ["bank-a", "bank-b"]
    assert [q.id for bank in banks for q in bank.questions] == ["a-1", "a-2", "b-1"]
    assert banks[0].info.path == str(tmp_path / "a.yaml")


def test_files_and_folders_mix_and_a_file_named_twice_loads_once(tmp_path: Path) -> None:
    folder = tmp_path / "banks"
    folder.mkdir()
    inside = write_bank(folder / "a.yaml", "bank-a", "a-1")
    extra = write_bank(tmp_path / "extra.yaml", "bank-x", "x-1")

    banks = load_banks([folder, inside, extra])

    assert [bank.info.id for bank in banks] == ["bank-a", "bank-x"]


def test_duplicate_question_ids_across_files_name_both_files(tmp_path: Path) -> None:
    first = write_bank(tmp_path / "a.yaml", "bank-a", "shared-id", "a-2")
    second = write_bank(tmp_path / "b.yaml", "bank-b", "b-1", "shared-id")

    with pytest.raises(BankError) as raised:
        load_banks([tmp_path])

    (problem,) = raised.value.problems
    assert (problem.path, problem.line, problem.question_id, problem.field) == (
        str(second),
        7,
        "shared-id",
        "id",
    )
    assert f"already used in {first}:4" in problem.message
    assert f"{second}:7" in str(problem)


def test_duplicate_bank_ids_across_files_are_reported(tmp_path: Path) -> None:
    write_bank(tmp_path / "a.yaml", "same-bank", "a-1")
    second = write_bank(tmp_path / "b.yaml", "same-bank", "b-1")

    with pytest.raises(BankError) as raised:
        load_banks([tmp_path])

    (problem,) = raised.value.problems
    assert (problem.path, problem.field) == (str(second), "id")
    assert str(tmp_path / "a.yaml") in problem.message


def test_the_problems_of_every_file_come_in_one_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: bank-a\ntitle: A\nquestions: []\n")
    (tmp_path / "b.yaml").write_text("id: bank-b\nquestions: [{id: b-1, prompt: P, answers: []}]\n")
    write_bank(tmp_path / "c.yaml", "bank-c", "c-1")

    with pytest.raises(BankError) as raised:
        load_banks([tmp_path])

    assert [(Path(p.path).name, p.field) for p in raised.value.problems] == [
        ("a.yaml", "questions"),
        ("b.yaml", "title"),
        ("b.yaml", "answers"),
    ]


def test_missing_paths_and_empty_folders_are_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()

    files, problems = bank_files([tmp_path / "nowhere.yaml", empty])

    assert files == []
    assert [(p.path, p.message) for p in problems] == [
        (str(tmp_path / "nowhere.yaml"), "no such file or folder"),
        (str(empty), "the folder holds no .yaml or .yml bank files"),
    ]


def test_the_bundled_banks_live_in_the_checkouts_questions_folder() -> None:
    folder = bundled_bank_dir()

    assert folder == Path(bot.__file__).parent.parent / "questions"
    assert (folder / "mission-impossible-2.yaml").is_file()


def test_an_installed_wheel_reads_its_bundled_questions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site-packages" / "bot"
    (package / "bundled_questions").mkdir(parents=True)
    monkeypatch.setattr(bot, "__file__", str(package / "__init__.py"))

    assert bundled_bank_dir() == package / "bundled_questions"


async def test_the_static_bank_serves_every_file_question_to_every_server() -> None:
    first = load_bank_text(
        "id: bank-a\ntitle: A\nquestions: [{id: a-1, prompt: P, answers: [x]}]", path="a.yaml"
    )
    second = load_bank_text(
        "id: bank-b\ntitle: B\nquestions: [{id: b-1, prompt: Q, answers: [y]}]", path="b.yaml"
    )

    bank = StaticQuestionBank([first, second])

    for server in (ServerKey("discord", "1"), ServerKey("slack", "T1")):
        assert [q.id for q in await bank.questions(server)] == ["a-1", "b-1"]
    assert bank.get("b-1") == second.questions[0]
    assert bank.get("nope") is None
    assert bank.banks == (first, second)
    assert bank.all_questions == first.questions + second.questions


def test_the_static_bank_refuses_duplicate_ids() -> None:
    text = "id: {0}\ntitle: T\nquestions: [{{id: same, prompt: P, answers: [x]}}]"
    first = load_bank_text(text.format("bank-a"), path="a.yaml")
    second = load_bank_text(text.format("bank-b"), path="b.yaml")

    with pytest.raises(ValueError, match="'same' is in banks 'bank-a' and 'bank-b'"):
        StaticQuestionBank([first, second])
