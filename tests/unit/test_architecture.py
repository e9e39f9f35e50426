"""The dependency rules of GUIDE section 1, checked on the code itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"

# The pure core may use the standard library's pure parts and rapidfuzz (a
# pure computation library), and nothing that does I/O, keeps time or draws
# random numbers on its own.
CORE_FORBIDDEN = {
    "asyncio",
    "time",
    "random",
    "yaml",
    "sqlite3",
    "aiosqlite",
    "discord",
    "slack_bolt",
    "slack_sdk",
    "aiohttp",
    "socket",
    "os",
    "pathlib",
    "threading",
    "bot.service.trivia",
    "bot.storage",
    "bot.bank",
    "bot.adapters",
    "bot.app.compose",
    "bot.cli.main",
    "bot.config",
}
SDKS = {
    # The Discord adapter is split by concern: the client, players' and admins' commands.
    "discord": (
        "adapters/discord/adapter.py",
        "adapters/discord/commands.py",
        "adapters/discord/admin_commands.py",
    ),
    "slack_bolt": ("adapters/slack/adapter.py",),
    "slack_sdk": ("adapters/slack/adapter.py",),
    "aiosqlite": ("storage/sqlite/store.py",),
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def banned(module: str, forbidden: set[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in forbidden)


@pytest.mark.parametrize("path", sorted((BOT / "domain").glob("*.py")), ids=lambda p: p.name)
def test_the_core_does_no_io_and_keeps_no_time(path: Path) -> None:
    bad = sorted(m for m in imports(path) if banned(m, CORE_FORBIDDEN))
    assert not bad, f"{path.name} imports {bad}: the domain must stay pure"


def test_each_sdk_is_imported_by_its_one_module_only() -> None:
    for path in BOT.rglob("*.py"):
        for module in imports(path):
            for sdk, homes in SDKS.items():
                if banned(module, {sdk}):
                    assert path.relative_to(BOT).as_posix() in homes, (
                        f"{path} imports {sdk}; only {homes} may"
                    )


def test_sql_lives_only_in_the_storage_package() -> None:
    for path in BOT.rglob("*.py"):
        if "storage" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for keyword in ("SELECT ", "INSERT INTO", "UPDATE ", "CREATE TABLE"):
            assert keyword not in text, f"{path} contains SQL ({keyword.strip()})"
