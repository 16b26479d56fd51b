"""Issue 14's new report fields reach the database: dated, published_basis, format_basis,
proactive_approx; timeliness (report_status) uses the posting date only."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlite_utils import Database

from crawler.commands.status import status_rows
from crawler.db import open_db
from crawler.extract.model import Narrative
from tests.support.store_items import URL_A, extracted, page


def test_new_fields_are_stored_as_columns(stages: Any) -> None:
    run, path = stages
    report = dataclasses.replace(
        extracted(),
        dated="2023-01-10",
        published_basis="posted",
        format_basis="citation",
        narrative=Narrative(proactive_total=30000, proactive_approx=True),
    )
    run(page(URL_A, report))
    row = next(open_db(path)["reports"].rows)
    assert (row["dated"], row["published_basis"], row["format_basis"], row["proactive_approx"]) == (
        "2023-01-10",
        "posted",
        "citation",
        1,
    )


def test_a_printed_date_alone_never_makes_a_report_late(fresh_db: Database) -> None:
    db = fresh_db
    rows = [("财政局", 2023, "2024-02-01", "posted"), ("教育局", 2023, "2024-02-01", "dated")]
    db["reports"].insert_all(
        {
            "site": "s",
            "url": f"http://s/{i}",
            "agency": agency,
            "agency_key": agency,
            "level": "department",
            "year": year,
            "published": published,
            "published_basis": basis,
        }
        for i, (agency, year, published, basis) in enumerate(rows)
    )
    statuses = {row["agency"]: row["status"] for row in status_rows(db, 2023)}
    assert statuses == {"财政局": "late", "教育局": "present"}
