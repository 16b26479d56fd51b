"""The site spiders: thin, profile-driven, with entry requests and failure records."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.items import FetchedDocument
from crawler.platforms.base import STRUCTURAL_FETCH_FAILED
from crawler.spiderloader import site_spider

HySpider = site_spider("hy")
WendengSpider = site_spider("wendeng")

SPIDERS = [WendengSpider, HySpider]


async def collect(spider: Spider) -> list[Any]:
    return [request async for request in spider.start()]


@pytest.mark.parametrize("spider_class", SPIDERS)
def test_start_asks_only_for_the_profile_entry_page(spider_class: type[Spider]) -> None:
    spider = spider_class.from_crawler(get_crawler(spider_class))
    [request] = asyncio.run(collect(spider))
    assert request.url == spider.profile.start_url
    assert request.meta["xxgk_structural"] is True
    assert request.errback == spider.on_error
    assert spider.allowed_domains == list(spider.profile.allowed_domains)


@pytest.mark.parametrize("spider_class", SPIDERS)
def test_year_argument_reaches_the_spider(spider_class: type[Spider]) -> None:
    spider = spider_class.from_crawler(get_crawler(spider_class), year="2023")
    assert spider.year == 2023


def http_failure(url: str, status: int, *, structural: bool = False) -> Failure:
    request = Request(url, meta={"xxgk_structural": structural} if structural else {})
    response = HtmlResponse(url, status=status, body=b"<html><script>$_ts={}</script></html>", request=request)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = request  # type: ignore[attr-defined]  # Scrapy sets this before calling errbacks
    return failure


def test_a_challenge_is_recorded_without_failing_the_crawl_for_a_report_page() -> None:
    spider = WendengSpider.from_crawler(get_crawler(WendengSpider))
    url = "http://www.wendeng.gov.cn/art/2026/1/19/art_182996_6093007.html"
    [document] = spider.on_error(http_failure(url, 412))
    assert isinstance(document, FetchedDocument)
    assert (document.role, document.status, document.url) == ("challenge", 412, url)
    assert document.error is not None and "HttpError" in document.error
    assert spider.close_reason is None
    assert spider.crawler.stats.get_value("xxgk/fetch_errors/challenge") == 1


def test_a_failed_structural_page_fails_the_crawl() -> None:
    spider = HySpider.from_crawler(get_crawler(HySpider))
    [document] = spider.on_error(http_failure("http://www.hy.gov.cn/xxgk/index.html", 404, structural=True))
    assert (document.role, document.status) == ("error", 404)
    assert spider.close_reason == STRUCTURAL_FETCH_FAILED


def test_a_network_error_is_recorded_with_status_zero() -> None:
    spider = HySpider.from_crawler(get_crawler(HySpider))
    request = Request("http://www.hy.gov.cn/xxgk/zfxxgknb/list_1.html")
    failure = Failure(DNSLookupError("no such host"))
    failure.request = request  # type: ignore[attr-defined]
    [document] = spider.on_error(failure)
    assert (document.role, document.status, document.size) == ("error", 0, 0)
