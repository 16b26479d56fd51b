"""House rule for the tests themselves: a test module imports no other test module.

Importing ``tests.test_x`` runs that module's collection-time code (its ``pytestmark``, module
fixtures, module-level builds) inside another, and ties two modules' helpers to one of them: a
helper two modules share lives in tests/support/ (a fixture in tests/conftest.py). Read with ``ast``
over every Python file under tests/, nothing imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def is_test_module(dotted: str) -> bool:
    return dotted.rpartition(".")[2].startswith("test_")


def imported_test_modules(source: str, package: str) -> Iterator[str]:
    """The test modules ``source`` (a module of ``package``) imports, however it spells them:
    absolute, relative, or taken from the package."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if is_test_module(alias.name))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if is_test_module(base):
                yield base
            yield from (f"{base}.{alias.name}" for alias in node.names if is_test_module(alias.name))


def offenders() -> list[str]:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        name = path.relative_to(TESTS.parent).as_posix()
        package = ".".join(path.relative_to(TESTS.parent).parts[:-1])
        found += [f"{name} imports {target}" for target in imported_test_modules(path.read_text(encoding="utf-8"), package)]
    return sorted(found)


def test_no_module_under_tests_imports_a_test_module() -> None:
    assert offenders() == []


def test_the_reader_sees_each_spelling() -> None:
    spellings = {
        "from tests.test_store import page": ["tests.test_store"],
        "import tests.test_store": ["tests.test_store"],
        "from tests import test_store": ["tests.test_store"],
        "from .test_store import page": ["tests.test_store"],
        "from . import test_store": ["tests.test_store"],
        "from ..test_store import page": ["tests.test_store"],
        "from tests.support.store_items import page": [],
        "from tests import golden": [],
    }
    for source, expected in spellings.items():
        package = "tests.support" if source.startswith("from ..") else "tests"
        assert list(imported_test_modules(source, package)) == expected, source
