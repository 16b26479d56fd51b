"""End to end: re-crawls of the replica are incremental, recorded in crawl_runs, and tell who is missing.

One replica serves the whole module: a first crawl; a re-crawl of a copy while nothing changed (it
must transfer at most 5% of the first crawl's bytes and find nothing new); then the replica publishes
reports on a new year and posts a correction, and a re-crawl must find exactly those — asserted
against what the mutations returned. The archive still rebuilds the same database (``reparse``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crawler.reparse import reparse
from tests.replica.fixture import running_replica
from tests.replica.world import Report
from tests.support.dumps import DUMPS, dump
from tests.support.proxy import proxy_env
from tests.support.recrawl import crawl, last_runs, query, report_keys, xxgk

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
NEW_YEAR = 2025


@dataclass
class Crawls:
    first: Path
    unchanged: Path
    mutated: Path
    results: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    published: list[Report] = field(default_factory=list)
    correction: Report | None = None


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawls]:
    root = tmp_path_factory.mktemp("recrawl")
    found = Crawls(first=root / "first", unchanged=root / "unchanged", mutated=root / "mutated")
    with running_replica(seed=0) as replica:
        found.results["first"] = crawl(replica, found.first)
        shutil.copytree(found.first, found.unchanged)
        # the same day, and out of season the lists would come from the archive (crawler/revisit.py):
        # these re-crawls read every list page, to see the 304s and the new reports
        found.results["unchanged"] = crawl(replica, found.unchanged, "--lists")
        shutil.copytree(found.unchanged, found.mutated)
        found.published = replica.world.publish_year(NEW_YEAR, bodies=4)
        corrected = next(r for r in replica.world.current_reports() if r.tables is not None and r.year == 2023)
        found.correction = replica.world.post_correction(corrected.url, seed=3)
        found.results["mutated"] = crawl(replica, found.mutated, "--lists")
    yield found


def test_every_crawl_exits_cleanly(crawls: Crawls) -> None:
    failed = {name: result.stderr[-2000:] for name, result in crawls.results.items() if result.returncode}
    assert failed == {}


def test_the_first_crawl_is_recorded_per_spider(crawls: Crawls) -> None:
    runs = query(crawls.first, "SELECT * FROM crawl_runs ORDER BY spider")
    assert [(r["spider"], r["status"], r["finish_reason"], r["mode"]) for r in runs] == [
        ("hy", "ok", "finished", "incremental"), ("wendeng", "ok", "finished", "incremental"),
    ]
    assert all(r["new_reports"] > 0 and r["bytes"] > 0 for r in runs)
    # the only errors of a clean crawl: the replica's hostile attachments, each refused with its reason
    assert all(set(json.loads(r["errors"])) <= {"attachment"} for r in runs), [r["errors"] for r in runs]


def test_an_unchanged_recrawl_transfers_at_most_5_percent_of_the_bytes(crawls: Crawls) -> None:
    first = sum(r["bytes"] for r in last_runs(crawls.first))
    again = sum(r["bytes"] for r in last_runs(crawls.unchanged))
    assert again <= 0.05 * first, (again, first)


def test_an_unchanged_recrawl_finds_nothing_new_and_is_ok(crawls: Crawls) -> None:
    runs = last_runs(crawls.unchanged)
    assert [(r["status"], r["new_reports"], r["new_versions"]) for r in runs] == [("ok", 0, 0)] * 2
    assert all(r["report_pages"] > 0 and r["not_modified"] > 0 for r in runs)
    assert report_keys(crawls.unchanged) == report_keys(crawls.first)


def test_a_recrawl_after_new_reports_and_a_correction_finds_exactly_those(crawls: Crawls) -> None:
    assert crawls.correction is not None
    new_keys = report_keys(crawls.mutated) - report_keys(crawls.unchanged)
    assert new_keys == {(report.body.name, NEW_YEAR) for report in crawls.published}
    runs = last_runs(crawls.mutated)
    assert sum(r["new_reports"] for r in runs) == len(crawls.published)
    assert sum(r["new_versions"] for r in runs) == 1


def test_the_correction_is_the_one_new_version(crawls: Crawls) -> None:
    assert crawls.correction is not None
    versions = query(
        crawls.mutated,
        "SELECT r.url AS current, v.url AS earlier, v.reason FROM report_versions v JOIN reports r ON r.id = v.report_id",
    )
    assert versions == [{"current": crawls.correction.url, "earlier": crawls.correction.corrects,
                         "reason": "correction"}]


def test_the_recrawls_archive_304s_and_reparse_rebuilds_the_same_tables(crawls: Crawls, tmp_path: Path) -> None:
    from crawler.archive.cdxj import iter_index

    statuses = {entry.status for entry in iter_index(crawls.mutated / "warc")}
    assert 304 in statuses
    reparse(crawls.mutated / "warc", tmp_path / "rebuilt.db")
    expected, rebuilt = dump(crawls.mutated / "xxgk.db"), dump(tmp_path / "rebuilt.db")
    for table in DUMPS:
        assert rebuilt[table] == expected[table], table


def test_status_lists_exactly_the_bodies_without_a_2023_report(crawls: Crawls) -> None:
    with running_replica(seed=0) as replica:  # the expected answer, from the manifest
        years_of: dict[tuple[str, str], set[int]] = {}
        for report in replica.manifest["reports"]:
            years_of.setdefault((report["site"], report["agency"]), set()).add(report["year"])
        result = xxgk(replica, "status", "--data-dir", str(crawls.first), "--year", "2023")
    expected = sorted(body for body, years in years_of.items() if 2023 not in years)
    assert result.returncode == 0, result.stderr
    listed = sorted(
        (site_line.split()[0], line.split()[1])
        for site_line, line in lines_by_site(result.stdout)
        if line.split()[0] == "missing"
    )
    assert listed == expected


def lines_by_site(output: str) -> Iterator[tuple[str, str]]:
    """(site heading, body line) pairs of ``xxgk status`` output."""
    heading = ""
    for line in output.splitlines():
        if line.startswith("  "):
            yield heading, line.strip().replace("\u3000", " ")
        else:
            heading = line


def test_a_run_that_finds_no_report_on_a_site_that_had_some_fails(crawls: Crawls, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(crawls.unchanged, data_dir)
    with running_replica(seed=0) as replica:
        # no pipeline: the spider runs, but no report reaches the store
        result = xxgk(replica, "crawl", "wendeng", "--fast", "--data-dir", str(data_dir), "-s", "ITEM_PIPELINES={}")
    [run] = query(data_dir, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")
    had = run["reports_before"]
    assert (result.returncode, run["status"], run["failure"]) == (
        1, "failed", f"found no report, though the site had {had} in the database",
    )
    assert had > 0 and "found no report" in result.stderr


def test_scrapy_crawl_takes_the_year_argument(tmp_path: Path) -> None:
    with running_replica(seed=0) as replica:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "wendeng", "-a", "year=2023",
             "-s", f"XXGK_DATA_DIR={tmp_path}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", "LOG_LEVEL=WARNING"],
            cwd=ROOT, env=proxy_env(replica.proxy_url), capture_output=True, text=True, timeout=300,
        )
        expected = sum(1 for r in replica.manifest["reports"] if r["site"] == "wendeng" and r["year"] == 2023)
    assert result.returncode == 0, result.stderr[-2000:]
    years = [row["year"] for row in query(tmp_path, "SELECT year FROM reports")]
    assert (set(years), len(years)) == ({2023}, expected)
    [run] = query(tmp_path, "SELECT spider, year, status FROM crawl_runs")
    assert run == {"spider": "wendeng", "year": 2023, "status": "ok"}


def test_urls_of_the_first_crawl_stay_in_the_recrawled_rows(crawls: Crawls) -> None:
    before = {row["url"] for row in query(crawls.first, "SELECT url FROM reports")}
    after = {url for row in query(crawls.mutated, "SELECT urls FROM reports") for url in json.loads(row["urls"])}
    assert before <= after
