"""CPU-heavy stages run in worker processes, so the crawl loop keeps downloading meanwhile.

Parsing a report page and applying the report grammar cost a few milliseconds each; run in the
reactor thread they would cap a crawl at the speed of one core. Stages hand pure functions (from
``crawler.extract``) to one pool shared by the crawler; ``XXGK_WORKERS = 0`` runs them inline.

The pool is pebble's ``ProcessPool``, not ``concurrent.futures.ProcessPoolExecutor``: a hostile
document (a pathological table, a zip bomb in an attachment) must cost that document, never the
crawl. The standard executor can neither stop a task that runs too long nor survive a worker that
dies (one crash breaks the whole pool for every later item). Here each task has a deadline
(``XXGK_EXTRACT_TIMEOUT`` s: the worker is killed and replaced), each worker a memory limit
(``XXGK_EXTRACT_MEMORY_MB``, ``RLIMIT_DATA`` set by the worker's initializer, so a runaway allocation
raises ``MemoryError`` in the worker), and a worker that dies anyway is replaced by the pool. Each of
these ends as the item's error, with a fault kind (``extract_timeout``, ``extract_memory``,
``extract_crash``) on its documents row and in the stats ``xxgk/error/<kind>``.

A job that reads several documents (a report page and its attachments) gets the deadline once per
document (``Job.units``), and inside the worker each document also has a deadline of its own
(:func:`document_deadline`): a slow attachment then fails alone, and the page and its other files are
kept. The pool's kill is the backstop for code that never returns to Python.

A light job — one document of at most ``XXGK_INLINE_BYTES``, e.g. an HTML report page — runs in the
crawl process instead (:meth:`WorkerPool.run_job`): there the hand-over would cost as much as the
work. An alarm (``XXGK_INLINE_SECONDS``) stops one that runs long, and it runs again in a worker.

Inline (``XXGK_WORKERS = 0``) there is no deadline and no memory bound: that mode is for debugging.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from pipelines.worker_limits import alarm, limit_memory

if TYPE_CHECKING:  # Scrapy only where a crawler runs: see WORKER_FORBIDDEN
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

T = TypeVar("T")

#: what the CPU stage modules (this one, pipelines/normalise.py, pipelines/extract.py) must not import
#: when loaded: the extraction pool's fork server preloads them (crawler/fleet.py; a reparse's, with its
#: own worker functions: crawler/reparse/pooled.py), and Scrapy with
#: Twisted under it cost that process about 0.25 s CPU per crawl (0.5 ms a page at 10 sites) for
#: nothing a worker runs; tests/test_offload_imports.py holds it
WORKER_FORBIDDEN = ("scrapy", "twisted")

DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY_MB = 2048
DEFAULT_INLINE_SECONDS = 0.5


def default_workers() -> int:
    """One core stays with the crawl loop; the others extract."""
    return max(1, (os.cpu_count() or 2) - 1)


class ExtractTimeout(TimeoutError):
    """A job ran past its deadline; its worker was killed and replaced."""


class WorkerCrashed(RuntimeError):
    """The worker process died while running a job (a segfault, the OOM killer, os._exit …)."""


class DocumentTimeout(TimeoutError):
    """One document took longer than its share of the deadline (raised inside the worker)."""


class InlineTimeout(BaseException):
    """A light job run in the crawl process outran ``XXGK_INLINE_SECONDS``; it is run again in a
    worker, under the full deadline. A BaseException, so that the job's own ``except Exception``
    (extraction records a failure as a value) cannot swallow it."""


#: the per-document deadline in seconds, set by the initializer in each worker process; None in the
#: crawl process itself, where an alarm signal would hit the reactor
_document_seconds: float | None = None


def init_worker(megabytes: int | None, document_seconds: float | None) -> None:
    """Worker initializer: the memory cap and the per-document deadline."""
    global _document_seconds
    limit_memory(megabytes)
    _document_seconds = document_seconds


@contextmanager
def document_deadline() -> Iterator[None]:
    """In a worker, raise :class:`DocumentTimeout` in the code reading one document once it has run
    for the per-document deadline (SIGALRM, the worker's main thread); elsewhere, nothing."""
    seconds = _document_seconds
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    with alarm(seconds, DocumentTimeout):
        yield


class WorkerPool:
    def __init__(self, workers: int, timeout: float | None = DEFAULT_TIMEOUT,
                 memory_mb: int | None = DEFAULT_MEMORY_MB, inline_bytes: int = 0,
                 inline_seconds: float = DEFAULT_INLINE_SECONDS) -> None:
        self.timeout = timeout if timeout and timeout > 0 else None
        self.inline_bytes = max(0, inline_bytes)
        self.inline_seconds = inline_seconds
        # forkserver, not fork: forking a process that runs an event loop and threads is unsafe.
        self.pool = (
            ProcessPool(
                max_workers=workers,
                initializer=init_worker,
                initargs=(memory_mb, self.timeout),
                context=multiprocessing.get_context("forkserver"),
            )
            if workers > 0
            else None
        )

    def submit(self, func: Callable[..., T], *args: Any, units: int = 1, **kwargs: Any) -> Future[T]:
        """Schedule ``func``, which reads ``units`` documents: its deadline is one per document.
        The future's result is the value, or raises (see :meth:`result`)."""
        if self.pool is None:
            future: Future[T] = Future()
            try:
                future.set_result(func(*args, **kwargs))
            except Exception as exc:
                future.set_exception(exc)
            return future
        timeout = self.timeout * max(1, units) if self.timeout else None
        return self.pool.schedule(func, args, kwargs, timeout=timeout)

    async def run(self, func: Callable[..., T], *args: Any, units: int = 1, **kwargs: Any) -> T:
        if self.pool is None:
            return func(*args, **kwargs)
        future = self.submit(func, *args, units=units, **kwargs)
        try:
            return await asyncio.wrap_future(future)
        except BaseException as exc:
            raise self._explained(exc) from exc

    def runs_here(self, job: Job) -> bool:
        """Whether ``job`` is light enough to run in the calling process: one document of at most
        ``inline_bytes``, called from the main thread (where the alarm can stop it)."""
        return (
            self.pool is not None
            and job.size is not None
            and self.inline_bytes > 0
            and job.size <= self.inline_bytes
            and job.units == 1
            and threading.current_thread() is threading.main_thread()
        )

    def run_here(self, job: Job) -> Any:
        """``job`` in this process, stopped by :class:`InlineTimeout` past ``inline_seconds``."""
        with alarm(self.inline_seconds, InlineTimeout):
            return job.func(*job.args, **job.kwargs)

    async def run_job(self, job: Job, stats: StatsCollector) -> Any:
        """``job``'s value (or it raises, as :meth:`run`). A light job runs here, in the crawl loop:
        handing a 10 ms page to a worker costs the crawl process about as much CPU as parsing it
        (pickling the page and its result, the pool's threads), and the worker's CPU comes on top.
        One that outruns the alarm is run again in a worker, under the deadline and the memory bound;
        ``xxgk/offload/inline``, ``…/inline_timeout`` and ``…/pool`` count where jobs ran."""
        if self.runs_here(job):
            try:
                result = self.run_here(job)
            except InlineTimeout:
                stats.inc_value("xxgk/offload/inline_timeout")
            else:
                stats.inc_value("xxgk/offload/inline")
                return result
        stats.inc_value("xxgk/offload/pool")
        return await self.run(job.func, *job.args, units=job.units, **job.kwargs)

    def result(self, future: Future[T]) -> T:
        """A submitted job's value (blocking), with timeouts and dead workers explained."""
        try:
            return future.result()
        except BaseException as exc:
            raise self._explained(exc) from exc

    def _explained(self, exc: BaseException) -> BaseException:
        if isinstance(exc, FutureTimeout | TimeoutError) and not isinstance(exc, ExtractTimeout):
            return ExtractTimeout(f"took longer than its deadline ({self.timeout:g} s a document); the worker was stopped")
        if isinstance(exc, ProcessExpired):
            return WorkerCrashed(f"the worker process died (exit code {exc.exitcode})")
        return exc

    def close(self) -> None:
        if self.pool is not None:
            self.pool.stop()  # pending jobs are moot once the spider has closed
            self.pool.join(timeout=10)
            self.pool = None


_pools: weakref.WeakKeyDictionary[Crawler, WorkerPool] = weakref.WeakKeyDictionary()
#: the process-wide pool while :func:`shared_pool` is open: every crawler of a many-site run uses it
_shared: WorkerPool | None = None


def pool_from_settings(settings: Any) -> WorkerPool:
    return WorkerPool(
        settings.getint("XXGK_WORKERS", default_workers()),
        timeout=settings.getfloat("XXGK_EXTRACT_TIMEOUT", DEFAULT_TIMEOUT),
        memory_mb=settings.getint("XXGK_EXTRACT_MEMORY_MB", DEFAULT_MEMORY_MB),
        inline_bytes=settings.getint("XXGK_INLINE_BYTES", 0),
        inline_seconds=settings.getfloat("XXGK_INLINE_SECONDS", DEFAULT_INLINE_SECONDS),
    )


@contextmanager
def shared_pool(settings: Any) -> Iterator[WorkerPool]:
    """One pool for every crawler started while open (crawler/fleet.py): a run over 1,000 sites
    holds one set of worker processes, not one per site; closed when the block ends."""
    global _shared
    pool = _shared = pool_from_settings(settings)
    try:
        yield pool
    finally:
        _shared = None
        pool.close()


def pool_for(crawler: Crawler) -> WorkerPool:
    """The process's shared pool if one is open, else the crawler's own, created on first use and
    closed when its spider closes."""
    if _shared is not None:
        return _shared
    if crawler not in _pools:
        from scrapy import signals  # here, not at the top: WORKER_FORBIDDEN

        pool = _pools[crawler] = pool_from_settings(crawler.settings)
        crawler.signals.connect(pool.close, signal=signals.spider_closed, weak=False)
    return _pools[crawler]


@dataclass(frozen=True, slots=True)
class Job:
    """A call of a pure function, picklable so that it can run in a worker process."""

    func: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    units: int = 1  # documents the call reads: its deadline is one XXGK_EXTRACT_TIMEOUT per document
    size: int | None = None  # bytes of input, for WorkerPool.runs_here; None: always in a worker


def run_inline(job: Job) -> Any:
    """The job's result, or the exception it raised: a failure belongs to the document, not the run."""
    try:
        return job.func(*job.args, **job.kwargs)
    except Exception as exc:
        return exc


def fault_of(exc: BaseException) -> str:
    """The fault kind of a failed job: extract_timeout, extract_memory, extract_crash or extract."""
    if isinstance(exc, ExtractTimeout):
        return "extract_timeout"
    if isinstance(exc, MemoryError):
        return "extract_memory"
    if isinstance(exc, WorkerCrashed):
        return "extract_crash"
    return "extract"


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
            result = await self.pool.run_job(job, self.stats)
        except Exception as exc:  # includes a timeout, a memory bound and a worker that died
            result = exc
        self.apply_result(item, result)
        record_fault(self.stats, item, result)
        self.count(self.stats, item)
        return item


def record_fault(stats: Any, item: Any, result: Any) -> None:
    """A failed job: its kind on the item (``documents.fault``) and in ``xxgk/error/<kind>``."""
    if not isinstance(result, BaseException):
        return
    kind = fault_of(result)
    if hasattr(item, "fault") and item.fault is None:
        item.fault = kind
    stats.inc_value(f"xxgk/error/{kind}")
