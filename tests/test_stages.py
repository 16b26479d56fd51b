"""The normalise and extract stages, run as Scrapy would (awaited), inline and in a worker process."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from crawler.items import ReportPage
from pipelines.chain import ChainStats
from pipelines.extract import ExtractPipeline
from pipelines.normalise import NormalisePipeline
from pipelines.offload import WorkerPool

PAGE = Path(__file__).parent / "fixtures" / "pages" / "hanweb_article.html"


Stats = ChainStats  # the stages' stats stand-in (pipelines/chain.py)


def report_page(body: bytes) -> ReportPage:
    url = "http://www.wendeng.gov.cn/art/2026/1/19/art_182996_6093007.html"
    return ReportPage(site="wendeng", url=url, final_url=url, status=200, content_type="text/html", body=body,
                      encoding="utf-8", sha256=hashlib.sha256(body).hexdigest(), fetched_at="2026-01-19T00:00:00Z")


def run_stages(item: ReportPage, workers: int) -> tuple[ReportPage, Stats]:
    stats, pool = Stats(), WorkerPool(workers)
    try:
        stages = [NormalisePipeline(stats, pool), ExtractPipeline(stats, pool)]

        async def chain() -> ReportPage:
            for stage in stages:
                await stage.process_item(item)
            return item

        return asyncio.run(chain()), stats
    finally:
        pool.close()


@pytest.mark.parametrize("workers", [0, 1], ids=["inline", "worker-process"])
def test_a_report_page_comes_out_extracted(workers: int) -> None:
    item, _ = run_stages(report_page(PAGE.read_bytes()), workers)
    assert (item.error, item.extracted.agency, item.extracted.year) == (None, "威海市文登区财政局", 2025)


def test_a_page_without_a_body_is_recorded_as_an_error_not_raised() -> None:
    item, stats = run_stages(report_page(b"<html><body></body></html>"), workers=0)
    assert (item.error, item.extracted, stats["xxgk/normalise/errors"]) == (
        "normalise: the page has no body text", None, 1,
    )
