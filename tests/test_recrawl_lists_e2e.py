"""End to end, a replica whose pages carry no ETag / Last-Modified: out of season a re-crawl takes
its list pages from the archive (crawler/revisit.py), so the next night of an unchanged replica
moves a few per cent of the first crawl's bytes and finds nothing; in season the lists are read and
a new report is found the next night; and a run whose lists came from the archive reparses to the
same tables.

The nights are pinned (``XXGK_REVERIFY_DATE``) and so is the season (``XXGK_SEASON_MONTHS``: empty =
none, ``1-12`` = always), so the runs do not depend on the month the suite runs in.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crawler.db import open_db
from crawler.reparse import reparse
from tests.replica.fixture import running_replica
from tests.replica.world import Report
from tests.support.dumps import dump
from tests.support.nights import crawl_night, first_then_quiet
from tests.support.recrawl import last_runs, report_keys

pytestmark = pytest.mark.e2e
NEW_YEAR = 2025


def query(data_dir: Path, sql: str, name: str = "xxgk.db") -> list[dict[str, object]]:
    db = open_db(data_dir / name)
    try:
        return list(db.query(sql))
    finally:
        db.close()


@dataclass
class Nights:
    first: Path
    quiet: Path  # the next night, out of season, nothing changed
    season: Path  # the night after, in season, every page re-verified, after new reports
    failed: dict[str, str] = field(default_factory=dict)
    published: list[Report] = field(default_factory=list)


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    root = tmp_path_factory.mktemp("lists")
    found = Nights(first=root / "first", quiet=root / "quiet", season=root / "season")
    with running_replica(seed=0) as replica:
        first_then_quiet(replica, found.first, found.quiet, found.failed, "-s", "XXGK_SEASON_MONTHS=")
        shutil.copytree(found.quiet, found.season)
        found.published = replica.world.publish_year(NEW_YEAR, bodies=2)
        # every known page re-verified, with its files
        crawl_night(replica, found.season, 2, found.failed, "season", "-s", "XXGK_SEASON_MONTHS=1-12",
              "-s", "XXGK_REVERIFY_DAYS=1")
    yield found


def test_every_crawl_exits_cleanly(nights: Nights) -> None:
    assert nights.failed == {}


def test_the_next_night_out_of_season_moves_few_bytes_and_finds_nothing(nights: Nights) -> None:
    first, quiet = last_runs(nights.first), last_runs(nights.quiet)
    moved, before = sum(r["bytes"] for r in quiet), sum(r["bytes"] for r in first)
    assert moved <= 0.05 * before, (moved, before)  # was 6.5%: every list page in full every night
    assert [(r["status"], r["new_reports"], r["new_versions"]) for r in quiet] == [("ok", 0, 0)] * 2
    assert all(r["lists_from_archive"] > 0 for r in quiet)
    assert sum(r["requests"] for r in quiet) < 0.5 * sum(r["requests"] for r in first)
    assert report_keys(nights.quiet) == report_keys(nights.first)


def test_first_crawls_take_nothing_from_the_archive(nights: Nights) -> None:
    assert [r["lists_from_archive"] for r in last_runs(nights.first)] == [0, 0]


def test_in_season_the_lists_are_read_and_the_new_reports_found(nights: Nights) -> None:
    runs = last_runs(nights.season)
    assert [r["lists_from_archive"] for r in runs] == [0, 0]
    new_keys = report_keys(nights.season) - report_keys(nights.quiet)
    assert new_keys == {(report.body.name, NEW_YEAR) for report in nights.published}


def test_in_season_known_pages_are_re_verified(nights: Nights) -> None:
    assert sum(r["reverified"] for r in last_runs(nights.season)) > 0


def test_a_re_crawl_with_lists_from_the_archive_reparses_to_the_same_tables(nights: Nights, tmp_path: Path) -> None:
    reparse(nights.season / "warc", tmp_path / "rebuilt.db")
    expected, rebuilt = dump(nights.season / "xxgk.db"), dump(tmp_path / "rebuilt.db")
    assert {table: len(rows) for table, rows in rebuilt.items()} == {table: len(rows) for table, rows in expected.items()}
    assert rebuilt == expected
    # the lists handed over left no documents row, as they left no record: the same rows of every role
    by_role = "SELECT role, COUNT(*) AS n FROM documents GROUP BY role ORDER BY role"
    assert query(tmp_path, by_role, "rebuilt.db") == query(nights.season, by_role)
