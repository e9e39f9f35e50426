"""The dependency rules of GUIDE section 1, checked on the code itself.

Every import of every module under ``bot/`` is read, those under
``if TYPE_CHECKING:`` and inside functions included: a cycle that only the
type checker sees is still a cycle a reader has to untangle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
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
    "asyncpg",
    "discord",
    "slack_bolt",
    "slack_sdk",
    "aiohttp",
    "socket",
    "os",
    "pathlib",
    "threading",
    "bot.ports",
    "bot.service",
    "bot.storage",
    "bot.bank",
    "bot.adapters",
    "bot.app",
    "bot.cli",
    "bot.config",
}

#: Each SDK, and the only modules that may import it (paths under bot/).
SDKS = {
    "discord": tuple(
        f"adapters/discord/{name}.py"
        for name in ("adapter", "api", "interactions", "commands", "admin_commands", "forms")
    ),
    "slack_bolt": (
        "adapters/slack/adapter.py",
        "adapters/slack/installation_store.py",
        "adapters/slack/oauth.py",
    ),
    "slack_sdk": (
        "adapters/slack/adapter.py",
        "adapters/slack/api.py",
        "adapters/slack/installation_store.py",
        "adapters/slack/oauth.py",
    ),
    "aiosqlite": ("storage/sqlite/store.py", "storage/sqlite/connection.py"),
    "asyncpg": ("storage/postgres/",),  # the whole folder: every module there talks to it
    "nats": ("forwarding/nats_link.py",),
}

#: The layers, inside out: a module may import its own layer and the ones
#: before it, never one after it (domain <- ports <- service <- adapters/app/cli).
#: Banks, storage, observability, clock and settings implement or serve the
#: ports beside the service; the composition root (app) wires the adapters and
#: the command line drives the app.
LAYERS: tuple[tuple[str, ...], ...] = (
    # And ``bot`` itself: the package's face holds only its version.  ``bot.coordination``
    # holds the pure values of the processes' shared ports (leases), as the domain does
    # the game's; ``bot.slack_installations`` those of the Slack app's installations.
    ("bot.domain", "bot.coordination", "bot.slack_installations"),
    ("bot.ports",),
    # ``bot.forwarding`` carries game commands between Slack replicas (NATS).
    (
        "bot.bank",
        "bot.storage",
        "bot.observability",
        "bot.clock",
        "bot.config",
        "bot.slack_tokens",
        "bot.forwarding",
    ),
    ("bot.service",),
    ("bot.adapters",),
    ("bot.app",),
    ("bot.cli",),
    ("bot.__main__",),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(BOT.rglob("*.py"))}


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute, relative and ``from pkg import module`` alike."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(path)
    package = here if is_package(path) else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            # ``from bot.adapters.discord import render`` imports a module, not a name.
            for alias in node.names:
                if f"{module}.{alias.name}" in modules():
                    found.add(f"{module}.{alias.name}")
    return found


def own_imports(path: Path) -> set[str]:
    """The modules of bot/ that ``path`` imports."""
    return {m for m in imports(path) if m in modules()} - {module_name(path)}


def banned(module: str, forbidden: set[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in forbidden)


def layer_of(module: str) -> int:
    if module == "bot":
        return 0
    for rank, names in enumerate(LAYERS):
        if banned(module, set(names)):
            return rank
    raise AssertionError(f"{module} belongs to no layer: add its folder to LAYERS")


def folder_of(module: str) -> str:
    if module.count(".") == 1:
        # A module at the top of bot/ (ports, config, clock, ``python -m bot``) is a
        # room of its own: they are of different layers, not one package.
        return module
    path = modules()[module]
    return module if is_package(path) else module.rpartition(".")[0]


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` (its nodes in order, the first repeated at the end), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def package_graph() -> dict[str, set[str]]:
    """Folder -> the folders its modules import.  A package's ``__init__`` may hand on
    names from its own subfolders (``bot.storage`` choosing ``bot.storage.sqlite``):
    that edge is the package's face, not a dependency of its other modules."""
    graph: dict[str, set[str]] = {}
    for module, path in modules().items():
        here = folder_of(module)
        for target in own_imports(path):
            there = folder_of(target)
            if there == here:
                continue
            if is_package(path) and there.startswith(module + "."):
                continue
            graph.setdefault(here, set()).add(there)
    return graph


def each_module() -> Iterator[tuple[str, Path]]:
    yield from modules().items()


# -- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((BOT / "domain").glob("*.py")), ids=lambda p: p.name)
def test_the_core_does_no_io_and_keeps_no_time(path: Path) -> None:
    bad = sorted(m for m in imports(path) if banned(m, CORE_FORBIDDEN))
    assert not bad, f"{path.name} imports {bad}: the domain must stay pure"


def test_each_sdk_is_imported_by_its_own_modules_only() -> None:
    for module, path in each_module():
        where = path.relative_to(BOT).as_posix()
        for imported in imports(path):
            for sdk, homes in SDKS.items():
                if banned(imported, {sdk}):
                    at_home = any(
                        where == home or (home.endswith("/") and where.startswith(home))
                        for home in homes
                    )
                    assert at_home, f"{module} imports {sdk}; only {homes} may"


def test_sql_lives_only_in_the_storage_package() -> None:
    for path in BOT.rglob("*.py"):
        if "storage" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for keyword in ("SELECT ", "INSERT INTO", "UPDATE ", "CREATE TABLE"):
            assert keyword not in text, f"{path} contains SQL ({keyword.strip()})"


def test_no_import_runs_against_the_layers() -> None:
    wrong = []
    for module, path in each_module():
        for target in sorted(own_imports(path)):
            if layer_of(target) > layer_of(module):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against domain <- ports <- service <- adapters/app/cli:\n" + (
        "\n".join(wrong)
    )


def test_no_folder_of_bot_imports_another_in_a_circle() -> None:
    cycle = find_cycle(package_graph())
    assert cycle is None, "package cycle: " + " -> ".join(cycle or ())


def test_no_module_imports_itself_in_a_circle() -> None:
    graph = {module: own_imports(path) for module, path in each_module()}
    # A package's face importing its own modules is how Python packages work.
    for module, path in each_module():
        if is_package(path):
            graph[module] = {t for t in graph[module] if not t.startswith(module + ".")}
    cycle = find_cycle(graph)
    assert cycle is None, "module cycle: " + " -> ".join(cycle or ())


def test_the_checks_see_a_cycle_and_a_wrong_way_import() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert layer_of("bot.domain.game") < layer_of("bot.ports") < layer_of("bot.service.trivia")
    assert layer_of("bot.service.trivia") < layer_of("bot.adapters.discord.adapter")
    assert layer_of("bot.adapters.slack.adapter") < layer_of("bot.app.compose")
    assert layer_of("bot.app.compose") < layer_of("bot.cli.main")
