"""report_quality, body_quality and figure_series (issue 19): each measure on constructed reports."""

from __future__ import annotations

from typing import Any

import pytest
from sqlite_utils import Database

from crawler.quality import SECTIONS

BODY = "甲县东镇人民政府"


def add_report(db: Database, report_id: int, year: int, **columns: Any) -> None:
    row = {"id": report_id, "site": "t", "url": f"http://t.test/{report_id}", "agency": BODY, "agency_key": BODY,
           "year": year, "level": "township", "format": "G2", "title": f"{BODY}{year}年政府信息公开工作年度报告"}  # fmt: skip
    db["reports"].insert(row | columns)


def add_cells(db: Database, report_id: int, table: str, values: dict[str, Any], source: str = "html") -> None:
    db["cells"].insert_all(
        {"report_id": report_id, "table": table, "row": row, "column": "total", "value": value, "source": source}
        for row, value in values.items()
    )


@pytest.fixture
def db(fresh_db: Database) -> Database:
    db = fresh_db
    # 2021: on time, six sections, three html tables, checks pass, narrative agrees
    add_report(db, 1, 2021, published="2022-03-01", narrative='{"proactive_total": 20}', sec3_new_received_total=4)
    add_cells(db, 1, "sec2", {"art20_1.regulations": 1})
    add_cells(db, 1, "sec3", {"new_received": 4, "granted": 3, "total_processed": 4, "carried_over": 0,
                              "carried_forward": 2})  # fmt: skip
    add_cells(db, 1, "sec4", {"review": 1, "litigation_direct": 0, "litigation_after_review": 0})
    db["report_sections"].insert_all({"report_id": 1, "section": f"s{i}", "own_chars": 0} for i in range(SECTIONS))
    db["checks"].insert_all([
        {"report_id": 1, "rule": "sec3.identity", "status": "pass", "hard": 1},
        {"report_id": 1, "rule": "narrative.requests", "status": "pass", "hard": 0},
    ])  # fmt: skip
    # 2022: late, four sections, tables read by OCR, a hard check fails, narrative disagrees,
    # templated, a correction posted; 主动公开 ten times up; carried over 5 ≠ last year's 2
    add_report(db, 2, 2022, published="2023-04-02", narrative='{"proactive_total": 200}', sec3_new_received_total=5,
               templated=1, title=f"{BODY}2022年政府信息公开工作年度报告（更正）")  # fmt: skip
    add_cells(db, 2, "sec3", {"new_received": 5, "granted": 5, "total_processed": 10, "carried_over": 5}, source="ocr")
    db["report_sections"].insert_all({"report_id": 2, "section": f"s{i}", "own_chars": 0} for i in range(4))
    db["checks"].insert_all([
        {"report_id": 2, "rule": "sec3.identity", "status": "fail", "hard": 1},
        {"report_id": 2, "rule": "narrative.requests", "status": "fail", "hard": 0},
    ])  # fmt: skip
    return db


def one(db: Database, view: str, report_id: int) -> dict[str, Any]:
    return next(db.query(f"select * from {view} where report_id = ?", [report_id]))


def test_a_good_report_meets_every_measure(db: Database) -> None:
    q = one(db, "report_quality", 1)
    assert (q["deadline"], q["on_time"]) == ("2022-03-31", 1)
    assert (q["sections_present"], q["all_sections"]) == (SECTIONS, 1)
    assert (q["tables_present"], q["tables_how"]) == (3, "html")
    assert (q["hard_checks_ok"], q["narrative_agrees"], q["templated"], q["corrected"]) == (1, 1, None, 0)


def test_a_poor_report_fails_them(db: Database) -> None:
    q = one(db, "report_quality", 2)
    assert (q["on_time"], q["all_sections"], q["tables_present"], q["tables_how"]) == (0, 0, 1, "image")
    assert (q["hard_checks_ok"], q["narrative_agrees"], q["templated"], q["corrected"]) == (0, 0, 1, 1)


def test_unknown_stays_unknown(db: Database) -> None:
    add_report(db, 3, 2023)  # no date, no cells, no checks, no sections
    q = one(db, "report_quality", 3)
    assert q["on_time"] is None and q["hard_checks_ok"] is None and q["narrative_agrees"] is None
    assert (q["sections_present"], q["tables_present"], q["tables_how"]) == (0, 0, None)


def test_the_body_summary_averages_over_its_years(db: Database) -> None:
    body = next(db.query("select * from body_quality"))
    assert (body["reports"], body["first_year"], body["last_year"]) == (2, 2021, 2022)
    assert body["on_time_share"] == 0.5 and body["all_tables_share"] == 0.5
    assert (body["templated_reports"], body["corrected_reports"]) == (1, 1)


def test_the_series_has_change_and_outliers(db: Database) -> None:
    first, second = one(db, "figure_series", 1), one(db, "figure_series", 2)
    assert (first["proactive_total"], first["new_requests"], first["granted_share"]) == (20, 4, 0.75)
    assert (first["reviews"], first["lawsuits"], first["outliers"]) == (1, 0, None)
    assert second["previous_report_id"] == 1
    assert (second["proactive_change"], second["new_requests_change"]) == (180, 1)
    assert second["granted_share_change"] == pytest.approx(-0.25)
    assert second["outliers"] == "proactive_total tenfold carry_chain"


@pytest.mark.parametrize(
    ("before", "after", "outlier"),
    [(20, 200, True), (200, 20, True), (0, 42, False), (0, 100, True), (5, 60, False), (30, 250, False)],
)
def test_tenfold_counts_small_numbers_as_ten(db: Database, before: int, after: int, outlier: bool) -> None:
    db.execute("update reports set narrative = ? where id = 1", [f'{{"proactive_total": {before}}}'])
    db.execute("update reports set narrative = ? where id = 2", [f'{{"proactive_total": {after}}}'])
    flags = one(db, "figure_series", 2)["outliers"] or ""
    assert ("proactive_total tenfold" in flags) is outlier


def test_the_body_summary_counts_the_years_it_is_missing(db: Database) -> None:
    db["reports"].insert({"id": 9, "site": "t", "url": "http://t.test/9", "agency": "甲县西镇人民政府",
                          "agency_key": "甲县西镇人民政府", "year": 2023, "level": "township"})  # fmt: skip
    missing = {b["agency"]: b["years_missing"] for b in db.query("select * from body_quality")}
    # the years the database knows are 2021–2023: 东镇 lacks 2023, 西镇 2021 and 2022
    assert missing == {BODY: 1, "甲县西镇人民政府": 2}
