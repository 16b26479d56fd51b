"""A report's cells and checks as the store writes them (``ReportRows``): pure and Scrapy-free, so a
reparse's pool workers compute them beside the extraction (crawler/reparse/pooled.py) and the store
computes the same rows itself when an item comes without them (pipelines/store.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from crawler.extract.model import Cell, ExtractedReport
from crawler.items import ReportPage, ReportRows


def cell_rows(report: ExtractedReport) -> Iterator[tuple[str, str, str, Cell]]:
    """(table, row, column, cell) in long format; section 二 rows are ``<block>.<row>``."""
    for block, rows in report.sec2.items():
        for row, cols in rows.items():
            for column, cell in cols.items():
                yield "sec2", f"{block}.{row}", column, cell
    for table, groups in (("sec3", report.sec3), ("sec4", report.sec4)):
        for row, cols in groups.items():
            for column, cell in cols.items():
                yield table, row, column, cell


def sql_number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def report_rows(report: ExtractedReport) -> ReportRows:
    """The report's cells and checks as plain rows, in the order the store inserts them."""
    new_received = report.sec3.get("new_received", {}).get("total")
    return ReportRows(
        cells=tuple(
            (table, row, column, sql_number(cell.value), cell.raw, cell.flag)
            for table, row, column, cell in cell_rows(report)
        ),
        checks=tuple(
            (rule, r.status, int(r.hard), sql_number(r.delta), int(r.assumed_zero), r.detail)
            for rule, r in report.checks.items()
        ),
        new_received_total=sql_number(new_received.value) if new_received else None,
        checks_failed=report.failed_hard_checks(),
    )


def rows_of(item: ReportPage) -> ReportRows:
    """The item's rows: those computed beside its extraction, else computed now and kept on it (the
    store reads them twice: the report's columns, then its cells and checks)."""
    assert item.extracted is not None
    if item.rows is None:
        item.rows = report_rows(item.extracted)
    return item.rows


def with_rows(item: ReportPage) -> ReportPage:
    """``item`` with its report's rows computed, and its report without the cells and checks they
    replace (what a worker sends back to the writer: tuples, not ~100 objects)."""
    if item.extracted is None or item.rows is not None:
        return item
    item.rows = report_rows(item.extracted)
    item.extracted = dataclasses.replace(item.extracted, sec2={}, sec3={}, sec4={}, checks={})
    return item
