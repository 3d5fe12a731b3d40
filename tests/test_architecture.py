"""The floor plan holds: arrows only point down ``common -> games -> agents -> arena ->
training``, no import circle among the modules of any package, and the floors below the
agents import neither torch nor rich.

Every import counts, wherever it is written: at module level, inside a function, under
``if TYPE_CHECKING:``. ``scripts/`` and ``tests/`` may import anything and are not
checked. No circle is allowed: inside a game the Game (``game.py``) sits on top of its
State, text, expert and evaluation, and the modules below type a state they read as
``games.core.State``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FLOORS = ("common", "games", "agents", "arena", "training")
"""The packages from the ground up: a module may import its own floor and those below."""

NO_HEAVY = {"common": ("torch", "transformers", "rich"), "games": ("torch", "transformers", "rich")}
"""Third-party packages a floor never imports (a game never imports torch; the viewer, not
the game, styles text)."""


def modules(root: Path, floors: tuple[str, ...] = FLOORS) -> dict[str, tuple[Path, bool]]:
    """``{dotted name: (file, is a package's __init__)}`` of every module of ``floors``."""
    found = {}
    for floor in floors:
        for path in sorted((root / floor).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _resolve(name: str, known: dict) -> str | None:
    """The longest prefix of ``name`` that is one of ``known`` modules."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in known:
            return ".".join(parts)
        parts.pop()
    return None


def imported(module: str, path: Path, is_package: bool, known: dict
             ) -> tuple[set[str], set[str]]:
    """(modules of ``known`` that ``module`` imports, top-level names of everything else
    it imports). ``from pkg import name`` counts ``pkg.name`` where that is a module,
    else ``pkg``; relative imports are resolved."""
    inside, outside = set(), set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = module.split(".") if is_package else module.split(".")[:-1]
                here = here[: len(here) - node.level + 1]
                base = ".".join(here + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            hit = _resolve(target, known)
            if hit is not None:
                inside.add(hit)
            else:
                outside.add(target.split(".")[0])
    inside.discard(module)
    return inside, outside


def import_graph(root: Path, floors: tuple[str, ...] = FLOORS
                 ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(module -> modules of the floors it imports, module -> other top-level names)."""
    known = modules(root, floors)
    graph, other = {}, {}
    for name, (path, is_package) in known.items():
        graph[name], other[name] = imported(name, path, is_package, known)
    return graph, other


def upward_arrows(graph: dict[str, set[str]], floors: tuple[str, ...] = FLOORS) -> list[str]:
    """Every import of a higher floor, as ``"a.b -> c.d"``."""
    rank = {floor: i for i, floor in enumerate(floors)}
    return sorted(f"{m} -> {d}" for m, deps in graph.items() for d in deps
                  if rank[d.split(".")[0]] > rank[m.split(".")[0]])


def circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, deps = work[-1]
            step = next(deps, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph.get(step, ())))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


@pytest.fixture(scope="module")
def graphs():
    return import_graph(ROOT)


def test_every_floor_is_a_package_and_installed():
    text = (ROOT / "pyproject.toml").read_text()
    for floor in FLOORS:
        assert (ROOT / floor / "__init__.py").is_file()
        assert f'"{floor}*"' in text, f"pyproject.toml's package list lacks {floor}"


def test_arrows_only_point_down(graphs):
    graph, _ = graphs
    assert len(graph) > 100  # every module was read
    assert upward_arrows(graph) == []


def test_no_import_circle_anywhere(graphs):
    graph, _ = graphs
    assert sorted(map(sorted, circles(graph))) == []


def test_the_lower_floors_import_no_torch_and_no_rich(graphs):
    _, other = graphs
    heavy = sorted(f"{m} imports {name}" for m, names in other.items()
                   for name in names & set(NO_HEAVY.get(m.split(".")[0], ())))
    assert heavy == []


def test_the_command_line_sits_on_top_of_the_arena(graphs):
    graph, _ = graphs
    assert "arena.tournament_cli" not in graph["arena.tournament"]
    assert "arena.cli" not in graph["arena.demo"]


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_checks_find_an_upward_arrow_and_a_circle_of_every_kind(tmp_path):
    """On a made-up tree: an import inside a function, one under TYPE_CHECKING, a relative
    one and ``from pkg import module`` each count."""
    _write(tmp_path, {
        "low/__init__.py": "",
        "low/a.py": "def f():\n    from low.b import x\n",
        "low/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n",
        "low/c.py": "from low import d\nimport torch\n",
        "low/d.py": "import high.e\n",
        "high/__init__.py": "",
        "high/e.py": "from ..low import c\n",
    })
    graph, other = import_graph(tmp_path, ("low", "high"))
    assert graph["low.a"] == {"low.b"} and graph["low.b"] == {"low.a"}
    assert graph["low.c"] == {"low.d"} and other["low.c"] == {"torch"}
    assert upward_arrows(graph, ("low", "high")) == ["low.d -> high.e"]
    assert sorted(map(sorted, circles(graph))) == [["high.e", "low.c", "low.d"],
                                                   ["low.a", "low.b"]]
