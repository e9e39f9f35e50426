"""Reading a Red-DiscordBot trivia list: its questions and its own keys.

``read_list`` walks the node tree of one list (see ``bot.bank.red_import``
for the format and for what is carried over).  It keeps every question that
has an answer a player could type, as a ``RedEntry``, and reads AUTHOR,
DESCRIPTION and CONFIG; what it leaves out is reported through the
``NodeWalker``, naming file and line, and the reading goes on.  A file that is
no list at all raises ``BankError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from bot.bank.format import MAX_ANSWER, MAX_ANSWERS, MAX_AUTHOR, MAX_DESCRIPTION, MAX_PROMPT
from bot.bank.problems import BankError, BankProblem
from bot.bank.walker import NodeWalker
from bot.bank.yaml_tags import dotted, foreign_tags, tag_message
from bot.bank.yaml_tree import STR_TAG, is_plain_null
from bot.domain.answers import normalise
from bot.domain.words import plural

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


@dataclass(slots=True)
class RedEntry:
    """A question kept from the list, before its id is known."""

    prompt: str
    answers: list[str]
    line: int
    # Answers left out of a kept question: (node, message); reported once the
    # question's id is known, so that the problem can name it.
    dropped: list[tuple[yaml.Node, str]] = field(default_factory=list)


@dataclass(slots=True)
class RedList:
    author: str = ""
    description: str = ""
    entries: list[RedEntry] = field(default_factory=list)
    notes: list[BankProblem] = field(default_factory=list)
    # Entries that are meant as questions (every key but Red's own), kept or not.
    listed: int = 0


def read_list(walker: NodeWalker, root: yaml.Node | None) -> RedList:
    """The list whose node tree is ``root``; its problems go to ``walker``."""
    if root is None:
        raise file_error(
            walker.path, "the file is empty; a Red trivia list maps questions to answers"
        )
    if not isinstance(root, yaml.MappingNode):
        message = (
            "a Red trivia list is a mapping of each question to its answers "
            "('Question?:' then '- answer' lines), not a list or a single value"
        )
        raise BankError([file_problem(walker.path, message, line=_line(root))])
    walker.spend(2 * len(root.value))
    red = RedList()
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
            continue
        red.listed += 1
        if (entry := _read_question(walker, key, value, questions)) is not None:
            red.entries.append(entry)
    return red


def _read_red_key(walker: NodeWalker, red: RedList, key: str, value: yaml.Node) -> None:
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
        return [file_problem(path, message, line=_line(node), field=_CONFIG)]
    walker.spend(2 * len(node.value))
    notes = []
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else "?"
        shown = (
            f"{name}: {printable(value.value)[:40]}" if isinstance(value, yaml.ScalarNode) else name
        )
        advice = _RED_SETTINGS.get(name)
        if advice is None:
            message = f"'{shown}' is not a setting Red knows; ignored"
        else:
            message = f"Red's game setting '{shown}' is not part of a question bank: {advice}"
        notes.append(file_problem(path, message, line=_line(key), field=f"{_CONFIG}.{name}"))
    return notes


def _read_question(
    walker: NodeWalker, key: yaml.Node, value: yaml.Node, questions: dict[str, int]
) -> RedEntry | None:
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
    shown = excerpt(prompt)
    refused = _refusal(key, field="prompt", limit=MAX_PROMPT, label=f"the question {shown}")
    if refused is not None:
        walker.report(key, f"{refused} (skipped)", field="prompt")
        return None
    entry = RedEntry(prompt=prompt, answers=[], line=_line(key))
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


def _read_answers(walker: NodeWalker, node: yaml.Node, entry: RedEntry) -> str:
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
                f"a question takes at most {MAX_ANSWERS} answers; "
                f"{plural(len(extra), 'more answer')} from here on "
                f"{'is' if len(extra) == 1 else 'are'} left out",
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


def tag_problems(path: str, root: yaml.Node | None, data: str | bytes) -> list[BankProblem]:
    """The list's YAML tags that ``safe_load`` does not know (Red cannot load such a
    list either), each with its line and field."""
    problems = []
    for foreign in foreign_tags(root, data):
        where = foreign.where
        if where and where[0] in _RED_KEYS:
            field_name = dotted(where)
        else:
            field_name = "prompt" if foreign.is_key and len(where) == 1 else "answers"
        message = tag_message(foreign, what="a trivia list") + " (Red cannot load it either)"
        problems.append(file_problem(path, message, line=_line(foreign.node), field=field_name))
    return problems


# -- small helpers, for red_import too --------------------------------------


def printable(name: str) -> str:
    """A list's name on one line, without control characters."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in name).split())


def excerpt(text: str, most: int = 50) -> str:
    one_line = printable(text[: most * 4])
    if len(one_line) > most or len(text) > most * 4:
        return f"'{one_line[:most]}…'"
    return f"'{one_line}'"


def _kind(node: yaml.Node) -> str:
    return "a mapping" if isinstance(node, yaml.MappingNode) else "a list"


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def file_problem(
    path: str, message: str, *, line: int | None = None, field: str | None = None
) -> BankProblem:
    """A problem of the list that names no question."""
    return BankProblem(path, line, None, field, message)


def file_error(path: str, message: str) -> BankError:
    return BankError([file_problem(path, message)])
