"""``xxgk`` crawls of the replica in a subprocess and the queries the re-crawl e2e modules assert on
(tests/test_recrawl*_e2e.py, tests/test_resume_outcome.py, tests/support/nights.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from crawler.db import open_db
from tests.replica.fixture import Replica
from tests.support.proxy import proxy_env

ROOT = Path(__file__).resolve().parents[2]  # the repository


def xxgk(replica: Replica, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args], cwd=ROOT, env=proxy_env(replica.proxy_url),
        capture_output=True, text=True, timeout=600,
    )


def crawl(replica: Replica, data_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return xxgk(replica, "crawl", "wendeng", "hy", "--fast", "--data-dir", str(data_dir), *extra)


def query(data_dir: Path, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    db = open_db(data_dir / "xxgk.db")
    try:
        return list(db.query(sql, params or []))
    finally:
        db.close()


def last_runs(data_dir: Path) -> list[dict[str, Any]]:
    """The rows of the latest crawl (one per spider)."""
    return query(data_dir, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 2")


def report_keys(data_dir: Path) -> set[tuple[str, int]]:
    return {(row["agency"], row["year"]) for row in query(data_dir, "SELECT agency, year FROM reports")}
