"""The CPU stages of a reparse on every core, the items back in capture order for the one writer."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing import forkserver

from crawler.items import Item, ReportPage
from crawler.platforms.attachments import AttachmentLink, attachment_links
from crawler.reparse.attachments import AttachmentsFromArchive, Delivered, WithLinks, may_be_report
from crawler.reparse.batches import BATCH_SIZE, LIGHT_BATCH_SIZE, Batcher, Pending
from crawler.reparse.delivery import project_settings
from crawler.reparse.pooled import PRELOAD, for_the_writer, with_bodies
from pipelines.chain import CPU_STAGES, ChainStats, Stage, run_cpu_stages
from pipelines.offload import WorkerPool, record_fault


def reparse_workers() -> int:
    """Every core extracts: unlike a crawl's loop, the reader and the one writer here mostly wait for
    the workers' results, so they need no core of their own."""
    return os.cpu_count() or 1


#: items in flight per worker: two batches each (one running, one queued), so no worker waits for the
#: writer; few enough to keep memory flat
WINDOW_PER_WORKER = 2 * BATCH_SIZE


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


#: how much further than its window the reader reads while the oldest record's links are not back
#: (the workers still starting — a fresh fork server imports the stages for about a second — or
#: busy): reading and delivering records then is work done instead of waiting; bounded in records
#: and in the bytes of their bodies (a file may be a PDF of megabytes), so memory stays flat
READ_AHEAD_WHILE_WAITING = 16
READ_AHEAD_BYTES = 64 * 1024 * 1024


def links_ahead(pool: WorkerPool | None, records: Iterable[Delivered], attachments: AttachmentsFromArchive, *,
                in_flight: int = WINDOW_PER_WORKER) -> Iterator[Delivered | WithLinks]:  # fmt: skip
    """``records`` with their report pages' attachment links found on ``pool`` ahead of time, in
    order (parsing a page for its links is the reader's largest share of the CPU); inline without one."""
    if pool is None:
        yield from records
        return
    batcher = Batcher(pool, attachment_links, LIGHT_BATCH_SIZE)
    window: deque[tuple[Delivered, Pending[list[AttachmentLink]] | None]] = deque()
    most, held = max(1, in_flight) * READ_AHEAD_WHILE_WAITING, 0
    for archived, response in records:
        found = None
        if may_be_report(archived):
            domains = attachments.allowed_domains(archived.context.get("site", ""))
            found = batcher.call(archived.body, archived.url, getattr(response, "encoding", None), domains)
        window.append(((archived, response), found))
        held += len(archived.body)
        while len(window) >= in_flight:
            if (oldest_found := window[0][1]) is not None and oldest_found.future is None:
                batcher.flush()  # the oldest's batch is still filling: sent now, or it is never answered
            if not (len(window) >= most or held >= READ_AHEAD_BYTES or _answered(oldest_found)):
                break
            (oldest, delivery), getter = window.popleft()
            held -= len(oldest.body)
            yield oldest, delivery, getter
    for (archived, response), getter in window:
        yield archived, response, getter


def _answered(found: Pending[list[AttachmentLink]] | None) -> bool:
    return found is None or found.ready()


def finished(item: Item, result: Callable[[], Item]) -> Item:
    try:
        return with_bodies(result(), item)
    except Exception as exc:  # this document's failure: recorded on it, the reparse goes on
        if isinstance(item, ReportPage):
            item.error = f"extract: {type(exc).__name__}: {exc}"
        record_fault(ChainStats(), item, exc)
        return item
