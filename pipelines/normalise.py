"""Stage 1: decode the page, find the report body and normalise its text.

Bad input never stops the crawl: the error is recorded on the item and the store stage keeps the
fetched document with it.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.extract.model import Page
from crawler.extract.normalise import normalise_text
from crawler.extract.page import parse_page
from crawler.items import ReportPage
from pipelines.offload import WorkerPool, pool_for


def normalise_page(body: bytes, url: str, encoding: str | None) -> tuple[Page, str]:
    """The parsed page and its normalised body text (pure: runs in a worker process)."""
    page = parse_page(body, url=url, encoding=encoding)
    return page, normalise_text(page.body_text)


def apply_result(item: ReportPage, result: tuple[Page, str] | BaseException) -> ReportPage:
    if isinstance(result, BaseException):
        item.error = f"normalise: {type(result).__name__}: {result}"
    else:
        item.page, item.text = result
        if not item.text.strip():
            item.error = "normalise: the page has no body text"
    return item


def wants(item: object) -> bool:
    return isinstance(item, ReportPage) and not item.error


def normalise_item(item: ReportPage) -> ReportPage:
    """The whole stage, synchronously (for `xxgk reparse`)."""
    try:
        return apply_result(item, normalise_page(item.body, item.final_url, item.encoding))
    except Exception as exc:  # a property of this document, not of the run
        return apply_result(item, exc)


class NormalisePipeline:
    def __init__(self, stats: StatsCollector, pool: WorkerPool) -> None:
        self.stats = stats
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalisePipeline:
        return cls(crawler.stats, pool_for(crawler))

    async def process_item(self, item: object) -> object:
        if not wants(item):
            return item
        assert isinstance(item, ReportPage)
        try:
            result: tuple[Page, str] | BaseException = await self.pool.run(
                normalise_page, item.body, item.final_url, item.encoding
            )
        except Exception as exc:  # includes a worker that died on this document
            result = exc
        apply_result(item, result)
        self.stats.inc_value("xxgk/normalise/errors" if item.error else "xxgk/normalise/pages")
        return item
