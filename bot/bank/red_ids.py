"""Ids for the banks and questions converted from Red-DiscordBot lists.

An id depends only on the list's name and the question's text (and, for the
rare shared slugs, on the questions sharing it), so importing the same list
again gives the same ids; ``bot.bank.red_import`` describes the scheme.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence

from bot.bank.format import MAX_ID
from bot.domain.answers import normalise

# The list's share of a question id, so that the question's own words keep
# at least about thirty characters of the 64.
_LIST_SLUG = 24
_HASH = 6
_LIST_HASH = 4
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug_of(text: str) -> tuple[str, bool]:
    """A slug of ``text`` and whether it lost letters or digits (other scripts)."""
    normal = normalise(text)
    lossy = not normal.isascii() and any(ch.isalnum() and not ch.isascii() for ch in normal)
    return _NOT_SLUG.sub("-", normal).strip("-"), lossy


def trim_slug(slug: str, limit: int) -> str:
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


def list_id_slug(name: str) -> str:
    """The list's part of the bank id and of every question id."""
    slug, lossy = slug_of(name)
    trimmed = trim_slug(slug, _LIST_SLUG)
    if len(trimmed) >= 2 and not lossy and trimmed == slug:
        return trimmed
    base = trim_slug(slug, _LIST_SLUG - _LIST_HASH - 1)
    return f"{base if len(base) >= 2 else 'list'}-{_digest(name)[:_LIST_HASH]}"


def question_ids(prefix: str, prompts: Sequence[str]) -> list[str]:
    """Unique ids for ``prompts`` (distinct once folded), stable for the same input."""
    room = MAX_ID - len(prefix) - 1
    slugs = [slug_of(prompt) for prompt in prompts]
    digests = [_digest(prompt) for prompt in prompts]
    plain = [trim_slug(slug, room) for slug, _ in slugs]
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
    base = trim_slug(slug, room - len(suffix) - 1)
    return f"{prefix}-{base}-{suffix}" if base else f"{prefix}-{suffix}"
