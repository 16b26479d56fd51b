"""The CPU stages of a reparse on every core, the items back in capture order for the one writer."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing import forkserver

from crawler.builders import Item
from crawler.items import ReportPage
from crawler.platforms.attachments import attachment_links
from crawler.reparse.attachments import AttachmentsFromArchive, Delivered, WithLinks, may_be_report
from crawler.reparse.batches import BATCH_SIZE, LIGHT_BATCH_SIZE, Batcher
from crawler.reparse.delivery import project_settings
from pipelines.chain import CPU_STAGES, ChainStats, Stage, run_cpu_stages, worker_preload
from pipelines.offload import WorkerPool, record_fault


def reparse_workers() -> int:
    """Every core extracts: unlike a crawl's loop, the reader and the one writer here mostly wait for
    the workers' results, so they need no core of their own."""
    return os.cpu_count() or 1


#: items in flight per worker: two batches each (one running, one queued), so no worker waits for the
#: writer; few enough to keep memory flat
WINDOW_PER_WORKER = 2 * BATCH_SIZE


def for_the_writer(item: Item, stages: tuple[Stage, ...] = CPU_STAGES) -> Item:
    """The CPU stages in a worker process, and the item as the database stages need it back: without
    the parsed page (only extract reads it) and without the bodies the writer already holds (the
    page's and its files', a PDF may be megabytes), put back by :func:`with_bodies`."""
    item = run_cpu_stages(item, stages)
    if isinstance(item, ReportPage):
        files = [dataclasses.replace(document, body=None) for document in item.attachments]
        item = dataclasses.replace(item, page=None, body=b"", attachments=files)
    return item


def with_bodies(returned: Item, sent: Item) -> Item:
    """The worker's result with the bodies of the item sent to it (its files in the same order)."""
    if isinstance(returned, ReportPage) and isinstance(sent, ReportPage):
        returned.body = sent.body
        for document, original in zip(returned.attachments, sent.attachments, strict=True):
            document.body = original.body
    return returned


#: imported once by the forkserver, so that every worker starts with the stages loaded
PRELOAD = ["pipelines.chain", *worker_preload(), "crawler.reparse.cores", "crawler.search", "crawler.similarity"]


@contextmanager
def extraction_pool(workers: int) -> Iterator[WorkerPool | None]:
    """The crawl's pool (pipelines/offload.py: the same deadline and memory bound per document) on
    ``workers`` processes, forked from a server that loads the stages while the writer opens its
    database; None for ``workers`` 0 (inline)."""
    if workers <= 0:
        yield None
        return
    # the fork server loads the stages once, meanwhile this process opens the database; a fork server
    # already running (started by an earlier pool of this process) is reused as it is
    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()
    settings = project_settings()
    pool = WorkerPool(
        workers,
        timeout=settings.getfloat("XXGK_EXTRACT_TIMEOUT"),
        memory_mb=settings.getint("XXGK_EXTRACT_MEMORY_MB"),
    )
    try:
        yield pool
    finally:
        close_behind(pool)


def close_behind(pool: WorkerPool) -> threading.Thread:
    """Stop ``pool`` on a thread of its own: pebble takes 0.1-0.2 s to stop and join its workers (its
    manager loop polls), a serial wait at the end of every reparse on all cores that nothing needs;
    the thread is not a daemon, so the interpreter still waits for the workers before it exits."""
    closing = threading.Thread(target=pool.close, name="xxgk-reparse-pool-close")
    closing.start()
    return closing


def cpu_in_order(items: Iterable[Item], workers: int, stages: tuple[Stage, ...] = CPU_STAGES) -> Iterator[Item]:
    """The CPU ``stages`` over ``items`` on ``workers`` processes (0: inline), results in input order."""
    with extraction_pool(workers) as pool:
        yield from cpu_on(pool, items, stages, in_flight=WINDOW_PER_WORKER * workers)


def cpu_on(pool: WorkerPool | None, items: Iterable[Item], stages: tuple[Stage, ...] = CPU_STAGES, *,
           in_flight: int = WINDOW_PER_WORKER) -> Iterator[Item]:  # fmt: skip
    """The CPU ``stages`` over ``items`` on ``pool`` (None: inline), results in input order.

    A bounded window of pending items keeps memory flat however large the archive; order matters
    because dedupe and store see the items as the crawl saw them, capture by capture.
    """
    if pool is None:
        yield from (run_cpu_stages(item, stages) for item in items)
        return
    batcher = Batcher(pool, for_the_writer)
    window: deque[tuple[Item, Callable[[], Item]]] = deque()
    for item in items:
        units = 1 + len(item.attachments) if isinstance(item, ReportPage) else 1
        window.append((item, batcher.call(item, stages, units=units)))
        if len(window) >= in_flight:
            yield finished(*window.popleft())
    while window:
        yield finished(*window.popleft())


def links_ahead(pool: WorkerPool | None, records: Iterable[Delivered], attachments: AttachmentsFromArchive, *,
                in_flight: int = WINDOW_PER_WORKER) -> Iterator[Delivered | WithLinks]:  # fmt: skip
    """``records`` with their report pages' attachment links found on ``pool`` ahead of time, in
    order (parsing a page for its links is the reader's largest share of the CPU); inline without one."""
    if pool is None:
        yield from records
        return
    batcher = Batcher(pool, attachment_links, LIGHT_BATCH_SIZE)
    window: deque[WithLinks] = deque()
    for archived, response in records:
        found = None
        if may_be_report(archived):
            domains = attachments.allowed_domains(archived.context.get("site", ""))
            found = batcher.call(archived.body, archived.url, getattr(response, "encoding", None), domains)
        window.append((archived, response, found))
        if len(window) >= in_flight:
            yield window.popleft()
    yield from window


def finished(item: Item, result: Callable[[], Item]) -> Item:
    try:
        return with_bodies(result(), item)
    except Exception as exc:  # this document's failure: recorded on it, the reparse goes on
        if isinstance(item, ReportPage):
            item.error = f"extract: {type(exc).__name__}: {exc}"
        record_fault(ChainStats(), item, exc)
        return item
