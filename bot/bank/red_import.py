"""Convert Red-DiscordBot trivia lists into bank files.

A Red list is one YAML mapping of question text to a list of answers, plus a
few optional upper-case keys::

    AUTHOR: Ada                     # or a list of names
    DESCRIPTION: Capitals and rivers.
    CONFIG: {delay: 20, max_score: 10}
    What is the capital of France?:
    - Paris
    Who is this? https://example.com/cat.png:
    - a cat
    "Colons followed by a space: they need quotes?":
    - yes
    ? |
      A question on
      two lines?
    : - 1969

``convert_red_list`` turns one list into the text of one bank file (our
format, see ``bot/bank/format.py``) and says what it could not carry over:

- every scalar is read as written (the node tree of ``yaml_tree``), so an
  answer ``yes``, ``1.0`` or ``5`` stays "yes", "1.0", "5" where Red itself
  would read True, 1.0, 5; question text keeps its URLs, quotes, colons and
  line breaks;
- the list's name (the file name without its extension) becomes the bank's
  title, and its slug the bank id (``red-<slug>``) and every question's
  category; every question gets difficulty ``medium`` and the tag
  ``red-import``;
- question ids are ``red-<list slug>-<question slug>``, with a short hash of
  the question's text added when the slug was cut short, lost letters (non
  Latin scripts), or is shared with another question of the list.  An id
  depends only on the list's name and the question's text (and, for the rare
  shared slugs, on the questions sharing it), so importing the same list again
  gives the same ids and updates questions instead of adding copies;
- empty answers are dropped quietly, answers equal after
  ``bot.domain.answers.normalise`` are kept once; what cannot be carried over
  (a question over our length limit, a repeated question, a question with no
  answer a player could type, an answer that is a list, too long, or has no
  letter or digit, an AUTHOR or DESCRIPTION cut to fit) is a ``problem``
  naming file and line: the rest of the list is still converted;
- ``CONFIG`` holds Red's game settings, which have no place in a bank: each
  one becomes a ``note`` saying what trivia-bot does instead.

A file that cannot be read as a list at all (binary, not UTF-8, over 5 MiB,
broken YAML, not a mapping, an alias bomb, or without one usable question)
raises ``BankError`` instead, like the loader.  The bank text returned has
always been loaded by ``load_bank_text``: the import never yields a bank that
trivia-bot would refuse.

``convert_red_files`` converts many lists so that their banks load together
(``load_banks``, ``TRIVIA_QUESTIONS``): each list on its own, a list that
fails not stopping the others, and no bank id or question id used twice (a
list whose bank id an earlier one has is not converted; a question whose id a
question of an earlier list has is skipped and reported).  ``trivia-bot
questions convert`` writes them as bank files, ``questions import --format
red`` (``convert_red_path``) makes them a server's own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import yaml

from bot.bank.files import bank_files, read_bank_bytes
from bot.bank.format import (
    MAX_CATEGORY,
    MAX_FILE_BYTES,
    MAX_QUESTIONS,
    MAX_TITLE,
)
from bot.bank.loader import load_bank_text
from bot.bank.problems import BankError, BankProblem, capped
from bot.bank.red_ids import list_id_slug, question_ids, slug_of, trim_slug
from bot.bank.red_list import (
    RedEntry,
    RedList,
    excerpt,
    file_error,
    file_problem,
    printable,
    read_list,
    tag_problems,
)
from bot.bank.walker import BudgetExhausted, NodeWalker
from bot.bank.yaml_tree import STR_TAG, compose_bank, gc_paused
from bot.domain.words import plural

log = logging.getLogger(__name__)

__all__ = [
    "IMPORT_TAG",
    "RedConversion",
    "RedListFile",
    "convert_red_files",
    "convert_red_list",
    "convert_red_path",
    "red_bank_id",
]

IMPORT_TAG = "red-import"
"""The tag every converted question carries."""

_ID_PREFIX = "red"

# Where a question starts in the bank text (see _fitting).
_QUESTION_START = re.compile(rb"\n- id: ")


@dataclass(frozen=True, slots=True)
class RedConversion:
    """One converted list.

    ``bank_text`` is a bank file in our format, already loaded once by
    ``load_bank_text``, whose id is ``bank_id`` and which holds ``questions``
    questions.  ``problems`` is what the list holds that the bank does not
    (skipped questions, left-out answers, metadata cut to fit), each with
    file, line and why, in line order; ``notes`` are Red's game settings
    (CONFIG), which are not imported, each with what trivia-bot does
    instead.  Neither is fatal.  ``question_ids`` are the bank's question ids
    in order; ``listed`` counts the list's entries meant as questions (every
    key but Red's own), converted or not.
    """

    bank_text: str
    questions: int
    problems: tuple[BankProblem, ...]
    notes: tuple[BankProblem, ...]
    bank_id: str
    question_ids: tuple[str, ...]
    listed: int

    @property
    def skipped(self) -> int:
        """How many of the list's questions the bank does not hold."""
        return self.listed - self.questions

    @property
    def file_name(self) -> str:
        """The name of the bank file this conversion is written to: its bank id."""
        return f"{self.bank_id}.yaml"


@dataclass(frozen=True, slots=True)
class RedListFile:
    """One list file of ``convert_red_files``: its conversion, or None and why.

    ``problems`` are the conversion's own problems, or those that kept the
    file from being converted at all.
    """

    path: Path
    conversion: RedConversion | None
    problems: tuple[BankProblem, ...]


# -- the public API ---------------------------------------------------------


def red_bank_id(list_name: str) -> str:
    """The bank id of the list called ``list_name`` (Red names a list after its file)."""
    return f"{_ID_PREFIX}-{list_id_slug(printable(list_name))}"


def convert_red_list(
    data: str | bytes,
    *,
    path: str,
    list_name: str | None = None,
    taken: Mapping[str, str] | None = None,
) -> RedConversion:
    """Convert one Red trivia list into a bank; raise ``BankError`` if impossible.

    ``path`` names the file in problems; ``list_name`` (by default the file
    name without its extension, as Red names lists) becomes the bank's title
    and category and the stem of every id.  ``taken`` maps question ids that
    other banks hold to where they are: a question that would get one of them
    is skipped and reported.
    """
    name = printable(PurePath(path).stem if list_name is None else list_name)
    # As in the loader: an alias-free file holds no more values than bytes.
    walker = NodeWalker(path, budget=10_000 + len(data))
    try:
        with gc_paused():
            red = _read_red(walker, data)
    except BudgetExhausted:
        raise file_error(
            path,
            "the file expands to far more values than its size allows when its YAML "
            "aliases (*name) are followed; remove the aliases",
        ) from None
    entries = red.entries
    if len(entries) > MAX_QUESTIONS:
        walker.report(
            None,
            f"the list has {len(entries):,} questions; a bank holds at most "
            f"{MAX_QUESTIONS:,}, so the questions from line {entries[MAX_QUESTIONS].line} on "
            "are not imported; split the list into several files",
        )
        entries = entries[:MAX_QUESTIONS]
    if not entries:
        raise _nothing_to_import(walker)
    list_slug = list_id_slug(name)
    ids = question_ids(f"{_ID_PREFIX}-{list_slug}", [entry.prompt for entry in entries])
    kept = list(zip(entries, ids, strict=True))
    for entry, question_id in kept:
        for node, message in entry.dropped:
            walker.report(node, message, question_id=question_id, field="answers")
    if taken:
        kept = _untaken(walker, kept, taken)
    text, kept = _loaded_bank(walker, red, kept, name=name, list_slug=list_slug)
    return RedConversion(
        bank_text=text,
        questions=len(kept),
        problems=tuple(capped(_in_line_order(walker.problems))),
        notes=tuple(red.notes),
        bank_id=f"{_ID_PREFIX}-{list_slug}",
        question_ids=tuple(question_id for _, question_id in kept),
        listed=red.listed,
    )


def _read_red(walker: NodeWalker, data: str | bytes) -> RedList:
    """Compose and read one list (its tree is freed on return, while the
    collector is still paused); a YAML tag Red cannot load refuses it whole."""
    root = compose_bank(data, path=walker.path)
    if tagged := tag_problems(walker.path, root, data):
        raise BankError(capped(tagged))
    return read_list(walker, root)


def convert_red_path(path: Path) -> list[tuple[Path, RedConversion]]:
    """Convert a Red list file, or every ``*.yaml``/``*.yml`` file of a folder
    (not its subfolders) in name order, as ``convert_red_files`` does.

    Every file is tried; if any cannot be converted (or two files would give
    the same bank id), one ``BankError`` lists the problems of all of them.
    """
    lists, problems = convert_red_files([path])
    converted: list[tuple[Path, RedConversion]] = []
    for listed in lists:
        if listed.conversion is None:
            problems.extend(listed.problems)
        else:
            converted.append((listed.path, listed.conversion))
    if problems:
        raise BankError(capped(problems))
    return converted


def convert_red_files(paths: Sequence[Path]) -> tuple[list[RedListFile], list[BankProblem]]:
    """Convert every Red list named by ``paths`` (files, or the ``*.yaml`` and
    ``*.yml`` files of folders, not their subfolders), in name order, into
    banks that load together.

    Returns one ``RedListFile`` per list file, and the problems of paths that
    hold no list (no such file, a folder without list files).  A list whose
    bank id an earlier list has is not converted (rename one of the files); a
    question whose id a question of an earlier list has is skipped, reported
    in its list.  Which lists are converted together changes no id.
    """
    files, problems = bank_files(paths)
    lists: list[RedListFile] = []
    owners: dict[str, Path] = {}
    taken: dict[str, str] = {}
    for file in files:
        bank_id = red_bank_id(file.stem)
        if bank_id in owners:
            message = (
                f"this list converts to the bank id '{bank_id}', as {owners[bank_id]} does, "
                "and their question ids could clash; rename one of the files"
            )
            lists.append(RedListFile(file, None, (file_problem(str(file), message),)))
            continue
        try:
            conversion = convert_red_list(_read_bytes(file), path=str(file), taken=taken)
        except BankError as exc:
            lists.append(RedListFile(file, None, exc.problems))
            continue
        owners[bank_id] = file
        taken.update(dict.fromkeys(conversion.question_ids, str(file)))
        lists.append(RedListFile(file, conversion, conversion.problems))
    return lists, problems


# -- writing the bank -------------------------------------------------------


class _BankDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's emitter when PyYAML has it: PyYAML's own takes 9 s to write
    10,000 questions, libyaml's half a second."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # Question text with line breaks as a "|" block, as its author wrote it.
    # The emitter falls back to quotes by itself when a block cannot hold the
    # text (trailing spaces, for one).
    return dumper.represent_scalar(STR_TAG, text, style="|" if "\n" in text else None)


_BankDumper.add_representer(str, _represent_text)


def _loaded_bank(
    walker: NodeWalker,
    red: RedList,
    kept: list[tuple[RedEntry, str]],
    *,
    name: str,
    list_slug: str,
) -> tuple[str, list[tuple[RedEntry, str]]]:
    """The bank's text and the questions it holds, once ``load_bank_text``
    accepts it.

    ``read_list`` applies the loader's rules, so the first load normally
    passes.  Should the loader refuse a question all the same (a rule added to
    it later, say), that question is left out and reported at its line in the
    list, and the rest loads: an import never yields a bank the loader refuses.
    """
    shown = f"{walker.path} (converted)"
    while True:
        text = _bank_text(red, kept, name=name, list_slug=list_slug)
        if len(fitting := _fitting(walker, text, kept)) < len(kept):
            kept = fitting
            continue
        try:
            count = len(load_bank_text(text, path=shown).questions)
        except BankError as exc:
            kept = _without_refused(walker, kept, exc)
            continue
        if count != len(kept):
            raise file_error(
                walker.path, f"the converted bank holds {count} of {plural(len(kept), 'question')}"
            )
        return text, kept


def _untaken(
    walker: NodeWalker, kept: list[tuple[RedEntry, str]], taken: Mapping[str, str]
) -> list[tuple[RedEntry, str]]:
    """``kept`` without the questions whose id another bank holds, each reported
    at its line.  Raise ``BankError`` if none is left."""
    for entry, question_id in kept:
        if question_id in taken:
            message = (
                f"the question {excerpt(entry.prompt)} would get the id '{question_id}', "
                f"which a question of {taken[question_id]} has already; skipped "
                "(rename one of the two lists to give its questions other ids)"
            )
            walker.problems.append(file_problem(walker.path, message, line=entry.line, field="id"))
    left = [(entry, question_id) for entry, question_id in kept if question_id not in taken]
    if not left:
        raise _nothing_to_import(walker)
    return left


def _without_refused(
    walker: NodeWalker, kept: list[tuple[RedEntry, str]], exc: BankError
) -> list[tuple[RedEntry, str]]:
    """``kept`` without the questions the loader refused in ``exc``, each
    reported at its line in the list.  Raise ``BankError`` if none is left, or
    if the loader refused no question in particular (a bug of the converter)."""
    entries = {question_id: entry for entry, question_id in kept}
    refused: dict[str, BankProblem] = {}
    for problem in exc.problems:
        if problem.question_id in entries:
            refused.setdefault(problem.question_id, problem)
    if not refused:
        log.error("converted Red list %s does not load: %s", walker.path, exc)
        raise file_error(
            walker.path,
            "the converted bank fails trivia-bot's own checks, a bug in the "
            f"converter (please report it with this list): {exc.problems[0]}",
        ) from exc
    log.warning("the loader refused %d converted questions", len(refused))
    for question_id, problem in refused.items():
        entry = entries[question_id]
        message = f"the question {excerpt(entry.prompt)} is not imported: {problem.message}"
        walker.problems.append(
            file_problem(walker.path, message, line=entry.line, field=problem.field)
        )
    kept = [(entry, qid) for entry, qid in kept if qid not in refused]
    if not kept:
        raise _nothing_to_import(walker) from exc
    return kept


def _fitting(
    walker: NodeWalker, text: str, kept: list[tuple[RedEntry, str]]
) -> list[tuple[RedEntry, str]]:
    """The questions whose bank stays within the loader's file size limit.

    Our format takes about twice the bytes of Red's for the same questions,
    so a Red list of a few MiB can make a bank over the limit: the questions
    past it are reported (the list should be split) rather than refused whole.
    """
    data = text.encode("utf-8")
    if len(data) <= MAX_FILE_BYTES:
        return kept
    # Where each question starts.  Only a question's "- id:" stands at the
    # start of a line: the lines of a multi-line text are indented.
    starts = [found.start() for found in _QUESTION_START.finditer(data)]
    if len(starts) != len(kept):  # cannot happen; the loader will say why
        return kept
    # With the first ``count`` questions, the file ends at starts[count].
    count = sum(1 for start in starts if start + 1 <= MAX_FILE_BYTES) - 1
    walker.report(
        None,
        f"the converted bank would be over {MAX_FILE_BYTES // 2**20} MiB, the limit of "
        f"a bank file, so the questions from line {kept[count][0].line} on are not "
        "imported; split the list into several files",
    )
    return kept[:count]


def _bank_text(
    red: RedList, kept: Sequence[tuple[RedEntry, str]], *, name: str, list_slug: str
) -> str:
    title = name[:MAX_TITLE].strip() or "Red trivia list"
    category_slug = trim_slug(slug_of(name)[0], MAX_CATEGORY)
    document: dict[str, Any] = {"format": 1, "id": f"{_ID_PREFIX}-{list_slug}", "title": title}
    if red.description:
        document["description"] = red.description
    if red.author:
        document["author"] = red.author
    document["source"] = {"title": f"Red-DiscordBot trivia list '{title}'"}
    document["defaults"] = {
        "category": category_slug if len(category_slug) >= 2 else list_slug[:MAX_CATEGORY],
        "difficulty": "medium",
    }
    document["questions"] = [
        {"id": question_id, "prompt": entry.prompt, "answers": entry.answers, "tags": [IMPORT_TAG]}
        for entry, question_id in kept
    ]
    header = (
        f"# Converted by trivia-bot from the Red-DiscordBot trivia list '{title}'.\n"
        "# Question ids come from the list's name and each question's text: converting\n"
        "# or importing the list again under the same name gives the same ids.\n"
    )
    body = yaml.dump(
        document,
        Dumper=_BankDumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
    return header + body


# -- small helpers ----------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    return read_bank_bytes(path, advice="split the list into several files")


def _nothing_to_import(walker: NodeWalker) -> BankError:
    """The list's problems, then the verdict they lead to."""
    verdict = file_problem(walker.path, "the list has no question to import")
    return BankError([*capped(_in_line_order(walker.problems)), verdict])


def _in_line_order(problems: Sequence[BankProblem]) -> list[BankProblem]:
    return sorted(problems, key=lambda problem: problem.line or 0)
