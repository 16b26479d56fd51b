"""End to end, a replica whose pages carry no ETag / Last-Modified (tests/replica/validators.py): a
re-crawl leaves known report pages unfetched, and over one re-verification window finds new reports,
a correction and a silent edit of an old report (crawler/recrawl.py).

The re-crawls are told which day they run on (``XXGK_REVERIFY_DATE``) so that three runs stand for
three nights of a ``XXGK_REVERIFY_DAYS=3`` schedule; what they must find is what the mutations
returned, never the manifest.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.replica.fixture import running_replica
from tests.replica.validators import without_validators
from tests.replica.world import Report
from tests.support.recrawl import crawl, last_runs, query, report_keys

pytestmark = pytest.mark.e2e
NEW_YEAR = 2025
DAYS = 3


@dataclass
class Nights:
    first: Path
    unchanged: Path
    mutated: Path
    failed: dict[str, str] = field(default_factory=dict)
    published: list[Report] = field(default_factory=list)
    correction: Report | None = None
    edited: Report | None = None
    runs: list[list[dict[str, Any]]] = field(default_factory=list)


def recrawl(replica: Any, data_dir: Path, night: int, found: Nights, name: str) -> None:
    day = (datetime.now(UTC).date() + timedelta(days=night)).isoformat()
    # every list page every night (`--lists`): the window is the report pages' re-verification's;
    # the lists' own schedule out of season is tests/test_recrawl_lists_e2e.py's
    result = crawl(replica, data_dir, "--lists", "-s", f"XXGK_REVERIFY_DAYS={DAYS}", "-s", f"XXGK_REVERIFY_DATE={day}")
    if result.returncode:
        found.failed[name] = result.stderr[-2000:]


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    root = tmp_path_factory.mktemp("known")
    found = Nights(first=root / "first", unchanged=root / "unchanged", mutated=root / "mutated")
    with running_replica(seed=0) as replica:
        without_validators(replica.world)
        result = crawl(replica, found.first)
        if result.returncode:
            found.failed["first"] = result.stderr[-2000:]
        shutil.copytree(found.first, found.unchanged)
        recrawl(replica, found.unchanged, 0, found, "unchanged")  # the same day: nothing is due
        shutil.copytree(found.first, found.mutated)
        world = replica.world
        found.published = world.publish_year(NEW_YEAR, bodies=4)
        corrected = next(r for r in world.current_reports() if r.tables is not None and r.year == 2023)
        found.correction = world.post_correction(corrected.url, seed=3)
        # a silent edit: new numbers at the same URL under the same title, of an old report
        old = next(r for r in world.current_reports() if r.tables is not None and r.year == 2021)
        world.edit_numbers(old.url, seed=7)
        found.edited = world.report(old.url)
        for night in range(1, DAYS + 1):
            recrawl(replica, found.mutated, night, found, f"night {night}")
            found.runs.append(last_runs(found.mutated))
    yield found


def test_every_crawl_exits_cleanly(nights: Nights) -> None:
    assert nights.failed == {}


def test_an_unchanged_recrawl_fetches_no_known_report_page_and_finds_nothing(nights: Nights) -> None:
    runs = last_runs(nights.unchanged)
    assert [(r["status"], r["new_reports"], r["new_versions"], r["reverified"]) for r in runs] == [("ok", 0, 0, 0)] * 2
    assert all(r["known_skipped"] > 0 and r["report_pages"] >= r["known_skipped"] for r in runs)
    assert sum(r["not_modified"] for r in runs) == 0  # no validators: not one 304
    fetched = query(nights.unchanged, "SELECT COUNT(*) AS n FROM documents WHERE role = 'page'")[0]["n"]
    assert fetched == query(nights.first, "SELECT COUNT(*) AS n FROM documents WHERE role = 'page'")[0]["n"]
    assert report_keys(nights.unchanged) == report_keys(nights.first)


def test_an_unchanged_recrawl_transfers_only_list_pages(nights: Nights) -> None:
    first = sum(r["bytes"] for r in last_runs(nights.first))
    again = sum(r["bytes"] for r in last_runs(nights.unchanged))
    # before: ~95% (every listed report page and its files again); the floor is the first list
    # page of each column in full (crawler/recrawl.py), 5.1% of this small replica's first crawl
    assert again <= 0.07 * first, (again, first)


def test_re_verification_is_spread_over_the_nights(nights: Nights) -> None:
    reverified = [sum(r["reverified"] for r in runs) for runs in nights.runs]
    known = sum(r["known_skipped"] + r["reverified"] for r in nights.runs[0])
    assert 0 < reverified[0] < 0.7 * known, (reverified, known)


def test_the_window_finds_the_new_reports_the_correction_and_the_silent_edit(nights: Nights) -> None:
    assert nights.correction is not None and nights.edited is not None
    new_keys = report_keys(nights.mutated) - report_keys(nights.first)
    assert new_keys == {(report.body.name, NEW_YEAR) for report in nights.published}
    versions = query(
        nights.mutated,
        "SELECT r.url AS current, v.url AS earlier, v.reason FROM report_versions v JOIN reports r ON r.id = v.report_id",
    )
    assert sorted(versions, key=lambda v: v["reason"]) == [
        {"current": nights.edited.url, "earlier": nights.edited.url, "reason": "changed"},
        {"current": nights.correction.url, "earlier": nights.correction.corrects, "reason": "correction"},
    ]
    assert sum(r["new_versions"] for runs in nights.runs for r in runs) == 2
