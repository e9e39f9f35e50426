"""Turn a bank file's bytes into a YAML node tree, or say why it cannot be done.

We compose (parse to nodes) instead of ``safe_load``ing, for three reasons:

- a plain scalar node's ``value`` is exactly the text the author wrote, so an
  unquoted ``yes``, ``5`` or ``1.0`` answer stays ``"yes"``, ``"5"``, ``"1.0"``
  instead of becoming True, 5 or 1.0 (the YAML 1.1 surprises);
- every node carries ``start_mark.line``, so every problem can name its line;
- aliases stay shared nodes instead of being expanded, so an alias bomb costs
  nothing until something walks it (and the walker counts what it walks).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from bot.bank.format import MAX_FILE_BYTES
from bot.bank.problems import BankError, BankProblem

STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
_TAG_BY_KIND: dict[type[yaml.Node], str] = {
    yaml.ScalarNode: STR_TAG,
    yaml.SequenceNode: SEQ_TAG,
    yaml.MappingNode: MAP_TAG,
}


def _resolve_plainly(self: Any, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
    # The loader reads scalars' text, never their resolved tags.  Skipping
    # PyYAML's regex-based implicit resolver (a Python call per scalar) makes
    # composing a 10,000-question bank about a quarter faster.
    return _TAG_BY_KIND[kind]


class _CTextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser when PyYAML was built with it, else PyYAML's own."""

    resolve = _resolve_plainly


class _PyTextLoader(yaml.SafeLoader):
    """PyYAML's pure-Python parser (about four times slower than libyaml)."""

    resolve = _resolve_plainly


LOADER: type[Any] = _CTextLoader
"""The loader ``compose_bank`` uses; tests swap in ``_PyTextLoader``."""


def is_plain_null(node: yaml.Node) -> bool:
    """True for an empty or ``~`` value written without quotes (YAML's null)."""
    # libyaml reports a plain scalar's style as "", PyYAML's parser as None.
    return isinstance(node, yaml.ScalarNode) and not node.style and node.value in ("", "~")


def compose_bank(data: bytes | str, *, path: str) -> yaml.Node | None:
    """Parse one bank file into its root node (None for an empty document).

    Raises ``BankError`` with a single problem when the file is too large, is
    binary or not UTF-8, or is not well-formed YAML.
    """
    text = _decode(data, path=path)
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise _error(
            path,
            line,
            f"YAML syntax error: {what}; check the indentation and "
            "quoting on this line and the one before it",
        ) from exc
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        raise _error(path, line, f"the file cannot be read as YAML: {reason}") from exc
    except RecursionError as exc:
        # libyaml stops at 1000 levels itself; PyYAML's Python parser recurses.
        raise _error(path, None, "the YAML is nested far too deeply to be a question bank") from exc
    return node


def _decode(data: bytes | str, *, path: str) -> str:
    if isinstance(data, str):
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _error(
                path,
                None,
                "the text holds characters that are not valid Unicode; save the file as UTF-8",
            ) from exc
    else:
        raw = data
    if len(raw) > MAX_FILE_BYTES:
        raise _error(
            path,
            None,
            f"the file is {len(raw):,} bytes; the limit is "
            f"{MAX_FILE_BYTES:,} bytes ({MAX_FILE_BYTES // 2**20} MiB); split it "
            "into several banks",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # What Windows tools (PowerShell's '>', Notepad's "Unicode") write.
        raise _error(
            path, None, "the file is saved as UTF-16 (or UTF-32); save it as UTF-8 instead"
        )
    if b"\x00" in raw:
        raise _error(
            path, None, "this is a binary file, not YAML text; a bank is a UTF-8 text file"
        )
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _error(
            path,
            line,
            f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at "
            f"offset {exc.start}); save it as UTF-8",
        ) from exc


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a bank.

    Composing and walking a bank allocate a few million objects, none of them
    in cycles; the collector, triggered again and again by those allocations,
    re-scans the whole growing tree each time.  It was measured at three
    quarters of the time to compose a 10,000-question bank (1.8 s with it,
    0.4 s without).  Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _error(path: str, line: int | None, message: str) -> BankError:
    return BankError([BankProblem(path, line, None, None, message)])
