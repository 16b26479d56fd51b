"""Dependencies kept true: every distribution pyproject.toml declares is imported somewhere in the
project (or is on a short list of tools used by their command or as plugins, each with its reason),
and the shared virtualenv's requirements are consistent (``pip check``)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("crawler", "pipelines", "tests", "deploy", "setup.py")
# used without an import statement: their command line, or loaded as a plugin by the tool they extend
NOT_IMPORTED = {
    "ruff": "the linter, run as `ruff check .`",
    "types-lxml": "type stubs, read by mypy (tests/test_types.py)",
    "types-openpyxl": "type stubs, read by mypy (tests/test_types.py)",
    "types-xlrd": "type stubs, read by mypy (tests/test_types.py)",
    "pytest-timeout": "a pytest plugin: the `timeout` ini option",
    "scrapyd": "tests/test_deploy.py starts the `scrapyd` server",
    "scrapyd-client": "tests/test_deploy.py runs `scrapyd-deploy`",
    "datasette-dashboards": "a Datasette plugin, loaded by its entry point (the charts page)",
    "onnxruntime": "rapidocr's inference engine, loaded by rapidocr",
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"]) + [s for extra in project.get("optional-dependencies", {}).values() for s in extra]
    return sorted({canonical(re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0]) for spec in specs})


@cache
def imported_modules() -> frozenset[str]:
    found: set[str] = set()
    for source in SOURCES:
        root = ROOT / source
        for path in [root] if root.is_file() else root.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module.split(".")[0])
    return frozenset(found)


@cache
def distributions_by_module() -> dict[str, list[str]]:
    return packages_distributions()


def modules_of(dist_name: str) -> set[str]:
    """Top-level import names a distribution provides."""
    names = {module for module, dists in distributions_by_module().items() if dist_name in map(canonical, dists)}
    if not names:
        try:
            top_level = distribution(dist_name).read_text("top_level.txt") or ""
        except PackageNotFoundError:
            return set()
        names = set(top_level.split())
    return names


@pytest.mark.parametrize("dist_name", declared())
def test_every_declared_dependency_is_imported(dist_name: str) -> None:
    if dist_name in NOT_IMPORTED:
        return
    modules = modules_of(dist_name)
    assert modules, f"{dist_name} is declared but not installed in this environment"
    assert modules & imported_modules(), f"{dist_name} is declared but never imported (modules {sorted(modules)})"


def test_the_exceptions_are_still_declared_and_still_not_imported() -> None:
    assert set(NOT_IMPORTED) <= set(declared()), "drop exceptions for dependencies no longer declared"
    assert not [name for name in NOT_IMPORTED if modules_of(name) & imported_modules()], "now imported: drop the exception"


def test_the_environment_is_consistent() -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
