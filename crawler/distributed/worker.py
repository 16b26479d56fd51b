"""What turns a Scrapy crawl into an ``xxgk worker``: heartbeat, reaping, waking, acknowledging, closing.

One :class:`DistributedWorker` extension per crawler (one crawler per site in a worker process):

* beats the worker's heartbeat key, so that others can tell it is alive — from a thread, which a
  reactor busy with a long callback cannot starve (crawler/distributed/heartbeat.py);
* requeues the leases of dead workers (heartbeat expired), as the drainer also does;
* acknowledges a lease once its request is fully handled — the response scraped, its child requests
  in the Redis queue, its items pushed to Redis — so a kill at any point loses nothing;
* wakes its engine when other workers queued requests: Scrapy polls an idle scheduler only every
  5 s, so the worker leases one request and hands it to ``engine.crawl`` (the scheduler keeps it);
* closes the spider once nothing is queued or leased anywhere for ``XXGK_WORKER_IDLE_TIMEOUT`` s — as
  ``layout_changed`` for "no report link found" only if no worker found one (the generic platform's
  verdict counts the links its own process saw; the fleet's are counted in Redis);
* asks for the known report pages due for re-verification that no list showed
  (crawler/recrawl.py ``KnownPages.on_idle``) only once the whole fleet has read every list.

That last pass runs, in one process, when the spider goes idle: its lists are read. A worker is idle
whenever the others hold the work, so on Scrapy's idle it would ask for due pages a list still
queued elsewhere is about to show — fetched then under the title and date the database recorded
(the entry of their last fetch), while the list's fresh entry, say a new title, is dropped as a
duplicate, and the page looks relisted again on every later run. So the worker takes the pass off
Scrapy's idle signal and runs it once the site has nothing queued or leased anywhere: every list
has been read, each due page a list showed was asked for by the worker that read the list, with the
list's entry, and is in the shared dupefilter. What a worker then asks for no list of the fleet
showed; every worker may ask (each knows only its own lists' decisions), and the shared dupefilter
queues each URL once. Such a page's request carries the stored entry on purpose: it is the page's
last list entry, which is what ``documents.list_title`` / ``list_date`` mean, so the next run's
comparison with its list is unchanged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.defer import succeed
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from crawler.distributed.connection import outage_of, redis_from_settings
from crawler.distributed.heartbeat import Heartbeat, LeaseLost, heartbeat_for
from crawler.distributed.scheduler import LEASE_META, LeasingScheduler, scheduler_of, worker_name
from crawler.distributed.state import CrawlStateLost, Keys, SharedState
from crawler.platforms.base import LAYOUT_CHANGED
from crawler.recrawl import KnownPages

logger = logging.getLogger(__name__)

#: how often a worker looks at the shared queue when its own engine has nothing to do
POLL_SECONDS = 0.2

def ack_when_handled(engine: Any, ack: Callable[[Request], None]) -> None:
    """Call ``ack(request)`` once the engine has fully handled a request it took from the scheduler.

    Scrapy has no signal for "response scraped and all its output processed"; the engine's
    ``_handle_downloader_output(result, request)`` is the step that covers every outcome (response,
    download error, redirect or retry request) and returns a Deferred that fires after the scrape,
    including item pipelines. Private API of Scrapy 2.19: checked here, so an upgrade that renames it
    fails loudly at start instead of silently never acknowledging.
    """
    handle = getattr(engine, "_handle_downloader_output", None)
    if handle is None:
        raise NotConfigured("this Scrapy has no ExecutionEngine._handle_downloader_output: cannot acknowledge leases")

    def handle_then_ack(result: Any, request: Request) -> Any:
        def acknowledge(outcome: Any) -> Any:
            ack(request)
            return outcome

        if isinstance(result, Failure) and result.check(LeaseLost):
            # another worker has the request: no errback, which would record a failed fetch
            return succeed(None).addBoth(acknowledge)
        return handle(result, request).addBoth(acknowledge)

    engine._handle_downloader_output = handle_then_ack


class DistributedWorker:
    def __init__(self, crawler: Crawler, state: SharedState, worker: str) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.state = state
        self.worker = worker
        self.ttl = settings.getfloat("XXGK_WORKER_HEARTBEAT_TTL", 30.0)
        self.idle_timeout = settings.getfloat("XXGK_WORKER_IDLE_TIMEOUT", 30.0)
        self.concurrency = settings.getint("CONCURRENT_REQUESTS", 16)
        self.loop = LoopingCall(self.tick)
        self.heartbeat: Heartbeat | None = None  # the process's, started when the spider opens
        self.next_reap = 0.0
        self.complete_since: float | None = None
        self.closing = False
        self.spider: Spider | None = None
        self.crawl_id: str | None = None  # the seeder's marker, checked on every reap
        self.outages_seen = 0
        self.links_counted = 0  # this worker's report links already added to the fleet's count
        self.fleet_links = 0
        self.known: KnownPages | None = None  # due pages no list showed: asked for once the fleet is done

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        keys = Keys.from_settings(settings)
        extension = cls(crawler, SharedState(redis_from_settings(settings), keys), worker_name(settings))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    @property
    def scheduler(self) -> LeasingScheduler:
        scheduler = scheduler_of(self.crawler)
        if scheduler is None:
            raise NotConfigured("DistributedWorker needs SCHEDULER = crawler.distributed.scheduler.LeasingScheduler")
        return scheduler

    def spider_opened(self, spider: Spider) -> None:
        self.spider = spider
        self.known = self.defer_known_pages(spider)
        ack_when_handled(self.crawler.engine, self.scheduler.ack)
        self.crawl_id = self.state.crawl_id()
        self.heartbeat = heartbeat_for(self.crawler.settings, self.worker)
        self.heartbeat.start()  # beats once before the first lease
        self.loop.start(POLL_SECONDS, now=True)

    def defer_known_pages(self, spider: Spider) -> KnownPages | None:
        """Take the unlisted-due pass off Scrapy's idle signal (see the module docstring)."""
        known = getattr(spider, "known_pages", None)
        if not isinstance(known, KnownPages) or not known.entries:
            return None
        self.crawler.signals.disconnect(known.on_idle, signal=signals.spider_idle)
        return known

    def ask_unlisted_due(self) -> bool:
        """Once the fleet has read every list: the due pages no list showed. True if any was queued."""
        if self.known is None or self.known.idle_done or self.spider is None:
            return False
        try:
            self.known.on_idle(self.spider)
        except DontCloseSpider:  # requests were handed to the engine: the shared queue has them
            return True
        return False

    def spider_idle(self, spider: Spider) -> None:
        """Never close on Scrapy's own idea of idle: other workers may still queue requests."""
        if not self.closing:
            raise DontCloseSpider

    def spider_closed(self, spider: Spider) -> None:
        if self.loop.running:
            self.loop.stop()
        if self.heartbeat is not None:
            self.heartbeat.stop()

    def tick(self) -> None:
        if self.closing or self.spider is None:
            return
        now = time.monotonic()
        if self.heartbeat is not None:
            self.heartbeat.progress()  # the reactor is not hung: the heartbeat thread may go on beating
        outage = outage_of(self.state.server)
        came_back = outage is not None and outage.outages != self.outages_seen
        if now >= self.next_reap or came_back:  # right after an outage: is the crawl still there?
            if not self.crawl_is_there():
                return
            if came_back and outage is not None:
                self.after_outage(outage.outages)
            self.reap()
            self.next_reap = now + self.ttl / 2
        self.wake_engine()
        self.count_report_links()
        self.close_when_complete(now)

    def count_report_links(self) -> None:
        assert self.spider is not None  # called from the heartbeat, which runs only while a spider is open
        found = self.crawler.stats.get_value("xxgk/report_links", 0) if self.crawler.stats else 0
        if found > self.links_counted or not self.fleet_links:
            self.fleet_links = self.state.add_report_links(self.spider.name, found - self.links_counted)
            self.links_counted = found

    def close_reason(self) -> str:
        """The spider's reason to close; its "cannot walk" stands only if no worker found a report link."""
        reason = getattr(self.spider, "close_reason", None) or "finished"
        stats = self.crawler.stats
        local_verdict = reason == LAYOUT_CHANGED and stats and stats.get_value("xxgk/layout/cannot_walk")
        # … and no page of its own was broken either
        if local_verdict and self.fleet_links and not stats.get_value("xxgk/layout_errors"):
            stats.set_value("xxgk/layout/cannot_walk", None)
            return "finished"
        return reason

    def crawl_is_there(self) -> bool:
        """False (and the spider closing as ``redis_state_lost``) when Redis forgot the crawl."""
        try:
            self.state.check_crawl(self.crawl_id)
        except CrawlStateLost as lost:
            logger.error("%s", lost)
            self.closing = True
            self.scheduler.lost = True  # nothing to hand back to a Redis that forgot the crawl
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="redis_state_lost"))
            return False
        return True

    def after_outage(self, outages: int) -> None:
        """Hand back the leases popped by a command whose reply was lost in the outage."""
        self.outages_seen = outages
        strays = self.scheduler.queue.requeue_strays()
        if strays:
            self.crawler.stats.inc_value("xxgk/distributed/requeued_after_outage", strays)

    def reap(self) -> None:
        outage = outage_of(self.state.server)
        if outage is not None and outage.in_grace(self.ttl):
            return  # Redis just came back: live workers whose heartbeat lapsed meanwhile beat first
        reaped = self.state.reap(self.state.sites())
        if reaped:
            self.crawler.stats.inc_value("xxgk/distributed/requeued_from_dead_workers", reaped)

    def wake_engine(self) -> None:
        engine = self.crawler.engine
        scheduler = self.scheduler
        if scheduler.local or len(engine.downloader.active) >= self.concurrency:
            return
        request = scheduler.lease_one()
        if request is None:
            return
        lease_id = request.meta[LEASE_META]
        engine.crawl(request)
        if lease_id in scheduler.waking:  # a request_scheduled handler dropped it (offsite …): done with it
            scheduler.waking.discard(lease_id)
            scheduler.ack(request)

    def close_when_complete(self, now: float) -> None:
        assert self.spider is not None
        engine = self.crawler.engine
        if not (engine.spider_is_idle() and self.state.is_complete(self.spider.name)) or self.ask_unlisted_due():
            self.complete_since = None
            return
        self.complete_since = self.complete_since or now
        if now - self.complete_since >= self.idle_timeout and self.crawl_is_there():  # not an emptied Redis
            self.closing = True
            # a portal spider that met a broken layout says so in its close reason
            deferred_from_coro(engine.close_spider_async(reason=self.close_reason()))


class SeedsFromRedis:
    """A worker's spider starts nothing itself: its requests, seeds included, come from Redis."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        redis_from_settings(crawler.settings)  # NotConfigured outside distributed mode
        return cls()

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        request: Any
        for request in ():  # nothing: `xxgk crawl --distributed` pushed the seeds
            yield request
