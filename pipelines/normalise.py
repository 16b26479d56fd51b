"""Stage 1: decode the page, find the report body and normalise its text.

Bad input never stops the crawl: the error is recorded on the item and the store stage keeps the
fetched document with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.extract.model import Page
from crawler.extract.normalise import normalise_text
from crawler.extract.page import parse_page
from crawler.items import ReportPage
from pipelines.offload import Job, PooledStage, run_inline

if TYPE_CHECKING:  # Scrapy stays out of the worker processes (pipelines/offload.py WORKER_FORBIDDEN)
    from scrapy.statscollectors import StatsCollector


def normalise_page(body: bytes, url: str, encoding: str | None) -> tuple[Page, str]:
    """The parsed page and its normalised body text (pure: runs in a worker process)."""
    page = parse_page(body, url=url, encoding=encoding)
    return page, normalise_text(page.body_text)


def wants(item: object) -> bool:
    return isinstance(item, ReportPage) and not item.error


def job(item: ReportPage) -> Job:
    return Job(normalise_page, (item.body, item.final_url, item.encoding), size=len(item.body))


def apply_result(item: ReportPage, result: tuple[Page, str] | BaseException) -> ReportPage:
    if isinstance(result, BaseException):
        item.error = f"normalise: {type(result).__name__}: {result}"
    else:
        item.page, item.text = result
        if not item.text.strip():
            item.error = "normalise: the page has no body text"
    return item


def count(stats: StatsCollector, item: ReportPage) -> None:
    stats.inc_value("xxgk/normalise/errors" if item.error else "xxgk/normalise/pages")


def normalise_item(item: ReportPage) -> ReportPage:
    """The whole stage, synchronously (for `xxgk reparse`)."""
    return apply_result(item, run_inline(job(item)))


class NormalisePipeline(PooledStage):
    wants = staticmethod(wants)
    job = staticmethod(job)
    apply_result = staticmethod(apply_result)
    count = staticmethod(count)
