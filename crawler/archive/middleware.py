"""Scrapy downloader middleware that archives every request and response as WARC records.

Enable it closest to the downloader (after HttpCacheMiddleware's 900)::

    DOWNLOADER_MIDDLEWARES = {"crawler.archive.middleware.WarcArchiveMiddleware": 950}

There its ``process_response`` runs before RedirectMiddleware, RetryMiddleware and
HttpCompressionMiddleware, so it sees 3xx answers, 5xx answers that will be retried, robots.txt
(fetched through the same downloader) and bodies still content-encoded, and its requests carry
every header the other middlewares added (cookies, User-Agent, Accept-Encoding, Referer).

After each response, ``request.meta["xxgk_warc"]`` (also ``response.meta``) holds a
:class:`~crawler.archive.writer.WarcPointer` (with the record's WARC-Date as ``date``); after
redirects or retries it describes the final response.

What the spider knew about a request (``request.meta["xxgk_context"]``: site, role, list_title,
list_date, column, column_url, parent_url) goes onto the response or revisit record as an
``XXGK-Context`` WARC header (compact JSON, UTF-8), and RetryMiddleware's ``retry_times`` as
``XXGK-Retry-Times``, so that ``xxgk reparse`` can rebuild the items from the archive alone. Settings: ``XXGK_WARC_ENABLED`` (True), ``XXGK_WARC_MAX_SIZE`` (1 GiB),
``XXGK_WARC_WORKER`` (hostname-pid), ``XXGK_WARC_GZIP_LEVEL`` (6), ``XXGK_WARC_REVISITS`` (True),
and ``XXGK_DATA_DIR`` (files go to ``DIR/warc/``).
"""

from __future__ import annotations

import functools
import json
import logging
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.statscollectors import StatsCollector

from crawler.archive.reader import CONTEXT_HEADER, RETRY_HEADER
from crawler.archive.writer import (
    DEFAULT_MAX_SIZE,
    CapturedRequest,
    CapturedResponse,
    HeaderPairs,
    WarcArchiveWriter,
    default_worker_name,
)
from crawler.diskfull import is_disk_full, stop_crawl

logger = logging.getLogger(__name__)

META_KEY = "xxgk_warc"
CONTEXT_META_KEY = "xxgk_context"
#: response flag: handed over from the archive without asking the server (crawler/revisit.py):
#: nothing was fetched, so nothing is archived (the copy is already here) and nothing is counted
FROM_ARCHIVE = "from_archive"
_STARTED_KEY = "_xxgk_warc_started"  # when the request left for the downloader: the WARC-Date

# The transport de-chunked the body, so a "chunked" header would lie; a proxy secret must never
# reach an archive meant to be published.
_DROP_RESPONSE_HEADERS = {b"transfer-encoding"}
_DROP_REQUEST_HEADERS = {b"proxy-authorization"}


class WarcArchiveMiddleware:
    def __init__(self, writer: WarcArchiveWriter, stats: StatsCollector | None = None) -> None:
        self.writer = writer
        self.stats = stats
        self.crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("XXGK_WARC_ENABLED", True):
            raise NotConfigured("WARC archiving is off (XXGK_WARC_ENABLED=False)")
        writer = WarcArchiveWriter(
            warc_dir=Path(settings.get("XXGK_DATA_DIR", "data")) / "warc",
            spider_name=crawler.spidercls.name or "spider",
            worker=settings.get("XXGK_WARC_WORKER") or default_worker_name(),
            max_size=settings.getint("XXGK_WARC_MAX_SIZE", DEFAULT_MAX_SIZE),
            gzip_level=settings.getint("XXGK_WARC_GZIP_LEVEL", 6),
            revisits=settings.getbool("XXGK_WARC_REVISITS", True),
            info=_warcinfo(settings.get("USER_AGENT"), settings.getbool("ROBOTSTXT_OBEY")),
        )
        middleware = cls(writer, crawler.stats)
        middleware.crawler = crawler
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        request.meta[_STARTED_KEY] = datetime.now(UTC)

    def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags or FROM_ARCHIVE in response.flags:
            return response  # replayed (HttpCacheMiddleware, the revisit schedule): archived when fetched
        try:
            pointer = self.writer.write_exchange(
                capture_request(request),
                capture_response(response),
                request.meta.get(_STARTED_KEY),
                extra_headers=context_headers(request.meta),
            )
        except OSError as error:
            self._write_failed(request, error)
        request.meta[META_KEY] = pointer
        self._count("revisits" if pointer["revisit"] else "responses", pointer["length"])
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest):
            return  # never sent (robots.txt, offsite, …): nothing happened on the wire
        error = f"{type(exception).__name__}: {exception}"
        try:
            self.writer.write_failure(capture_request(request), error, request.meta.get(_STARTED_KEY))
        except OSError as write_error:
            self._write_failed(request, write_error)
        self._count("failures", 0)

    def _write_failed(self, request: Request, error: OSError) -> None:
        """A response that could not be archived never reaches the spider: the archive stays the whole
        truth of what was parsed. Out of space, the crawl stops (crawler/diskfull.py)."""
        if is_disk_full(error) and self.crawler is not None:
            stop_crawl(self.crawler, f"the WARC archive ({self.writer.warc_dir})", error)
        raise IgnoreRequest(f"not archived: {error}") from error

    def close(self) -> None:
        self.writer.close()

    def _count(self, kind: str, length: int) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"xxgk_warc/{kind}")
            self.stats.inc_value("xxgk_warc/bytes", length)


# compact, sorted and one line (json escapes control characters), so records stay stable; built once,
# as json.dumps would build it on every call
_CONTEXT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def context_headers(meta: dict[str, Any]) -> dict[str, str]:
    """The WARC headers that carry what the spider knew; none for requests it did not annotate."""
    headers = {}
    context = meta.get(CONTEXT_META_KEY)
    if context:
        headers[CONTEXT_HEADER] = _CONTEXT_JSON.encode(context)
    if meta.get("retry_times"):
        headers[RETRY_HEADER] = str(int(meta["retry_times"]))
    return headers


def capture_request(request: Request) -> CapturedRequest:
    """The request as the downloader sends it (Twisted adds Host and Content-Length itself)."""
    headers: HeaderPairs = [(b"Host", _host(request.url))]
    headers += _pairs(request.headers, _DROP_REQUEST_HEADERS)
    if request.body and b"Content-Length" not in request.headers:
        headers.append((b"Content-Length", str(len(request.body)).encode()))
    return CapturedRequest(url=request.url, method=request.method, headers=headers, body=request.body)


def capture_response(response: Response) -> CapturedResponse:
    # Scrapy title-cases header names and drops the reason phrase; values and bodies are as received
    return CapturedResponse(
        status=response.status,
        headers=_pairs(response.headers, _DROP_RESPONSE_HEADERS),
        body=response.body,
        protocol=response.protocol or "HTTP/1.1",
        ip_address=str(response.ip_address) if response.ip_address else None,
    )


def _pairs(headers: Headers, drop: set[bytes]) -> HeaderPairs:
    # Headers is a dict of normalised names to lists of bytes; its own items() normalises every name
    # again to look it up (half the cost of capturing a request), for the same pairs
    pairs = dict.items(headers)
    return [(name, value) for name, values in pairs if name.lower() not in drop for value in values]


def _host(url: str) -> bytes:
    # Scrapy has already made the URL ASCII (punycode host, %-escapes); drop any user:password@
    return urlsplit(url).netloc.rpartition("@")[2].encode("utf-8")


def _warcinfo(user_agent: str | None, robots_obeyed: bool) -> dict[str, str]:
    return {
        "software": f"xxgk/{_version('xxgk')} (warcio/{_version('warcio')}; Scrapy/{_version('scrapy')})",
        "http-header-user-agent": user_agent or "",
        "robots": "obey" if robots_obeyed else "ignore",
    }


@functools.cache  # read from the installed metadata once a process, not three times a site (~2 ms CPU)
def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"
