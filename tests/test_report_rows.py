"""A report's cells and checks as rows (pipelines/report_rows.py): what a reparse's workers send the
writer instead of the report's Cell and CheckResult objects, and the store writes the same either way."""

from __future__ import annotations

import pickle
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from crawler.extract.model import Cell
from crawler.reparse.pooled import for_the_writer
from pipelines.dedupe import DedupePipeline
from pipelines.report_rows import report_rows, rows_of, with_rows
from pipelines.store import StorePipeline
from tests.support.store_items import URL_A, Stats, extracted, page

#: every table the store writes a report into, its own ids left out where they are a rowid
TABLES = ("reports", "documents", "cells", "checks", "report_versions")


def test_the_rows_are_the_cells_in_long_format_and_the_checks_as_sql_values() -> None:
    report = extracted(received=3)
    report.sec3["new_received"]["total"] = Cell(Decimal("3.5"), "3.5")
    rows = report_rows(report)
    assert rows.cells == (
        ("sec2", "art20_8.admin_fees", "fee_amount", None, "-", "marker"),
        ("sec3", "new_received", "total", 3.5, "3.5", None),
        ("sec4", "review", "total", 0, "0", None),
    )
    assert rows.checks == (("sec3.identity", "fail", 1, 1, 0, "total: 3 ≠ 2"),)
    assert (rows.new_received_total, rows.checks_failed) == (3.5, 1)


def test_with_rows_sends_tuples_in_place_of_the_reports_cells_and_checks() -> None:
    item = with_rows(page(URL_A, extracted()))
    assert item.extracted is not None
    report = item.extracted
    assert not (report.sec2 or report.sec3 or report.sec4 or report.checks)
    assert rows_of(item) == report_rows(extracted())
    assert with_rows(item) is item and rows_of(item) is item.rows  # computed once


def test_a_workers_result_pickles_without_a_cell_object() -> None:
    """What the lighter result is for: no Cell or CheckResult crosses the pipe to the writer."""
    sent = pickle.dumps(for_the_writer(page(URL_A, extracted()), stages=()))
    assert b"Cell" not in sent and b"CheckResult" not in sent


def stored(path: Path, items: list[Any]) -> dict[str, list[tuple[Any, ...]]]:
    stats: Any = Stats()  # the stages' stats stand-in
    dedupe, store = DedupePipeline(path, stats), StorePipeline(path, stats)
    dedupe.open_spider()
    store.open_spider()
    try:
        for item in items:
            store.process_item(dedupe.process_item(item))
    finally:
        dedupe.close_spider()
        store.close_spider()
    connection = sqlite3.connect(path)
    try:
        return {table: connection.execute(f"SELECT * FROM [{table}]").fetchall() for table in TABLES}
    finally:
        connection.close()


@pytest.mark.parametrize("history", ["new", "newer version", "older version", "same"])
def test_the_store_writes_the_same_with_or_without_rows_sent(tmp_path: Path, history: str) -> None:
    """The one-core reparse (rows computed by the store) and all cores (rows sent by a worker) agree."""
    later = "2026-12-01T00:00:00Z"
    first, second = {
        "new": (extracted(), None),
        "newer version": (extracted(received=3, text="旧"), extracted(received=5, text="新")),
        "older version": (extracted(received=5, text="新"), extracted(received=3, text="旧")),
        "same": (extracted(), extracted()),
    }[history]

    def items(sent_rows: bool) -> list[Any]:
        pages = [page(URL_A, first)] + ([page(URL_A, second, fetched_at=later)] if second is not None else [])
        if history == "older version":
            pages[1].fetched_at, pages[0].fetched_at = pages[0].fetched_at, later
        return [with_rows(item) for item in pages] if sent_rows else pages

    assert stored(tmp_path / "sent.db", items(True)) == stored(tmp_path / "computed.db", items(False))
