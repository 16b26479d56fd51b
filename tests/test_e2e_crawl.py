"""End to end: crawl the replica of both portals through the proxy into SQLite, then compare the
database with the replica's manifest (the expected answer; nothing asserted is derived from it).

Run for two generator seeds: different column ids, counts and dates, so discovery cannot depend on
the fixture's particulars.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from crawler.db import open_db
from tests.support.e2e_crawl import Crawl, shared_crawl

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=[0, 7], ids=lambda seed: f"seed{seed}")
def crawl(request: pytest.FixtureRequest) -> Iterator[Crawl]:
    yield shared_crawl(request.param)


def test_the_crawl_exits_cleanly(crawl: Crawl) -> None:
    assert crawl.result.returncode == 0, crawl.result.stderr[-3000:]


def test_every_expected_report_is_found(crawl: Crawl) -> None:
    missing = [r["url"] for r in crawl.manifest["reports"] if crawl.row_for(r) is None]
    assert missing == []


def test_no_noise_page_is_stored_as_a_report(crawl: Crawl) -> None:
    noise = {item["url"] for item in crawl.manifest["noise"]}
    stored = {url for row in crawl.rows for url in json.loads(row["urls"])}
    assert sorted(stored & noise) == []


def test_every_stored_report_is_an_expected_one(crawl: Crawl) -> None:
    expected = {url for report in crawl.manifest["reports"] for url in report["urls"]}
    assert [row["url"] for row in crawl.rows if row["url"] not in expected] == []


def test_double_postings_fold_into_one_row(crawl: Crawl) -> None:
    assert len(crawl.rows) == len(crawl.manifest["reports"])


def test_a_double_posting_row_records_both_urls(crawl: Crawl) -> None:
    folded = [r for r in crawl.manifest["reports"] if any(d["kind"] != "alias" for d in r["duplicates"])]
    assert folded, "the replica should carry at least one double posting"
    unfolded = [
        r["url"] for r in folded
        if not {d["url"] for d in r["duplicates"] if d["kind"] != "alias"} | {r["url"]}
        <= set(json.loads((crawl.row_for(r) or {"urls": "[]"})["urls"]))
    ]
    assert unfolded == []


def mismatches(crawl: Crawl, field: str, expected_of: Any) -> list[tuple[str, Any, Any]]:
    found = []
    for report in crawl.manifest["reports"]:
        row = crawl.row_for(report)
        if row is not None and row[field] != expected_of(report):
            found.append((report["url"], expected_of(report), row[field]))
    return found


def test_every_report_names_its_body(crawl: Crawl) -> None:
    assert mismatches(crawl, "agency", lambda r: r["agency"]) == []


def test_every_report_has_its_year(crawl: Crawl) -> None:
    assert mismatches(crawl, "year", lambda r: r["year"]) == []


def test_every_report_has_its_publication_date(crawl: Crawl) -> None:
    assert mismatches(crawl, "published", lambda r: r["published"][:10]) == []


def test_the_seed_reports_are_among_them(crawl: Crawl) -> None:
    seeds = [r for r in crawl.manifest["reports"] if r.get("seed")]
    found = {(row["agency"], row["year"]) for row in crawl.rows}
    assert sorted(s["seed"] for s in seeds if (s["agency"], s["year"]) in found) == sorted(
        s["seed"] for s in seeds
    ) and len(seeds) == 5


def test_every_fetched_report_page_is_a_document_linked_to_its_report(crawl: Crawl) -> None:
    db = open_db(crawl.data_dir / "xxgk.db")
    orphans = db.execute("SELECT count(*) FROM documents WHERE role = 'page' AND report_id IS NULL").fetchone()[0]
    db.close()
    assert orphans == 0


@pytest.mark.parametrize("term", ["复议", "诉讼"])
def test_datasette_search_finds_exactly_the_reports_that_say_a_two_character_term(crawl: Crawl, term: str) -> None:
    from tests.support.datasette import browse, search_ids

    get = browse(crawl.data_dir / "xxgk.db")
    saying = {row["id"] for row in crawl.rows if term in (row["text"] or "") or term in (row["title"] or "")}
    assert saying and search_ids(get, term) == saying


def test_datasette_search_finds_a_body_by_its_name(crawl: Crawl) -> None:
    from tests.support.datasette import browse, search_ids

    row = next(r for r in crawl.rows if r["agency"] and r["level"] == "township")
    assert row["id"] in search_ids(browse(crawl.data_dir / "xxgk.db"), row["agency"])


def test_the_crawled_archive_browses_with_facets_canned_queries_card_and_charts(crawl: Crawl) -> None:
    from tests.support.datasette import browse, check_browsing

    check_browsing(browse(crawl.data_dir / "xxgk.db"), report_id=crawl.rows[0]["id"])
