"""Which archived records reached the spider, in the order it received them.

Decided as Scrapy's downloader middlewares decided it: a 3xx with a Location, or an HTML meta
refresh, was followed rather than delivered; a retryable status answered by a later attempt
(``XXGK-Retry-Times`` one higher) was retried. Responses without a context (robots.txt, requests the
spider did not annotate) never became items.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scrapy.http import HtmlResponse, Response
from scrapy.settings import BaseSettings, Settings
from scrapy.utils.response import get_meta_refresh

from crawler import settings as crawl_settings
from crawler.archive.reader import ArchivedResponse
from crawler.archive.responses import scrapy_response

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def project_settings() -> Settings:
    """crawler/settings.py over Scrapy's defaults (what a crawl ran with, unless overridden)."""
    settings = Settings()
    settings.setmodule(crawl_settings, priority="project")
    return settings


@dataclass(frozen=True, slots=True)
class DeliveryRules:
    """The crawl's redirect and retry settings (Scrapy's defaults under the project's own)."""

    redirect: bool
    meta_refresh: bool
    meta_refresh_ignore_tags: tuple[str, ...]
    meta_refresh_maxdelay: float
    retry_statuses: frozenset[int]
    retry_times: int

    @classmethod
    def from_settings(cls, settings: BaseSettings | None = None) -> DeliveryRules:
        if settings is None:
            settings = project_settings()
        return cls(
            redirect=settings.getbool("REDIRECT_ENABLED"),
            meta_refresh=settings.getbool("METAREFRESH_ENABLED"),
            meta_refresh_ignore_tags=tuple(settings.getlist("METAREFRESH_IGNORE_TAGS")),
            meta_refresh_maxdelay=settings.getfloat("METAREFRESH_MAXDELAY"),
            retry_statuses=frozenset(int(code) for code in settings.getlist("RETRY_HTTP_CODES"))
            if settings.getbool("RETRY_ENABLED")
            else frozenset(),
            retry_times=settings.getint("RETRY_TIMES"),
        )

    def was_redirected(self, archived: ArchivedResponse, response: Response) -> bool:
        if self.redirect and archived.status in REDIRECT_STATUSES and archived.header("Location"):
            return True
        if self.meta_refresh and isinstance(response, HtmlResponse) and archived.method != "HEAD":
            if not may_refresh(response):
                return False
            interval, url = get_meta_refresh(response, ignore_tags=self.meta_refresh_ignore_tags)
            return bool(url) and interval is not None and interval < self.meta_refresh_maxdelay
        return False

    def may_be_retried(self, archived: ArchivedResponse) -> bool:
        return archived.status in self.retry_statuses and archived.retry_times < self.retry_times


def may_refresh(response: HtmlResponse) -> bool:
    """Whether the page can hold a meta refresh at all: Scrapy's test decodes the body (the largest
    part of deciding delivery); a body that never spells "refresh" in any case has none. Only for
    encodings in which the word is its ASCII bytes (UTF-8, GBK, Latin-1 …): in those a decoded ASCII
    letter is its own byte, so ``bytes.lower`` misses none (and a match only sends it to Scrapy)."""
    try:
        spelled = "refresh".encode(response.encoding)
    except (LookupError, UnicodeError):
        return True
    return spelled != b"refresh" or b"refresh" in response.body.lower()


def request_key(archived: ArchivedResponse) -> tuple[str, str, bytes]:
    return archived.method, archived.url, archived.request_body or b""


def delivered(
    records: Iterable[ArchivedResponse], rules: DeliveryRules | None = None
) -> Iterator[tuple[ArchivedResponse, Response]]:
    """The annotated records the spider's callbacks or errbacks received, in capture order.

    A retryable failure is held back until the archive shows whether a retry followed it.
    """
    rules = rules or DeliveryRules.from_settings()
    held: dict[tuple[str, str, bytes], tuple[ArchivedResponse, Response]] = {}
    for archived in records:
        if not archived.context:
            continue
        key = request_key(archived)
        pending = held.pop(key, None)
        if pending is not None and archived.retry_times != pending[0].retry_times + 1:
            yield pending  # not a retry of it: the earlier answer was final
        response = scrapy_response(archived)
        if rules.was_redirected(archived, response):
            continue
        if rules.may_be_retried(archived):
            held[key] = (archived, response)
            continue
        yield archived, response
    yield from held.values()
