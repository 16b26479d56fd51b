"""Steps 2-4: what each run did (crawl_runs), the timeliness view (report_status) and what
`xxgk drain` stored (drained_items)."""

from __future__ import annotations

from sqlite_utils import Database


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


def m003_report_status_view(db: Database) -> None:
    """Per body and year: present, late (after its deadline) or missing (``xxgk status``, Datasette)."""
    db.execute(REPORT_STATUS_VIEW)


def m004_drained_items_table(db: Database) -> None:
    """`xxgk drain` (issue 9): the envelope id of every item stored from Redis, written in the item's
    own transaction, so that a drainer restarted before acknowledging an item never stores it twice."""
    db.table("drained_items").create({"id": str, "worker": str, "drained_at": str}, pk="id")
