"""List pages archived and revalidated in process: the archive middleware, the revisit schedule and a
stats stand-in (tests/test_recrawl_lists.py, tests/test_recrawl_season.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.archive.cdxj import iter_index
from crawler.archive.middleware import WarcArchiveMiddleware
from crawler.archive.revalidate import (
    RevalidateMiddleware,
    confirmed_captures,
    latest_captures,
)
from crawler.archive.writer import WarcArchiveWriter
from crawler.recrawl import slot
from crawler.revisit import Revisits

LIST = "http://www.example.gov.cn/col/col12/index.html"
BODY = "<html><body><a href='/art/2024/1/9/art_12_1.html'>2023年度报告</a></body></html>".encode()


class Stats(dict[str, int]):
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] = self.get(key, start) + count

    def get_value(self, key: str, default: int = 0) -> int:
        return self.get(key, default)


def quiet_day(url: str, captured: date, days: int) -> date:
    """A day after ``captured``, within the period, that is not the URL's slot day."""
    return next(captured + timedelta(days=age) for age in range(1, days)
                if slot(url, days) != (captured + timedelta(days=age)).toordinal() % days)


def archive(warc_dir: Path, url: str, role: str, status: int = 200, body: bytes = BODY,
            headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Archive one exchange the way a crawl does (the archive middleware); the request's meta."""
    middleware = WarcArchiveMiddleware(WarcArchiveWriter(warc_dir, "testsite", worker="w1"))
    request = Request(url, meta={"xxgk_context": {"site": "testsite", "role": role}})
    middleware.process_request(request)
    response = HtmlResponse(url, status=status, body=body, request=request,
                            headers={"Content-Type": "text/html; charset=utf-8", **(headers or {})})
    middleware.process_response(request, response)
    middleware.close()
    return request.meta


def middleware(warc_dir: Path, schedule: Revisits | None, stats: Stats | None = None) -> RevalidateMiddleware:
    entries = list(iter_index(warc_dir))
    return RevalidateMiddleware(warc_dir, latest_captures(entries), stats, schedule, confirmed_captures(entries))


def listed(url: str = LIST, role: str = "list", **kwargs: Any) -> Request:
    return Request(url, meta={"xxgk_context": {"site": "testsite", "role": role}}, **kwargs)
