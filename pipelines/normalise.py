"""Stage 1: decode the page, find the report body and normalise its text.

Bad input never stops the crawl: the error is recorded on the item and the store stage keeps the
fetched document with it.
"""

from __future__ import annotations

from crawler.extract.page import parse_page
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.extract.normalise import normalise_text
from crawler.items import ReportPage


class NormalisePipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalisePipeline:
        return cls(crawler.stats)

    def process_item(self, item: object) -> object:
        if not isinstance(item, ReportPage) or item.error:
            return item
        try:
            item.page = parse_page(item.body, url=item.final_url, encoding=item.encoding)
            item.text = normalise_text(item.page.body_text)
        except Exception as exc:  # any parser failure is a property of this document, not the crawl
            item.error = f"normalise: {type(exc).__name__}: {exc}"
            self.stats.inc_value("xxgk/normalise/errors")
            return item
        if not item.text.strip():
            item.error = "normalise: the page has no body text"
            self.stats.inc_value("xxgk/normalise/empty")
        self.stats.inc_value("xxgk/normalise/pages")
        return item
