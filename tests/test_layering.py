"""The dependency direction of DESIGN.md, read from the source with ``ast``.

Layers, from the user's surface down to the kernels (DESIGN.md, "Layout")::

    cli -> monitoring, tracking, serving, report
        -> ml, models, optimize, montecarlo, events, factors, portfolio
        -> backtest, metrics, indicators, signals, data
        -> leaf modules (errors, _typing, config, _numba, _validation, _periods, _records)

Rules checked on every ``import`` of a quantlab module, wherever it is written (module
level or inside a function; only ``if TYPE_CHECKING:`` blocks are ignored, they never run):

* a lower layer never imports a higher one (the bare ``quantlab`` package is exempt as a
  target: its ``__init__`` is a lazy surface that imports nothing eagerly, checked below);
* another subpackage is reached only through public names (no ``pkg._private``), so
  a piece two subpackages need moves down into a leaf module;
* metrics know nothing of the engine (no ``quantlab.backtest`` import in metrics);
* no cycle among quantlab modules, nor among subpackages.
"""

from __future__ import annotations

import ast
import pathlib
from collections import defaultdict

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "quantlab"

LEAF = 0
LAYERS: dict[str, int] = {
    **dict.fromkeys(
        [
            "errors",
            "_typing",
            "config",
            "_numba",
            "_validation",
            "_periods",
            "_records",
            "_rolling",
        ],
        LEAF,
    ),
    **dict.fromkeys(["backtest", "metrics", "indicators", "signals", "data"], 1),
    **dict.fromkeys(
        ["ml", "models", "optimize", "montecarlo", "events", "factors", "portfolio"], 2
    ),
    **dict.fromkeys(["monitoring", "tracking", "serving", "report"], 3),
    **dict.fromkeys(["cli", "_cli_events"], 4),
    "": 5,  # quantlab/__init__.py: the lazy public surface, above everything
}

#: Cycles tolerated (none: the tracking/serving cycle was broken by tracking/stored.py).
KNOWN_CYCLES: set[frozenset[str]] = set()
KNOWN_PACKAGE_CYCLES: set[frozenset[str]] = set()
#: Violations tolerated (none).
KNOWN_VIOLATIONS: set[str] = set()


def _modules(root: pathlib.Path) -> dict[str, pathlib.Path]:
    out = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, path: pathlib.Path, known: set[str]) -> set[str]:
    """quantlab modules imported by ``module`` (``from pkg import sub`` -> ``pkg.sub``)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "quantlab")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.split(".")[0] != "quantlab":
                return
            subs = {f"{name}.{a.name}" for a in node.names if f"{name}.{a.name}" in known}
            if len(subs) < len(node.names):  # names defined in `name` itself
                found.add(name)
            found.update(subs)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(), filename=str(path)))
    found.discard(module)
    return found


def import_graph(root: pathlib.Path = ROOT) -> dict[str, set[str]]:
    mods = _modules(root)
    return {m: _imports(m, p, set(mods)) for m, p in mods.items()}


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _private_hop(source: str, target: str) -> bool:
    """``target`` is a private module of another subpackage (``metrics._input``)."""
    parts = target.split(".")
    return _unit(source) != _unit(target) and any(p.startswith("_") for p in parts[2:])


def violations(graph: dict[str, set[str]]) -> list[str]:
    out = []
    for src, targets in sorted(graph.items()):
        for dst in sorted(targets):
            a, b = _unit(src), _unit(dst)
            if a == b or dst == "quantlab":
                continue
            if LAYERS[b] > LAYERS[a]:
                out.append(f"{src} (layer {LAYERS[a]}) imports {dst} (layer {LAYERS[b]})")
            if _private_hop(src, dst) and LAYERS[b] != LEAF:
                out.append(f"{src} imports the private module {dst} of another subpackage")
            if a == "metrics" and b == "backtest":
                out.append(f"{src} imports the engine ({dst}); metrics take arrays")
    return out


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(frozenset(comp))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for src, targets in graph.items():
        out[_unit(src)]
        for dst in targets:
            if _unit(dst) != _unit(src) and _unit(src):  # the top-level surface is above all
                out[_unit(src)].add(_unit(dst))
    return dict(out)


GRAPH = import_graph()


def test_every_subpackage_has_a_layer():
    unknown = sorted({_unit(m) for m in GRAPH} - set(LAYERS))
    assert not unknown, f"add {unknown} to LAYERS (DESIGN.md's dependency direction)"


def test_no_lower_layer_imports_a_higher_one_or_a_private_module():
    assert set(violations(GRAPH)) - KNOWN_VIOLATIONS == set()


def test_top_level_package_imports_only_leaf_modules_eagerly():
    tree = ast.parse((ROOT / "__init__.py").read_text())
    eager = set()
    for node in tree.body:  # module level only: subpackages load on attribute access
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("quantlab"):
            eager.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            eager.update(a.name for a in node.names if a.name.startswith("quantlab"))
    assert {_unit(m) for m in eager if m in GRAPH or m.rpartition(".")[0] in GRAPH} <= {
        k for k, v in LAYERS.items() if v == LEAF
    }


def test_no_import_cycle_among_modules():
    assert set(cycles(GRAPH)) - KNOWN_CYCLES == set()


def test_no_import_cycle_among_subpackages():
    assert set(cycles(package_graph(GRAPH))) - KNOWN_PACKAGE_CYCLES == set()


# The checker itself, on a small synthetic package: each rule catches what it should.
@pytest.fixture
def fake(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "quantlab"
    files = {
        "__init__.py": "",
        "errors.py": "",
        "metrics/__init__.py": "from quantlab.metrics.api import x\n",
        "metrics/api.py": "def f():\n    from quantlab.backtest.records import trade_dt\n",
        "metrics/_input.py": "from quantlab.metrics import periods\n",
        "metrics/periods.py": "from ._input import y\n",
        "backtest/__init__.py": "",
        "backtest/records.py": "import quantlab.errors\n",
        "montecarlo/__init__.py": "",
        "montecarlo/sim.py": (
            "from typing import TYPE_CHECKING\nfrom quantlab.metrics._input import RETURN_MAX\n"
            "if TYPE_CHECKING:\n    from quantlab.cli import main\n"
        ),
        "cli.py": "",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_checker_finds_each_kind_of_violation(fake: pathlib.Path):
    graph = import_graph(fake)
    assert graph["quantlab.metrics.api"] == {"quantlab.backtest.records"}
    assert "quantlab.cli" not in graph["quantlab.montecarlo.sim"]  # TYPE_CHECKING only
    assert violations(graph) == [
        "quantlab.metrics.api imports the engine (quantlab.backtest.records); metrics take arrays",
        "quantlab.montecarlo.sim imports the private module quantlab.metrics._input of "
        "another subpackage",
    ]
    assert cycles(graph) == [frozenset({"quantlab.metrics._input", "quantlab.metrics.periods"})]
    (fake / "backtest" / "records.py").write_text("from quantlab.montecarlo import sim\n")
    graph = import_graph(fake)
    assert "quantlab.backtest.records (layer 1) imports quantlab.montecarlo.sim (layer 2)" in (
        violations(graph)
    )
    assert frozenset({"backtest", "metrics"}) not in cycles(package_graph(graph))
