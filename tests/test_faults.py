"""Fault kinds, challenge detection on saved samples, retry backoff, and the two middlewares."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, ResponseDataLossError
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, _DataLoss

from crawler.faults import (
    backoff_delay,
    challenge_kind,
    error_kind,
    parse_retry_after,
    sets_cookie,
)
from crawler.resilience import ChallengeError, ChallengeMiddleware, challenge_summary

SAMPLES = Path(__file__).parent / "fixtures" / "challenges"
CASES = json.loads((SAMPLES / "samples.json").read_text(encoding="utf-8"))


# -- challenge_kind on saved samples ---------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['file']}-{c['status']}")
def test_challenge_kind_of_saved_samples(case: dict) -> None:
    body = (SAMPLES / case["file"]).read_bytes()
    assert challenge_kind(case["status"], [tuple(h) for h in case["headers"]], body) == case["expected"]


def test_a_bare_412_or_405_is_not_a_challenge() -> None:
    assert challenge_kind(412, {}, b"Precondition Failed") is None
    assert challenge_kind(405, {"Content-Type": "text/plain"}, b"Method Not Allowed") is None


def test_the_status_matters_for_block_pages() -> None:
    blocked = (SAMPLES / "waf_405.html").read_bytes()
    assert challenge_kind(405, {}, blocked) == "waf"
    assert challenge_kind(404, {}, blocked) is None


def test_a_521_with_the_jsluid_cookie_alone_is_jiasule() -> None:
    assert challenge_kind(521, {"Set-Cookie": "__jsluid_h=abc; path=/"}, b"") == "jiasule"


def test_sets_cookie() -> None:
    assert sets_cookie([("Set-Cookie", "a=b")]) and not sets_cookie({"Content-Type": "text/html"})


# -- error kinds ---------------------------------------------------------------------------------------


def data_loss(connection_reason: Exception) -> ResponseDataLossError:
    error = ResponseDataLossError()
    error.__cause__ = ResponseFailed([Failure(connection_reason), Failure(_DataLoss())])
    return error


@pytest.mark.parametrize(
    ("exception", "status", "kind"),
    [
        (DownloadTimeoutError("Getting http://x took longer than 2.0 seconds."), None, "timeout"),
        (data_loss(ConnectionDone()), None, "truncated"),
        (data_loss(ConnectionLost()), None, "reset"),
        (ResponseFailed([Failure(ConnectionLost())]), None, "reset"),
        (DownloadCancelledError("Cancelling download of http://x: expected response size (99) larger than download max size (10)."), None, "too_large"),
        (None, 503, "5xx"),
        (None, 404, "http_404"),
        (ValueError("?"), None, "other"),
    ],
)
def test_error_kind(exception: Exception | None, status: int | None, kind: str) -> None:
    assert error_kind(exception, status) == kind


# -- backoff -------------------------------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap_without_jitter() -> None:
    assert [backoff_delay(n, 1.0, 5.0, jitter=0) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_backoff_jitter_stays_within_its_band_and_is_seeded() -> None:
    delays = [backoff_delay(3, 1.0, 60.0, 0.5, random.Random(7)) for _ in range(3)]
    again = [backoff_delay(3, 1.0, 60.0, 0.5, random.Random(7)) for _ in range(3)]
    rng = random.Random(1)
    spread = [backoff_delay(3, 1.0, 60.0, 0.5, rng) for _ in range(500)]
    assert delays == again
    assert 2.0 <= min(spread) < 2.5 and 5.5 < max(spread) <= 6.0


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    assert backoff_delay(1, 1.0, 30.0, 0, retry_after=10) == 10
    assert backoff_delay(1, 1.0, 30.0, 0, retry_after=3600) == 30
    assert backoff_delay(1, 0, 30.0, 0, retry_after=10) == 0  # backoff off: no wait at all
    assert parse_retry_after(b"120") == 120 and parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None


# -- the middlewares -----------------------------------------------------------------------------------


def response_of(case_file: str, status: int, request: Request, headers: dict | None = None) -> HtmlResponse:
    return HtmlResponse(request.url, status=status, headers=headers or {}, body=(SAMPLES / case_file).read_bytes(),
                        request=request)


def challenge_middleware() -> ChallengeMiddleware:
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    return ChallengeMiddleware.from_crawler(crawler)


def test_a_challenge_with_a_cookie_is_retried_once_then_blocked() -> None:
    middleware = challenge_middleware()
    request = Request("http://www.hy.gov.cn/xxgk/index.html")
    first = response_of("jiasule_521.html", 521, request, {"Set-Cookie": "__jsluid_h=1; path=/"})
    retry = middleware.process_response(request, first)
    assert isinstance(retry, Request) and retry.dont_filter and retry.meta["xxgk_challenge_retry"] == "jiasule"
    with pytest.raises(ChallengeError) as blocked:
        middleware.process_response(retry, response_of("jiasule_521.html", 521, retry))
    assert blocked.value.kind == "jiasule" and blocked.value.response.status == 521
    stats = middleware.crawler.stats.get_stats()
    assert stats["xxgk/error/challenge"] == 2 and stats["xxgk/challenge/blocked/jiasule"] == 1
    assert challenge_summary(stats) == "jiasule ×1"


def test_a_challenge_without_a_cookie_is_blocked_at_once_and_a_page_passes() -> None:
    middleware = challenge_middleware()
    request = Request("http://www.hy.gov.cn/xxgk/index.html")
    with pytest.raises(ChallengeError):
        middleware.process_response(request, response_of("waf_405.html", 405, request))
    page = response_of("report_page.html", 200, request)
    assert middleware.process_response(request, page) is page


def test_retries_count_faults_and_come_back_as_requests() -> None:
    """Base 0 = no wait, so no reactor is needed here; the e2e fault crawl exercises the waits."""
    from crawler.resilience import BackoffRetryMiddleware

    crawler = get_crawler(settings_dict={"XXGK_RETRY_BACKOFF_BASE": 0})
    crawler.stats.open_spider()
    crawler.spider = crawler._create_spider("test")
    middleware = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request("http://www.hy.gov.cn/")
    retry = asyncio.run(middleware.process_exception(request, DownloadTimeoutError("slow")))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    answer = HtmlResponse(request.url, status=503, body=b"busy", request=request)
    again = asyncio.run(middleware.process_response(retry, answer))
    assert isinstance(again, Request) and again.meta["retry_times"] == 2
    stats = crawler.stats.get_stats()
    assert stats["xxgk/error/timeout"] == 1 and stats["xxgk/error/5xx"] == 1
