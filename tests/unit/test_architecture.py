"""The shape of the code, held by a test: layers imported top to bottom only, no import circle, no module too long to read.

The import graph is read from the source with ``ast`` (nothing is imported),
counting every import, at module level or inside a function: a lazy import
that closes a circle still ties the two modules together. An import of a
package's module counts as an edge to that module, not to the package's
``__init__``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from bot.core.settings import ROOT

PACKAGES = ("bot", "actions")
# The layers, top to bottom (docs/architecture.md says why each sits where it does).
# A module may import from its own layer or any layer below it, never above.
# Prefixes are matched longest first: ``bot.storage.__main__`` is a command, an entry point.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("entry points", ("actions", "bot.runtime", "bot.evaluation", "bot.tenants.__main__", "bot.storage.__main__")),
    ("channels", ("bot.channels",)),
    ("conversation", ("bot.conversation",)),
    ("tenants", ("bot.tenants",)),
    ("understanding", ("bot.understanding",)),
    ("storage", ("bot.storage",)),
    ("core", ("bot.core", "bot")),
)
MAX_LINES = 400
# Modules allowed past MAX_LINES: data tables only (a long literal list or
# mapping that reads top to bottom), each with the reason. Logic does not go here.
LONG_DATA_TABLES: dict[str, str] = {}


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every Python file of the packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules that module ``name`` imports."""
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            for alias in node.names:
                # ``from bot.tenants import analytics`` imports the module bot.tenants.analytics
                candidate = f"{origin}.{alias.name}"
                targets.add(candidate if candidate in known else origin)
    return {t for t in targets if t in known and t != name}


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imported(name, path, known) for name, path in found.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one module, as one circle through it (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [path_through(graph, group) for group in groups]


def path_through(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A readable circle inside ``group``: a -> b -> ... -> a (shortest back to the start)."""
    start = min(group)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & group):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if nxt not in previous:
                    previous[nxt] = node
                    following.append(nxt)
        frontier = following
    return sorted(group)


def test_the_graph_is_read_from_the_source() -> None:
    graph = import_graph()
    assert "bot.runtime.bookkeeping" in graph and "bot.storage.audit" in graph["bot.runtime.bookkeeping"]
    assert "bot.tenants.analytics" in graph["bot.runtime.bookkeeping"]  # ``from bot.tenants import analytics``
    assert "actions.base" in graph["actions.crisis"]


def test_the_circle_finder_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle() -> None:
    found = circles(import_graph())
    assert not found, "import circles:\n" + "\n".join(" -> ".join(c) for c in found)


def layer_of(module: str) -> int:
    """Index in LAYERS (0 is the top) of the longest prefix that names ``module``."""
    best, best_len = -1, -1
    for depth, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = depth, len(prefix)
    return best


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
        for a, targets in graph.items()
        for b in targets
        if layer_of(b) < layer_of(a)
    )


def test_every_module_belongs_to_a_layer() -> None:
    assert not [m for m in modules() if layer_of(m) < 0]
    assert layer_of("bot.storage.__main__") == 0 and layer_of("bot.storage.audit") == 5


def test_the_layer_check_finds_an_upward_import() -> None:
    assert upward_imports({"bot.core.settings": {"bot.channels.rest"}, "bot.channels.rest": {"bot.core.settings"}}) == [
        "bot.core.settings (core) imports bot.channels.rest (channels)"
    ]


def test_imports_go_down_the_layers_only() -> None:
    found = upward_imports(import_graph())
    assert not found, "upward imports (move the shared code down, or pass it in from above):\n" + "\n".join(found)


def test_no_module_is_too_long() -> None:
    too_long = {}
    for name, path in modules().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and name not in LONG_DATA_TABLES:
            too_long[str(path.relative_to(ROOT))] = lines
    assert not too_long, f"modules over {MAX_LINES} lines (split them along a seam): {too_long}"


def test_no_test_or_benchmark_module_is_too_long() -> None:
    # Tests are read by whoever changes the code they hold: the same limit, shared helpers in tests/support/.
    too_long = {
        str(path.relative_to(ROOT)): lines
        for folder in ("tests", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines (split them along a seam): {too_long}"


def test_no_widget_module_is_too_long() -> None:
    # The chat widget's sources (web/src; `make web` bundles them into web/static/widget.js): the same limit.
    sources = sorted((ROOT / "web" / "src").rglob("*.js"))
    assert sources, "no widget sources under web/src"
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in sources
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"widget modules over {MAX_LINES} lines (split them along a seam): {too_long}"


def test_the_allow_list_names_real_long_modules() -> None:
    found = modules()
    for name in LONG_DATA_TABLES:
        assert name in found, f"{name} is allowed to be long but does not exist"
        assert len(found[name].read_text(encoding="utf-8").splitlines()) > MAX_LINES, f"{name} no longer needs the allowance"
