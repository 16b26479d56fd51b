"""Downloader middlewares that keep a crawl going through flaky servers and anti-bot gates.

``BackoffRetryMiddleware`` replaces Scrapy's RetryMiddleware (same slot, 550): the same decisions
(``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS``, ``get_retry_request``), but each retry
waits ``XXGK_RETRY_BACKOFF_BASE``·2^(n-1) s (± ``XXGK_RETRY_BACKOFF_JITTER``, at most
``XXGK_RETRY_BACKOFF_MAX``; a longer ``Retry-After`` is honoured up to that cap). Scrapy 2.19 has
no retry delay of its own (only the per-slot DOWNLOAD_DELAY), so the wait happens here, in the
middleware, before the retry request is handed back to the scheduler. A waiting retry holds one of
the ``CONCURRENT_REQUESTS`` places, which is the point: a site in trouble gets fewer requests.
Every failed attempt is counted as ``xxgk/error/<kind>`` (timeout, reset, truncated, 5xx, …).

``ChallengeMiddleware`` (585: after CookiesMiddleware stored the challenge's cookie and after
HttpCompression decoded the body) recognises anti-bot challenges (:func:`crawler.faults.challenge_kind`)
and turns them into a :class:`ChallengeError` for the request's errback: never parsed as a page,
never retried in a loop. A challenge that sets a cookie gets exactly one retry, which carries that
cookie (a "first request only" gate opens then); a second challenge for the same request is final.
At the end of the crawl a site that met challenges says so in the log.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from crawler.faults import backoff_delay, challenge_kind, error_kind, parse_retry_after, sets_cookie

logger = logging.getLogger(__name__)

CHALLENGE_RETRY_KEY = "xxgk_challenge_retry"


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("XXGK_RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("XXGK_RETRY_BACKOFF_MAX", 60.0)
        self.jitter = settings.getfloat("XXGK_RETRY_BACKOFF_JITTER", 0.5)
        self.rng = random.Random()

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if response.status in self.retry_http_codes:
            self._count(error_kind(status=response.status))
        outcome = super().process_response(request, response)
        if isinstance(outcome, Request):
            await self._wait(outcome, parse_retry_after(response.headers.get("Retry-After")))
        return outcome

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        if isinstance(exception, IgnoreRequest):
            return None  # robots.txt, offsite, …: not a fault
        self._count(error_kind(exception))
        outcome = super().process_exception(request, exception)
        if isinstance(outcome, Request):
            await self._wait(outcome, None)
        return outcome

    def _count(self, kind: str) -> None:
        self.crawler.stats.inc_value(f"xxgk/error/{kind}")

    async def _wait(self, retry: Request, retry_after: float | None) -> None:
        delay = backoff_delay(
            int(retry.meta.get("retry_times", 1)), self.base, self.cap, self.jitter, self.rng, retry_after
        )
        if delay > 0:
            self.crawler.stats.inc_value("xxgk/retry/backoff_seconds", round(delay, 3))  # type: ignore[arg-type]  # seconds: a float stat
            from twisted.internet import reactor  # here: importing it at module level would install one

            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))


class ChallengeError(IgnoreRequest):
    """An anti-bot challenge answered instead of the page; ``response`` is the challenge."""

    def __init__(self, kind: str, response: Response) -> None:
        super().__init__(f"anti-bot challenge ({kind}, HTTP {response.status}) at {response.url}")
        self.kind = kind
        self.response = response


class ChallengeMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.kinds: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("XXGK_CHALLENGE_DETECTION", True):
            raise NotConfigured("challenge detection is off (XXGK_CHALLENGE_DETECTION=False)")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Request | Response:
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs]
        kind = challenge_kind(response.status, headers, response.body)
        if kind is None:
            return response
        stats = self.crawler.stats
        stats.inc_value("xxgk/error/challenge")
        stats.inc_value(f"xxgk/challenge/seen/{kind}")
        if sets_cookie(headers) and not request.meta.get(CHALLENGE_RETRY_KEY):
            # the cookie is in the jar now (CookiesMiddleware ran first): one more try carries it
            stats.inc_value("xxgk/challenge/cookie_retries")
            retry = request.replace(dont_filter=True)
            retry.meta[CHALLENGE_RETRY_KEY] = kind
            return retry
        stats.inc_value(f"xxgk/challenge/blocked/{kind}")
        self.kinds[kind] += 1
        raise ChallengeError(kind, response)

    def spider_closed(self, spider: Any) -> None:
        if self.kinds:
            kinds = ", ".join(f"{kind} ×{count}" for kind, count in sorted(self.kinds.items()))
            logger.error(
                "%s met anti-bot challenges it cannot pass (%s): those pages were recorded as "
                "role 'challenge', not fetched",
                spider.name,
                kinds,
            )


def challenge_summary(stats: dict[str, Any]) -> str | None:
    """「ruishu ×12, waf ×1」: the challenges that blocked requests, from a crawl's stats; or None."""
    prefix = "xxgk/challenge/blocked/"
    kinds = {key.removeprefix(prefix): value for key, value in stats.items() if key.startswith(prefix)}
    return ", ".join(f"{kind} ×{count}" for kind, count in sorted(kinds.items())) or None
