"""The job dir's request queue: a scheduler that writes it only when the crawl stops
(``SCHEDULER``, :class:`JobScheduler`, below), and Scrapy's pickle LIFO disk queue
(``SCHEDULER_DISK_QUEUE``) with a cheaper way to name a request's callback and errback.

Scrapy's ``Request.to_dict(spider=…)`` finds the spider method behind a bound callback with
``inspect.getmembers(spider)`` — every attribute of the spider, twice per request (callback and
errback): about half a millisecond of CPU per request pushed to disk, more than the disk write. A
bound method's own ``__name__`` names it; looking that name up on the spider and finding the same
function proves it, in two attribute reads. Anything else (a partial, a function that is not the
spider's, a renamed method) goes the documented way, so what is written is the same dict, and
``request_from_dict`` reads it back unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Self

from scrapy import Request
from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.squeues import PickleLifoDiskQueue

logger = logging.getLogger(__name__)

_UNNAMED = object()  # not a method found by its own name: to_dict decides


def method_name(spider: Any, func: Callable[..., Any] | str | None) -> Any:
    """What ``to_dict`` writes for ``func``: its spider method's name, ``func`` itself when it is not
    callable, or ``_UNNAMED`` when only Scrapy's full search can tell."""
    if not callable(func):
        return func
    inner = getattr(func, "__func__", None)
    name = getattr(inner, "__name__", None)
    if spider is None or not isinstance(name, str):
        return _UNNAMED
    found = getattr(getattr(spider, name, None), "__func__", None)
    return name if found is inner else _UNNAMED


def request_to_dict(request: Request, spider: Any) -> dict[str, Any]:
    """``request.to_dict(spider=spider)``, without the search through every spider attribute."""
    callback, errback = method_name(spider, request.callback), method_name(spider, request.errback)
    if callback is _UNNAMED or errback is _UNNAMED:
        return request.to_dict(spider=spider)
    d: dict[str, Any] = {"url": request.url, "callback": callback, "errback": errback,
                         "headers": dict(request.headers)}
    for attr in request.attributes:
        d.setdefault(attr, getattr(request, attr))
    if type(request) is not Request:
        d["_class"] = request.__module__ + "." + request.__class__.__name__
    return d


class JobDiskQueue(PickleLifoDiskQueue):  # type: ignore[valid-type,misc]
    """Scrapy's default disk queue; only the request's serialisation is cheaper (see above)."""

    def push(self, request: Request) -> None:
        # skip ScrapyRequestQueue.push (its to_dict), straight to the pickling queue beneath it
        super(PickleLifoDiskQueue, self).push(request_to_dict(request, self.spider))  # type: ignore[misc]


#: pending requests a site keeps in memory before the rest spill to the job dir's disk queue
DEFAULT_IN_MEMORY = 1000


class JobScheduler(Scheduler):
    """Scrapy's scheduler, with the job dir's queue written when the crawl stops instead of once per
    request.

    Scrapy pushes every request to the disk queue and pops it back (a pickle, a file write and a read,
    a directory per priority and host created and removed): about 0.2-0.3 ms of CPU a page here. What
    that buys is only the queue of a *clean* stop: after a crash the job dir's queue is never trusted
    (crawler/resume.py drops it and walks the navigation again). So pending requests live in memory,
    and a clean stop (any close of the scheduler: finished, Ctrl-C, SIGTERM, a site deadline) writes
    whatever is still pending to the same disk queue Scrapy would have written, which a ``--resume``
    reads back as before. Memory stays bounded: past ``XXGK_QUEUE_IN_MEMORY`` pending requests a
    site's further requests go to the disk queue as in Scrapy. Without a JOBDIR nothing changes.

    What differs from Scrapy's own: a request in memory is the object the spider yielded, not a
    pickled copy (nothing here mutates a request's ``meta`` after yielding it); past the bound,
    memory is popped before disk whatever the priority (no spider sets priorities). A stop whose
    write-out fails (a full disk) tells the dupefilter, which keeps the ``crawl.running`` marker: the
    resumed run then treats the stop as a crash and walks the navigation again, nothing lost.
    """

    in_memory = DEFAULT_IN_MEMORY

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        scheduler = super().from_crawler(crawler)
        scheduler.in_memory = crawler.settings.getint("XXGK_QUEUE_IN_MEMORY", DEFAULT_IN_MEMORY)
        return scheduler

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        assert self.stats is not None
        if len(self.mqs) >= self.in_memory and self._dqpush(request):
            self.stats.inc_value("scheduler/enqueued/disk")
        else:  # no job dir, room in memory, or a request the disk queue cannot serialise (as Scrapy)
            self._mqpush(request)
            self.stats.inc_value("scheduler/enqueued/memory")
        self.stats.inc_value("scheduler/enqueued")
        return True

    def close(self, reason: str) -> Any:
        if self.dqs is not None:
            try:
                self.spill()
            except Exception:  # e.g. no space left: the queue on disk is incomplete, never resumed from
                logger.exception("the pending requests could not be written to the job dir; "
                                 "--resume will walk the navigation again")
                if callable(lost := getattr(self.df, "state_lost", None)):
                    lost()
        return super().close(reason)

    def spill(self) -> None:
        """Move what is pending in memory to the disk queue, in the order they would have been popped
        (a request that cannot be serialised is counted and lost, as one Scrapy kept in memory is at
        a stop). Scrapy's regular queues are LIFO — the last pushed is the first popped again, so they
        are pushed in reverse — and its start-request queues FIFO, pushed in pop order."""
        pending = []
        while (request := self.mqs.pop()) is not None:
            pending.append(request)
        starts = [request for request in pending if request.meta.get("is_start_request")]
        others = [request for request in pending if not request.meta.get("is_start_request")]
        for request in [*reversed(others), *starts]:
            self._dqpush(request)
