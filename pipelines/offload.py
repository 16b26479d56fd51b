"""CPU-heavy stages run in worker processes, so the crawl loop keeps downloading meanwhile.

Parsing a report page and applying the report grammar cost a few milliseconds each; run in the
reactor thread they would cap a crawl at the speed of one core. Stages hand pure functions (from
``crawler.extract``) to one pool shared by the crawler; ``XXGK_WORKERS = 0`` runs them inline.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import weakref
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

T = TypeVar("T")


def default_workers() -> int:
    """One core stays with the crawl loop; the others extract."""
    return max(1, (os.cpu_count() or 2) - 1)


class WorkerPool:
    def __init__(self, workers: int) -> None:
        # forkserver, not fork: forking a process that runs an event loop and threads is unsafe.
        self.executor = (
            ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) if workers > 0 else None
        )

    async def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self.executor is None:
            return func(*args, **kwargs)
        return await asyncio.wrap_future(self.executor.submit(func, *args, **kwargs))

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


_pools: weakref.WeakKeyDictionary[Crawler, WorkerPool] = weakref.WeakKeyDictionary()


def pool_for(crawler: Crawler) -> WorkerPool:
    """The crawler's pool, created on first use and closed when its spider closes."""
    if crawler not in _pools:
        workers = crawler.settings.getint("XXGK_WORKERS", default_workers())
        pool = _pools[crawler] = WorkerPool(workers)
        crawler.signals.connect(pool.close, signal=signals.spider_closed, weak=False)
    return _pools[crawler]


@dataclass(frozen=True, slots=True)
class Job:
    """A call of a pure function, picklable so that it can run in a worker process."""

    func: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def run_inline(job: Job) -> Any:
    """The job's result, or the exception it raised: a failure belongs to the document, not the run."""
    try:
        return job.func(*job.args, **job.kwargs)
    except Exception as exc:
        return exc


class PooledStage:
    """A pipeline stage whose work is a pure function run in the crawler's worker pool.

    A stage module supplies ``wants(item)``, ``job(item) -> Job``, ``apply_result(item, result)`` and
    ``count(stats, item)``; the same functions serve ``xxgk reparse`` synchronously.
    """

    def __init__(self, stats: StatsCollector, pool: WorkerPool) -> None:
        self.stats = stats
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PooledStage:
        return cls(crawler.stats, pool_for(crawler))

    @staticmethod
    def wants(item: object) -> bool:
        raise NotImplementedError

    @staticmethod
    def job(item: Any) -> Job:
        raise NotImplementedError

    @staticmethod
    def apply_result(item: Any, result: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def count(stats: StatsCollector, item: Any) -> None:
        raise NotImplementedError

    async def process_item(self, item: object) -> object:
        if not self.wants(item):
            return item
        job = self.job(item)
        try:
            result = await self.pool.run(job.func, *job.args, **job.kwargs)
        except Exception as exc:  # includes a worker that died on this document
            result = exc
        self.apply_result(item, result)
        self.count(self.stats, item)
        return item
