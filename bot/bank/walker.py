"""Reading typed values out of a YAML node tree while collecting problems.

``NodeWalker`` is the toolbox the loader builds questions with: each reader
returns the value, or None after recording a ``BankProblem`` that says what to
do, so the loader carries on and reports every problem of a file at once.

Every container the walker enters is charged against a budget of nodes, so a
file whose aliases expand into millions of values (an "alias bomb") is refused
after a bounded amount of work instead of freezing the bot.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Mapping, Sequence
from typing import TypeVar

import yaml

from bot.bank.format import ID_PATTERN, ID_RULE, KEY_SYNONYMS
from bot.bank.problems import BankProblem
from bot.bank.yaml_tree import is_plain_null

E = TypeVar("E", bound=enum.StrEnum)

# Control characters (tab and newline excepted) and lone surrogates: a YAML
# escape such as "\x1b" or "\0" turns into one, and a terminal or chat client
# would act on it (an escape sequence, a bell) or choke on it (SQLite and UTF-8
# cannot hold a lone surrogate).  Text in a bank never needs them.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class BudgetExhausted(Exception):
    """Raised (and turned into a problem) when the walk outgrows its budget."""


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "text"


def _line(node: yaml.Node | None) -> int | None:
    return None if node is None else node.start_mark.line + 1


def suggest_key(key: str, allowed: Sequence[str]) -> str | None:
    """The known key an unknown ``key`` was most likely meant to be."""
    folded = key.strip().casefold()
    if folded in allowed:
        return folded
    # Synonyms are matched loosely too: 'qestion' was meant to be 'question',
    # which was meant to be 'prompt'.
    meant = {name: name for name in allowed}
    meant.update((word, name) for word, name in KEY_SYNONYMS.items() if name in allowed)
    close = difflib.get_close_matches(folded, meant, n=1, cutoff=0.6)
    return meant[close[0]] if close else None


class NodeWalker:
    """Typed readers over YAML nodes for one file; problems go to ``problems``."""

    def __init__(self, path: str, *, budget: int) -> None:
        self.path = path
        self.problems: list[BankProblem] = []
        self._budget = budget

    # -- bookkeeping -------------------------------------------------------

    def report(
        self,
        node: yaml.Node | None,
        message: str,
        *,
        question_id: str | None = None,
        field: str | None = None,
    ) -> None:
        """Record a problem at ``node``'s line (no line when ``node`` is None)."""
        self.problems.append(BankProblem(self.path, _line(node), question_id, field, message))

    def spend(self, nodes: int) -> None:
        self._budget -= nodes
        if self._budget < 0:
            raise BudgetExhausted

    # -- mappings ----------------------------------------------------------

    def fields(
        self,
        node: yaml.MappingNode,
        allowed: Sequence[str],
        *,
        question_id: str | None,
        required: Mapping[str, str],
        owner: str,
        prefix: str = "",
    ) -> dict[str, yaml.Node]:
        """The mapping's values by key.

        Unknown and repeated keys are reported, and so are missing ``required``
        keys (mapped to what to write), as "{owner} has no '{key}'; {fix}";
        except a key an unknown key was taken for, reported once as a typo.
        """
        self.spend(2 * len(node.value))
        found: dict[str, yaml.Node] = {}
        key_lines: dict[str, int | None] = {}
        meant: set[str | None] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.report(
                    key_node,
                    f"a key must be plain text, not {_kind(key_node)}",
                    question_id=question_id,
                    field=prefix.rstrip(".") or None,
                )
                continue
            key = key_node.value
            if key in allowed:
                if key in found:
                    self.report(
                        key_node,
                        f"'{key}' appears twice (lines {key_lines[key]} and "
                        f"{_line(key_node)}); keep one",
                        question_id=question_id,
                        field=prefix + key,
                    )
                    continue
                found[key] = value_node
                key_lines[key] = _line(key_node)
            elif key == "<<":
                self.report(
                    key_node,
                    "YAML merge keys ('<<') are not supported; repeat the field, or "
                    "put shared values under the bank's 'defaults'",
                    question_id=question_id,
                )
            else:
                meant.add(self._unknown_key(key_node, allowed, question_id, prefix=prefix))
        for key, fix in required.items():
            if key not in found and key not in meant:
                self.report(
                    node,
                    f"{owner} has no '{key}'; {fix}",
                    question_id=question_id,
                    field=prefix + key,
                )
        return found

    def _unknown_key(
        self,
        key_node: yaml.ScalarNode,
        allowed: Sequence[str],
        question_id: str | None,
        *,
        prefix: str,
    ) -> str | None:
        """Report a key not ``allowed``; return the key it was likely meant to be."""
        key = key_node.value
        guess = suggest_key(key, allowed)
        if guess is not None:
            message = f"unknown key '{key}'; did you mean '{guess}'?"
        else:
            message = f"unknown key '{key}'; the keys allowed here are {', '.join(allowed)}"
        self.report(key_node, message, question_id=question_id, field=prefix + key)
        return guess

    def mapping(
        self, node: yaml.Node, question_id: str | None, field: str
    ) -> yaml.MappingNode | None:
        if isinstance(node, yaml.MappingNode):
            return node
        self.report(
            node,
            f"'{field}' should be a mapping of keys to values, not {_kind(node)}",
            question_id=question_id,
            field=field,
        )
        return None

    # -- scalars -----------------------------------------------------------

    def text(
        self,
        node: yaml.Node,
        question_id: str | None,
        field: str,
        *,
        limit: int,
        label: str | None = None,
        fix: str = "",
    ) -> str | None:
        """The scalar's text as written, without surrounding whitespace.

        ``label`` names the value in messages (``answer 2``); ``fix`` is the
        advice appended when the value is empty.
        """
        label = label or f"'{field}'"
        if not isinstance(node, yaml.ScalarNode):
            self.report(
                node,
                f"{label} should be text, not {_kind(node)}",
                question_id=question_id,
                field=field,
            )
            return None
        value: str = node.value.strip()
        if not value or is_plain_null(node):
            advice = f"; {fix}" if fix else ""
            self.report(node, f"{label} is empty{advice}", question_id=question_id, field=field)
            return None
        if len(value) > limit:
            self.report(
                node,
                f"{label} is {len(value)} characters long; the limit is {limit}; shorten it",
                question_id=question_id,
                field=field,
            )
            return None
        if (bad := _UNPRINTABLE.search(value)) is not None:
            self.report(
                node,
                f"{label} holds an invisible control character (U+{ord(bad.group()):04X}) "
                f"at character {bad.start() + 1}; remove it",
                question_id=question_id,
                field=field,
            )
            return None
        return value

    def texts(
        self,
        node: yaml.Node,
        question_id: str | None,
        field: str,
        *,
        item: str,
        limit: int,
        most: int,
        scalar_ok: bool = True,
        fix: str = "",
    ) -> list[tuple[str, yaml.Node]] | None:
        """A list of texts (or, when ``scalar_ok``, one text standing alone).

        Returns each text with its node, or None if the list itself is wrong;
        empty or overlong items and case-insensitive repeats are reported.
        """
        items = self._items(node, question_id, field, most=most, scalar_ok=scalar_ok, fix=fix)
        if items is None:
            return None
        values: list[tuple[str, yaml.Node]] = []
        seen: dict[str, str] = {}
        ok = True
        for number, child in enumerate(items, start=1):
            value = self.text(child, question_id, field, limit=limit, label=f"{item} {number}")
            if value is None:
                ok = False
                continue
            folded = " ".join(value.casefold().split())
            if folded in seen:
                self.report(
                    child,
                    f"{item} '{value}' is listed twice (as '{seen[folded]}' too); remove one",
                    question_id=question_id,
                    field=field,
                )
                ok = False
                continue
            seen[folded] = value
            values.append((value, child))
        return values if ok else None

    def _items(
        self,
        node: yaml.Node,
        question_id: str | None,
        field: str,
        *,
        most: int,
        scalar_ok: bool,
        fix: str,
    ) -> list[yaml.Node] | None:
        """The items of the list ``node`` (or ``node`` itself, a text standing
        alone, when ``scalar_ok``), or None after reporting that the list is
        not a list, is empty or is too long."""
        if isinstance(node, yaml.ScalarNode) and scalar_ok and not is_plain_null(node):
            items: list[yaml.Node] = [node]
        elif isinstance(node, yaml.SequenceNode):
            self.spend(len(node.value))
            items = list(node.value)
        elif is_plain_null(node):
            items = []
        else:
            self.report(
                node,
                f"'{field}' should be a list, "
                f"not {_kind(node)}; write it as [first, second] or one '- item' a line",
                question_id=question_id,
                field=field,
            )
            return None
        if not items:
            advice = f"; {fix}" if fix else ""
            self.report(node, f"'{field}' is empty{advice}", question_id=question_id, field=field)
            return None
        if len(items) > most:
            self.report(
                node,
                f"'{field}' has {len(items)} entries; the limit is {most}",
                question_id=question_id,
                field=field,
            )
            return None
        return items

    def member(
        self, node: yaml.Node, question_id: str | None, field: str, allowed: type[E]
    ) -> E | None:
        """One of an enum's values, e.g. a question type or difficulty."""
        if isinstance(node, yaml.ScalarNode):
            # The common case first, without building any message.
            found = allowed._value2member_map_.get(node.value.strip().casefold())
            if found is not None:
                return found  # type: ignore[return-value]
        choices = ", ".join(member.value for member in allowed)
        value = self.text(node, question_id, field, limit=40, fix=f"write one of {choices}")
        if value is not None:
            self.report(
                node,
                f"'{value}' is not a valid {field.rpartition('.')[2]}; use one of {choices}",
                question_id=question_id,
                field=field,
            )
        return None

    def slug(self, node: yaml.Node, question_id: str | None, field: str) -> str | None:
        value = self.text(
            node, question_id, field, limit=200, fix="write a short slug such as 'director-name'"
        )
        if value is None:
            return None
        if ID_PATTERN.fullmatch(value) is None:
            self.report(
                node,
                f"'{value}' is not a valid {field}: use {ID_RULE} (for example '{slugify(value)}')",
                question_id=question_id,
                field=field,
            )
            return None
        return value

    def positive_int(self, node: yaml.Node, question_id: str | None, field: str) -> int | None:
        value = self.text(node, question_id, field, limit=12, fix="write a whole number")
        if value is None:
            return None
        if not value.isascii() or not value.isdigit() or int(value) < 1:
            self.report(
                node,
                f"'{value}' should be a whole number from 1 up",
                question_id=question_id,
                field=field,
            )
            return None
        return int(value)


def slugify(text: str) -> str:
    """A valid id that looks like ``text``, offered in messages."""
    words = "".join(ch if ch.isascii() and ch.isalnum() else " " for ch in text.casefold())
    slug = "-".join(words.split())[:64]
    return slug if len(slug) >= 2 else "my-question"
