"""End to end, a replica without ETag / Last-Modified, in season: columns that already list every
body's expected report are on the out-of-season list period, so the next night of an unchanged
replica moves few bytes and finds nothing; a column still missing a body's expected report is read
every night, so the report that body posts late is found the night after (crawler/revisit.py).

The nights are pinned (``XXGK_REVERIFY_DATE``: the next nights after the first crawl, so captures
have their real ages), in season (``XXGK_SEASON_MONTHS=1-12``), and the expected year is the
replica's newest (``XXGK_SEASON_YEAR=2024``: the replica's years are 2019–2024), so the runs do not
depend on the day the suite runs. What they must find is what the mutation returned.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.replica.fixture import running_replica
from tests.replica.world import Report
from tests.support.nights import crawl_night, first_then_quiet
from tests.support.recrawl import last_runs, query, report_keys

pytestmark = pytest.mark.e2e
YEAR = 2024
SEASON = ("-s", "XXGK_SEASON_MONTHS=1-12", "-s", f"XXGK_SEASON_YEAR={YEAR}")


@dataclass
class Nights:
    first: Path
    quiet: Path  # the next night, nothing changed
    late: Path  # the night after, once a body missing its 2024 report has posted it
    failed: dict[str, str] = field(default_factory=dict)
    published: list[Report] = field(default_factory=list)


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    root = tmp_path_factory.mktemp("season")
    found = Nights(first=root / "first", quiet=root / "quiet", late=root / "late")
    with running_replica(seed=0) as replica:
        first_then_quiet(replica, found.first, found.quiet, found.failed, *SEASON)
        shutil.copytree(found.quiet, found.late)
        found.published = replica.world.publish_year(YEAR, bodies=1)  # a body late with its 2024 report
        crawl_night(replica, found.late, 2, found.failed, "late", *SEASON)
    yield found


def test_every_crawl_exits_cleanly(nights: Nights) -> None:
    assert nights.failed == {}


def test_the_next_night_in_season_moves_few_bytes_and_finds_nothing(nights: Nights) -> None:
    first, quiet = last_runs(nights.first), last_runs(nights.quiet)
    moved, before = sum(r["bytes"] for r in quiet), sum(r["bytes"] for r in first)
    assert moved <= 0.05 * before, (moved, before)  # every list page in full every night: 5.8%
    assert [(r["status"], r["new_reports"], r["new_versions"]) for r in quiet] == [("ok", 0, 0)] * 2
    assert sum(r["lists_from_archive"] for r in quiet) > 0
    assert report_keys(nights.quiet) == report_keys(nights.first)


def read_columns(data_dir: Path, since: int) -> set[str]:
    """URLs of the list pages read (a documents row) after documents row ``since``."""
    rows = query(data_dir, "SELECT url FROM documents WHERE role = 'list' AND id > ?", [since])
    return {row["url"] for row in rows}


def test_a_column_missing_a_bodys_report_is_read_and_its_late_report_found(nights: Nights) -> None:
    [late] = nights.published
    assert report_keys(nights.late) - report_keys(nights.quiet) == {(late.body.name, YEAR)}
    # the body's column (as its earlier reports recorded it) was read on the quiet night already
    before = query(nights.first, "SELECT MAX(id) AS n FROM documents")[0]["n"]
    columns = query(nights.first, "SELECT DISTINCT d.column_url FROM documents d JOIN reports r "
                    "ON r.id = d.report_id WHERE r.agency = ?", [late.body.name])
    assert columns and {row["column_url"] for row in columns} & read_columns(nights.quiet, before)
