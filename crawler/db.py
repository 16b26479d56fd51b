"""The database contract (DIR/xxgk.db), created and evolved through sqlite-utils migrations.

Tables (architecture.md): ``reports`` (one row per reporting body and year), ``documents`` (every
fetched copy), ``cells`` (long format), ``checks``, ``report_versions``, ``bodies`` (one row per
reporting body, crawler/bodies.py). Every schema change is a new
function below; ``open_db`` applies what is pending.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

DB_NAME = "xxgk.db"
migrations = Migrations("xxgk")


def db_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / DB_NAME


def open_db(path: str | Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database and bring its schema up to date."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    # WAL: readers (Datasette, `xxgk status`) never block the single writer, and a kill mid-write
    # leaves the last committed transaction intact.
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA busy_timeout = 10000")
    if migrate:
        migrations.apply(db)
    return db


@migrations()
def m001_core_tables(db: Database) -> None:
    db["reports"].create(
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
    db["reports"].add_column("agency_key", str)
    db["reports"].create_index(["agency_key", "year"], unique=True)
    db["reports"].create_index(["year"])
    db["reports"].create_index(["agency"])

    db["documents"].create(
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
    db["documents"].create_index(["url"])
    db["documents"].create_index(["report_id"])
    db["documents"].create_index(["sha256"])

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

    db["checks"].create(
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
    db["checks"].create_index(["rule", "status"])

    db["report_versions"].create(
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
    db["report_versions"].create_index(["report_id"])


@migrations()
def m007_crawl_runs(db: Database) -> None:
    """One row per spider run (crawler/extensions/crawl_runs.py): what it fetched, found and why it
    failed, so that a silent zero-result run is visible and re-crawls can trust the previous one."""
    db["crawl_runs"].create(
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
    db["crawl_runs"].create_index(["spider", "started"])


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
def m007_report_status_view(db: Database) -> None:
    """Per body and year: present, late (after its deadline) or missing (``xxgk status``, Datasette)."""
    db.execute(REPORT_STATUS_VIEW)


@migrations()
def m009_drained_items(db: Database) -> None:
    """`xxgk drain` (issue 9): the envelope id of every item stored from Redis, written in the item's
    own transaction, so that a drainer restarted before acknowledging an item never stores it twice."""
    db["drained_items"].create({"id": str, "worker": str, "drained_at": str}, pk="id")


@migrations()
def m008_documents_fault(db: Database) -> None:
    """``documents.fault``: the kind of failure behind ``error`` — timeout, reset, truncated,
    too_large, 5xx, http_404, extract_timeout, extract_memory, or ``challenge/<kind>`` for an
    anti-bot challenge (ruishu, jiasule, waf, js_check) — the same kinds as the crawl stats
    ``xxgk/error/<kind>``, so failures can be counted and faceted without parsing messages."""
    db["documents"].add_column("fault", str)
    db["documents"].create_index(["fault"])


@migrations()
def m005_document_reading(db: Database) -> None:
    """Issue 5: attachments and table images are read with their report. ``filename`` is the name the
    file gave itself (Content-Disposition, URL or link text), ``kind`` the detected file type (pdf,
    docx, xls, image …), ``method`` how its values were read (pdf-text, xlsx, ocr …; NULL when it was
    not read or nothing could be). Failures keep their reason in ``error``."""
    for column in ("filename", "kind", "method"):
        if column not in db["documents"].columns_dict:
            db["documents"].add_column(column, str)
    db["documents"].create_index(["parent_url"], if_not_exists=True)


@migrations()
def m010_report_dates_and_format_basis(db: Database) -> None:
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
        if column not in db["reports"].columns_dict:
            db["reports"].add_column(column, kind)
    db.execute("DROP VIEW IF EXISTS report_status")
    late = "WHEN report.published IS NOT NULL AND substr(report.published, 1, 10) > due.deadline"
    assert late in REPORT_STATUS_VIEW
    posted = late.replace(
        "IS NOT NULL AND", "IS NOT NULL AND COALESCE(report.published_basis, 'posted') = 'posted' AND"
    )
    db.execute(REPORT_STATUS_VIEW.replace(late, posted))


@migrations()
def m015_bodies(db: Database) -> None:
    """Issue 15: one row per reporting body (crawler/bodies.py) — its fullest name, the names and aliases
    seen, level, county and the county's GB/T 2260 code when the profile gives it, parent body — and
    ``reports.body_id``. The dedupe key becomes the body within its county (「大水泊镇」 and
    「威海市文登区大水泊镇人民政府」 are one body): existing rows are re-keyed and linked here."""
    from crawler.bodies import backfill_bodies  # the naming rules live with the bodies

    db["bodies"].create(
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
    db["bodies"].create_index(["key"], unique=True)
    db["bodies"].create_index(["level"])
    db["bodies"].create_index(["county"])
    db["reports"].add_column("body_id", int, fk="bodies", fk_col="id")
    db["reports"].create_index(["body_id"])
    backfill_bodies(db)


@migrations()
def m019_similar_reports(db: Database) -> None:
    """Issue 19, templated reports (crawler/similarity.py): ``similar_reports`` (both directions of
    every pair of reports whose narratives are similar, with the sections they share),
    ``report_sections`` (the headings each report has), ``similarity_runs`` (each pass: threshold
    and distribution) and ``reports.templated`` (1 above the threshold, 0 below, NULL when the
    report has too little text of its own to compare)."""
    db["similar_reports"].create(
        {"report_id": int, "other_id": int, "similarity": float, "sections": str, "same_body": int,
         "templated": int},
        pk=("report_id", "other_id"),
        foreign_keys=[("report_id", "reports", "id"), ("other_id", "reports", "id")],
    )  # fmt: skip
    db["report_sections"].create(
        {"report_id": int, "section": str, "own_chars": int},
        pk=("report_id", "section"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db["similarity_runs"].create(
        {"id": int, "computed_at": str, "reports": int, "comparable": int, "pairs": int, "flagged": int,
         "threshold": float, "method": str, "histogram": str, "seconds": float},
        pk="id",
    )  # fmt: skip
    db["reports"].add_column("templated", int)


@migrations()
def m019_quality_views(db: Database) -> None:
    """Issue 19: ``report_quality`` and ``body_quality`` (README "Report quality") and
    ``figure_series`` (headline figures per body and year, change and outliers)."""
    from crawler.quality import BODY_QUALITY_VIEW, FIGURE_SERIES_VIEW, REPORT_QUALITY_VIEW

    for view in (REPORT_QUALITY_VIEW, BODY_QUALITY_VIEW, FIGURE_SERIES_VIEW):
        db.execute(view)


@migrations()
def m020_list_entries_and_known_pages(db: Database) -> None:
    """Issue 17: a report page's list entry on its documents row (``list_title``, ``list_date``),
    so a re-crawl leaves known pages listed as before unfetched (crawler/recrawl.py), and what runs
    skipped and re-verified in ``crawl_runs``."""
    db["documents"].add_column("list_title", str)
    db["documents"].add_column("list_date", str)
    db["crawl_runs"].add_column("known_skipped", int)  # known report pages listed as before, not fetched
    db["crawl_runs"].add_column("reverified", int)  # known pages fetched again on the rolling schedule
