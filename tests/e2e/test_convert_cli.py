"""An operator turns Red-DiscordBot trivia lists into bank files that every server is served."""

from __future__ import annotations

from pathlib import Path

from bot.bank import bundled_bank_dir, load_banks
from tests.e2e.conftest import run_cli

RED_LISTS = Path(__file__).resolve().parents[1] / "unit" / "red_lists"
# What each list of red_lists/ (not its subfolder) becomes: file -> questions written.
WRITTEN = {
    "red-links-and-quotes.yaml": 8,
    "red-messy.yaml": 4,
    "red-multiline.yaml": 4,
    "red-plain.yaml": 4,
    "red-yaml11.yaml": 9,
}


def convert(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    result = run_cli("questions", "convert", "--from", "red", *args, env=env)
    return result.returncode, result.stdout, result.stderr


def test_a_folder_of_lists_becomes_one_bank_file_per_list(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    out_dir = tmp_path / "banks" / "red"  # created, parents too

    code, out, err = convert(str(RED_LISTS), "-o", str(out_dir), env=cli_env)

    # messy.yaml has questions that cannot be converted: reported, skipped, exit 1.
    assert code == 1, err
    assert sorted(path.name for path in out_dir.iterdir()) == sorted(WRITTEN)
    assert "messy.yaml -> red-messy.yaml: 4 questions written, 8 skipped" in out
    assert "plain.yaml -> red-plain.yaml: 4 questions written, 0 skipped" in out
    assert f"5 lists converted into {out_dir}: 29 questions written, 8 skipped." in out
    assert f"{RED_LISTS / 'messy.yaml'}:13:" in err  # file and line of a skipped entry
    assert "already on line 11" in err
    banks = load_banks([bundled_bank_dir(), out_dir], cache_dir=None)
    counts = {Path(bank.info.path).name: len(bank.questions) for bank in banks}
    assert {name: counts[name] for name in WRITTEN} == WRITTEN
    check = run_cli("questions", "validate", str(out_dir), env=cli_env)
    assert check.returncode == 0, check.stderr
    assert check.stdout.count("ok  ") == len(WRITTEN)


def test_the_banks_are_served_through_trivia_questions(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    out_dir = tmp_path / "red"
    code, out, err = convert(str(RED_LISTS / "pair"), "-o", str(out_dir), env=cli_env)
    assert code == 0, err
    assert f"2 lists converted into {out_dir}: 4 questions written, 0 skipped." in out

    env = {**cli_env, "TRIVIA_QUESTIONS": f"{bundled_bank_dir()}:{out_dir}"}
    listed = run_cli("questions", "show", "red-rivers-which-river-flows-through-cairo", env=env)

    assert listed.returncode == 0, listed.stderr
    assert "Nile" in listed.stdout


def test_existing_files_are_kept_unless_forced_and_ids_stay_the_same(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    out_dir = tmp_path / "red"
    code, _, err = convert(str(RED_LISTS / "pair"), "-o", str(out_dir), env=cli_env)
    assert code == 0, err
    first = {path.name: path.read_text(encoding="utf-8") for path in out_dir.iterdir()}
    (out_dir / "red-rivers.yaml").write_text("# edited by hand\n", encoding="utf-8")

    code, out, err = convert(str(RED_LISTS / "pair"), "-o", str(out_dir), env=cli_env)

    assert code == 1
    assert out == ""
    assert "red-capitals.yaml" in err
    assert "red-rivers.yaml" in err
    assert "--force" in err
    assert "nothing was written" in err
    assert (out_dir / "red-rivers.yaml").read_text(encoding="utf-8") == "# edited by hand\n"

    code, _, err = convert(str(RED_LISTS / "pair"), "-o", str(out_dir), "--force", env=cli_env)

    assert code == 0, err
    assert {path.name: path.read_text(encoding="utf-8") for path in out_dir.iterdir()} == first


def test_an_output_that_is_a_file_is_refused(tmp_path: Path, cli_env: dict[str, str]) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("keep me\n", encoding="utf-8")

    code, _, err = convert(str(RED_LISTS / "pair"), "-o", str(target), env=cli_env)

    assert code == 2
    assert "is a file" in err
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_a_list_that_cannot_be_read_is_reported_and_the_others_are_written(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "good.yaml").write_text("What is two and two?: [4, four]\n", encoding="utf-8")
    (lists / "broken.yaml").write_text("- not\n- a list\n", encoding="utf-8")
    out_dir = tmp_path / "out"

    code, out, err = convert(str(lists), "-o", str(out_dir), env=cli_env)

    assert code == 1
    assert [path.name for path in out_dir.iterdir()] == ["red-good.yaml"]
    assert "good.yaml -> red-good.yaml: 1 question written, 0 skipped" in out
    assert f"{lists / 'broken.yaml'}:1:" in err
    assert "broken.yaml: not converted" in out
