"""Every page the bot, the README and the docs send a reader to exists.

An error message that says "docs/slack.md walks through it" is only help if
docs/slack.md is there; a README link to ``#configuration`` only if the heading
is.  Checked on the files themselves: the ``docs/*.md`` paths named anywhere
in ``bot/``, the README, ``deploy/`` and ``docs/``, and every relative Markdown
link (file and ``#anchor``) in the README and ``docs/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = sorted((REPO / "docs").glob("*.md"))
PAGES = [REPO / "README.md", *DOCS]
#: ``docs/slack.md`` as a reader sees it in a message, a comment or a page.
DOCS_PATH = re.compile(r"\bdocs/[\w.-]+\.md\b")
#: ``[text](target)``, not images' or web addresses.
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def mentioning_files() -> Iterator[Path]:
    yield from sorted((REPO / "bot").rglob("*.py"))
    yield from sorted(p for p in (REPO / "deploy").rglob("*") if p.is_file())
    yield from PAGES


def mentions() -> list[tuple[str, str]]:
    """(where, docs path) for every ``docs/*.md`` path named in the project's files."""
    found = []
    for path in mentioning_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for match in DOCS_PATH.finditer(line):
                found.append((f"{path.relative_to(REPO)}:{number}", match.group()))
    return found


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as ``-``."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@cache
def anchors(page: Path) -> frozenset[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return frozenset(github_slug(h) for h in HEADING.findall(text))


def links() -> list[tuple[str, Path, str]]:
    """(where, page, target) for every relative link in the README and ``docs/``."""
    found = []
    for page in PAGES:
        text = FENCE.sub("", page.read_text(encoding="utf-8"))
        for number, line in enumerate(text.splitlines(), start=1):
            for target in LINK.findall(line):
                if not re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, mailto: ...
                    found.append((f"{page.relative_to(REPO)}:{number}", page, target))
    return found


@pytest.mark.parametrize(("where", "path"), mentions(), ids=[w for w, _ in mentions()])
def test_every_docs_page_named_in_the_code_and_the_docs_exists(where: str, path: str) -> None:
    assert (REPO / path).is_file(), f"{where} sends readers to {path}, which does not exist"


@pytest.mark.parametrize(("where", "page", "target"), links(), ids=[w for w, _, _ in links()])
def test_every_relative_link_in_the_readme_and_the_docs_leads_somewhere(
    where: str, page: Path, target: str
) -> None:
    file_part, _, anchor = target.partition("#")
    linked = (page.parent / file_part).resolve() if file_part else page
    assert linked.exists(), f"{where} links to {target}: no such file"
    if anchor and linked.suffix == ".md":
        assert anchor in anchors(linked), f"{where} links to {target}: no such heading"


def test_the_slack_setup_error_and_the_readme_point_at_the_slack_guide() -> None:
    named = {path for _, path in mentions()}
    assert "docs/slack.md" in named
    readme_links = {target for _, page, target in links() if page.name == "README.md"}
    assert any(target.startswith("docs/slack.md") for target in readme_links)
