"""One crawl of the replica world per seed and test session, in a subprocess, and its reports
(tests/test_e2e_crawl*.py, tests/test_attachments_e2e.py, tests/test_replica_counties.py)."""

from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from crawler.db import open_db
from tests.replica.fixture import running_replica
from tests.support.proxy import proxy_env

ROOT = Path(__file__).resolve().parents[2]  # the repository


@dataclass
class Crawl:
    manifest: dict[str, Any]
    rows: list[dict[str, Any]]
    result: subprocess.CompletedProcess[str]
    data_dir: Path

    def row_for(self, expected: dict[str, Any]) -> dict[str, Any] | None:
        urls = set(expected["urls"])
        return next((row for row in self.rows if urls & set(json.loads(row["urls"]))), None)


def crawl_replica(seed: int, data_dir: Path, *extra: str) -> Crawl:
    with running_replica(seed=seed) as replica:
        result = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", "wendeng", "hy", "--fast", "--data-dir", str(data_dir), *extra],
            cwd=ROOT,
            env=proxy_env(replica.proxy_url),
            capture_output=True,
            text=True,
            timeout=900,
        )
        manifest = replica.manifest
    db = open_db(data_dir / "xxgk.db")
    rows = list(db.query("SELECT * FROM reports ORDER BY id"))
    db.close()
    return Crawl(manifest, rows, result, data_dir)


@cache
def shared_crawl(seed: int) -> Crawl:
    """One crawl of the world ``seed`` per test session, for every module that only reads it
    (tests/test_e2e_crawl.py, tests/test_attachments_e2e.py)."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"xxgk-e2e-crawl{seed}-"))
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    return crawl_replica(seed, data_dir)
