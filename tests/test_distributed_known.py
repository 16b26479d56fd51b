"""A distributed worker's re-verification of known report pages no list showed (crawler/recrawl.py,
crawler/distributed/worker.py): asked for only once the fleet has read every list — not on a
worker's own idle, while a list still queued elsewhere may show the page under a new entry — and
queued once however many workers ask."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request, signals
from scrapy.utils.test import get_crawler
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.distributed.scheduler import LeasedQueue
from crawler.distributed.state import Keys, SharedState
from crawler.distributed.worker import DistributedWorker
from crawler.recrawl import KnownPages, ListEntry
from crawler.spiderloader import site_spider
from tests.support.redis_server import MISSING, redis_server_binary, running_redis

TODAY = date(2026, 3, 1)
DUE = ListEntry("http://www.wendeng.gov.cn/nb/2021.html", "2021年报告", "2022-01-20", TODAY - timedelta(days=40), 2021)
FRESH = ListEntry("http://www.wendeng.gov.cn/nb/2022.html", "2022年报告", "2023-01-20", TODAY, 2022)


class Engine:
    """What the worker's engine does with a request: the scheduler's push through the shared dupefilter."""

    def __init__(self, push: Any = None) -> None:
        self.crawled: list[Request] = []
        self.push = push
        self.idle = True

    def crawl(self, request: Request) -> None:
        self.crawled.append(request)
        if self.push is not None:
            self.push(request)

    def spider_is_idle(self) -> bool:
        return self.idle


class Fleet:
    """The site's shared state as the worker sees it: complete or not."""

    def __init__(self) -> None:
        self.complete = False

    def is_complete(self, site: str) -> bool:
        return self.complete


def worker_with_known_pages(state: Any, engine: Engine, name: str = "w1") -> tuple[DistributedWorker, Any]:
    crawler = get_crawler(settings_dict={"XXGK_REVERIFY_DAYS": 30})
    spider: Any = site_spider("wendeng")()
    spider.crawler = SimpleNamespace(engine=engine, stats=None)
    spider.known_pages = KnownPages({e.url: e for e in (DUE, FRESH)}, TODAY, 30)
    crawler.signals.connect(spider.known_pages.on_idle, signal=signals.spider_idle)  # as recrawl.attach() does
    crawler.engine = engine  # type: ignore[assignment]
    worker = DistributedWorker(crawler, state, name)
    worker.spider = spider
    worker.known = worker.defer_known_pages(spider)
    return worker, spider


def test_a_workers_own_idle_asks_for_no_due_page_while_the_fleet_reads_lists() -> None:
    fleet, engine = Fleet(), Engine()
    worker, spider = worker_with_known_pages(fleet, engine)
    worker.crawler.signals.send_catch_log(signals.spider_idle, spider=spider)
    worker.close_when_complete(now=0.0)
    assert engine.crawled == [] and worker.complete_since is None
    fleet.complete = True  # every list read, fleet-wide
    worker.close_when_complete(now=1.0)
    assert [r.url for r in engine.crawled] == [DUE.url]  # the due page, not the fresh one
    assert engine.crawled[0].cb_kwargs["list_title"] == DUE.title  # its last list entry, on purpose
    assert worker.complete_since is None  # the pass queued work: not complete yet
    worker.close_when_complete(now=2.0)
    assert len(engine.crawled) == 1 and worker.complete_since == 2.0  # once per worker


def test_a_spider_without_known_pages_has_no_pass_to_defer() -> None:
    crawler = get_crawler(settings_dict={})
    fleet: Any = Fleet()
    worker = DistributedWorker(crawler, fleet, "w1")
    spider: Any = SimpleNamespace(known_pages=KnownPages())  # a first crawl: nothing known
    assert worker.defer_known_pages(spider) is None


@pytest.mark.skipif(redis_server_binary() is None, reason=MISSING)
def test_every_worker_may_ask_and_the_shared_dupefilter_queues_each_page_once(tmp_path: Any) -> None:
    with running_redis(tmp_path) as url:
        from redis import Redis

        server = Redis.from_url(url)
        keys = Keys("k")
        fleet = Fleet()
        fleet.complete = True
        queued: list[bool] = []
        for name in ("w1", "w2", "w3"):
            spider = site_spider("wendeng")()
            queue = LeasedQueue(server, spider, keys.queue("wendeng"), keys=keys, worker=name)
            dupefilter = RFPDupeFilter(server, key=keys.dupefilter("wendeng"))
            engine = Engine(lambda r, q=queue, d=dupefilter: queued.append(q.push_new(r, d.request_fingerprint(r))))
            worker, _ = worker_with_known_pages(fleet, engine, name)
            worker.close_when_complete(now=0.0)
        assert queued == [True, False, False]
        assert SharedState(server, keys).queued("wendeng") == 1
