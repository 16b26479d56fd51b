"""Stage 2: apply the report grammar (crawler.extract) to the normalised page."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.extract.model import ExtractedReport
from crawler.extract.report import report_from_page
from crawler.items import ReportPage
from pipelines.offload import WorkerPool, pool_for


def wants(item: object) -> bool:
    return isinstance(item, ReportPage) and not item.error and item.page is not None


def apply_result(item: ReportPage, result: ExtractedReport | BaseException) -> ReportPage:
    if isinstance(result, BaseException):
        item.error = f"extract: {type(result).__name__}: {result}"
    else:
        item.extracted = result
    return item


def extract_item(item: ReportPage) -> ReportPage:
    """The whole stage, synchronously (for `xxgk reparse`)."""
    try:
        return apply_result(
            item, report_from_page(item.page, item.text or "", url=item.final_url, list_title=item.list_title)
        )
    except Exception as exc:  # recorded against the document; the crawl goes on
        return apply_result(item, exc)


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


class ExtractPipeline:
    def __init__(self, stats: StatsCollector, pool: WorkerPool) -> None:
        self.stats = stats
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler.stats, pool_for(crawler))

    async def process_item(self, item: object) -> object:
        if not wants(item):
            return item
        assert isinstance(item, ReportPage)
        try:
            result: ExtractedReport | BaseException = await self.pool.run(
                report_from_page, item.page, item.text or "", url=item.final_url, list_title=item.list_title
            )
        except Exception as exc:  # includes a worker that died on this document
            result = exc
        apply_result(item, result)
        count(self.stats, item)
        return item
