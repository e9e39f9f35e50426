"""Many Red-DiscordBot lists become banks that load together (``questions convert``)."""

from __future__ import annotations

from pathlib import Path

from bot.bank import load_bank_text, load_banks
from bot.bank.red_import import convert_red_files, convert_red_list

LISTS = Path(__file__).parent / "red_lists"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def written(folder: Path, lists: Path) -> Path:
    """Convert ``lists`` and write each bank as the CLI does; return the folder."""
    converted, _ = convert_red_files([lists])
    for item in converted:
        if item.conversion is not None:
            write(folder, item.conversion.file_name, item.conversion.bank_text)
    return folder


def test_each_list_says_how_many_of_its_questions_were_written_and_skipped() -> None:
    converted, missing = convert_red_files([LISTS])

    assert missing == []
    counts = {
        item.path.name: (item.conversion.questions, item.conversion.skipped)
        for item in converted
        if item.conversion is not None
    }
    assert counts == {
        "links_and_quotes.yaml": (8, 0),  # one answer left out, no question
        "messy.yaml": (4, 8),
        "multiline.yaml": (4, 0),
        "plain.yaml": (4, 0),
        "yaml11.yaml": (9, 0),
    }


def test_the_written_banks_load_together(tmp_path: Path) -> None:
    folder = written(tmp_path / "out", LISTS)

    banks = load_banks([folder], cache_dir=None)

    assert {bank.info.id: len(bank.questions) for bank in banks} == {
        "red-links-and-quotes": 8,
        "red-messy": 4,
        "red-multiline": 4,
        "red-plain": 4,
        "red-yaml11": 9,
    }
    assert [Path(bank.info.path).name for bank in banks] == [
        f"{bank.info.id}.yaml" for bank in banks
    ]


def test_a_question_id_another_list_has_is_skipped_and_reported(tmp_path: Path) -> None:
    # "world capitals" + "Of France?" and "world" + "Capitals of France?" make one id.
    lists = tmp_path / "lists"
    write(lists, "world capitals.yaml", "Of France?: [Paris]\nOf Peru?: [Lima]\n")
    write(lists, "world.yaml", "Capitals of France?: [Paris]\nLargest ocean?: [Pacific]\n")
    assert (
        "red-world-capitals-of-france"
        in convert_red_list(
            (lists / "world.yaml").read_text(encoding="utf-8"), path="world.yaml"
        ).question_ids
    )

    converted, _ = convert_red_files([lists])

    first, second = converted
    assert first.conversion is not None
    assert second.conversion is not None
    assert first.conversion.question_ids == (
        "red-world-capitals-of-france",
        "red-world-capitals-of-peru",
    )
    assert second.conversion.question_ids == ("red-world-largest-ocean",)
    assert second.conversion.skipped == 1
    (problem,) = second.problems
    assert (problem.path, problem.line, problem.field) == (str(lists / "world.yaml"), 1, "id")
    assert "red-world-capitals-of-france" in problem.message
    assert "world capitals.yaml" in problem.message
    assert load_banks([written(tmp_path / "out", lists)], cache_dir=None)


def test_a_list_with_the_bank_id_of_another_is_not_converted_and_the_rest_are(
    tmp_path: Path,
) -> None:
    lists = tmp_path / "lists"
    write(lists, "Music.yaml", "Q?: [a]\n")
    write(lists, "music.yml", "R?: [b]\n")
    write(lists, "sport.yaml", "S?: [c]\n")

    converted, _ = convert_red_files([lists])

    assert [(item.path.name, item.conversion is not None) for item in converted] == [
        ("Music.yaml", True),
        ("music.yml", False),
        ("sport.yaml", True),
    ]
    (problem,) = converted[1].problems
    assert "red-music" in problem.message
    assert "rename one of the files" in problem.message


def test_a_broken_list_does_not_stop_the_others(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    write(lists, "bad.yaml", "- not\n- a list\n")
    write(lists, "good.yaml", "Q?: [a]\n")

    converted, missing = convert_red_files([lists, tmp_path / "missing"])

    (nothing,) = missing
    assert nothing.path == str(tmp_path / "missing")
    bad, good = converted
    assert bad.conversion is None
    assert bad.problems[0].path == str(lists / "bad.yaml")
    assert good.conversion is not None
    assert good.problems == ()


def test_ids_do_not_depend_on_which_lists_are_converted_together(tmp_path: Path) -> None:
    alone, _ = convert_red_files([LISTS / "plain.yaml"])
    together, _ = convert_red_files([LISTS])
    again, _ = convert_red_files([LISTS])

    (plain,) = [item for item in together if item.path.name == "plain.yaml"]
    assert alone[0].conversion == plain.conversion
    assert [item.conversion for item in together] == [item.conversion for item in again]
    assert alone[0].conversion is not None
    bank = load_bank_text(alone[0].conversion.bank_text, path="plain.yaml")
    assert [q.id for q in bank.questions] == list(alone[0].conversion.question_ids)
