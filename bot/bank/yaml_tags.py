"""YAML tags in a bank file: the standard ones are read as text, any other is a problem.

The node tree of ``yaml_tree`` keeps a value's text whatever tag it carries,
so ``answers: [!secret "x"]`` would quietly become the answer ``x``.  A tag
``yaml.safe_load`` knows (``!!str``, ``!!int``, ...) is harmless and keeps
being read as the text it tags; any other (a local ``!secret``, a
``!!python/...`` tag, a global ``!<tag:...>``) means the author expected
something we do not do, and is reported with its line, like every other
problem.  Red-DiscordBot reads its lists with ``safe_load`` too, so such a
list does not load in Red either.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from bot.bank.problems import BankProblem

#: The tags ``yaml.safe_load`` constructs; a node with one of these is read as usual.
SAFE_TAGS: frozenset[str] = frozenset(
    tag for tag in yaml.SafeLoader.yaml_constructors if tag is not None
)

# Every tag starts with "!" at the start of a node: at the start of the text,
# after white space, or right after a flow indicator ("[!x a]", "{"a":!x b}").
# Text with no such "!" cannot hold a tag, and most banks skip the walk
# (which would add a fifth to the time to load a 10,000-question bank).  Any
# character outside ASCII counts as white space here: YAML's Unicode line
# breaks and a byte order mark then cost a walk, never a missed tag.
_BEFORE_TAG = " \t\r\n[{,:"


def _may_hold_tags(data: str | bytes) -> bool:
    """False only if ``data`` cannot hold a YAML tag (a search for "!", at C speed)."""
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    at = text.find("!")
    while at != -1:
        before = text[at - 1 : at]
        if not before or before in _BEFORE_TAG or not before.isascii():
            return True
        at = text.find("!", at + 1)
    return False


@dataclass(frozen=True, slots=True)
class ForeignTag:
    """A node with a tag ``safe_load`` does not know, and where it is:
    ``where`` holds the keys and list positions from the root down to it."""

    node: yaml.Node
    where: tuple[str | int, ...]
    is_key: bool = False  # the tag is on a mapping's key, not on a value

    @property
    def tag(self) -> str:
        """The tag as its author most likely wrote it."""
        tag = str(self.node.tag)
        if tag.startswith(_STANDARD):
            return "!!" + tag.removeprefix(_STANDARD)
        return tag if tag.startswith("!") else f"!<{tag}>"


_STANDARD = "tag:yaml.org,2002:"


def foreign_tags(root: yaml.Node | None, text: str | bytes) -> list[ForeignTag]:
    """Every node of ``root`` (composed from ``text``) with a foreign tag, in line order."""
    if root is None:
        return []
    if not _may_hold_tags(text):
        return []
    found = [found for found in _walk(root) if found.node.tag not in SAFE_TAGS]
    return sorted(found, key=lambda foreign: foreign.node.start_mark.index)


def _walk(root: yaml.Node) -> Iterator[ForeignTag]:
    """Every node once, with its place (a ``ForeignTag`` whether or not its tag
    is); an alias's node is visited once however often it is used, so an alias
    bomb costs no more than its size."""
    seen: set[int] = set()
    stack = [ForeignTag(root, ())]
    while stack:
        found = stack.pop()
        node, where = found.node, found.where
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield found
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                stack.append(ForeignTag(key, (*where, name), is_key=True))
                stack.append(ForeignTag(value, (*where, name)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(ForeignTag(item, (*where, n)) for n, item in enumerate(node.value))


def tag_message(foreign: ForeignTag, *, what: str = "a bank") -> str:
    """What is wrong with ``foreign``, and what to do; ``what`` names the file's kind."""
    return (
        f"unknown YAML tag '{foreign.tag}'; {what} takes plain values and the standard "
        "tags (!!str, !!int, ...) only: remove the tag, and quote the value if it should "
        "be read exactly as written"
    )


def dotted(keys: tuple[str | int, ...]) -> str | None:
    """The field a place names, such as ``source.paragraph`` (list positions left out)."""
    names = [key for key in keys if isinstance(key, str)]
    return ".".join(names) or None


def bank_tag_problems(path: str, root: yaml.Node | None, text: str | bytes) -> list[BankProblem]:
    """The foreign tags of a bank file in our format, each naming its question and field."""
    problems = []
    for foreign in foreign_tags(root, text):
        question_id, where = None, foreign.where
        if len(where) >= 2 and where[0] == "questions" and isinstance(where[1], int):
            question_id, where = _question_id(root, where[1]), where[2:]
        line = foreign.node.start_mark.line + 1
        problems.append(BankProblem(path, line, question_id, dotted(where), tag_message(foreign)))
    return problems


def _question_id(root: yaml.Node | None, number: int) -> str | None:
    """The id written on the ``number``-th item of the bank's questions, if any."""
    questions = _value_of(root, "questions")
    if not isinstance(questions, yaml.SequenceNode) or number >= len(questions.value):
        return None
    found = _value_of(questions.value[number], "id")
    if isinstance(found, yaml.ScalarNode) and found.value.strip():
        return str(found.value.strip())
    return None


def _value_of(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found: yaml.Node = value
                return found
    return None
