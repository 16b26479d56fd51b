"""Issue 17: what a crawl reads at each site's start and end must cost O(that site), not O(the
database): a full SCAN of a table that grows with every site crawled makes a fleet run O(sites²).
Every statement the per-site readers execute is captured and its query plan checked, so a reader
that gains a query, or a migration that drops an index, is caught without naming any query here."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.db import open_db
from crawler.extensions.crawl_runs import CrawlRunsExtension
from crawler.incremental import read_history
from crawler.recrawl import read_entries, read_listed

SITE = "example-county"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "xxgk.db"
    db = open_db(path)
    db.table("crawl_runs").insert({"spider": SITE, "status": "ok", "year": None, "started": "2026-01-01"}, alter=False)
    db.close()
    return path


@pytest.fixture
def executed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every SQL statement run on a connection opened while the test runs."""
    statements: list[str] = []
    real_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    yield statements


def full_scans(path: Path, statement: str) -> list[str]:
    """The plan steps of ``statement`` that scan a growing table whole (no index)."""
    if not statement.lstrip().upper().startswith("SELECT"):
        return []
    conn = sqlite3.connect(path)
    try:
        plan = conn.execute(f"EXPLAIN QUERY PLAN {statement}").fetchall()
    finally:
        conn.close()
    # "SCAN x" reads all of x (a table, or an index walked whole); "SEARCH x USING ..." only the rows asked for
    return [row[-1] for row in plan if row[-1].startswith("SCAN ")]


PER_SITE_READERS: dict[str, Callable[[Path], object]] = {
    "crawl_runs.counts": lambda path: CrawlRunsExtension(None, path).counts(SITE),  # type: ignore[arg-type]
    "recrawl.read_entries": lambda path: read_entries(path, SITE),
    "recrawl.read_listed": lambda path: read_listed(path, SITE),
    "incremental.read_history": lambda path: read_history(path, SITE, None),
}


@pytest.mark.parametrize("reader", PER_SITE_READERS)
def test_per_site_reads_use_an_index(reader: str, database: Path, executed: list[str]) -> None:
    PER_SITE_READERS[reader](database)
    reads = [s for s in executed if s.lstrip().upper().startswith("SELECT") and "sqlite_master" not in s]
    assert reads, "the reader ran no query: the check would pass vacuously"
    scans = {s: full_scans(database, s) for s in reads}
    assert not {s: found for s, found in scans.items() if found}
