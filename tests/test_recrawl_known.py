"""Re-crawls without validators (crawler/recrawl.py): known pages listed as before are skipped, and a
rolling schedule re-verifies every page at least once per ``XXGK_REVERIFY_DAYS``. Constructed examples."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import Settings

from crawler.db import open_db
from crawler.extensions.crawl_runs import report_pages, run_row
from crawler.items import KnownReport, ReportPage
from crawler.recrawl import (
    RELISTED_STAT,
    REVERIFIED_STAT,
    SKIPPED_STAT,
    KnownPages,
    ListEntry,
    crawl_day,
    due,
    load_known_pages,
    read_entries,
    same_entry,
    slot,
)

DAY = date(2026, 3, 1)
URLS = [f"http://www.example.gov.cn/art/2024/1/{n}/art_1_{n}.html" for n in range(600)]


def entry(url: str = URLS[0], title: str = "2023年政府信息公开工作年度报告", when: str | None = "2024-01-16",
          fetched: date = DAY, year: int | None = 2023, role: str = "page") -> ListEntry:
    return ListEntry(url, title, when, fetched, year, role)


def counting() -> tuple[Counter[str], KnownPages]:
    counts: Counter[str] = Counter()
    return counts, KnownPages(today=DAY + timedelta(days=1), days=30, count=lambda key: counts.update([key]))


# --- the schedule --------------------------------------------------------------------------------


def test_over_one_period_every_page_is_due_exactly_once_when_crawled_daily() -> None:
    days = 7
    fetched = dict.fromkeys(URLS, DAY)  # the first crawl
    due_on: Counter[str] = Counter()
    for offset in range(1, 3 * days + 1):
        today = DAY + timedelta(days=offset)
        for url in URLS:
            if due(entry(url, fetched=fetched[url]), today, days):
                due_on[url] += 1
                fetched[url] = today  # re-verified
    assert set(due_on) == set(URLS) and set(due_on.values()) == {3}  # once per period, every period


def test_the_pages_due_are_spread_evenly_over_the_days() -> None:
    days = 6
    per_day = Counter(slot(url, days) for url in URLS)
    assert len(per_day) == days
    assert max(per_day.values()) <= 1.4 * len(URLS) / days  # about 1/N a day, never all at once


def test_a_page_fetched_today_is_not_due_today_even_on_its_slot_day() -> None:
    today = next(DAY + timedelta(days=n) for n in range(30) if slot(URLS[0], 30) == (DAY + timedelta(days=n)).toordinal() % 30)
    assert not due(entry(fetched=today), today, 30)
    assert due(entry(fetched=today - timedelta(days=1)), today, 30)


def test_a_page_not_fetched_for_a_whole_period_is_due_whatever_its_slot() -> None:
    stale = [url for url in URLS if due(entry(url, fetched=DAY - timedelta(days=30)), DAY, 30)]
    assert stale == URLS


def test_a_one_day_period_re_verifies_everything_fetched_before_today() -> None:
    assert due(entry(fetched=DAY - timedelta(days=1)), DAY, 1) and not due(entry(fetched=DAY), DAY, 1)


def test_the_slot_is_stable_across_processes() -> None:
    assert slot("http://a.gov.cn/x.html", 1000) == slot("http://a.gov.cn/x.html", 1000)
    assert slot("http://a.gov.cn/x.html", 1_000_003) == 14_858  # blake2b, not Python's salted hash


def test_the_crawl_day_is_the_setting_or_the_start_in_utc() -> None:
    from datetime import UTC, datetime, timezone

    assert crawl_day(Settings({"XXGK_REVERIFY_DATE": "2026-02-03"})) == date(2026, 2, 3)
    beijing_morning = datetime(2026, 2, 3, 7, 0, tzinfo=timezone(timedelta(hours=8)))
    assert crawl_day(Settings(), beijing_morning) == date(2026, 2, 2)
    assert crawl_day(Settings()) == datetime.now(UTC).date()


# --- the list entry ------------------------------------------------------------------------------


def test_an_entry_is_the_same_when_title_and_date_read_the_same() -> None:
    known = entry(title="2023年 政府信息公开\n工作年度报告")
    assert same_entry(known, "2023年政府信息公开工作年度报告", "2024-01-16")
    assert not same_entry(known, "2023年政府信息公开工作年度报告（更正）", "2024-01-16")
    assert not same_entry(known, "2023年政府信息公开工作年度报告", "2024-02-01")
    assert same_entry(entry(when=None), "2023年政府信息公开工作年度报告", "")


def test_a_known_page_listed_as_before_and_not_due_is_skipped_once() -> None:
    counts, known = counting()
    known.entries = {URLS[0]: entry(fetched=known.today)}
    assert known.skips(URLS[0], "2023年政府信息公开工作年度报告", "2024-01-16")
    item = known.known_item("site", URLS[0], "2023年政府信息公开工作年度报告", "2024-01-16", "年报", None)
    assert item == KnownReport("site", URLS[0], "2023年政府信息公开工作年度报告", "2024-01-16", "年报", None)
    # the same page in a second column: still not fetched, and no second item
    assert known.skips(URLS[0], "2023年政府信息公开工作年度报告", "2024-01-16")
    assert known.known_item("site", URLS[0], "2023年政府信息公开工作年度报告", "2024-01-16", "其他", None) is None
    assert counts == {SKIPPED_STAT: 1}


def test_new_relisted_and_due_pages_are_fetched_and_counted() -> None:
    counts, known = counting()
    today = known.today
    due_url = next(url for url in URLS if due(entry(url, fetched=today - timedelta(days=1)), today, 30))
    known.entries = {URLS[0]: entry(fetched=today), due_url: entry(due_url, fetched=today - timedelta(days=1))}
    assert not known.skips("http://www.example.gov.cn/new.html", "2024年…年度报告", None)
    assert not known.skips(URLS[0], "2023年政府信息公开工作年度报告（更正）", "2024-01-16")
    assert not known.skips(due_url, "2023年政府信息公开工作年度报告", "2024-01-16")
    assert counts == {RELISTED_STAT: 1, REVERIFIED_STAT: 1}


def test_due_pages_no_list_showed_are_asked_for_by_url_of_the_runs_year_only() -> None:
    _, known = counting()
    yesterday = known.today - timedelta(days=1)
    due_urls = [url for url in URLS if due(entry(url, fetched=yesterday), known.today, 30)][:3]
    known.entries = {url: entry(url, fetched=yesterday, year=2023 + n % 2) for n, url in enumerate(due_urls)}
    known.entries["alias"] = entry("alias", fetched=known.today - timedelta(days=40), role="alias")
    known.skips(due_urls[0], "2023年政府信息公开工作年度报告", "2024-01-16")  # listed: asked for already
    assert [e.url for e in known.unlisted_due()] == sorted(due_urls[1:])
    assert [e.year for e in known.unlisted_due(2024)] == [2024]


class FakeSpider:
    def __init__(self, known: KnownPages) -> None:
        self.known_pages = known
        self.year = None
        self.close_reason: str | None = None
        self.crawled: list[Request] = []
        self.crawler = self
        self.engine = self

    def crawl(self, request: Request) -> None:
        self.crawled.append(request)

    def report_request(self, url: str, title: str, list_date: str | None, column: str | None,
                       column_url: str | None) -> Request | None:
        return None if self.known_pages.skips(url, title, list_date) else Request(url)


def test_the_idle_spider_asks_for_unlisted_due_pages_once_and_stays_open() -> None:
    counts, known = counting()
    stale = entry(fetched=known.today - timedelta(days=31))
    known.entries = {stale.url: stale}
    spider = FakeSpider(known)
    with pytest.raises(DontCloseSpider):
        known.on_idle(spider)
    known.on_idle(spider)  # the next idle: nothing more, the spider may close
    assert [r.url for r in spider.crawled] == [stale.url] and counts == {REVERIFIED_STAT: 1}


def test_a_failing_spider_is_not_kept_open_for_re_verification() -> None:
    _, known = counting()
    known.entries = {URLS[0]: entry(fetched=known.today - timedelta(days=31))}
    spider = FakeSpider(known)
    spider.close_reason = "layout_changed"
    known.on_idle(spider)
    assert spider.crawled == []


def test_a_spider_without_a_database_shares_no_state_through_the_default() -> None:
    default = KnownPages()
    assert not default.skips(URLS[0], "t", None) and default.decided == {}


# --- the database --------------------------------------------------------------------------------


def store_page(db_dir: Path, url: str, *, title: str | None, fetched_at: str, status: int = 200,
               error: str | None = None, role: str = "page") -> None:
    db = open_db(db_dir / "xxgk.db")
    db["documents"].insert({"site": "s", "url": url, "final_url": url, "status": status, "role": role,
                            "fetched_at": fetched_at, "error": error, "list_title": title, "list_date": "2024-01-16"})
    db.close()


def test_known_entries_come_from_each_pages_latest_good_fetch(tmp_path: Path) -> None:
    store_page(tmp_path, URLS[0], title="old", fetched_at="2026-02-01T01:00:00.000000Z")
    store_page(tmp_path, URLS[0], title="new", fetched_at="2026-02-02T23:59:00.000000Z")
    store_page(tmp_path, URLS[1], title="t", fetched_at="2026-02-01T01:00:00Z")
    store_page(tmp_path, URLS[1], title="t", fetched_at="2026-02-03T01:00:00Z", status=0, error="timeout")
    store_page(tmp_path, URLS[2], title=None, fetched_at="2026-02-01T01:00:00Z")  # before list entries
    entries = read_entries(tmp_path / "xxgk.db", "s")
    assert entries == {URLS[0]: ListEntry(URLS[0], "new", "2024-01-16", date(2026, 2, 2), None, "page")}
    assert read_entries(tmp_path / "xxgk.db", "other") == {}


def test_a_known_page_that_failed_its_last_fetch_is_no_longer_known(tmp_path: Path) -> None:
    # a page deleted after it was known: re-verified once (404, an error row), then not asked for again
    store_page(tmp_path, URLS[0], title="t", fetched_at="2026-01-01T01:00:00Z")
    store_page(tmp_path, URLS[0], title=None, fetched_at="2026-02-01T01:00:00Z", status=404,
               error="HTTP 404", role="error")
    assert read_entries(tmp_path / "xxgk.db", "s") == {}


def test_a_full_crawl_knows_no_page(tmp_path: Path) -> None:
    store_page(tmp_path, URLS[0], title="t", fetched_at="2026-02-01T01:00:00Z")
    settings = {"XXGK_DATA_DIR": str(tmp_path), "XXGK_REVERIFY_DAYS": 5, "XXGK_REVERIFY_DATE": "2026-02-02"}
    assert set(load_known_pages(Settings(settings), "s").entries) == {URLS[0]}
    known = load_known_pages(Settings(settings | {"XXGK_INCREMENTAL": False}), "s")
    assert (known.entries, known.days, known.today) == ({}, 5, date(2026, 2, 2))


def test_crawl_runs_records_skipped_and_reverified_and_counts_known_as_seen() -> None:
    stats = {"xxgk/recrawl/known": 7, "xxgk/recrawl/reverified": 2, "xxgk/store/reports/known": 7,
             "xxgk/store/reports/same": 2}
    row = run_row("s", None, "incremental", "2026-02-02T00:00:00+00:00", stats, "finished", 9, 0)
    assert (row["known_skipped"], row["reverified"], row["report_pages"], row["status"]) == (7, 2, 9, "ok")
    assert report_pages({"xxgk/recrawl/known": 7}) == 0  # skipped but never reached the store: not seen


def test_the_store_counts_a_known_report_and_keeps_a_pages_list_entry(tmp_path: Path) -> None:
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from pipelines.store import StorePipeline

    stage = StorePipeline(tmp_path / "xxgk.db", MemoryStatsCollector(get_crawler()))
    stage.open_spider()
    page = ReportPage(site="s", url=URLS[0], final_url=URLS[0], status=200, content_type="text/html", body=b"x",
                      encoding="utf-8", sha256="0", fetched_at="2026-02-01T00:00:00Z", list_title="t",
                      list_date="2024-01-16", error="extract: failed")
    stage.process_item(page)
    stage.process_item(KnownReport("s", URLS[1], "t", None))
    assert stage.stats.get_value("xxgk/store/reports/known") == 1
    stage.close_spider()
    rows = list(open_db(tmp_path / "xxgk.db").query("SELECT url, list_title, list_date FROM documents"))
    assert rows == [{"url": URLS[0], "list_title": "t", "list_date": "2024-01-16"}]


def test_a_known_report_crosses_redis_to_the_drainer() -> None:
    from crawler.distributed import codec

    item = KnownReport("s", URLS[0], "2023年政府信息公开工作年度报告", "2024-01-16", "年报", URLS[1])
    assert codec.loads(codec.dumps(item)) == item
