"""End to end: a CMS the crawler has no base for (the SiteServer-like replica host, tests/replica/siteserver.py)
crawled as a user would — ``xxgk crawl <start URL>`` alone, the platform forced to generic and left to
auto — must find every report the host publishes and nothing else. The expected reports come from the
host's own generator (``build_world``), never from the manifest file.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.db import open_db
from crawler.items import REPORT_ROLES
from tests.replica.fixture import running_replica
from tests.replica.hosts import UNSEEN_START_URLS
from tests.replica.world import UNSEEN_SITES, Report, build_world
from tests.support.e2e_crawl import ROOT
from tests.support.proxy import proxy_env

pytestmark = pytest.mark.e2e


def crawl(seed: int, platform: str, data_dir: Path) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    with running_replica(seed=seed, sites=UNSEEN_SITES) as replica:
        result = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", *UNSEEN_START_URLS.values(), "--platform", platform,
             "--fast", "--data-dir", str(data_dir)],
            cwd=ROOT, env=proxy_env(replica.proxy_url), capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    db = open_db(data_dir / "xxgk.db")
    rows = list(db.query("SELECT * FROM reports ORDER BY id")) if "reports" in db.table_names() else []
    db.close()
    return result, rows


def published(seed: int) -> list[Report]:
    """What the host publishes, from its generator."""
    return build_world(seed, sites=UNSEEN_SITES).current_reports()


@pytest.fixture(scope="module", params=[(0, "generic"), (7, "generic"), (0, "auto")],
                ids=lambda p: f"seed{p[0]}-{p[1]}")  # fmt: skip
def outcome(request: pytest.FixtureRequest) -> Iterator[tuple[Any, list[dict[str, Any]], list[Report]]]:
    seed, platform = request.param
    data_dir = Path(tempfile.mkdtemp(prefix=f"xxgk-e2e-unseen{seed}-{platform}-"))
    try:
        result, rows = crawl(seed, platform, data_dir)
        yield result, rows, published(seed)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def row_for(rows: list[dict[str, Any]], report: Report) -> dict[str, Any] | None:
    return next((row for row in rows if report.url in json.loads(row["urls"])), None)


def test_the_crawl_exits_cleanly(outcome: Any) -> None:
    result, _, _ = outcome
    assert result.returncode == 0, result.stderr[-3000:]
    assert " 0 errors" in result.stdout


def test_every_published_report_is_found(outcome: Any) -> None:
    _, rows, reports = outcome
    assert reports
    assert [r.url for r in reports if row_for(rows, r) is None] == []


def test_nothing_else_is_stored(outcome: Any) -> None:
    _, rows, reports = outcome
    assert len(rows) == len(reports)
    assert {row["url"] for row in rows} <= {r.url for r in reports}


def test_agency_year_and_date_are_the_publishers(outcome: Any) -> None:
    _, rows, reports = outcome
    wrong = [(r.url, row["agency"], row["year"], row["published"][:10]) for r in reports
             if (row := row_for(rows, r)) is not None
             and (row["agency"], row["year"], row["published"][:10]) != (r.body.name, r.year, f"{r.published:%Y-%m-%d}")]  # fmt: skip
    assert wrong == []


def test_an_incremental_recrawl_pages_every_list_to_its_end(tmp_path: Path) -> None:
    """A re-crawl walks each list one page at a time until a known report: with none known (the report
    pages forgotten), it must reach every report, through the select-only and script pagers too."""
    crawl(0, "generic", tmp_path)
    with sqlite3.connect(tmp_path / "xxgk.db") as conn:
        marks = ", ".join("?" for _ in REPORT_ROLES)
        conn.execute(f"DELETE FROM documents WHERE role IN ({marks})", list(REPORT_ROLES))
    result, _ = crawl(0, "generic", tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "xxgk.db") as conn:
        mode, reached = conn.execute("SELECT mode, report_pages FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    assert (mode, reached) == ("incremental", len(published(0)))
