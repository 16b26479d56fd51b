"""Record every spider run in ``crawl_runs``: what it fetched and found, and whether it failed.

An extension rather than a pipeline stage, because a run that yields nothing (the failure this table
exists for) never reaches the pipelines. It writes one row when the spider closes, after the stages
have committed, and puts its verdict into the crawler stats (``xxgk/run/status``,
``xxgk/run/failure``) so the CLI can exit non-zero for the same reason the table gives.

A run fails when it ends for any reason but ``finished``, or when it sees no report page at all
(new, changed or unchanged) — saying so louder when the site had reports in the database before. An
incremental run that revalidates known reports and finds nothing new is ok.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.clock import utc_now  # seconds: the precision crawl_runs.started / finished are stored at
from crawler.db import db_path, open_db

logger = logging.getLogger(__name__)

ERROR_PREFIX = "xxgk/error/"
REPORT_PREFIX = "xxgk/store/reports/"


def errors_by_kind(stats: Mapping[str, Any]) -> dict[str, int]:
    """Every ``xxgk/error/<kind>`` stat as {kind: count}, whoever counted it."""
    return {key.removeprefix(ERROR_PREFIX): value for key, value in sorted(stats.items())
            if key.startswith(ERROR_PREFIX)}


def report_pages(stats: Mapping[str, Any]) -> int:
    """Report pages the store decided on: new, changed, unchanged or older versions — and, in a
    resumed run, those found already committed by the run it resumes (crawler/resume.py): a run
    killed after storing everything (e.g. in its final index refresh) resumes to no new page."""
    stored = sum(value for key, value in stats.items() if key.startswith(REPORT_PREFIX))
    return stored + stats.get("xxgk/resume/already_stored", 0)


def run_failure(finish_reason: str | None, seen_reports: int, reports_before: int) -> str | None:
    """Why a run failed, or None: a silent zero-result run is a failure, never a success."""
    if finish_reason != "finished":
        return f"ended with {finish_reason!r}"
    if seen_reports == 0 and reports_before:
        return f"found no report, though the site had {reports_before} in the database"
    if seen_reports == 0:
        return "found no report"
    return None


def run_row(
    spider: str, year: int | None, mode: str, started: str, stats: Mapping[str, Any], finish_reason: str | None,
    reports_before: int, new_versions: int,
) -> dict[str, Any]:
    seen = report_pages(stats)
    failure = run_failure(finish_reason, seen, reports_before)
    return {
        "spider": spider,
        "year": year,
        "mode": mode,
        "started": started,
        "finished": utc_now(),
        "seconds": round((datetime.now(UTC) - datetime.fromisoformat(started)).total_seconds(), 3),
        "finish_reason": finish_reason,
        "status": "failed" if failure else "ok",
        "failure": failure,
        "pages": stats.get("response_received_count", 0),
        "bytes": stats.get("downloader/response_bytes", 0),
        "requests": stats.get("downloader/request_count", 0),
        "not_modified": stats.get("xxgk/revalidate/not_modified", 0),
        "known_skipped": stats.get("xxgk/recrawl/known", 0),  # crawler/recrawl.py
        "reverified": stats.get("xxgk/recrawl/reverified", 0),
        # crawler/revisit.py: handed over from the archive, not asked for (not in bytes nor requests)
        "lists_from_archive": stats.get("xxgk/recrawl/lists_from_archive", 0),
        "report_pages": seen,
        "new_reports": stats.get(f"{REPORT_PREFIX}new", 0),
        "new_versions": new_versions,
        "reports_before": reports_before,
        "errors": json.dumps(errors_by_kind(stats), ensure_ascii=False),
    }


class CrawlRunsExtension:
    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path
        self.started = utc_now()
        self.reports_before = 0
        self.versions_before = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        data_dir = crawler.settings.get("XXGK_DATA_DIR")
        if not data_dir:
            raise NotConfigured("XXGK_DATA_DIR is empty, so there is no database to record runs in")
        extension = cls(crawler, db_path(data_dir))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def site(self, spider: Spider) -> str:
        profile = getattr(spider, "profile", None)
        return getattr(profile, "name", None) or spider.name

    def counts(self, site: str) -> tuple[int, int]:
        db = open_db(self.path)
        try:
            reports = db.execute("SELECT COUNT(*) FROM reports WHERE site = ?", [site]).fetchone()[0]
            versions = db.execute(
                "SELECT COUNT(*) FROM report_versions v JOIN reports r ON r.id = v.report_id WHERE r.site = ?",
                [site],
            ).fetchone()[0]
            return reports, versions
        finally:
            db.close()

    def spider_opened(self, spider: Spider) -> None:
        self.started = utc_now()
        self.reports_before, self.versions_before = self.counts(self.site(spider))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        site = self.site(spider)
        _, versions_after = self.counts(site)
        incremental = self.crawler.settings.getbool("XXGK_INCREMENTAL", True)
        row = run_row(
            spider.name, getattr(spider, "year", None), "incremental" if incremental else "full", self.started,
            stats.get_stats(), reason, self.reports_before, versions_after - self.versions_before,
        )
        db = open_db(self.path)
        try:
            with db.atomic():
                run_id = db.table("crawl_runs").insert(row).last_pk
        finally:
            db.close()
        stats.set_value("xxgk/run/id", run_id)
        stats.set_value("xxgk/run/status", row["status"])
        stats.set_value("xxgk/run/new_versions", row["new_versions"])
        if row["failure"]:
            stats.set_value("xxgk/run/failure", row["failure"])
            logger.error("run %s of %s failed: %s", run_id, spider.name, row["failure"])
