"""crawler/extract/ is pure: no Scrapy, no sqlite, no network, no clock.

That is what lets the same code run in the crawl, in `xxgk extract` and in `xxgk reparse` over the
archive years later, and be tested without fixtures of time or sockets.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

EXTRACT = Path(__file__).resolve().parent.parent / "crawler" / "extract"
FORBIDDEN_MODULES = (
    "scrapy", "twisted", "sqlite3", "sqlite_utils", "socket", "ssl", "requests", "httpx", "aiohttp",
    "urllib.request", "http.client", "urllib3", "pipelines",
)
CLOCK_CALLS = {
    ("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow"), ("date", "today"),
    ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"),
    ("time", "monotonic"), ("time", "perf_counter"),
}


def extract_sources() -> list[Path]:
    return sorted(EXTRACT.rglob("*.py"))


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def is_forbidden(module: str) -> bool:
    return any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN_MODULES)


def clock_calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in CLOCK_CALLS
        ):
            found.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
    return found


@pytest.mark.parametrize("path", extract_sources(), ids=lambda p: p.name)
def test_extract_module_imports_nothing_impure(path: Path) -> None:
    modules = imported_modules(ast.parse(path.read_text(encoding="utf-8")))
    assert not sorted(m for m in modules if is_forbidden(m))


@pytest.mark.parametrize("path", extract_sources(), ids=lambda p: p.name)
def test_extract_module_never_reads_the_clock(path: Path) -> None:
    assert clock_calls(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_importing_the_extractor_loads_no_crawler_or_database() -> None:
    """Transitive imports count too: a library that drags in Scrapy or sqlite would break purity."""
    probe = (
        "import sys, crawler.extract.report as r; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('scrapy', 'twisted', 'sqlite3', 'sqlite_utils', 'pipelines', 'requests'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""


# Modules of crawler/extract that may start a program. Reading legacy .doc/.wps needs LibreOffice:
# bytes in, bytes out through a private temporary directory and a time limit; no network, database
# or clock, so the module stays pure in the sense that matters. Every other module must not.
SUBPROCESS_ALLOWED = {"convert.py"}


@pytest.mark.parametrize("path", extract_sources(), ids=lambda p: p.name)
def test_only_the_converter_starts_programs(path: Path) -> None:
    modules = imported_modules(ast.parse(path.read_text(encoding="utf-8")))
    starts_programs = bool(modules & {"subprocess", "multiprocessing", "pty"}) or "os.system" in path.read_text(
        encoding="utf-8"
    )
    assert not starts_programs or path.name in SUBPROCESS_ALLOWED
