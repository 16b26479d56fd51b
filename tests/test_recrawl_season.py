"""In season, columns that already list every body's expected report keep the out-of-season list
period (crawler/revisit.py ``complete_columns``); the others are read every run. Constructed rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.settings import Settings

from crawler import settings as project
from crawler.archive.revalidate import column_of
from crawler.db import open_db
from crawler.recrawl import ListedReport, read_listed
from crawler.revisit import Revisits, complete_columns, expected_year, revisits
from tests.support.list_pages import LIST, archive, listed, middleware, quiet_day

A = "http://www.example.gov.cn/col/col12/index.html"
B = "http://www.example.gov.cn/col/col13/index.html"
ALL_YEAR = frozenset(range(1, 13))


def test_the_expected_year_is_last_year_from_new_years_day() -> None:
    assert (expected_year(date(2024, 12, 31)), expected_year(date(2025, 1, 1))) == (2023, 2024)


def test_a_column_listing_every_bodys_expected_report_is_complete() -> None:
    rows = [ListedReport(A, "b1", 2023), ListedReport(A, "b1", 2024), ListedReport(A, "b2", 2024)]
    assert complete_columns(rows, 2024) == {A}


def test_one_body_missing_its_expected_report_leaves_the_column_incomplete() -> None:
    rows = [ListedReport(A, "b1", 2024), ListedReport(A, "b2", 2023), ListedReport(B, "b3", 2024)]
    assert complete_columns(rows, 2024) == {B}


def test_a_column_shared_by_two_bodies_is_complete_only_with_both() -> None:
    shared = [ListedReport(A, "b1", 2024), ListedReport(A, "b2", 2023)]
    assert complete_columns(shared, 2024) == frozenset()
    assert complete_columns([*shared, ListedReport(A, "b2", 2024)], 2024) == {A}


def test_the_expected_report_counts_wherever_the_site_lists_it() -> None:
    # one report per body per year: once b1's 2024 report is known (under B, or before columns
    # were recorded), A cannot bring another of b1's
    assert complete_columns([ListedReport(A, "b1", 2023), ListedReport(B, "b1", 2024)], 2024) == {A, B}
    assert complete_columns([ListedReport(A, "b1", 2023), ListedReport(None, "b1", 2024)], 2024) == {A}


def test_a_column_with_no_known_report_is_never_complete() -> None:
    assert complete_columns([], 2024) == frozenset()
    assert complete_columns([ListedReport(A, None, 2024)], 2024) == frozenset()  # no report row


def test_the_january_boundary_moves_the_expected_year() -> None:
    rows = [ListedReport(A, "b1", 2022), ListedReport(A, "b1", 2023)]
    assert complete_columns(rows, expected_year(date(2024, 12, 31))) == {A}
    assert complete_columns(rows, expected_year(date(2025, 1, 1))) == frozenset()  # 2024's is now due


def test_in_season_only_complete_columns_keep_the_list_period() -> None:
    schedule = Revisits(today=date(2025, 2, 15), list_days=7, season=ALL_YEAR, complete=frozenset({A}))
    assert (schedule.period("list", A), schedule.period("list", B), schedule.period("list")) == (7, 1, 1)
    off = Revisits(today=date(2025, 6, 1), list_days=7, season=frozenset({1, 2, 3, 4}))
    assert off.period("list", B) == 7  # out of season every list keeps its period


def test_a_list_request_names_its_column() -> None:
    assert column_of(Request(A)) == A  # a column's first page is the column
    assert column_of(Request(A + "?page=2", meta={"xxgk_column_url": A})) == A  # generic, Hanweb paging
    assert column_of(Request("http://x/col/index_1.html", cb_kwargs={"column_url": "http://x/col/"})) == "http://x/col/"


def store(path: Path, rows: list[tuple[str, str | None, int | None, str | None, int]]) -> None:
    """documents rows of report pages (url, column_url, year, agency_key, status) and their reports."""
    db = open_db(path)
    for number, (url, column_url, year, key, status) in enumerate(rows, 1):
        report_id = None
        if key is not None:
            report_id = db.table("reports").insert({"site": "s", "url": url, "year": year, "agency_key": key}).last_pk
        db.table("documents").insert({"site": "s", "url": url, "role": "page", "status": status,
                                      "report_id": report_id, "column_url": column_url,
                                      "fetched_at": f"2025-01-{number:02d}T00:00:00Z"})
    db.close()


def test_the_database_gives_each_pages_latest_good_row(tmp_path: Path) -> None:
    path = tmp_path / "xxgk.db"
    store(path, [("u1", A, 2024, "k1", 200), ("u2", A, 2023, "k2", 200), ("u3", B, 2024, "k3", 200),
                 ("u3", B, None, None, 404)])  # u3 gone since: no longer listed
    assert sorted(read_listed(path, "s")) == [ListedReport(A, "key:k1", 2024), ListedReport(A, "key:k2", 2023)]
    assert read_listed(path, "other") == []


def settings(data_dir: Path, day: str) -> Settings:
    values = Settings()
    values.setmodule(project)
    values.setdict({"XXGK_DATA_DIR": str(data_dir), "XXGK_REVERIFY_DATE": day, "XXGK_SEASON_MONTHS": "1-4"})
    return values


def test_the_runs_schedule_knows_the_sites_complete_columns_in_season(tmp_path: Path) -> None:
    store(tmp_path / "xxgk.db", [("u1", A, 2024, "k1", 200), ("u2", B, 2023, "k2", 200)])
    schedule = revisits(settings(tmp_path, "2025-02-15"), "s")
    assert schedule is not None and schedule.complete == {A}
    pinned = settings(tmp_path, "2025-02-15")
    pinned.set("XXGK_SEASON_YEAR", 2023)  # the year the season's columns are complete for, pinned
    assert revisits(pinned, "s").complete == {B}  # type: ignore[union-attr]
    out = revisits(settings(tmp_path, "2025-06-15"), "s")
    assert out is not None and out.complete == frozenset()  # not needed: every list keeps its period


@pytest.mark.parametrize(("complete", "served"), [(frozenset({LIST}), True), (frozenset(), False)])
def test_in_season_a_complete_column_is_served_and_an_incomplete_one_asked(
    complete: frozenset[str], served: bool, tmp_path: Path
) -> None:
    archive(tmp_path, LIST, "list")
    today = quiet_day(LIST, datetime.now(UTC).date(), 7)
    schedule = Revisits(today=today, list_days=7, season=ALL_YEAR, complete=complete)
    response = middleware(tmp_path, schedule).process_request(listed())
    assert isinstance(response, Response) is served
