"""Downloads played through the real archive middleware, as Scrapy's downloader would, with no crawl
and no network: the archive that ``reparse`` and the export tests read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.responsetypes import responsetypes

from crawler.archive.middleware import CONTEXT_META_KEY, WarcArchiveMiddleware
from crawler.archive.writer import WarcArchiveWriter

COLUMN = "http://www.wendeng.gov.cn/col/col182996/index.html"
UTF8 = "text/html; charset=UTF-8"


def context(site: str, role: str, **extra: Any) -> dict[str, Any]:
    return {"site": site, "role": role, **extra}


def page_context(site: str, title: str) -> dict[str, Any]:
    return context(site, "page", list_title=title, list_date="2026-01-19", column="年报", column_url=COLUMN)


class Archive:
    """Plays downloads through the real middleware, as Scrapy's downloader would."""

    def __init__(self, warc_dir: Path) -> None:
        self.middleware = WarcArchiveMiddleware(WarcArchiveWriter(warc_dir, "test", worker="w1"))
        self.delivered: list[tuple[Request, Response]] = []

    def fetch(self, url: str, body: bytes, ctx: dict[str, Any] | None, *, status: int = 200,
              headers: dict[str, str] | None = None, meta: dict[str, Any] | None = None) -> Request:  # fmt: skip
        request = Request(url, meta={**(meta or {}), **({CONTEXT_META_KEY: ctx} if ctx else {})})
        self.middleware.process_request(request)
        all_headers = {"Content-Type": UTF8} | (headers or {})
        cls = responsetypes.from_args(headers=all_headers, url=url, body=body)
        response = cls(url, status=status, headers=all_headers, body=body, request=request)
        self.middleware.process_response(request, response)
        self.delivered.append((request, response))
        return request

    def close(self) -> None:
        self.middleware.close()
