"""The revisit schedule of list pages and files (crawler/revisit.py) and the archive handing them over
without asking the server (crawler/archive/revalidate.py), on constructed examples."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import settings as project
from crawler.archive.cdxj import iter_index
from crawler.archive.middleware import FROM_ARCHIVE
from crawler.archive.revalidate import (
    WireStats,
    capture_day,
    confirmed_captures,
)
from crawler.recrawl import slot
from crawler.revisit import Revisits, capture_due, in_season, revisits, season_months
from tests.support.list_pages import BODY, LIST, Stats, archive, listed, middleware, quiet_day

FILE = "http://www.example.gov.cn/picture/0/P020240109123456.xlsx"
OFF_SEASON: frozenset[int] = frozenset()

# --- the schedule ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "months"), [
    ("1-4", {1, 2, 3, 4}), ("1-4,12", {1, 2, 3, 4, 12}), ("11-2", {11, 12, 1, 2}), ("3", {3}), ("", set()),
])  # fmt: skip
def test_season_months_are_read_from_ranges(text: str, months: set[int]) -> None:
    assert season_months(text) == months


def test_a_month_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="13"):
        season_months("1-13")


def test_the_season_is_the_crawl_days_month() -> None:
    months = season_months("1-4")
    assert (in_season(date(2025, 1, 31), months), in_season(date(2025, 5, 1), months)) == (True, False)


def test_a_url_is_asked_for_on_its_slot_day_or_once_its_capture_is_a_period_old() -> None:
    captured = date(2025, 7, 1)
    quiet = quiet_day(LIST, captured, 7)
    assert not capture_due(LIST, captured, quiet, 7)
    assert capture_due(LIST, captured, captured + timedelta(days=7), 7)  # a period old
    on_slot = next(captured + timedelta(days=age) for age in range(1, 8)
                   if slot(LIST, 7) == (captured + timedelta(days=age)).toordinal() % 7)
    assert capture_due(LIST, captured, on_slot, 7)


def test_a_url_captured_today_is_not_asked_for_again_even_on_its_slot_day() -> None:
    today = next(date(2025, 7, 1) + timedelta(days=d) for d in range(7)
                 if slot(LIST, 7) == (date(2025, 7, 1) + timedelta(days=d)).toordinal() % 7)
    assert not capture_due(LIST, today, today, 7)


@pytest.mark.parametrize("days", [1, 0, -3])
def test_a_period_of_one_or_less_asks_every_run(days: int) -> None:
    assert capture_due(LIST, date(2025, 7, 1), date(2025, 7, 1), days)


def test_the_slots_spread_the_urls_over_the_days() -> None:
    urls = [f"http://www.example.gov.cn/col/col{n}/index.html" for n in range(700)]
    captured = date(2025, 6, 1)
    per_night = [sum(capture_due(url, captured, captured + timedelta(days=age), 7) for url in urls)
                 for age in range(1, 7)]
    assert all(60 <= count <= 140 for count in per_night), per_night  # ~100 a night, never all at once
    assert all(any(capture_due(url, captured, captured + timedelta(days=age), 7) for age in range(1, 8))
               for url in urls)  # each within its period


def test_lists_are_read_every_run_in_season_and_on_their_schedule_out_of_it() -> None:
    captured = date(2025, 2, 1)
    in_feb = Revisits(today=quiet_day(LIST, captured, 7), season=frozenset({1, 2, 3, 4}))
    out = Revisits(today=quiet_day(LIST, captured, 7), season=OFF_SEASON)
    assert (in_feb.period("list"), out.period("list")) == (1, 7)
    assert (in_feb.from_archive("list", LIST, captured), out.from_archive("list", LIST, captured)) == (False, True)


def test_files_and_pages_are_never_scheduled() -> None:
    """A fetched page fetches its files: a file replaced at the same URL is seen with its page, and the
    reparse finds each file in its page's own run."""
    schedule = Revisits(today=date(2025, 7, 2), season=OFF_SEASON)
    assert (schedule.period("attachment"), schedule.period("image"), schedule.period("page"),
            schedule.period("dataproxy"), schedule.period(None)) == (None, None, None, None, None)
    assert not schedule.from_archive("page", LIST, date(2025, 7, 1))
    assert not schedule.from_archive("attachment", FILE, date(2025, 6, 1))


def test_settings_cap_the_periods_by_the_re_verification_window() -> None:
    made = revisits(Settings({"XXGK_REVERIFY_DAYS": 3, "XXGK_LIST_DAYS": 7,
                              "XXGK_REVERIFY_DATE": "2025-07-01", "XXGK_SEASON_MONTHS": "12-1"}))
    assert made == Revisits(date(2025, 7, 1), list_days=3, season=frozenset({12, 1}))
    every_run = revisits(Settings({"XXGK_LIST_DAYS": 1}))
    assert every_run is not None and every_run.list_days == 1


def test_a_full_crawl_has_no_schedule() -> None:
    assert revisits(Settings({"XXGK_INCREMENTAL": False})) is None


# --- the middleware ----------------------------------------------------------------------------


def off_night(url: str, days: int = 7) -> Revisits:
    """A night out of season on which ``url`` (captured today) is not due."""
    today = datetime.now(UTC).date()
    return Revisits(today=quiet_day(url, today, days), list_days=days, season=OFF_SEASON)


def test_a_list_page_not_due_is_handed_over_from_the_archive(tmp_path: Path) -> None:
    first = archive(tmp_path, LIST, "list")["xxgk_warc"]
    stats = Stats()
    request = listed()
    served = middleware(tmp_path, off_night(LIST), stats).process_request(request)
    assert isinstance(served, Response) and (served.status, served.body, served.flags) == (200, BODY, [FROM_ARCHIVE])
    assert served.headers.get(b"Content-Type") == b"text/html; charset=utf-8"
    pointer = request.meta["xxgk_warc"]  # the capture whose bytes the spider gets
    assert (pointer["file"], pointer["offset"], pointer["record_id"], pointer["date"]) == (
        first["file"], first["offset"], first["record_id"], first["date"])
    assert stats == {"xxgk/recrawl/lists_from_archive": 1, "xxgk/recrawl/bytes_from_archive": len(BODY)}


def test_a_file_is_always_asked_for(tmp_path: Path) -> None:
    archive(tmp_path, FILE, "attachment", body=b"PK\x03\x04 xlsx bytes")
    stats = Stats()
    assert middleware(tmp_path, off_night(FILE, 90), stats).process_request(listed(FILE, "attachment")) is None
    assert "xxgk/recrawl/lists_from_archive" not in stats


def test_a_challenge_answered_with_200_is_never_handed_over(tmp_path: Path) -> None:
    """An anti-bot page served with 200 is no copy of the list: standing in for it until its slot
    day would fail the crawl every night."""
    challenge = b"<html><script>document.cookie='__jsl_clearance=1.2|0';location.href=location.pathname</script></html>"
    archive(tmp_path, LIST, "list", body=challenge)
    stats = Stats()
    assert middleware(tmp_path, off_night(LIST), stats).process_request(listed()) is None
    assert "xxgk/recrawl/lists_from_archive" not in stats


def test_a_due_list_page_is_asked_for_conditionally_when_it_has_validators(tmp_path: Path) -> None:
    archive(tmp_path, LIST, "list", headers={"ETag": '"abc"'})
    today = datetime.now(UTC).date()
    due = Revisits(today=today + timedelta(days=7), season=OFF_SEASON)  # the capture is a period old
    request = listed()
    assert middleware(tmp_path, due).process_request(request) is None
    assert request.headers.get(b"If-None-Match") == b'"abc"'


def test_in_season_every_list_page_is_asked_for(tmp_path: Path) -> None:
    archive(tmp_path, LIST, "list")
    today = datetime.now(UTC).date()
    schedule = Revisits(today=quiet_day(LIST, today, 7), season=frozenset(range(1, 13)))
    assert middleware(tmp_path, schedule).process_request(listed()) is None


@pytest.mark.parametrize("case", ["post", "page", "no schedule", "unknown url", "failed since"])
def test_what_is_never_handed_over(case: str, tmp_path: Path) -> None:
    archive(tmp_path, LIST, "list")
    if case == "failed since":
        archive(tmp_path, LIST, "list", status=500, body=b"busy")
    request = {
        "post": listed(method="POST", body=b"col=12"),
        "page": listed(role="page"),
        "unknown url": listed(LIST + "?page=2"),
    }.get(case, listed())
    schedule = None if case == "no schedule" else off_night(LIST)
    assert middleware(tmp_path, schedule).process_request(request) is None


def test_a_304_since_counts_as_a_good_capture_confirmed_that_day(tmp_path: Path) -> None:
    archive(tmp_path, LIST, "list")
    not_modified = archive(tmp_path, LIST, "list", status=304, body=b"")["xxgk_warc"]
    entries = list(iter_index(tmp_path))
    assert confirmed_captures(entries)[LIST] == entries[1]
    assert capture_day(entries[1]) == datetime.now(UTC).date()
    request = listed()
    served = middleware(tmp_path, off_night(LIST)).process_request(request)
    assert isinstance(served, Response) and served.body == BODY
    assert (request.meta["xxgk_warc"]["file"], request.meta["xxgk_warc"]["date"]) == (
        entries[0].filename, not_modified["date"])  # the bytes of the 200, the time of the 304


def test_wire_stats_skip_what_the_archive_handed_over(tmp_path: Path) -> None:
    stats = Stats()
    wire = WireStats(stats)  # type: ignore[arg-type]
    request = listed()
    wire.process_response(request, HtmlResponse(LIST, body=BODY, flags=[FROM_ARCHIVE]))
    assert stats == {}
    wire.process_response(request, HtmlResponse(LIST, body=BODY))
    assert stats["downloader/response_count"] == 1
    assert stats["xxgk/wire/bytes/list"] == stats["downloader/response_bytes"] > len(BODY)


def vouching_run(data_dir: Path, status: str = "ok") -> None:
    """The site's latest crawl run, as crawl_runs records it: what the archived lists stand in for."""
    from crawler.db import open_db

    db = open_db(data_dir / "xxgk.db")
    db["crawl_runs"].insert({"spider": "testsite", "status": status, "year": None})
    db.close()


def through_the_chain(settings: dict[str, Any]) -> tuple[Response, list[Request], Any]:
    """One list request through the project's downloader middlewares; what came back, what was sent."""
    crawler = get_crawler(type("testsite", (Spider,), {"name": "testsite"}), settings)
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    manager = DownloaderMiddlewareManager.from_crawler(crawler)
    sent: list[Request] = []

    async def download(request: Request) -> Response:
        sent.append(request)
        return HtmlResponse(request.url, body=b"fresh", request=request)

    return asyncio.run(manager.download_async(download, listed())), sent, crawler


@pytest.mark.parametrize("run", [None, "failed"])
def test_without_an_ok_run_of_the_site_every_list_is_read(tmp_path: Path, run: str | None) -> None:
    """Captures another process archived (the seeder's platform probe) or a failed run left vouch for
    nothing: a first crawl, or one after a failure, reads every list page."""
    warc_dir = tmp_path / "warc"
    archive(warc_dir, LIST, "list")
    if run is not None:
        vouching_run(tmp_path, run)
    day = quiet_day(LIST, datetime.now(UTC).date(), 7).isoformat()
    settings = {"DOWNLOADER_MIDDLEWARES": project.DOWNLOADER_MIDDLEWARES, "XXGK_DATA_DIR": str(tmp_path),
                "XXGK_REVERIFY_DATE": day, "XXGK_SEASON_MONTHS": "", "XXGK_WARC_WORKER": "w2"}
    response, sent, _ = through_the_chain(settings)
    assert response.body == b"fresh" and len(sent) == 1


def test_through_the_project_middlewares_nothing_is_sent_counted_or_archived(tmp_path: Path) -> None:
    """The real downloader middleware chain of the project settings: a served list page never reaches
    the download function, DownloaderStats counts no request nor bytes, the archive writes no record."""
    warc_dir = tmp_path / "warc"
    archive(warc_dir, LIST, "list")
    day = quiet_day(LIST, datetime.now(UTC).date(), 7).isoformat()
    settings = {"DOWNLOADER_MIDDLEWARES": project.DOWNLOADER_MIDDLEWARES, "XXGK_DATA_DIR": str(tmp_path),
                "XXGK_REVERIFY_DATE": day, "XXGK_SEASON_MONTHS": "", "XXGK_WARC_WORKER": "w2"}
    vouching_run(tmp_path)
    response, sent, crawler = through_the_chain(settings)
    assert isinstance(response, Response) and response.body == BODY and sent == []
    stats = crawler.stats.get_stats()
    assert (stats.get("downloader/request_count", 0), stats.get("downloader/response_bytes", 0)) == (0, 0)
    assert stats["xxgk/recrawl/lists_from_archive"] == 1
    assert len(list(iter_index(warc_dir))) == 1  # no record written for it


# --- reparse ------------------------------------------------------------------------------------


