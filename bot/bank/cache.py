"""A cache of loaded banks, so that an unchanged bank is ready in milliseconds.

Each bank file gets one cache entry, named after the file's resolved path, that
holds the loaded questions together with the key they were loaded under: the
SHA-256 of the loader's version and the file's bytes.  An entry is used only if
that key matches the file as it is now, so any edit (or a new loader) makes the
entry stale, and the file is parsed again and its entry rewritten.

Entries are JSON (never pickle: loading a cache must not be able to run code),
prefixed by the SHA-256 of the JSON itself; an entry that fails that check, or
any other, is ignored and rewritten.  Writes go to a temporary file that then
replaces the entry (``os.replace``), so a reader never sees half an entry.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from bot.bank import loader
from bot.bank.format import LOADER_VERSION, BankInfo, LoadedBank
from bot.bank.yaml_tree import gc_paused
from bot.domain.model import Difficulty, Question, QuestionType, SourceRef

log = logging.getLogger(__name__)

_ENTRY_FORMAT = 1
_TYPES = {member.value: member for member in QuestionType}
_DIFFICULTIES = {member.value: member for member in Difficulty}


def content_key(data: bytes) -> str:
    """What a cache entry must have been built from to be used for ``data``."""
    digest = hashlib.sha256(LOADER_VERSION.encode())
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


def entry_path(cache_dir: Path, source: Path) -> Path:
    name = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:32]
    return cache_dir / f"bank-{name}.json"


def load_cached(data: bytes, *, path: str, source: Path, cache_dir: Path) -> LoadedBank:
    """``loader.load_bank_text(data, path=path)``, through the cache in ``cache_dir``."""
    key = content_key(data)
    entry = entry_path(cache_dir, source)
    bank = _read_entry(entry, key)
    if bank is not None:
        log.debug("bank %s: %d questions from cache %s", path, len(bank.questions), entry)
        # The entry may have been written when the file was named differently
        # (a relative path, another working directory).
        return replace(bank, info=replace(bank.info, path=path))
    bank = loader.load_bank_text(data, path=path)
    _write_entry(entry, key, bank)
    return bank


def _read_entry(entry: Path, key: str) -> LoadedBank | None:
    try:
        raw = entry.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("cannot read bank cache %s (%s); parsing the bank instead", entry, exc)
        return None
    checksum, _, body = raw.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != checksum:
        log.warning("bank cache %s is corrupt; parsing the bank again", entry)
        return None
    try:
        # Decoding builds some 200,000 objects in no cycles; see gc_paused.
        with gc_paused():
            return _decode_entry(entry, key, body)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        log.warning("bank cache %s is unreadable (%r); parsing the bank again", entry, exc)
        return None


def _decode_entry(entry: Path, key: str, body: bytes) -> LoadedBank | None:
    document = json.loads(body)
    if (
        document["entry_format"] != _ENTRY_FORMAT
        or document["loader"] != LOADER_VERSION
        or document["key"] != key
    ):
        log.info("bank cache %s is stale; parsing the bank again", entry)
        return None
    return _decode_bank(document)


def _write_entry(entry: Path, key: str, bank: LoadedBank) -> None:
    body = json.dumps(
        {
            "entry_format": _ENTRY_FORMAT,
            "loader": LOADER_VERSION,
            "key": key,
            **_encode_bank(bank),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    checksum = hashlib.sha256(body).hexdigest().encode()
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".bank-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(checksum + b"\n" + body)
            Path(temporary).replace(entry)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        # A cache that cannot be written only costs speed.
        log.warning("cannot write bank cache %s (%s); the bank still loaded", entry, exc)


def _encode_bank(bank: LoadedBank) -> dict[str, Any]:
    info = bank.info
    return {
        "info": [
            info.id,
            info.title,
            info.description,
            info.language,
            info.licence,
            info.author,
            info.source_title,
            info.source_date.isoformat() if info.source_date else None,
        ],
        "lines": list(bank.question_lines),
        "questions": [
            [
                q.id,
                q.prompt,
                q.answers,
                q.type.value,
                q.choices,
                q.category,
                q.difficulty.value,
                q.tags,
                q.hints,
                q.explanation,
                q.source.paragraph if q.source else None,
                q.source.context if q.source else None,
            ]
            for q in bank.questions
        ],
    }


def _decode_bank(document: dict[str, Any]) -> LoadedBank:
    (bank_id, title, description, language, licence, author, source_title, source_date) = document[
        "info"
    ]
    info = BankInfo(
        id=bank_id,
        title=title,
        description=description,
        language=language,
        licence=licence,
        author=author,
        source_title=source_title,
        source_date=date.fromisoformat(source_date) if source_date else None,
        path="",
    )
    questions = tuple(
        Question(
            id=row[0],
            prompt=row[1],
            answers=tuple(row[2]),
            type=_TYPES[row[3]],
            choices=tuple(row[4]),
            category=row[5],
            difficulty=_DIFFICULTIES[row[6]],
            tags=tuple(row[7]),
            hints=tuple(row[8]),
            explanation=row[9],
            source=SourceRef(row[10], row[11]) if row[10] is not None else None,
            bank_id=bank_id,
            scope="",
        )
        for row in document["questions"]
    )
    lines = tuple(document["lines"])
    if len(lines) != len(questions) or not questions:
        raise ValueError("question count does not match")
    return LoadedBank(info=info, questions=questions, question_lines=lines)
