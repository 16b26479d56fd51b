"""House rules a newcomer can rely on (issue 16): imports flow one way, files and functions stay small.

Read from the source with ``ast`` (nothing is imported), over every Python file the project ships:
crawler/ and pipelines/ for the import graph, everything outside tests/ for the sizes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crawler", "pipelines")
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 50


def shipped_files() -> Iterator[Path]:
    """Every Python file of the project outside the tests (and their fixtures) and environments."""
    for top in sorted(ROOT.iterdir()):
        if top.name in {"tests", "data", "build"} or top.name.startswith("."):
            continue  # .venv and the other dot directories are environments, not the project
        for path in [top] if top.suffix == ".py" else sorted(top.rglob("*.py")):
            if not any(p.startswith(".") for p in path.relative_to(ROOT).parts):
                yield path


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
    }


def imported(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules a file imports anywhere in it (function-level imports included: a
    deferred import is still a dependency, and the usual way to hide a circle)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from crawler.extract import page` imports the module page; the package only
            # counts when a name is taken from the package itself
            submodules = {f"{base}.{alias.name}" for alias in node.names} & modules.keys()
            found.update(submodules)
            if len(submodules) < len(node.names):
                found.add(base)
    # A package re-exporting its own submodules is no circle: Python imports the package before any
    # submodule anyway, so that edge is implied in the other direction for every package.
    return {target for target in found if target in modules and not inside(target, name)}


Graph = dict[str, set[str]]


@pytest.fixture(scope="module")
def graph() -> Graph:
    modules = project_modules()
    return {name: imported(path, modules) for name, path in modules.items()}


def edges(graph: Graph) -> Iterator[tuple[str, str]]:
    return ((a, b) for a, targets in graph.items() for b in sorted(targets))


def inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_graph_is_read(graph: Graph) -> None:
    # the checks below are vacuous if the reader finds no edges
    assert "crawler.db" in graph["pipelines.database"]
    assert "crawler.extract.model" in graph["crawler.extract.report"]  # relative or absolute
    assert sum(1 for _ in edges(graph)) > 100


def test_no_import_circle(graph: Graph) -> None:
    """A topological order exists (graphlib names one circle when it does not)."""
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        pytest.fail(f"import circle: {' -> '.join(error.args[1])}")


def test_extraction_imports_nothing_of_the_project_outside_itself(graph: Graph) -> None:
    outside = [
        f"{a} -> {b}"
        for a, b in edges(graph)
        if inside(a, "crawler.extract") and not inside(b, "crawler.extract")
    ]
    assert outside == []


def test_pipelines_do_not_import_the_spiders(graph: Graph) -> None:
    """The stages see items, never the spider that made them (nor the command that ran it)."""
    above = ("crawler.platforms", "crawler.spiders", "crawler.cli", "crawler.commands")
    upward = [
        f"{a} -> {b}" for a, b in edges(graph) if inside(a, "pipelines") and any(inside(b, p) for p in above)
    ]
    assert upward == []


def test_nothing_imports_the_command_line(graph: Graph) -> None:
    """The commands sit at the top: only the group (crawler.cli) adds them, a command may use a
    helper module of its own package, and nothing reaches up into either."""
    upward = [
        f"{a} -> {b}"
        for a, b in edges(graph)
        if (b == "crawler.cli" or inside(b, "crawler.commands"))
        and a not in ("crawler.cli", "crawler.__main__")  # the group, and the entry point that runs it
        and not (inside(a, "crawler.commands") and inside(b, "crawler.commands"))
    ]
    assert sorted(set(upward)) == []


def test_no_file_over_the_limit() -> None:
    long = {
        relative(p)
        for p in shipped_files()
        if len(p.read_text(encoding="utf-8").splitlines()) > MAX_FILE_LINES
    }
    assert sorted(long) == []


def long_functions() -> set[str]:
    """Counted from ``def`` to the last line of the body: a click command's stack of option
    decorators is declaration, not logic."""
    long = set()
    for path in shipped_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                    long.add(f"{relative(path)}:{node.name}")
    return long


def test_no_function_over_the_limit() -> None:
    assert sorted(long_functions()) == []
