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
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import yaml

from bot.bank.files import bank_files, read_bank_bytes
from bot.bank.format import (
    MAX_ANSWER,
    MAX_ANSWERS,
    MAX_AUTHOR,
    MAX_CATEGORY,
    MAX_DESCRIPTION,
    MAX_FILE_BYTES,
    MAX_ID,
    MAX_PROMPT,
    MAX_QUESTIONS,
    MAX_TITLE,
)
from bot.bank.loader import load_bank_text
from bot.bank.problems import BankError, BankProblem, capped
from bot.bank.walker import BudgetExhausted, NodeWalker
from bot.bank.yaml_tree import STR_TAG, compose_bank, gc_paused, is_plain_null
from bot.domain.answers import normalise

log = logging.getLogger(__name__)

__all__ = ["IMPORT_TAG", "RedConversion", "convert_red_list", "convert_red_path"]

IMPORT_TAG = "red-import"
"""The tag every converted question carries."""

_ID_PREFIX = "red"
# The list's share of a question id, so that the question's own words keep
# at least about thirty characters of the 64.
_LIST_SLUG = 24
_HASH = 6
_LIST_HASH = 4
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Where a question starts in the bank text (see _fitting).
_QUESTION_START = re.compile(rb"\n- id: ")

# Red's own keys.  Red reads them in capitals only; "$schema" points editors
# at Red's JSON schema and means nothing to us.
_AUTHOR = "AUTHOR"
_DESCRIPTION = "DESCRIPTION"
_CONFIG = "CONFIG"
_SCHEMA = "$schema"
_RED_KEYS = (_AUTHOR, _DESCRIPTION, _CONFIG, _SCHEMA)

# Red's game settings (its CONFIG), each with what trivia-bot does instead.
_RED_SETTINGS = {
    "max_score": "Red ends a game when a player reaches this score; a trivia-bot game "
    "lasts a number of rounds chosen when it starts",
    "delay": "Red's time to answer a question; in trivia-bot that is the game's "
    "seconds per question (the server's setting, or chosen when the game starts)",
    "timeout": "Red stops a game after this long without an answer; trivia-bot stops "
    "after a few questions in a row that nobody answers",
    "bot_plays": "trivia-bot never scores points itself",
    "reveal_answer": "trivia-bot always reveals the answer",
    "payout_multiplier": "trivia-bot pays out no credits",
    "use_spoilers": "trivia-bot shows the answer plainly at the reveal",
}


@dataclass(frozen=True, slots=True)
class RedConversion:
    """One converted list.

    ``bank_text`` is a bank file in our format, already loaded once by
    ``load_bank_text``, whose id is ``bank_id`` and which holds ``questions``
    questions.  ``problems`` is what the list holds that the bank does not
    (skipped questions, left-out answers, metadata cut to fit), each with
    file, line and why, in line order; ``notes`` are Red's game settings
    (CONFIG), which are not imported, each with what trivia-bot does
    instead.  Neither is fatal.
    """

    bank_text: str
    questions: int
    problems: tuple[BankProblem, ...]
    notes: tuple[BankProblem, ...]
    bank_id: str


@dataclass(slots=True)
class _Entry:
    """A question kept from the list, before its id is known."""

    prompt: str
    answers: list[str]
    line: int
    # Answers left out of a kept question: (node, message); reported once the
    # question's id is known, so that the problem can name it.
    dropped: list[tuple[yaml.Node, str]] = field(default_factory=list)


@dataclass(slots=True)
class _RedList:
    author: str = ""
    description: str = ""
    entries: list[_Entry] = field(default_factory=list)
    notes: list[BankProblem] = field(default_factory=list)


# -- the public API ---------------------------------------------------------


def convert_red_list(
    data: str | bytes, *, path: str, list_name: str | None = None
) -> RedConversion:
    """Convert one Red trivia list into a bank; raise ``BankError`` if impossible.

    ``path`` names the file in problems; ``list_name`` (by default the file
    name without its extension, as Red names lists) becomes the bank's title
    and category and the stem of every id.
    """
    name = _printable(PurePath(path).stem if list_name is None else list_name)
    # As in the loader: an alias-free file holds no more values than bytes.
    walker = NodeWalker(path, budget=10_000 + len(data))
    try:
        with gc_paused():
            red = _read_list(walker, compose_bank(data, path=path))
    except BudgetExhausted:
        raise _error(
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
    list_slug = _list_slug(name)
    ids = _question_ids(f"{_ID_PREFIX}-{list_slug}", [entry.prompt for entry in entries])
    kept = list(zip(entries, ids, strict=True))
    for entry, question_id in kept:
        for node, message in entry.dropped:
            walker.report(node, message, question_id=question_id, field="answers")
    text, count = _loaded_bank(walker, red, kept, name=name, list_slug=list_slug)
    return RedConversion(
        bank_text=text,
        questions=count,
        problems=tuple(capped(_in_line_order(walker.problems))),
        notes=tuple(red.notes),
        bank_id=f"{_ID_PREFIX}-{list_slug}",
    )


def convert_red_path(path: Path) -> list[tuple[Path, RedConversion]]:
    """Convert a Red list file, or every ``*.yaml``/``*.yml`` file of a folder
    (not its subfolders) in name order.

    Every file is tried; if any cannot be converted (or two files would give
    the same bank id), one ``BankError`` lists the problems of all of them.
    """
    files, problems = bank_files([path])
    converted: list[tuple[Path, RedConversion]] = []
    owners: dict[str, Path] = {}
    for file in files:
        try:
            conversion = convert_red_list(_read_bytes(file), path=str(file))
        except BankError as exc:
            problems.extend(exc.problems)
            continue
        bank_id = conversion.bank_id
        if bank_id in owners:
            message = (
                f"this list converts to the bank id '{bank_id}', as {owners[bank_id]} does, "
                "and their question ids could clash; rename one of the files"
            )
            problems.append(_problem(str(file), message))
            continue
        owners[bank_id] = file
        converted.append((file, conversion))
    if problems:
        raise BankError(capped(problems))
    return converted


# -- reading the list -------------------------------------------------------


def _read_list(walker: NodeWalker, root: yaml.Node | None) -> _RedList:
    if root is None:
        raise _error(walker.path, "the file is empty; a Red trivia list maps questions to answers")
    if not isinstance(root, yaml.MappingNode):
        message = (
            "a Red trivia list is a mapping of each question to its answers "
            "('Question?:' then '- answer' lines), not a list or a single value"
        )
        raise BankError([_problem(walker.path, message, line=_line(root))])
    walker.spend(2 * len(root.value))
    red = _RedList()
    red_keys: dict[str, int] = {}
    questions: dict[str, int] = {}
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value in _RED_KEYS:
            if key.value in red_keys:
                walker.report(
                    key,
                    f"'{key.value}' appears twice (lines {red_keys[key.value]} and "
                    f"{_line(key)}); the first is kept",
                    field=key.value,
                )
                continue
            red_keys[key.value] = _line(key)
            _read_red_key(walker, red, key.value, value)
        elif (entry := _read_question(walker, key, value, questions)) is not None:
            red.entries.append(entry)
    return red


def _read_red_key(walker: NodeWalker, red: _RedList, key: str, value: yaml.Node) -> None:
    if key == _AUTHOR:
        red.author = _fitted(walker, value, _author(walker, value), key=key, limit=MAX_AUTHOR)
    elif key == _DESCRIPTION:
        description = ""
        if isinstance(value, yaml.ScalarNode) and not is_plain_null(value):
            description = value.value.strip()
        elif not isinstance(value, yaml.ScalarNode):
            walker.report(value, f"DESCRIPTION should be text, not {_kind(value)}", field=key)
        red.description = _fitted(walker, value, description, key=key, limit=MAX_DESCRIPTION)
    elif key == _CONFIG:
        red.notes.extend(_config_notes(walker, value))


def _author(walker: NodeWalker, node: yaml.Node) -> str:
    """AUTHOR as one line: a name, or a list of names joined with commas."""
    if isinstance(node, yaml.ScalarNode):
        return "" if is_plain_null(node) else " ".join(node.value.split())
    if isinstance(node, yaml.MappingNode):
        walker.report(node, "AUTHOR should be a name or a list of names", field=_AUTHOR)
        return ""
    walker.spend(len(node.value))
    names: list[str] = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode):
            walker.report(item, f"an AUTHOR entry is {_kind(item)}, not a name", field=_AUTHOR)
        elif not is_plain_null(item) and (name := " ".join(item.value.split())):
            names.append(name)
    return ", ".join(names)


def _fitted(walker: NodeWalker, node: yaml.Node, text: str, *, key: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, or "" if the loader would refuse it."""
    if len(text) > limit:
        walker.report(
            node,
            f"{key} is {len(text):,} characters long; a bank's {key.lower()} holds at most "
            f"{limit:,}, so it was cut to fit",
            field=key,
        )
        text = text[: limit - 1].rstrip() + "…"
    if text and (refused := _refusal(node, field=key, limit=limit, label=key, text=text)):
        walker.report(node, f"{refused} (left out)", field=key)
        return ""
    return text


def _config_notes(walker: NodeWalker, node: yaml.Node) -> list[BankProblem]:
    path = walker.path
    if not isinstance(node, yaml.MappingNode):
        if is_plain_null(node):
            return []
        message = "CONFIG is not a mapping of settings; ignored"
        return [_problem(path, message, line=_line(node), field=_CONFIG)]
    walker.spend(2 * len(node.value))
    notes = []
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else "?"
        shown = (
            f"{name}: {_printable(value.value)[:40]}"
            if isinstance(value, yaml.ScalarNode)
            else name
        )
        advice = _RED_SETTINGS.get(name)
        if advice is None:
            message = f"'{shown}' is not a setting Red knows; ignored"
        else:
            message = f"Red's game setting '{shown}' is not part of a question bank: {advice}"
        notes.append(_problem(path, message, line=_line(key), field=f"{_CONFIG}.{name}"))
    return notes


def _read_question(
    walker: NodeWalker, key: yaml.Node, value: yaml.Node, questions: dict[str, int]
) -> _Entry | None:
    """The question under ``key``, or None after reporting why it is skipped.

    ``questions`` maps the folded text of every question kept so far to its
    line, to find repeats (Red itself would keep the last; we keep the first).
    """
    if not isinstance(key, yaml.ScalarNode):
        walker.report(key, f"a question must be text, not {_kind(key)}; skipped")
        return None
    prompt = "" if is_plain_null(key) else key.value.strip()
    if not prompt:
        walker.report(key, "an entry with no question text; skipped")
        return None
    meant = next((red for red in _RED_KEYS if red.casefold() == prompt.casefold()), None)
    if meant is not None:
        walker.report(
            key,
            f"'{prompt}' is not a question, and Red reads its '{meant}' key only when "
            "written so; skipped",
        )
        return None
    if key.value == "<<" and not key.style:
        walker.report(key, "YAML merge keys ('<<') are not supported; the merged entry is skipped")
        return None
    shown = _excerpt(prompt)
    refused = _refusal(key, field="prompt", limit=MAX_PROMPT, label=f"the question {shown}")
    if refused is not None:
        walker.report(key, f"{refused} (skipped)", field="prompt")
        return None
    entry = _Entry(prompt=prompt, answers=[], line=_line(key))
    why_none = _read_answers(walker, value, entry)
    if not entry.answers:
        for node, message in entry.dropped:
            walker.report(node, message, field="answers")
        walker.report(key, f"the question {shown} {why_none}; skipped", field="answers")
        return None
    folded = " ".join(prompt.casefold().split())
    if folded in questions:
        walker.report(
            key,
            f"the question {shown} is already on line {questions[folded]} "
            "(ignoring case and spacing); only the first is imported",
            field="prompt",
        )
        return None
    questions[folded] = entry.line
    return entry


def _read_answers(walker: NodeWalker, node: yaml.Node, entry: _Entry) -> str:
    """Fill ``entry.answers`` from ``node``; return why there are none, in case."""
    if isinstance(node, yaml.MappingNode):
        return "has a mapping where its list of answers should be"
    if isinstance(node, yaml.ScalarNode):
        # Red wants a list, but one answer standing alone is plain enough.
        items: list[yaml.Node] = [] if is_plain_null(node) else [node]
    else:
        walker.spend(len(node.value))
        items = list(node.value)
    seen: set[str] = set()
    extra: list[yaml.Node] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, yaml.ScalarNode):
            entry.dropped.append((item, f"answer {number} is {_kind(item)}, not text (left out)"))
            continue
        text = "" if is_plain_null(item) else item.value.strip()
        if not text:
            continue
        refused = _refusal(item, field="answers", limit=MAX_ANSWER, label=f"answer {number}")
        if refused is not None:
            entry.dropped.append((item, f"{refused} (left out)"))
            continue
        normal = normalise(text)
        if not normal:
            entry.dropped.append(
                (
                    item,
                    f"answer {number} ('{text}') has no letter or digit, so no guess "
                    "could ever match it (left out)",
                )
            )
            continue
        if normal in seen:
            continue
        if len(entry.answers) == MAX_ANSWERS:
            extra.append(item)
            continue
        seen.add(normal)
        entry.answers.append(text)
    if extra:
        entry.dropped.append(
            (
                extra[0],
                f"a question takes at most {MAX_ANSWERS} answers; the {len(extra)} from here "
                "on are left out",
            )
        )
    if entry.dropped:
        return "has no answer a player could type"
    return "has no answers"


def _refusal(
    node: yaml.Node, *, field: str, limit: int, label: str, text: str | None = None
) -> str | None:
    """Why the loader would refuse the scalar ``node`` (or ``text`` read from
    it) as a value (too long, control characters, ...), or None.  The loader's
    own reader decides, so its rules need no copy here."""
    if text is not None:
        node = yaml.ScalarNode(STR_TAG, text, node.start_mark, node.end_mark, style='"')
    checker = NodeWalker("", budget=0)
    if checker.text(node, None, field, limit=limit, label=label) is not None:
        return None
    return checker.problems[0].message if checker.problems else f"{label} is refused"


# -- ids --------------------------------------------------------------------


def _slug(text: str) -> tuple[str, bool]:
    """A slug of ``text`` and whether it lost letters or digits (other scripts)."""
    normal = normalise(text)
    lossy = not normal.isascii() and any(ch.isalnum() and not ch.isascii() for ch in normal)
    return _NOT_SLUG.sub("-", normal).strip("-"), lossy


def _trim(slug: str, limit: int) -> str:
    """``slug`` cut to ``limit`` characters, between words when one is near."""
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    if slug[limit] != "-" and "-" in cut:
        head = cut.rsplit("-", 1)[0]
        if len(head) >= limit // 2:
            cut = head
    return cut.strip("-")


def _digest(text: str) -> str:
    # Of the folded text, so that rewrapping a question keeps its id.
    folded = " ".join(text.casefold().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def _list_slug(name: str) -> str:
    slug, lossy = _slug(name)
    trimmed = _trim(slug, _LIST_SLUG)
    if len(trimmed) >= 2 and not lossy and trimmed == slug:
        return trimmed
    base = _trim(slug, _LIST_SLUG - _LIST_HASH - 1)
    return f"{base if len(base) >= 2 else 'list'}-{_digest(name)[:_LIST_HASH]}"


def _question_ids(prefix: str, prompts: Sequence[str]) -> list[str]:
    """Unique ids for ``prompts`` (distinct once folded), stable for the same input."""
    room = MAX_ID - len(prefix) - 1
    slugs = [_slug(prompt) for prompt in prompts]
    digests = [_digest(prompt) for prompt in prompts]
    plain = [_trim(slug, room) for slug, _ in slugs]
    # A hash whenever the slug alone does not stand for the text.
    hashed = [
        lossy or short != slug or len(short) < 2
        for (slug, lossy), short in zip(slugs, plain, strict=True)
    ]
    shared = Counter(short for short, hash_it in zip(plain, hashed, strict=True) if not hash_it)
    hashed = [hash_it or shared[short] > 1 for short, hash_it in zip(plain, hashed, strict=True)]
    lengths = [_HASH] * len(prompts)
    while True:
        ids = [
            _with_hash(prefix, slug, digest[:length], room) if hash_it else f"{prefix}-{short}"
            for (slug, _), short, digest, length, hash_it in zip(
                slugs, plain, digests, lengths, hashed, strict=True
            )
        ]
        clashes = {question_id for question_id, n in Counter(ids).items() if n > 1}
        if not clashes:
            return ids
        # Only when six hex digits of two hashes agree: lengthen those.
        for index, question_id in enumerate(ids):
            if question_id in clashes:
                if hashed[index]:
                    lengths[index] += 4
                hashed[index] = True


def _with_hash(prefix: str, slug: str, suffix: str, room: int) -> str:
    base = _trim(slug, room - len(suffix) - 1)
    return f"{prefix}-{base}-{suffix}" if base else f"{prefix}-{suffix}"


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
    red: _RedList,
    kept: list[tuple[_Entry, str]],
    *,
    name: str,
    list_slug: str,
) -> tuple[str, int]:
    """The bank's text and its number of questions, once ``load_bank_text``
    accepts it.

    The reading above applies the loader's rules, so the first load normally
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
            entries = {question_id: entry for entry, question_id in kept}
            refused: dict[str, BankProblem] = {}
            for problem in exc.problems:
                if problem.question_id in entries:
                    refused.setdefault(problem.question_id, problem)
            if not refused:
                log.error("converted Red list %s does not load: %s", walker.path, exc)
                raise _error(
                    walker.path,
                    "the converted bank fails trivia-bot's own checks, a bug in the "
                    f"converter (please report it with this list): {exc.problems[0]}",
                ) from exc
            log.warning("the loader refused %d converted questions", len(refused))
            for question_id, problem in refused.items():
                entry = entries[question_id]
                message = (
                    f"the question {_excerpt(entry.prompt)} is not imported: {problem.message}"
                )
                walker.problems.append(
                    _problem(walker.path, message, line=entry.line, field=problem.field)
                )
            kept = [(entry, qid) for entry, qid in kept if qid not in refused]
            if not kept:
                raise _nothing_to_import(walker) from exc
            continue
        if count != len(kept):
            raise _error(walker.path, f"the converted bank holds {count} of {len(kept)} questions")
        return text, count


def _fitting(
    walker: NodeWalker, text: str, kept: list[tuple[_Entry, str]]
) -> list[tuple[_Entry, str]]:
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
    red: _RedList, kept: Sequence[tuple[_Entry, str]], *, name: str, list_slug: str
) -> str:
    title = name[:MAX_TITLE].strip() or "Red trivia list"
    category_slug = _trim(_slug(name)[0], MAX_CATEGORY)
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
        "# Question ids come from the list's name and each question's text: import\n"
        "# the list again under the same name to update these questions.\n"
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
    verdict = _problem(walker.path, "the list has no question to import")
    return BankError([*capped(_in_line_order(walker.problems)), verdict])


def _in_line_order(problems: Sequence[BankProblem]) -> list[BankProblem]:
    return sorted(problems, key=lambda problem: problem.line or 0)


def _printable(name: str) -> str:
    """A list's name on one line, without control characters."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in name).split())


def _excerpt(text: str, most: int = 50) -> str:
    one_line = _printable(text[: most * 4])
    if len(one_line) > most or len(text) > most * 4:
        return f"'{one_line[:most]}…'"
    return f"'{one_line}'"


def _kind(node: yaml.Node) -> str:
    return "a mapping" if isinstance(node, yaml.MappingNode) else "a list"


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _problem(
    path: str, message: str, *, line: int | None = None, field: str | None = None
) -> BankProblem:
    return BankProblem(path, line, None, field, message)


def _error(path: str, message: str) -> BankError:
    return BankError([_problem(path, message)])
