"""A worker's heartbeat that a busy reactor cannot starve, and the lease check before a fetch.

The heartbeat used to be beaten by the worker's tick on the Twisted reactor. A callback that holds
the reactor — an inline extraction of a large PDF, OCR of a table picture, a machine with load 8 on
2 cores — held the beat too: past ``XXGK_WORKER_HEARTBEAT_TTL`` the other workers (and the drainer)
took the worker for dead and requeued its leases while it was still fetching them, and those URLs
were fetched twice. So the beat runs in a thread of its own (:class:`Heartbeat`), with its own Redis
client: what lives beats. The reactor's progress still counts — a reactor that made no progress for
``XXGK_WORKER_STALL_S`` is hung, not busy, and the thread stops beating so that the fleet takes its
work over. A killed process beats no more: its leases are requeued as before.

:class:`LeaseCheck` is the fence for what is left (a stall past that limit, a worker cut off from
Redis past the TTL): just before a leased request goes on the wire it checks whether the fleet
requeued the lease as a dead worker's (``P:SITE:reaped:WORKER``), and if so drops the request — the
queue or another worker has it — without the spider's errback seeing a failed fetch. A lease merely
missing (Redis restarted from an older snapshot) is fetched: nobody else has that request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.request import request_httprepr

from crawler.distributed.connection import new_redis, outage_seconds, redis_from_settings
from crawler.distributed.scheduler import LEASE_META, worker_name
from crawler.distributed.state import DEFAULT_PREFIX, Keys, SharedState

logger = logging.getLogger(__name__)


class LeaseLost(IgnoreRequest):
    """The fleet took this worker's lease back: another worker fetches the request. Not a failed fetch —
    the worker extension keeps it from the spider's errback (crawler/distributed/worker.py)."""

#: seconds without reactor progress after which a worker counts as hung (it stops beating)
DEFAULT_STALL_S = 600.0


class Heartbeat:
    """Beat ``P:alive:WORKER`` every ``ttl / 3`` s from a daemon thread while the reactor is not hung.

    ``progress()`` is called by the reactor's own tick; the thread beats only if the last call is
    less than ``stall_s`` old. One per process and worker, shared by its crawlers (:func:`heartbeat_for`).
    """

    def __init__(self, state: SharedState, worker: str, ttl: float, stall_s: float = DEFAULT_STALL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.state = state
        self.worker = worker
        self.ttl = ttl
        self.stall_s = stall_s
        self.clock = clock
        self.last_progress = clock()
        self.users = 0
        self.beats = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def progress(self) -> None:
        self.last_progress = self.clock()

    def hung(self) -> bool:
        return self.clock() - self.last_progress >= self.stall_s

    def start(self) -> None:
        """One more crawler uses the beat; the first starts the thread (after a beat of its own, so
        that the worker is alive before it leases anything)."""
        self.users += 1
        if self._thread is not None and self._thread.is_alive():
            return
        self.progress()
        self.beat()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"xxgk-heartbeat-{self.worker}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """One crawler less; the last one stops the thread (the key then expires after the TTL)."""
        self.users = max(0, self.users - 1)
        if self.users or self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=self.ttl)
        self._thread = None

    def beat(self) -> None:
        self.state.beat(self.worker, self.ttl)
        self.beats += 1

    def _run(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            if self.hung():
                logger.error("the reactor made no progress for %.0f s (XXGK_WORKER_STALL_S): heartbeat stopped, "
                             "the fleet takes this worker's requests over", self.clock() - self.last_progress)
                continue  # beats again if the reactor comes back (its leases, by then, may be gone)
            try:
                self.beat()
            except Exception:  # never let the thread die: the next beat may get through
                logger.exception("heartbeat of %s failed", self.worker)


_beats: dict[tuple[str, str, str], Heartbeat] = {}


def heartbeat_for(settings: Any, worker: str) -> Heartbeat:
    """The process's heartbeat of ``worker``, on a Redis client of its own: the thread's outage
    retries must not share state with the reactor's client (which counts outages for the worker)."""
    url, prefix = settings.get("XXGK_REDIS_URL"), settings.get("XXGK_REDIS_PREFIX") or DEFAULT_PREFIX
    key = (url, prefix, worker)
    if key not in _beats:
        server = new_redis(url, outage_seconds(settings))
        _beats[key] = Heartbeat(SharedState(server, Keys(prefix)), worker,
                                settings.getfloat("XXGK_WORKER_HEARTBEAT_TTL", 30.0),
                                settings.getfloat("XXGK_WORKER_STALL_S", DEFAULT_STALL_S))
    return _beats[key]


class LeaseCheck:
    """Downloader middleware: a leased request the fleet took back does not go on the wire.

    It sits between the fleet's politeness grant (940), which may wait, and the archive (950), so that
    a dropped request is neither sent nor archived (nor counted as sent: :meth:`uncount`). The fleet
    has it queued or another worker leased it.
    """

    def __init__(self, crawler: Crawler, state: SharedState, worker: str) -> None:
        self.crawler = crawler
        self.state = state
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        keys = Keys.from_settings(settings)
        return cls(crawler, SharedState(redis_from_settings(settings), keys), worker_name(settings))

    def uncount(self, request: Request) -> None:
        """The downloader stats (850) counted the request on its way here; it never goes on the wire."""
        stats = self.crawler.stats
        if stats is None:
            return
        stats.inc_value("downloader/request_count", -1)
        stats.inc_value(f"downloader/request_method_count/{request.method}", -1)
        stats.inc_value("downloader/request_bytes", -len(request_httprepr(request)))

    def process_request(self, request: Request) -> None:
        lease_id = request.meta.get(LEASE_META)
        spider = self.crawler.spider
        if not lease_id or spider is None or not self.state.taken_back(spider.name, self.worker, lease_id):
            return
        if self.crawler.stats:
            self.crawler.stats.inc_value("xxgk/distributed/lease_lost")
            self.uncount(request)
        logger.warning("%s: lease %s was handed back to the fleet (heartbeat lapsed): not fetched here",
                       request.url, lease_id)
        raise LeaseLost(f"lease {lease_id} no longer held by {self.worker}")
