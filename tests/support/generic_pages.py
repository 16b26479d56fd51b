"""Constructed pages for the generic platform's tests (tests/test_platform_generic*.py): no network,
no replica — a page is its body HTML at a URL, a spider is the generic platform's for a site."""

from __future__ import annotations

from typing import Any, cast

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.platforms.generic import GenericSpider
from crawler.platforms.paging import PagingRules
from crawler.sites.catalog import defaults, profile_for_url
from crawler.spiderloader import spider_class

SITE = "http://www.example.gov.cn"
#: the paging rules every profile starts from (crawler/platforms/defaults.toml)
RULES = PagingRules.from_dict(defaults()["paging"])


def page(url: str, body: str, meta: dict[str, Any] | None = None) -> HtmlResponse:
    """``body`` as a UTF-8 page at ``url``, answering a request with ``meta``."""
    html = f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    return HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8", request=Request(url, meta=meta or {}))


def generic_spider(start: str = f"{SITE}/") -> GenericSpider:
    """The generic platform's spider for the site at ``start``."""
    cls = spider_class(profile_for_url(start, "generic"))
    return cast(GenericSpider, cls.from_crawler(get_crawler(cls)))
