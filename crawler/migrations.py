"""The schema's history: every change is one sqlite-utils migration, numbered in the order it is
applied and named by what it changes; ``crawler.db.open_db`` applies what is pending.

Databases made before the migrations were renumbered recorded their old names in
``_sqlite_migrations``; ``rename_recorded`` maps those to the names below before anything is applied,
so such a database neither re-runs nor skips a step. A new migration goes at the end, with a new name.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("xxgk")

#: old recorded name → current name (issue 16: registered out of order and named after the work)
RENAMED = {
    "m007_crawl_runs": "m002_crawl_runs_table",
    "m007_report_status_view": "m003_report_status_view",
    "m009_drained_items": "m004_drained_items_table",
    "m008_documents_fault": "m005_documents_fault_column",
    "m005_document_reading": "m006_documents_reading_columns",
    "m010_report_dates_and_format_basis": "m007_reports_dates_and_format_basis",
    "m015_bodies": "m008_bodies_table",
    "m019_similar_reports": "m009_similarity_tables",
    "m019_quality_views": "m010_quality_views",
    # recorded by databases made while issue 17 was developed (bench data directories)
    "m020_list_entries_and_known_pages": "m011_documents_list_entries_and_crawl_runs_known_pages",
}


def rename_recorded(db: Database) -> None:
    """Rewrite the old names an earlier release recorded as applied to the current ones. No current
    name is an old one, so the order of the updates does not matter."""
    table = migrations.migrations_table
    if not db[table].exists():
        return
    with db.atomic():
        for old, new in RENAMED.items():
            db.execute(
                f"UPDATE [{table}] SET name = ? WHERE migration_set = ? AND name = ?",
                [new, migrations.name, old],
            )


@migrations()
def m001_core_tables(db: Database) -> None:
    """The five tables of the first release: reports, documents, cells, checks, report_versions."""
    for create in (_reports_table, _documents_table, _cells_table, _checks_table, _versions_table):
        create(db)


def _reports_table(db: Database) -> None:
    db.table("reports").create(
        {
            "id": int,
            "site": str,
            "agency": str,
            "agency_as_printed": str,
            "year": int,
            "title": str,
            "url": str,
            "urls": str,  # JSON list: every URL this report was found at (aliases, second columns)
            "published": str,
            "region": str,
            "level": str,
            "format": str,
            "table_render": str,
            "sec3_new_received_total": int,
            "checks_failed": int,
            "narrative": str,  # JSON
            "warnings": str,  # JSON list
            "text": str,
            "content_hash": str,
            "version": int,
            "first_seen": str,
            "last_seen": str,
        },
        pk="id",
        not_null={"site", "url"},
    )
    # One row per body and year. Reports whose body cannot be named are keyed by URL instead (the
    # store stage puts the URL into `agency_key`), so they are kept, never merged by accident.
    db.table("reports").add_column("agency_key", str)
    db.table("reports").create_index(["agency_key", "year"], unique=True)
    db.table("reports").create_index(["year"])
    db.table("reports").create_index(["agency"])


def _documents_table(db: Database) -> None:
    db.table("documents").create(
        {
            "id": int,
            "site": str,
            "url": str,
            "final_url": str,
            "sha256": str,
            "fetched_at": str,
            "status": int,
            "content_type": str,
            "size": int,
            "report_id": int,
            "role": str,
            "parent_url": str,
            "warc_file": str,
            "warc_offset": int,
            "warc_record_id": str,
            "error": str,
        },
        pk="id",
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("documents").create_index(["url"])
    db.table("documents").create_index(["report_id"])
    db.table("documents").create_index(["sha256"])


def _cells_table(db: Database) -> None:
    # Raw SQL because `value` needs NUMERIC affinity: counts stay INTEGER and 万元 amounts REAL
    # (sqlite-utils' float would be REAL affinity, which turns every count into 3.0).
    db.execute(
        """
        CREATE TABLE cells (
            report_id INTEGER REFERENCES reports(id),
            [table] TEXT,
            [row] TEXT,
            [column] TEXT,
            value NUMERIC,
            raw TEXT,
            flag TEXT,
            source TEXT,
            document_id INTEGER REFERENCES documents(id),
            PRIMARY KEY (report_id, [table], [row], [column])
        )
        """
    )


def _checks_table(db: Database) -> None:
    db.table("checks").create(
        {
            "report_id": int,
            "rule": str,
            "status": str,
            "hard": int,
            "delta": float,  # the signed difference of the first failing scope
            "assumed_zero": int,
            "detail": str,
        },
        pk=("report_id", "rule"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("checks").create_index(["rule", "status"])


def _versions_table(db: Database) -> None:
    db.table("report_versions").create(
        {
            "id": int,
            "report_id": int,
            "version": int,
            "title": str,
            "url": str,
            "published": str,
            "content_hash": str,
            "text": str,
            "cells": str,  # JSON: {"sec3.new_received.total": value, …}
            "first_seen": str,
            "last_seen": str,
            "superseded_by_hash": str,
            "reason": str,  # changed / correction
        },
        pk="id",
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("report_versions").create_index(["report_id"])


@migrations()
def m002_crawl_runs_table(db: Database) -> None:
    """One row per spider run (crawler/extensions/crawl_runs.py): what it fetched, found and why it
    failed, so that a silent zero-result run is visible and re-crawls can trust the previous one."""
    db.table("crawl_runs").create(
        {
            "id": int,
            "spider": str,
            "year": int,  # the --year the run was restricted to (NULL: every year)
            "mode": str,  # incremental / full
            "started": str,
            "finished": str,
            "seconds": float,
            "finish_reason": str,
            "status": str,  # ok / failed
            "failure": str,  # why it failed (NULL when ok)
            "pages": int,  # responses received (304s included)
            "bytes": int,  # bytes received (downloader/response_bytes)
            "requests": int,
            "not_modified": int,  # pages revalidated with a 304 instead of refetched
            "report_pages": int,  # report pages seen (new, changed or unchanged)
            "new_reports": int,
            "new_versions": int,
            "reports_before": int,  # the site's reports in the database when the run started
            "errors": str,  # JSON {kind: count} of every crawler stat under xxgk/error/
        },
        pk="id",
    )
    db.table("crawl_runs").create_index(["spider", "started"])


#: Art. 49: departments (and institutions) publish by 31 January, governments and townships by 31 March
REPORT_STATUS_VIEW = """
CREATE VIEW report_status AS
WITH bodies AS (
    SELECT site, agency,
           (SELECT r.level FROM reports r
             WHERE r.site = b.site AND r.agency = b.agency AND r.level IS NOT NULL
             ORDER BY r.year DESC LIMIT 1) AS level,
           MIN(year) AS first_year, MAX(year) AS last_year, COUNT(*) AS reports
    FROM reports b
    WHERE agency IS NOT NULL AND year IS NOT NULL
    GROUP BY site, agency
),
years AS (SELECT DISTINCT year FROM reports WHERE year IS NOT NULL),
due AS (
    SELECT bodies.*, years.year,
           (years.year + 1) || CASE WHEN level IN ('government', 'township') THEN '-03-31' ELSE '-01-31' END
             AS deadline
    FROM bodies CROSS JOIN years
)
SELECT due.site, due.agency, due.level, due.year, due.deadline,
       report.id AS report_id, report.published, report.url,
       CASE
         WHEN report.id IS NULL THEN 'missing'
         WHEN report.published IS NOT NULL AND substr(report.published, 1, 10) > due.deadline THEN 'late'
         ELSE 'present'
       END AS status,
       due.reports AS body_reports
FROM due
LEFT JOIN reports report
  ON report.site = due.site AND report.agency = due.agency AND report.year = due.year
"""


@migrations()
def m003_report_status_view(db: Database) -> None:
    """Per body and year: present, late (after its deadline) or missing (``xxgk status``, Datasette)."""
    db.execute(REPORT_STATUS_VIEW)


@migrations()
def m004_drained_items_table(db: Database) -> None:
    """`xxgk drain` (issue 9): the envelope id of every item stored from Redis, written in the item's
    own transaction, so that a drainer restarted before acknowledging an item never stores it twice."""
    db.table("drained_items").create({"id": str, "worker": str, "drained_at": str}, pk="id")


@migrations()
def m005_documents_fault_column(db: Database) -> None:
    """``documents.fault``: the kind of failure behind ``error`` — timeout, reset, truncated,
    too_large, 5xx, http_404, extract_timeout, extract_memory, or ``challenge/<kind>`` for an
    anti-bot challenge (ruishu, jiasule, waf, js_check) — the same kinds as the crawl stats
    ``xxgk/error/<kind>``, so failures can be counted and faceted without parsing messages."""
    db.table("documents").add_column("fault", str)
    db.table("documents").create_index(["fault"])


@migrations()
def m006_documents_reading_columns(db: Database) -> None:
    """Issue 5: attachments and table images are read with their report. ``filename`` is the name the
    file gave itself (Content-Disposition, URL or link text), ``kind`` the detected file type (pdf,
    docx, xls, image …), ``method`` how its values were read (pdf-text, xlsx, ocr …; NULL when it was
    not read or nothing could be). Failures keep their reason in ``error``."""
    for column in ("filename", "kind", "method"):
        if column not in db.table("documents").columns_dict:
            db.table("documents").add_column(column, str)
    db.table("documents").create_index(["parent_url"], if_not_exists=True)


@migrations()
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


@migrations()
def m008_bodies_table(db: Database) -> None:
    """Issue 15: one row per reporting body (crawler/bodies.py) — its fullest name, the names and aliases
    seen, level, county and the county's GB/T 2260 code when the profile gives it, parent body — and
    ``reports.body_id``. The dedupe key becomes the body within its county (「大水泊镇」 and
    「威海市文登区大水泊镇人民政府」 are one body): existing rows are re-keyed and linked here."""
    from crawler.bodies import backfill_bodies  # the naming rules live with the bodies

    db.table("bodies").create(
        {
            "id": int,
            "key": str,  # county/body: 371003/大水泊镇人民政府
            "site": str,
            "name": str,  # the fullest name seen
            "short_name": str,
            "aliases": str,  # JSON list: every name the body was given
            "level": str,  # government / department / township / other
            "region": str,
            "county": str,
            "division_code": str,  # GB/T 2260, six digits (NULL when the profile does not say)
            "parent_id": int,
        },
        pk="id",
        not_null={"key"},
        foreign_keys=[("parent_id", "bodies", "id")],
    )
    db.table("bodies").create_index(["key"], unique=True)
    db.table("bodies").create_index(["level"])
    db.table("bodies").create_index(["county"])
    db.table("reports").add_column("body_id", int, fk="bodies", fk_col="id")
    db.table("reports").create_index(["body_id"])
    backfill_bodies(db)


@migrations()
def m009_similarity_tables(db: Database) -> None:
    """Issue 19, templated reports (crawler/similarity.py): ``similar_reports`` (both directions of
    every pair of reports whose narratives are similar, with the sections they share),
    ``report_sections`` (the headings each report has), ``similarity_runs`` (each pass: threshold
    and distribution) and ``reports.templated`` (1 above the threshold, 0 below, NULL when the
    report has too little text of its own to compare)."""
    db.table("similar_reports").create(
        {"report_id": int, "other_id": int, "similarity": float, "sections": str, "same_body": int,
         "templated": int},
        pk=("report_id", "other_id"),
        foreign_keys=[("report_id", "reports", "id"), ("other_id", "reports", "id")],
    )  # fmt: skip
    db.table("report_sections").create(
        {"report_id": int, "section": str, "own_chars": int},
        pk=("report_id", "section"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db.table("similarity_runs").create(
        {"id": int, "computed_at": str, "reports": int, "comparable": int, "pairs": int, "flagged": int,
         "threshold": float, "method": str, "histogram": str, "seconds": float},
        pk="id",
    )  # fmt: skip
    db.table("reports").add_column("templated", int)


@migrations()
def m010_quality_views(db: Database) -> None:
    """Issue 19: ``report_quality`` and ``body_quality`` (README "Report quality") and
    ``figure_series`` (headline figures per body and year, change and outliers)."""
    from crawler.quality import BODY_QUALITY_VIEW, FIGURE_SERIES_VIEW, REPORT_QUALITY_VIEW

    for view in (REPORT_QUALITY_VIEW, BODY_QUALITY_VIEW, FIGURE_SERIES_VIEW):
        db.execute(view)


@migrations()
def m011_documents_list_entries_and_crawl_runs_known_pages(db: Database) -> None:
    """Issue 17: a report page's list entry on its documents row (``list_title``, ``list_date``),
    so a re-crawl leaves known pages listed as before unfetched (crawler/recrawl.py), and what runs
    skipped and re-verified in ``crawl_runs``."""
    db.table("documents").add_column("list_title", str)
    db.table("documents").add_column("list_date", str)
    db.table("crawl_runs").add_column("known_skipped", int)  # known report pages listed as before, not fetched
    db.table("crawl_runs").add_column("reverified", int)  # known pages fetched again on the rolling schedule


@migrations()
def m012_crawl_runs_from_archive(db: Database) -> None:
    """Issue 17: list pages a run took from the archive on the revisit schedule (crawler/revisit.py)."""
    db.table("crawl_runs").add_column("lists_from_archive", int)


@migrations()
def m013_documents_column_url(db: Database) -> None:
    """Issue 17: the column a report page was listed in (``column_url``), so a re-crawl in season
    knows which columns already list every body's expected report (crawler/revisit.py)."""
    db.table("documents").add_column("column_url", str)
