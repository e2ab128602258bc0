"""The top-level packages and modules of `vecinos` import each other in one direction only.

Every subpackage (`vecinos.alerts`) and every top-level module (`vecinos.config`) is a node;
an edge is any import of one from another, at the top of a file or inside a function (a late
import still ties the two together). The graph must have no cycle, and every edge must point
down the layer order that CONTRIBUTING.md describes ("Layers").
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import vecinos

ROOT = Path(vecinos.__file__).parent

# Bottom first. A node may import nodes of its own layer or of the layers below it.
LAYERS: list[tuple[str, set[str]]] = [
    (
        "foundation",
        {
            "clock",
            "crypto",
            "i18n",
            "errors",
            "shapes",
            "config",
            "db",
            "events",
            "outbound",
            "keyring",
            "limits",
            "ratelimit",
            "scrubber_words",
            "scrubber",
            "identity",
            "vocabulary",
            "words",
            "commands",
        },
    ),
    ("toolkit", {"web", "maps", "worker"}),
    ("domains: people and places", {"accounts", "geo", "training", "rights", "anchoring"}),
    ("domains: incidents", {"incidents"}),
    ("domains: intake", {"reports"}),
    ("domains: response", {"dispatch", "evidence", "alerts", "cases"}),
    ("domains: channels and coverage", {"hotline", "coverage", "insights"}),
    ("assembly", {"models", "console", "demo", "app"}),
    ("entry points", {"cli", "migrations"}),
]

# Edges that still point up or close a cycle: debt to pay, never to grow. The test fails when
# one of them disappears too, so the list only ever shrinks.
KNOWN_DEBT: set[tuple[str, str]] = set()


def _node_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "vecinos" or len(parts) < 2:
        return None
    name = parts[1]
    if (ROOT / name).is_dir() or (ROOT / f"{name}.py").is_file():
        return name
    return None


def _imported(tree: ast.AST, package: list[str]) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield module
            # `from vecinos import config` imports the node `config`.
            yield from (f"{module}.{alias.name}" for alias in node.names)


def import_graph() -> dict[tuple[str, str], list[str]]:
    """Every edge between two nodes, with the files that make it."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(ROOT.rglob("*.py")):
        parts = ["vecinos", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) < 2:
            continue  # vecinos/__init__.py: the version only
        me = parts[1]
        package = parts if path.name == "__init__.py" else parts[:-1]
        for module in _imported(ast.parse(path.read_text(), str(path)), package):
            other = _node_of(module)
            if other is not None and other != me:
                where = str(path.relative_to(ROOT.parent))
                if where not in edges[(me, other)]:
                    edges[(me, other)].append(where)
    return edges


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted({n for edge in edges for n in edge}):
        if node not in index:
            visit(node)
    return found


def _layer_of() -> dict[str, int]:
    return {node: rank for rank, (_, nodes) in enumerate(LAYERS) for node in nodes}


def test_every_node_has_a_layer() -> None:
    nodes = {p.stem for p in ROOT.glob("*.py") if p.stem != "__init__"}
    nodes |= {d.name for d in ROOT.iterdir() if d.is_dir() and any(d.rglob("*.py"))}
    placed = set(_layer_of())
    assert not sorted(nodes - placed), "Give these a layer here and in CONTRIBUTING.md"
    assert not sorted(placed - nodes), "These are in LAYERS but no longer exist"


def test_imports_point_down_the_layers() -> None:
    rank = _layer_of()
    edges = import_graph()
    upward = {edge for edge in edges if rank[edge[0]] < rank[edge[1]]}
    new = sorted(upward - KNOWN_DEBT)
    assert not new, "Imports that point up the layers:\n" + "\n".join(
        f"  {a} -> {b}: {', '.join(edges[(a, b)])}" for a, b in new
    )
    paid = sorted(KNOWN_DEBT - upward)
    assert not paid, f"No longer imported, take them out of KNOWN_DEBT: {paid}"


def test_no_import_cycle() -> None:
    edges = import_graph()
    found = cycles(set(edges) - KNOWN_DEBT)
    assert not found, "Import cycles between top-level packages:\n" + "\n".join(
        "  "
        + " / ".join(component)
        + ": "
        + "; ".join(
            f"{a} -> {b} ({', '.join(edges[(a, b)])})"
            for a, b in sorted(edges)
            if a in component and b in component
        )
        for component in found
    )


def test_the_check_sees_a_cycle() -> None:
    """The cycle finder itself: a made-up loop is found, a chain is not."""
    assert cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [["a", "b", "c"]]
    assert cycles({("a", "b"), ("b", "c")}) == []


def test_late_imports_count() -> None:
    tree = ast.parse("def f():\n    from vecinos.words import word\n")
    assert "vecinos.words" in set(_imported(tree, ["vecinos", "errors"]))
