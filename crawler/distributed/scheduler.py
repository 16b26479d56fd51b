"""scrapy-redis' scheduler, made reliable: a popped request is leased, not lost.

scrapy-redis 0.9.1 works with Scrapy 2.19 for what we use — its ``Scheduler`` (Redis connection
from ``REDIS_URL``, scheduler interface), ``PriorityQueue`` (a sorted set, request ↔ message via
``Request.to_dict``) and ``RFPDupeFilter`` (a Redis set of method+canonical URL+body fingerprints).
What does not fit is wrapped here:

* its pops are destructive (a worker killed mid-request loses what it held): :class:`LeasedQueue`
  pops into the worker's lease hash instead (``crawler.distributed.state``), and the scheduler
  acknowledges a lease only once the request is fully handled (``ack``, called by the worker
  extension);
* its dupefilter check and its push are two commands (a kill between them leaves a request marked
  seen and never queued): ``LeasedQueue.push_new`` does both in one script, with the dupefilter's
  own fingerprint;
* its scheduler flushes the shared queue and dupefilter when *one* worker closes unless
  ``SCHEDULER_PERSIST`` — our worker settings set it, and ``close`` here never flushes; it hands the
  worker's unfinished leases back instead;
* a worker leases a request to wake its idle engine (``engine.crawl``): such a request is already
  leased and seen, so ``enqueue_request`` keeps it locally instead of sending it through the
  dupefilter (which would drop it);
* its stats calls pass ``spider=`` (deprecated in Scrapy 2.19): not used.

Its spider mixins (``RedisSpider``) are not used: they read bare URLs from a list and predate
``async def start()``; our seeds are whole requests (callback, cb_kwargs, meta) pushed by
``xxgk crawl --distributed`` into this queue.
"""

from __future__ import annotations

import weakref
from collections import deque
from typing import Any, Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.utils.request import request_from_dict
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.archive.writer import default_worker_name
from crawler.distributed import codec
from crawler.distributed.connection import redis_from_settings
from crawler.distributed.state import Keys, SharedState

#: request.meta key of the lease a worker holds on a request it popped
LEASE_META = "xxgk_lease"


_by_crawler: weakref.WeakKeyDictionary[Crawler, LeasingScheduler] = weakref.WeakKeyDictionary()


def scheduler_of(crawler: Crawler) -> LeasingScheduler | None:
    """The crawler's leasing scheduler (the engine keeps its scheduler private)."""
    return _by_crawler.get(crawler)


def worker_name(settings: Any) -> str:
    """One name per worker process: its WARC files and its leases carry it."""
    return settings.get("XXGK_WARC_WORKER") or default_worker_name()


class LeasedQueue(PriorityQueue):
    """scrapy-redis' priority queue whose pop leases the request to this worker."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None, *,
                 keys: Keys | None = None, worker: str | None = None) -> None:
        super().__init__(server, spider, key, serializer=serializer or codec)
        settings: Any = getattr(spider, "settings", None)
        self.keys = keys or Keys.from_settings(settings)
        self.worker = worker or worker_name(settings)
        self.state = SharedState(server, self.keys)
        self.site = spider.name
        self.held: set[str] = set()  # lease ids popped and not yet acknowledged

    def _encode_request(self, request: Request) -> bytes:
        request.meta.pop(LEASE_META, None)  # a lease belongs to one worker, never to the message
        return self.serializer.dumps(request.to_dict(spider=self.spider))

    def push_new(self, request: Request, fingerprint: str) -> bool:
        """Queue the request unless the shared dupefilter has its fingerprint (checked and marked in
        the same step as the push); True if queued."""
        return self.state.push_new(self.site, fingerprint, -request.priority, self._encode_request(request))

    def pop(self, timeout: int = 0) -> Request | None:
        found = self.state.lease(self.site, self.worker)
        if found is None:
            return None
        lease_id, message = found
        self.held.add(lease_id)
        request = request_from_dict(self.serializer.loads(message), spider=self.spider)
        request.meta[LEASE_META] = lease_id
        return request

    def ack(self, lease_id: str) -> None:
        self.state.ack(self.site, self.worker, lease_id)
        self.held.discard(lease_id)

    def requeue_strays(self) -> int:
        return self.state.requeue_strays(self.site, self.worker, self.held)

    def release(self) -> int:
        """Hand back every lease this worker still holds on this site (it is closing)."""
        return self.state.requeue(self.site, self.worker, force=True)


class LeasingScheduler(Scheduler):
    """The scheduler of an ``xxgk worker``: shared Redis queue and dupefilter, leased pops."""

    queue: LeasedQueue
    local: deque[Request]
    waking: set[str]
    lost: bool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        scheduler = super().from_crawler(crawler)
        scheduler.persist = True  # the queue and the dupefilter belong to every worker
        # scrapy-redis' own client dies on the first connection error: ours waits through an outage
        scheduler.server = redis_from_settings(crawler.settings)
        scheduler.lost = False  # Redis forgot the crawl (worker extension): nothing to release on close
        scheduler.local = deque()  # leased to wake the engine, waiting for next_request
        scheduler.waking = set()  # lease ids handed to engine.crawl and not yet enqueued
        _by_crawler[crawler] = scheduler
        return scheduler

    def open(self, spider: Spider) -> None:
        settings = spider.settings
        keys = Keys.from_settings(settings)
        self.spider = spider
        self.queue = LeasedQueue(self.server, spider, keys.queue(spider.name), self.serializer or codec,
                                 keys=keys, worker=worker_name(settings))
        self.df = RFPDupeFilter(self.server, key=keys.dupefilter(spider.name),
                                debug=settings.getbool("DUPEFILTER_DEBUG"))

    def close(self, reason: str) -> None:
        self.local.clear()
        self.waking.clear()
        if self.lost:
            return
        released = self.queue.release()
        if released and self.stats:
            self.stats.set_value("xxgk/distributed/released_on_close", released)

    def enqueue_request(self, request: Request) -> bool:
        lease_id = request.meta.pop(LEASE_META, None)
        if lease_id in self.waking:  # leased by this worker to wake its engine: already seen
            self.waking.discard(lease_id)
            request.meta[LEASE_META] = lease_id
            self.local.append(request)
            return True
        # otherwise a lease in meta was copied from the request a redirect or a retry replaces
        if request.dont_filter:
            self.queue.push(request)
        elif not self.queue.push_new(request, self.df.request_fingerprint(request)):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        request = self.local.popleft() if self.local else self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.local) or len(self.queue) > 0

    def lease_one(self) -> Request | None:
        """A request leased from the shared queue (the worker extension hands it to ``engine.crawl``)."""
        request = self.queue.pop()
        if request is not None:
            self.waking.add(request.meta[LEASE_META])
        return request

    def ack(self, request: Request) -> None:
        lease_id = request.meta.pop(LEASE_META, None)
        if lease_id:
            self.queue.ack(lease_id)
