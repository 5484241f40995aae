"""The import graph of the package: no cycles, no private names borrowed from a sibling.

Read from the source with ``ast`` (nothing is imported): every ``import baby_room.x`` and
``from baby_room.x import y``, at module level or inside a function, is an edge.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "baby_room"

#: Private names still imported across modules (importer, source, name) when this test was
#: written, each in another helper's domain and being removed there (issue 13). Do not add to
#: this list: import a public name, or move the helper into a module whose name starts with
#: "_". An entry may go as soon as its import is gone.
ALLOWED_PRIVATE_IMPORTS: set[tuple[str, str, str]] = {
    # focus groups (QDA helper): shared helpers to move into focus_groups/_common.py
    *(("baby_room.focus_groups.agreement", "baby_room.focus_groups.analysis", name)
      for name in ("_check_codebook", "_check_frame", "_choice", "_code_order",
                   "_conference_order", "_natural_key", "_positions", "_require_columns",
                   "_theme_of")),
    ("baby_room.focus_groups.plots", "baby_room.focus_groups.analysis", "_choice"),
    *(("baby_room.focus_groups.maxqda", "baby_room.focus_groups.qdpx", name)
      for name in ("_apply_documents", "_finalise_long", "_key", "_stem")),
    # survey (survey helper): shared helpers to move into a private survey module
    *(("baby_room.survey.likert", "baby_room.survey.indicators", name)
      for name in ("_as_list", "_finish", "_share")),
    ("baby_room.survey.models", "baby_room.survey.indicators", "_check_design"),
    ("baby_room.survey.models", "baby_room.survey.indicators", "_design_spec"),
    ("baby_room.survey.plots", "baby_room.survey.indicators", "_finish"),
    ("baby_room.survey.plots", "baby_room.survey.indicators", "_share"),
}

#: Import cycles present when this test was written, in another helper's domain and being
#: removed there (survey: indicators re-exports likert and models, which import it back).
ALLOWED_CYCLES = [
    ["baby_room.survey.indicators", "baby_room.survey.likert", "baby_room.survey.models"],
]


def _module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph(package: Path = PACKAGE
                 ) -> tuple[dict[str, set[str]], list[tuple[str, str, str]]]:
    """Edges module -> imported baby_room modules, and (module, source, name) private imports."""
    modules = {_module_name(p, package): p for p in package.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    private = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("baby_room"):
                        edges[module].add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(module, node, path.name == "__init__.py")
                if not source.startswith("baby_room"):
                    continue
                for alias in node.names:
                    target = f"{source}.{alias.name}"
                    edges[module].add(target if target in modules else source)
                    if target in modules:  # a submodule: private only by its own name
                        continue
                    if (alias.name.startswith("_") and not alias.name.startswith("__")
                            and not source.rsplit(".", 1)[-1].startswith("_")):
                        private.append((module, source, alias.name))
    return {m: {t for t in e if t in modules and t != m} for m, e in edges.items()}, private


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def _package_edges(edges):
    """Drop the edges from a package's __init__ to its own submodules (lazy exports and
    re-exports: importing the submodule runs the __init__ first, which is not a cycle of
    the modules' own code) and from a submodule to its package's __init__."""
    out = {}
    for m, targets in edges.items():
        out[m] = {t for t in targets
                  if not t.startswith(m + ".") and not m.startswith(t + ".")}
    return out


@pytest.fixture(scope="module")
def package_graph():
    """The package's import graph, read once for the tests below (about a second)."""
    return import_graph()


def test_no_import_cycles_among_modules(package_graph):
    edges, _ = package_graph
    cycles = _cycles(_package_edges(edges))
    assert [c for c in cycles if c not in ALLOWED_CYCLES] == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_findings_and_report_do_not_import_each_other(package_graph):
    edges, _ = package_graph
    assert "baby_room.report" not in edges["baby_room.findings"]
    assert "baby_room.findings" not in edges["baby_room.report"]


def test_no_private_names_imported_from_a_sibling(package_graph):
    _, private = package_graph
    assert set(private) - ALLOWED_PRIVATE_IMPORTS == set()


def test_the_graph_finds_a_cycle_and_a_private_import(tmp_path):
    pkg = tmp_path / "baby_room"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from baby_room import b\n")
    (pkg / "b.py").write_text("def f():\n    from baby_room.a import _helper\n")
    (pkg / "sub" / "c.py").write_text("from . import _private_module\nfrom .._x import _ok\n")
    (pkg / "sub" / "_private_module.py").write_text("")
    (pkg / "_x.py").write_text("")
    edges, private = import_graph(pkg)
    assert _cycles(_package_edges(edges)) == [["baby_room.a", "baby_room.b"]]
    assert private == [("baby_room.b", "baby_room.a", "_helper")]
