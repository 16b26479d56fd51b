"""Steps 5-7: how documents were read or failed (fault, filename, kind, method) and the report's
dates and the basis of its format."""

from __future__ import annotations

from sqlite_utils import Database

from crawler.migrations.runs_and_status import REPORT_STATUS_VIEW


def m005_documents_fault_column(db: Database) -> None:
    """``documents.fault``: the kind of failure behind ``error`` — timeout, reset, truncated,
    too_large, 5xx, http_404, extract_timeout, extract_memory, or ``challenge/<kind>`` for an
    anti-bot challenge (ruishu, jiasule, waf, js_check) — the same kinds as the crawl stats
    ``xxgk/error/<kind>``, so failures can be counted and faceted without parsing messages."""
    db.table("documents").add_column("fault", str)
    db.table("documents").create_index(["fault"])


def m006_documents_reading_columns(db: Database) -> None:
    """Issue 5: attachments and table images are read with their report. ``filename`` is the name the
    file gave itself (Content-Disposition, URL or link text), ``kind`` the detected file type (pdf,
    docx, xls, image …), ``method`` how its values were read (pdf-text, xlsx, ocr …; NULL when it was
    not read or nothing could be). Failures keep their reason in ``error``."""
    for column in ("filename", "kind", "method"):
        if column not in db.table("documents").columns_dict:
            db.table("documents").add_column(column, str)
    db.table("documents").create_index(["parent_url"], if_not_exists=True)


def m007_reports_dates_and_format_basis(db: Database) -> None:
    """Issue 14: ``dated`` (the date printed on the report: signature, 成文日期) beside ``published``
    (the posting date); ``published_basis`` says which one ``published`` is (posted / dated, when
    the page printed no posting date); ``format_basis`` what decided ``format`` (labels / citation /
    year); ``proactive_approx`` marks a headline 主动公开 count printed as 余 / 多 / 万. Timeliness
    (``report_status``) counts a report late by its posting date only: a printed date says when
    the report was signed, not when the public could read it."""
    for column, kind in (
        ("dated", str),
        ("published_basis", str),
        ("format_basis", str),
        ("proactive_approx", int),
    ):
        if column not in db.table("reports").columns_dict:
            db.table("reports").add_column(column, kind)
    db.execute("DROP VIEW IF EXISTS report_status")
    late = "WHEN report.published IS NOT NULL AND substr(report.published, 1, 10) > due.deadline"
    assert late in REPORT_STATUS_VIEW
    posted = late.replace(
        "IS NOT NULL AND", "IS NOT NULL AND COALESCE(report.published_basis, 'posted') = 'posted' AND"
    )
    db.execute(REPORT_STATUS_VIEW.replace(late, posted))
