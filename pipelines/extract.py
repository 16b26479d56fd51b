"""Stage 2: apply the report grammar (crawler.extract) to the normalised page."""

from __future__ import annotations

from scrapy.statscollectors import StatsCollector

from crawler.extract.model import ExtractedReport
from crawler.extract.report import report_from_page
from crawler.items import ReportPage
from pipelines.offload import Job, PooledStage, run_inline


def wants(item: object) -> bool:
    return isinstance(item, ReportPage) and not item.error and item.page is not None


def job(item: ReportPage) -> Job:
    return Job(report_from_page, (item.page, item.text or ""), {"url": item.final_url, "list_title": item.list_title})


def apply_result(item: ReportPage, result: ExtractedReport | BaseException) -> ReportPage:
    if isinstance(result, BaseException):
        item.error = f"extract: {type(result).__name__}: {result}"
    else:
        item.extracted = result
    return item


def count(stats: StatsCollector, item: ReportPage) -> None:
    """What extraction found, in the crawl's stats."""
    if item.error:
        stats.inc_value("xxgk/extract/errors")
        return
    report: ExtractedReport = item.extracted
    stats.inc_value(f"xxgk/extract/format/{report.format}")
    stats.inc_value(f"xxgk/extract/table_render/{report.table_render}")
    if report.failed_hard_checks():
        stats.inc_value("xxgk/extract/hard_check_failures")
    if report.year is None:
        stats.inc_value("xxgk/extract/no_year")
    if report.agency is None:
        stats.inc_value("xxgk/extract/no_agency")


def extract_item(item: ReportPage) -> ReportPage:
    """The whole stage, synchronously (for `xxgk reparse`)."""
    return apply_result(item, run_inline(job(item)))


class ExtractPipeline(PooledStage):
    wants = staticmethod(wants)
    job = staticmethod(job)
    apply_result = staticmethod(apply_result)
    count = staticmethod(count)
