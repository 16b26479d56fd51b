"""What every portal spider shares: the year filter, links, items, and loud layout checks.

Platform spiders (``hanweb.py``, ``trs.py``) own the navigation; this module owns everything that does not
depend on the CMS. The site profile is data (crawler/sites/), the title grammar pure text rules
(crawler/extract/titles.py); the pure helpers at module level are tested directly.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, Self, TypeVar
from urllib.parse import urldefrag

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.archive.middleware import FROM_ARCHIVE
from crawler.archive.responses import CHALLENGE_STATUSES
from crawler.builders import captured_at, content_type, fetch_error, meta_of, utc_now, warc_fields
from crawler.builders import fetched_document as build_fetched_document
from crawler.builders import report_page as build_report_page
from crawler.extract.titles import clean_text, is_annual_report_title, report_year_from_title, simplified
from crawler.faults import error_kind
from crawler.incremental import History, load_history
from crawler.items import FetchedDocument, KnownReport, ReportPage
from crawler.platforms.attachments import (
    AttachmentLink,
    SharedFiles,
    attachment_links,
    download_name,
    header_text,
)
from crawler.platforms.urls import host_allowed
from crawler.recrawl import KnownPages, attach
from crawler.resilience import ChallengeError
from crawler.sites.catalog import load_profile
from crawler.sites.profile import SiteProfile, site_fields


def parse_year(value: Any) -> int | None:
    """The ``year`` spider argument or ``XXGK_YEAR`` setting: None, "", "2023" or 2023."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"year must be a number like 2023, not {value!r}") from None


# --- links ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    url: str  # absolute, without fragment
    text: str  # a[title] when present (untruncated), else the visible text


def extract_links(response: Response, allowed_domains: Iterable[str], scope: str = "//a[@href]") -> list[Link]:
    """Every http(s) link under ``scope`` on an allowed host, in page order, first occurrence wins."""
    seen: set[str] = set()
    links: list[Link] = []
    for anchor in response.xpath(scope):
        href = (anchor.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urldefrag(response.urljoin(href)).url
        if not url.startswith(("http://", "https://")) or not host_allowed(url, allowed_domains):
            continue
        if url in seen:
            continue
        seen.add(url)
        text = anchor.attrib.get("title") or " ".join(anchor.xpath(".//text()").getall())
        links.append(Link(url, clean_text(text)))
    return links


class Texted(Protocol):
    """A link or list entry: anything with a link text."""

    @property
    def text(self) -> str: ...


TextedT = TypeVar("TextedT", bound=Texted)


def links_matching(links: Iterable[TextedT], patterns: Iterable[str]) -> list[TextedT]:
    """Links whose text matches the first pattern that matches anything (patterns are ranked)."""
    candidates = list(links)
    for pattern in patterns:
        regex = re.compile(pattern)
        found = [link for link in candidates if regex.search(simplified(link.text))]
        if found:
            return found
    return []


# --- the spider ----------------------------------------------------------------------------------

LAYOUT_CHANGED = "layout_changed"
STRUCTURAL_FETCH_FAILED = "structural_fetch_failed"


class PortalSpider(Spider):
    """Base for the platform spiders: profile, year filter, items, and selector cardinality.

    A subclass sets ``name`` (the profile defaults to the same name) and implements ``start``.
    """

    profile_name: str | None = None
    #: the profile a spider made from a TOML file or a URL carries (crawler/spiderloader.py)
    site_profile: SiteProfile | None = None
    #: what earlier crawls found, for stopping a column's paging at known reports (crawler/incremental.py)
    history: History = History()
    #: known report pages a re-crawl need not fetch again (crawler/recrawl.py)
    known_pages: KnownPages = KnownPages()

    def __init__(self, *args: Any, year: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.profile: SiteProfile = self.site_profile or load_profile(self.profile_name or self.name)
        self.allowed_domains = list(self.profile.allowed_domains)
        self.year: int | None = parse_year(year)
        self.close_reason: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.year is None:
            spider.year = parse_year(crawler.settings.get("XXGK_YEAR"))
        spider.history = load_history(crawler.settings, spider.profile.name, spider.year)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        spider.known_pages = attach(crawler, spider)
        return spider

    # -- crawl outcome

    def on_idle(self) -> None:
        """Finish the crawl with a failing reason once everything that could be fetched was fetched."""
        self.check_outcome()  # looked up now: an auto-detecting spider changes class after connecting this
        if self.close_reason:
            raise CloseSpider(self.close_reason)

    def check_outcome(self) -> None:
        """A platform's last word before the crawl ends (the generic platform's loud failure)."""

    def inc_stat(self, key: str, count: int = 1) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(key, count)

    def layout_error(self, response: Response, what: str, *, structural: bool) -> None:
        """A selector that must match found nothing: say where, count it, and fail structural pages loudly."""
        self.logger.error("layout changed? %s matched nothing on %s", what, response.url)
        self.inc_stat("xxgk/layout_errors")
        if structural:
            self.close_reason = LAYOUT_CHANGED

    def require(self, found: list[Any], response: Response, what: str, *, structural: bool = True) -> list[Any]:
        """Cardinality check in the spirit of spatula: ``found`` must hold at least one match."""
        if not found:
            self.layout_error(response, what, structural=structural)
        return found

    # -- filters

    def wants_report(self, title: str | None) -> bool:
        if not is_annual_report_title(title):
            return False
        return self.year is None or report_year_from_title(title) == self.year

    def allowed(self, url: str) -> bool:
        return host_allowed(url, self.profile.allowed_domains)

    def skipped(self, link: Link) -> bool:
        return any(re.search(pattern, simplified(link.text)) for pattern in self.profile.skip_link_texts)

    # -- requests and items

    def nav_request(self, url: str, callback: Any, **cb_kwargs: Any) -> Request:
        """A navigation or list page: if it cannot be fetched, the crawl cannot be complete."""
        return Request(url, callback=callback, errback=self.on_error, cb_kwargs=cb_kwargs,
                       meta={"xxgk_structural": True, "xxgk_context": {"site": self.profile.name, "role": "list"}})

    def report_request(self, url: str, title: str, list_date: str | None, column: str | None,
                       column_url: str | None) -> Request | KnownReport | None:
        self.inc_stat("xxgk/report_links")
        if self.known_pages.skips(url, title, list_date):  # listed as when last fetched, and not due
            return self.known_pages.known_item(self.profile.name, url, title, list_date, column, column_url)
        return Request(
            url,
            callback=self.parse_report,
            errback=self.on_error,
            cb_kwargs={"list_title": title, "list_date": list_date, "column": column, "column_url": column_url},
            # what the spider knew, archived with the response so `xxgk reparse` can rebuild the item
            meta={"xxgk_context": {"site": self.profile.name, "role": "page", "list_title": title,
                                   "list_date": list_date, "column": column, "column_url": column_url}},
        )

    async def parse_report(self, response: Response, list_title: str, list_date: str | None, column: str | None,
                           column_url: str | None) -> AsyncIterator[ReportPage]:
        """The report page as an item, with every file and table image it links to fetched (or
        failed) first: the pipelines read them together.

        The files are downloaded from inside this callback (:meth:`download`: the downloader
        middlewares — archive, revalidation, retries, politeness — but not the scheduler), so a page
        and its files are one unit of work: a distributed worker that takes the page fetches its
        files itself (a shared queue would hand them to other workers, away from the waiting page),
        and a crawl killed before the item was stored fetches the page, and its files, again."""
        self.inc_stat("xxgk/reports")
        item = build_report_page(self.profile.name, response, list_title=list_title, list_date=list_date,
                                 column=column, column_url=column_url, **site_fields(self.profile))
        if self.follow_attachments:
            links = attachment_links(response.body, response.url, item.encoding or None, self.profile.allowed_domains)
            item.attachments = list(await asyncio.gather(*(self.files.get(link, item.url) for link in links)))
        yield item

    @cached_property
    def files(self) -> SharedFiles:
        return SharedFiles(fetch=self.fetch_attachment)

    async def fetch_attachment(self, link: AttachmentLink, parent_url: str) -> FetchedDocument:
        """One file or table image as a document: its bytes, or the reason it could not be had."""
        request = self.attachment_request(link, parent_url)
        try:
            response = await self.download(request)
        except Exception as exc:  # robots.txt, too large, timeouts past the retries, a challenge …
            failure = Failure(exc)
            failure.request = request  # type: ignore[attr-defined]
            return self.attachment_failed(failure)
        if not 200 <= response.status < 300:  # the spider middlewares (HttpError) are not in this path
            failure = Failure(HttpError(response, "Ignoring non-200 response"))
            failure.request = request  # type: ignore[attr-defined]
            return self.attachment_failed(failure)
        return self.parse_attachment(response, link.role, link.name)

    async def download(self, request: Request) -> Response:
        """A request through the downloader (and its middlewares) only; tests replace it."""
        return await self.crawler.engine.download_async(request)

    def parse_attachment(self, response: Response, role: str, name: str | None) -> FetchedDocument:
        """A file or image a report page links to, as fetched."""
        self.inc_stat(f"xxgk/attachments/fetched/{role}")
        disposition = header_text(response.headers.get("Content-Disposition"))
        document = self.fetched_document(response, role)
        document.url = meta_of(response).get("xxgk_context", {}).get("url") or document.url  # as linked
        document.body = response.body
        document.filename = download_name(document.url, disposition, name)
        return document

    def attachment_failed(self, failure: Failure) -> FetchedDocument:
        """A file that could not be fetched (404, too large, robots.txt, timeout…), with its error;
        the report goes on without it."""
        request: Request = failure.request  # type: ignore[attr-defined]
        response: Response | None = getattr(failure.value, "response", None) if failure.check(HttpError) else None
        context = request.meta.get("xxgk_context", {})
        role = context.get("role", "attachment")
        linked = context.get("url") or request.url
        self.logger.warning("attachment not fetched (%s) %s: %s", response.status if response else "no response",
                            request.url, failure.value)
        self.inc_stat("xxgk/attachments/fetch_failed")
        return FetchedDocument(
            site=self.profile.name,
            url=linked,
            final_url=response.url if response is not None else request.url,
            status=response.status if response is not None else 0,
            content_type=content_type(response) if response is not None else None,
            sha256=hashlib.sha256(b"").hexdigest(),
            fetched_at=captured_at(meta_of(response)) if response is not None else utc_now("microseconds"),
            role=role,
            error=fetch_error(failure),
            fault=error_kind(failure.value, response.status if response is not None else None),
            filename=download_name(linked, None, context.get("name")),
            **warc_fields(meta_of(response) if response is not None else request.meta),
        )

    @cached_property
    def follow_attachments(self) -> bool:
        settings = getattr(self, "settings", None)
        return settings.getbool("XXGK_ATTACHMENTS", True) if settings is not None else True

    def attachment_request(self, link: AttachmentLink, parent_url: str) -> Request:
        # downloaded by the report's own callback (fetch_attachment), never scheduled: the spider's
        # SharedFiles, not the dupefilter, decides that a shared file is fetched once
        return Request(
            link.url,
            dont_filter=True,
            # the link's URL: a redirect must not hide which file the reports are waiting for
            meta={"xxgk_context": {"site": self.profile.name, "role": link.role, "url": link.url,
                                   "parent_url": parent_url, "name": link.name}},
        )

    def list_document(self, response: Response) -> FetchedDocument | None:
        """A list or navigation page's documents row; none for the archived copy the revisit schedule
        handed over (crawler/revisit.py): nothing was fetched, and a reparse, which sees no record of
        it, rebuilds the same rows."""
        if FROM_ARCHIVE in response.flags:
            return None
        return self.fetched_document(response, "list")

    def fetched_document(self, response: Response, role: str) -> FetchedDocument:
        self.inc_stat(f"xxgk/fetched/{role}")
        return build_fetched_document(self.profile.name, response, role)

    def on_error(self, failure: Failure) -> Iterator[FetchedDocument]:
        """Record a failed fetch; a failed structural page (home, column) fails the crawl."""
        request: Request = failure.request  # type: ignore[attr-defined]
        # HttpError and ChallengeError (crawler.resilience) carry the response they stand for
        response: Response | None = getattr(failure.value, "response", None)
        status = response.status if response is not None else 0
        challenge = getattr(failure.value, "kind", None) if failure.check(ChallengeError) else None
        role = "challenge" if challenge or status in CHALLENGE_STATUSES else "error"
        fault = f"challenge/{challenge}" if challenge else error_kind(failure.value, status or None)
        self.logger.error("fetch failed (%s) %s: %s", status or "no response", request.url, failure.value)
        self.inc_stat(f"xxgk/fetch_errors/{role}")
        if request.meta.get("xxgk_structural") and self.close_reason is None:
            self.close_reason = STRUCTURAL_FETCH_FAILED
        body = response.body if response is not None else b""
        yield FetchedDocument(
            site=self.profile.name,
            url=request.url,
            final_url=response.url if response is not None else request.url,
            status=status,
            content_type=content_type(response) if response is not None else None,
            sha256=hashlib.sha256(body).hexdigest(),
            fetched_at=utc_now("microseconds"),
            role=role,
            size=len(body),
            error=repr(failure.value),
            fault=fault,
            **warc_fields(meta_of(response) if response is not None else request.meta),
        )

