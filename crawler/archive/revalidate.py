"""Incremental re-crawls: revalidate what the archive already holds, replay it on ``304 Not Modified``.

A re-crawl asks each server only "has this changed since my copy?": a GET whose URL has a 200 capture
in ``DIR/warc`` goes out with that capture's ``If-None-Match`` (its ETag) and ``If-Modified-Since``
(its Last-Modified). An unchanged page answers ``304`` with headers only; this middleware then hands
the spider the archived copy (flag ``revalidated``), so list pages are still read and report pages
still reach the pipelines, and nothing downstream has to know.

Without validators a conditional GET cannot help, so for list and navigation pages an incremental
run does not ask at all on most nights: out of the reports' publication season, and in season for a
column that already lists every body's expected report. :mod:`crawler.revisit` says which, on a
bounded rolling schedule (every list page read again within ``XXGK_LIST_DAYS``, ~1/N of them a
night); for those whose latest capture is a good 200 (or a 304 confirming one) and is not an
anti-bot challenge (a 200 challenge page would otherwise stand in for the page until its slot day)
this middleware answers from ``process_request`` with the archived copy (flag
``from_archive``). The spider walks it as before; nothing is archived (no new record: nothing was
fetched), and the downloader stats (:class:`WireStats`) count neither a request nor its bytes.

Why this and not Scrapy's HttpCacheMiddleware with ``RFC2616Policy``:

* ``RFC2616Policy`` serves a response *without asking* while it is heuristically fresh (10% of the
  time since its Last-Modified: months for a report published last year, and list pages carry the
  date of their newest item). A scheduled re-crawl would then miss new reports for months, in season
  too. Serving here is bounded instead: in season every column still missing a report is read every
  run, the others within a week, and the period never depends on what a page's dates suggest.
* The cache is a second copy of every body (``HTTPCACHE_DIR``) beside the WARC archive, and answers it
  serves from that copy never reach the archive middleware; here the WARC archive *is* the cache, so
  there is one store and it stays the source of truth.

Order: this middleware sits at 800, below DownloaderStats (850) and the archive (950). Its
``process_request`` runs first, so the archived request shows the conditional headers as sent; their
``process_response`` run first, so the ``304`` is archived and counted (``downloader/response_bytes``)
as what crossed the wire. The
item then points (``meta["xxgk_warc"]``) at the capture whose bytes it carries, with the 304's capture
time; ``xxgk reparse`` replays a 304 the same way (:func:`crawler.archive.reader.replay_not_modified`),
so the archive still rebuilds the same database.

Only GETs are revalidated or served (Hanweb's data-proxy answers are POSTs: the spider stops asking for them
once a column reaches known reports, see :mod:`crawler.incremental`). ``xxgk crawl --full``
(``XXGK_INCREMENTAL=False``) turns both off: every page is fetched in full again and unchanged payloads
are archived as revisit records.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.stats import DownloaderStats
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.archive.cdxj import CdxEntry, iter_index
from crawler.archive.middleware import CONTEXT_META_KEY, FROM_ARCHIVE
from crawler.archive.middleware import META_KEY as WARC_META_KEY
from crawler.archive.reader import ArchiveReadError, PayloadResolver, read_http_headers, read_response
from crawler.archive.responses import scrapy_response  # the same response a reparse builds
from crawler.faults import challenge_kind
from crawler.incremental import load_history
from crawler.revisit import Revisits, revisits

logger = logging.getLogger(__name__)

META_KEY = "xxgk_revalidate"  # the capture a conditional request was built from
NOT_MODIFIED_META_KEY = "xxgk_not_modified"  # the WARC pointer of the 304 record itself
REVALIDATED = "revalidated"  # response flag: the body is the archived copy the server confirmed
_VALIDATORS = {"etag": b"If-None-Match", "last-modified": b"If-Modified-Since"}
LISTS_STAT = "xxgk/recrawl/lists_from_archive"  # list pages handed over from the archive, not asked for
SERVED_BYTES_STAT = "xxgk/recrawl/bytes_from_archive"  # their bodies: bytes that did not cross the wire


def index_captures(entries: Iterable[CdxEntry]) -> tuple[dict[str, CdxEntry], dict[str, CdxEntry]]:
    """One pass over the index: URL → its latest 200 GET capture (a full response or a revisit), and
    URL → its latest GET capture for URLs whose latest is good — a 200, or a 304 that confirmed one (a
    URL last answered 404, 5xx or a redirect is absent from the second, so it is asked for again)."""
    latest: dict[str, CdxEntry] = {}
    last: dict[str, CdxEntry] = {}
    for entry in entries:
        if entry.method == "GET":
            last[entry.url] = entry
            if entry.status == 200:
                latest[entry.url] = entry
    return latest, {url: entry for url, entry in last.items() if entry.status in (200, 304) and url in latest}


def latest_captures(entries: Iterable[CdxEntry]) -> dict[str, CdxEntry]:
    """URL → its latest 200 GET capture (a full response or a revisit), in capture order."""
    return index_captures(entries)[0]


def confirmed_captures(entries: Iterable[CdxEntry]) -> dict[str, CdxEntry]:
    """URL → its latest GET capture, for URLs whose latest capture is good (see :func:`index_captures`)."""
    return index_captures(entries)[1]


def capture_day(entry: CdxEntry) -> date:
    """The UTC day of a capture, from its 14-digit index timestamp."""
    return datetime.strptime(entry.timestamp[:8], "%Y%m%d").replace(tzinfo=UTC).date()


def conditional_headers(http_headers: Iterable[tuple[str, str]]) -> dict[bytes, bytes]:
    """``If-None-Match`` / ``If-Modified-Since`` from an archived response's ETag / Last-Modified."""
    found: dict[bytes, bytes] = {}
    for name, value in http_headers:
        header = _VALIDATORS.get(name.lower())
        if header is not None and value.strip():
            found[header] = value.strip().encode("latin-1", "replace")
    return found


def vouched_revisits(settings: Any, site: str | None) -> Revisits | None:
    """The revisit schedule, only for a site whose latest crawl run ended ok and covered this crawl's
    scope (:func:`crawler.incremental.load_history`): the archived copy stands in for a list page that
    crawl read. A first crawl, one after a failed run, or a worker without the database reads every
    list page — even one another process archived just before (the seeder's platform probe)."""
    year = settings.getint("XXGK_YEAR", 0) or None
    if site is None or not load_history(settings, site, year).stops_paging:
        return None
    return revisits(settings, site)


class WireStats(DownloaderStats):
    """Scrapy's downloader stats of what crossed the wire: a response handed over from the archive
    (flag ``from_archive``) never reached the downloader, so it is neither a response nor bytes.
    (Its request is not counted either: this middleware answers it below 850.) Received bytes are
    also split by the role the spider gave the request (``xxgk/wire/bytes/<role>``: list, page, …)."""

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if FROM_ARCHIVE in response.flags:
            return response
        before = self.stats.get_value("downloader/response_bytes", 0)
        result = super().process_response(request, response)
        role = (request.meta.get(CONTEXT_META_KEY) or {}).get("role") or "other"
        self.stats.inc_value(f"xxgk/wire/bytes/{role}", self.stats.get_value("downloader/response_bytes", 0) - before)
        return result


def column_of(request: Request) -> str | None:
    """The column a list request pages through, as report pages record it (``column_url``): the
    spiders' paging meta (generic, Hanweb) or callback argument (TRS); else its own URL (page 1)."""
    return request.meta.get("xxgk_column_url") or (request.cb_kwargs or {}).get("column_url") or request.url


class RevalidateMiddleware:
    def __init__(self, warc_dir: Path, captures: dict[str, CdxEntry], stats: Any = None,
                 schedule: Revisits | None = None, confirmed: dict[str, CdxEntry] | None = None) -> None:
        self.warc_dir = warc_dir
        self.captures = captures
        self.stats = stats
        self.resolver = PayloadResolver(warc_dir)
        self.schedule = schedule  # None: nothing is served without asking
        self.confirmed = confirmed if confirmed is not None else dict(captures)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("XXGK_INCREMENTAL", True):
            raise NotConfigured("full crawl (XXGK_INCREMENTAL=False): every page is fetched in full")
        if not settings.getbool("XXGK_WARC_ENABLED", True):
            raise NotConfigured("no WARC archive (XXGK_WARC_ENABLED=False): nothing to revalidate or replay")
        warc_dir = Path(settings.get("XXGK_DATA_DIR") or "data") / "warc"
        # this site's own files only: in a run over 1,000 sites, each would otherwise load (and hold)
        # the index of every site crawled before it — time and memory quadratic in the sites
        spider = getattr(crawler.spidercls, "name", None)
        captures, confirmed = index_captures(iter_index(warc_dir, spider)) if warc_dir.is_dir() else ({}, {})
        if not captures:
            raise NotConfigured(f"no earlier capture under {warc_dir}: a first crawl fetches everything")
        profile = getattr(getattr(crawler, "spider", None), "profile", None)
        site = getattr(profile, "name", None) or spider
        return cls(warc_dir, captures, crawler.stats, vouched_revisits(settings, site), confirmed)

    def process_request(self, request: Request) -> Response | None:
        known = request.meta.get(META_KEY)
        if known is not None and known["url"] != request.url:
            self._forget(request)  # redirected: the validators were for another URL
        if request.method != "GET" or META_KEY in request.meta or request.meta.get("dont_revalidate"):
            return None
        if any(header in request.headers for header in _VALIDATORS.values()):
            return None  # the spider asked conditionally itself
        capture = self.captures.get(request.url)
        if capture is None:
            return None
        if self._scheduled_off(request):
            return self._from_archive(request, capture)
        try:
            validators = conditional_headers(read_http_headers(self.warc_dir, capture.filename, capture.offset))
        except (ArchiveReadError, OSError) as error:
            logger.warning("cannot read the capture of %s to revalidate it: %s", request.url, error)
            return None
        if not validators:
            return None  # no ETag and no Last-Modified: only a full fetch can tell
        for header, value in validators.items():
            request.headers[header] = value
        request.meta[META_KEY] = {"url": request.url, "file": capture.filename, "offset": capture.offset}
        self._count("requests")
        return None

    def _scheduled_off(self, request: Request) -> bool:
        """Not due today on the revisit schedule, and its latest capture is good."""
        confirmed = self.confirmed.get(request.url)
        if self.schedule is None or confirmed is None:
            return False
        role = (request.meta.get(CONTEXT_META_KEY) or {}).get("role")
        return self.schedule.from_archive(role, request.url, capture_day(confirmed), column_of(request))

    def _from_archive(self, request: Request, capture: CdxEntry) -> Response | None:
        """The archived copy as the response, without asking the server (None: fetch after all)."""
        try:
            archived = read_response(self.warc_dir, capture.filename, capture.offset, self.resolver)
        except (ArchiveReadError, OSError) as error:
            logger.warning("cannot read the capture of %s, fetching it: %s", request.url, error)
            return None
        if challenge_kind(archived.status, archived.headers, archived.body) is not None:
            return None  # an anti-bot page answered with 200 is no copy of the page: ask the server
        confirmed = self.confirmed[request.url]
        # the capture whose bytes the item carries, with the time it was last confirmed (a 304's,
        # as a reparse replays it: crawler.archive.reader.replay_not_modified)
        request.meta[WARC_META_KEY] = {
            "file": archived.warc_file, "offset": archived.offset, "length": capture.length,
            "record_id": archived.record_id, "payload_sha256": archived.payload_sha256,
            "payload_digest": archived.payload_digest, "revisit": archived.revisit_of is not None,
            "date": confirmed.warc_date or archived.date,
        }  # fmt: skip
        if self.stats is not None:
            self.stats.inc_value(LISTS_STAT)
            self.stats.inc_value(SERVED_BYTES_STAT, len(archived.body))
        served = scrapy_response(archived)
        served.headers.pop(b"Set-Cookie", None)  # cookies are what a server sets now, never old ones
        return served.replace(flags=[FROM_ARCHIVE])

    def process_response(self, request: Request, response: Response) -> Response:
        known = request.meta.get(META_KEY)
        if response.status != 304 or known is None or known["url"] != request.url:
            return response
        try:
            archived = read_response(self.warc_dir, known["file"], known["offset"], self.resolver)
        except (ArchiveReadError, OSError) as error:
            logger.error("304 for %s but its capture cannot be read: %s", request.url, error)
            self._count("unreadable")
            return response  # the spider's errback records it; nothing is invented
        not_modified = request.meta.get(WARC_META_KEY) or {}
        request.meta[NOT_MODIFIED_META_KEY] = not_modified
        request.meta[WARC_META_KEY] = {
            **not_modified,  # keeps the 304's capture time: when the copy was last confirmed
            "file": archived.warc_file,
            "offset": archived.offset,
            "record_id": archived.record_id,
            "payload_sha256": archived.payload_sha256,
            "payload_digest": archived.payload_digest,
            "revisit": archived.revisit_of is not None,
        }
        self._count("not_modified")
        if self.stats is not None:
            self.stats.inc_value("xxgk/revalidate/bytes_not_transferred", len(archived.body))
        replayed = scrapy_response(archived)
        # cookies are what the server sets now (an anti-bot gate may set one on the 304), never old ones
        replayed.headers.pop(b"Set-Cookie", None)
        for cookie in response.headers.getlist(b"Set-Cookie"):
            replayed.headers.appendlist(b"Set-Cookie", cookie)
        return replayed.replace(flags=[*response.flags, REVALIDATED])

    def _forget(self, request: Request) -> None:
        request.meta.pop(META_KEY, None)
        for header in _VALIDATORS.values():
            request.headers.pop(header, None)

    def _count(self, what: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"xxgk/revalidate/{what}")
