"""The architecture holds: import-linter's contracts, no import cycle in supervision, pages never touch the engine."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "app_pages").glob("*.py"))


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """Every import in supervision, module- and function-level alike (grimp reads them all)."""
    return grimp.build_graph("supervision", include_external_packages=True, cache_dir=None)


def test_import_linter_contracts_are_kept() -> None:
    """The layers and forbidden imports configured in pyproject.toml ([tool.importlinter])."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 broken" in done.stdout and "kept" in done.stdout, done.stdout


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def successors(module: str) -> Iterator[str]:
        return iter(sorted(m for m in graph.find_modules_directly_imported_by(module) if m in modules))

    for start in sorted(modules):
        if start in index:
            continue
        work = [(start, successors(start))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, successors(child)))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_in_supervision(graph: grimp.ImportGraph) -> None:
    """No two modules of supervision reach each other through imports, function-level imports included."""
    modules = {m for m in graph.modules if m == "supervision" or m.startswith("supervision.")}
    assert len(modules) > 50  # the graph really holds the package
    cycles = _cycles(graph, modules)
    assert not cycles, "import cycles: " + "; ".join(" ↔ ".join(c) for c in cycles)


def test_the_cycle_check_finds_a_cycle() -> None:
    """The check itself: a → b → c → a is one component, d alone is none."""
    graph = grimp.ImportGraph()
    for importer, imported in (("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")):
        graph.add_import(importer=importer, imported=imported)
    assert _cycles(graph, {"a", "b", "c", "d"}) == [["a", "b", "c"]]


def test_supervision_never_imports_streamlit(graph: grimp.ImportGraph) -> None:
    """The domain package runs without Streamlit (command line, exports, tests), at module or function level."""
    importers = graph.find_modules_that_directly_import("streamlit") if "streamlit" in graph.modules else set()
    assert not importers, sorted(importers)


def _imports(paths: list[Path]) -> Iterator[tuple[Path, ast.Import | ast.ImportFrom]]:
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                yield path, node


def _imported_modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules an import statement names (for `from m import a`, both m and m.a: a may be a submodule)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


# What a page may not import: the engine (components.db's `engine`, or the module that holds it), SQLAlchemy,
# or the domain's own engine factory. A page asks components.data (cached) or components.live (current rows,
# writes) and never holds a connection.
_FORBIDDEN_FOR_PAGES = ("sqlalchemy", "components.db.engine", "supervision.storage.db")


def _page_violations(path: Path) -> list[str]:
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    out = []
    for _, node in _imports([path]):
        names = _imported_modules(node)
        if isinstance(node, ast.Import) and "components.db" in names:
            names.append("components.db.engine")  # `import components.db` reaches components.db.engine()
        if isinstance(node, ast.ImportFrom) and node.module == "components" \
                and any(alias.name == "db" for alias in node.names):
            names.append("components.db.engine")  # `from components import db`: db.engine()
        for name in names:
            if any(name == bad or name.startswith(bad + ".") for bad in _FORBIDDEN_FOR_PAGES):
                out.append(f"{where}:{node.lineno} imports {name}")
    return out


def test_pages_never_touch_the_engine() -> None:
    """DEVELOPERS.md: a page reads filters, calls components and draws; no engine, no SQL."""
    assert len(PAGES) > 10
    violations = [v for page in PAGES for v in _page_violations(page)]
    assert not violations, violations


@pytest.mark.parametrize("source", [
    "from components.db import engine\n",
    "from components.db import current_data_version, engine as e\n",
    "import components.db\n",
    "from components import db\n",
    "from sqlalchemy import select\n",
    "import sqlalchemy.orm\n",
    "from supervision.storage.db import make_engine\n",
    "def f():\n    from sqlalchemy import text\n",
])
def test_the_page_check_catches(source: str, tmp_path: Path) -> None:
    probe = tmp_path / "page.py"
    probe.write_text(source, encoding="utf-8")
    assert _page_violations(probe)


def test_the_page_check_allows_components_data(tmp_path: Path) -> None:
    probe = tmp_path / "page.py"
    probe.write_text("from components import data, live\nfrom components.db import current_data_version, settings\n",
                     encoding="utf-8")
    assert not _page_violations(probe)

