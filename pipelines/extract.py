"""Stage 2: apply the report grammar (crawler.extract) to the normalised page."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.extract.report import report_from_page
from crawler.items import ReportPage


class ExtractPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler.stats)

    def process_item(self, item: object) -> object:
        if not isinstance(item, ReportPage) or item.error:
            return item
        try:
            item.extracted = report_from_page(
                item.page, item.text or "", url=item.final_url, list_title=item.list_title
            )
        except Exception as exc:  # recorded against the document; the crawl goes on
            item.error = f"extract: {type(exc).__name__}: {exc}"
            self.stats.inc_value("xxgk/extract/errors")
            return item
        report = item.extracted
        self.stats.inc_value(f"xxgk/extract/format/{report.format}")
        self.stats.inc_value(f"xxgk/extract/table_render/{report.table_render}")
        if report.failed_hard_checks():
            self.stats.inc_value("xxgk/extract/hard_check_failures")
        if report.year is None:
            self.stats.inc_value("xxgk/extract/no_year")
        if report.agency is None:
            self.stats.inc_value("xxgk/extract/no_agency")
        return item
