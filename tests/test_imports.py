"""The package's import graph has no cycle, counting imports inside functions too.

Every ``import`` and ``from ... import`` of every module of ``wxocr_pandas`` is read with
:mod:`ast` (also those inside functions, methods and ``try`` blocks) and drawn as an edge
from the importing module to the imported one. Two kinds of import are left out, on purpose:

- imports under ``if TYPE_CHECKING:``: they never run, they only name types for checkers;
- the implicit import of a parent package that Python performs before a submodule (importing
  ``wxocr_pandas.backends.local`` first runs ``wxocr_pandas/backends/__init__.py``): counting it
  would make every module depend on ``wxocr_pandas/__init__.py``, which re-exports the public
  names of the whole package. An explicit ``from .backends import X`` is counted.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

import wxocr_pandas

PACKAGE = Path(wxocr_pandas.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in ``tree``, at any depth, except under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return found


def _target(name: str) -> str | None:
    """The package module that ``name`` is, or the nearest package module containing it."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> set[str]:
    """The package modules ``module`` imports."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str | None] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(_target(alias.name) for alias in node.names)
            continue
        base = package
        for _ in range(node.level - 1):
            base = base.rpartition(".")[0]
        source = f"{base}.{node.module}" if node.level and node.module else \
            (base if node.level else node.module or "")
        for alias in node.names:  # ``from . import cache`` imports the module ``cache``
            submodule = f"{source}.{alias.name}"
            targets.add(submodule if submodule in MODULES else _target(source))
    return {t for t in targets if t is not None and t != module}


GRAPH = {module: imports_of(module) for module in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` (a path back to its start), or None."""
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


def test_the_cycle_finder_finds_a_lazy_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert set(find_cycle(graph)) == {"a", "b", "c"}
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_imports_are_read_at_any_depth_except_type_checking_blocks():
    source = """
import os
from typing import TYPE_CHECKING
from .errors import WxOcrError
if TYPE_CHECKING:
    from .frame import explode
def later():
    from .backends import registry
    from . import cache
    try:
        import wxocr_pandas.dask
    except ImportError:
        pass
"""
    found = set()
    for node in _imports(ast.parse(source)):
        found.update(f"{'.' * getattr(node, 'level', 0)}{getattr(node, 'module', None) or ''}"
                     f":{alias.name}" for alias in node.names)
    assert found == {":os", "typing:TYPE_CHECKING", ".errors:WxOcrError", ".backends:registry",
                     ".:cache", ":wxocr_pandas.dask"}


def test_the_graph_knows_every_module():
    assert "wxocr_pandas.backends.wechat.backend" in GRAPH
    assert "wxocr_pandas.errors" in GRAPH["wxocr_pandas.backends.wechat.backend"]


def collapse(graph: dict[str, set[str]], package: str) -> dict[str, set[str]]:
    """``graph`` with every module of ``package`` (a subpackage) drawn as one node."""
    def node(module: str) -> str:
        return package if module == package or module.startswith(f"{package}.") else module

    collapsed: dict[str, set[str]] = {}
    for module, targets in graph.items():
        collapsed.setdefault(node(module), set()).update(node(t) for t in targets)
    return {module: targets - {module} for module, targets in collapsed.items()}


PACKAGES = sorted(name for name, path in MODULES.items()
                  if path.name == "__init__.py" and name != "wxocr_pandas")


def test_the_collapse_finds_a_loop_through_a_folder():
    # backends.registry -> cluster -> backends.wechat: no module cycle, but a folder loop.
    graph = {"p.backends.registry": {"p.cluster"}, "p.cluster": {"p.backends.wechat"},
             "p.backends.wechat": set()}
    assert find_cycle(graph) is None
    assert set(find_cycle(collapse(graph, "p.backends"))) == {"p.backends", "p.cluster"}


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle_through_a_subpackage(package):
    """A subpackage is one unit: nothing it imports may import it back, even lazily."""
    assert find_cycle(collapse(GRAPH, package)) is None


def test_no_import_cycle_between_package_modules():
    assert find_cycle(GRAPH) is None


def test_config_is_a_leaf():
    assert GRAPH["wxocr_pandas.config"] <= {"wxocr_pandas.errors"}
