"""Many sites in one run: ``xxgk crawl --all`` over 1,000 profiles in one process.

Crawling every site at once would hold a crawler, a spider, a scheduler and their queues per site
for the whole run; crawling them one by one would leave the network idle behind each site's
politeness delays. Here at most ``XXGK_SITES_AT_ONCE`` crawlers are alive at a time, and each site
that ends makes room for the next: memory is bounded by the sites in flight, not by the sites named.

What the crawlers share, instead of each opening its own:
- one extraction pool for the process (pipelines/offload.py ``shared_pool``);
- one database connection, the single writer (pipelines/database.py ``shared_database``);
- one per-host gate (crawler/hostgate.py): a host's concurrency limit and delay hold across all of
  them, so two profiles on one server never double its load.

A slow or dead host holds up only its own crawler: the others go on, ``DOWNLOAD_TIMEOUT`` bounds
each request, and ``XXGK_SITE_DEADLINE`` (seconds, 0 = none) closes a site that runs too long
(Scrapy's ``CLOSESPIDER_TIMEOUT``; its crawl_runs row tells). Each site still gets its crawl_runs
row and its summary, in the order the sites were named.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from multiprocessing import forkserver
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from twisted.python.failure import Failure

from crawler.db import db_path
from crawler.hostgate import GATE
from crawler.summary import crawl_summary
from pipelines.chain import CPU_STAGES, worker_preload
from pipelines.database import shared_database
from pipelines.offload import default_workers, shared_pool

logger = logging.getLogger(__name__)

DOWNLOADER = "crawler.hostgate.HostGateDownloader"


def default_sites_at_once() -> int:
    """Sized to the machine: a polite crawl spends most of its time waiting out delays, so a core
    keeps many sites busy; the bound is memory (a few MB per live crawler), not CPU."""
    return min(128, 16 * (os.cpu_count() or 2))


@dataclass
class FleetRun:
    """What one run measured, beside the per-site summaries (tests/bench.py reads it)."""

    startup_seconds: float = 0.0  # from the call (spider loader, pool, database) to the first crawls scheduled
    sites_at_once: int = 0
    most_alive: int = 0  # the most crawlers alive at one time
    host_peaks: dict[str, int] = field(default_factory=dict)  # most requests in flight per host


class FleetProcess(CrawlerProcess):
    """A CrawlerProcess that stops feeding new sites once it is told to stop (Ctrl-C, SIGTERM)."""

    stopping = False

    def stop(self) -> Any:
        self.stopping = True
        return super().stop()


def fleet_settings(settings: Any) -> Any:
    """The run's settings with the shared per-host gate; an explicit ``-s DOWNLOADER=`` still wins."""
    settings.set("DOWNLOADER", DOWNLOADER, priority="project")
    deadline = settings.getfloat("XXGK_SITE_DEADLINE", 0)
    if deadline > 0:
        settings.set("CLOSESPIDER_TIMEOUT", deadline, priority="project")
    return settings


class Fleet:
    """Feeds sites through a bounded number of live crawlers of one :class:`FleetProcess`."""

    def __init__(
        self, settings: Any, sites: Sequence[str], arguments: Callable[[str], dict[str, Any]],
        prepare: Callable[[Crawler, str], None], at_once: int | None = None,
    ) -> None:
        self.began = time.perf_counter()
        self.settings = fleet_settings(settings)
        self.pending = deque(enumerate(sites))
        self.summaries: list[dict[str, Any] | None] = [None] * len(sites)
        self.arguments = arguments
        self.prepare = prepare
        limit = at_once or int(settings.get("XXGK_SITES_AT_ONCE") or 0) or default_sites_at_once()
        self.run = FleetRun(sites_at_once=max(1, limit))
        self.alive = 0
        self.done = 0
        self.process = FleetProcess(self.settings)

    def launch(self) -> None:
        """Start sites until the bound is reached (or none is left, or the run is stopping)."""
        while self.pending and self.alive < self.run.sites_at_once and not self.process.stopping:
            index, site = self.pending.popleft()
            crawler = self.process.create_crawler(site)
            self.prepare(crawler, site)
            self.alive += 1
            self.run.most_alive = max(self.run.most_alive, self.alive)
            done = self.process.crawl(crawler, **self.arguments(site))
            done.addBoth(self.finished, index, crawler, site)

    def finished(self, result: Any, index: int, crawler: Crawler, site: str) -> None:
        """One site ended: keep its summary (not its crawler), start the next."""
        self.alive -= 1
        if isinstance(result, Failure):
            logger.error("site %s failed to run: %s", site, result.getErrorMessage())
        self.summaries[index] = site_summary(crawler, site)
        self.done += 1  # counted, not summed over the summaries: a site's end costs the same at the 1,000th
        logger.info("site %s finished (%d of %d)", site, self.done, len(self.summaries))
        self.launch()

    def start(self) -> list[dict[str, Any]]:
        preload_stages(self.settings)
        with ExitStack() as stack:
            # entered first, so left last: after the pool, the database and its passes are done with
            stack.enter_context(startup_objects_frozen())
            stack.enter_context(shared_pool(self.settings))
            # one site keeps a connection of its own, and its whole-database passes at its close (a
            # failed pass then counts in its summary); many share one writer, the passes at the end
            if (data_dir := self.settings.get("XXGK_DATA_DIR")) and len(self.summaries) > 1:
                stack.enter_context(shared_database(db_path(data_dir)))
            freeze_startup_objects()  # before the first crawlers: they end during the run
            self.launch()
            self.run.startup_seconds = time.perf_counter() - self.began
            self.process.start()
        self.run.host_peaks = dict(GATE.peak)
        return [summary for summary in self.summaries if summary is not None]


def preload_stages(settings: Any) -> None:
    """The extraction pool's fork server imports the CPU stages once, before it forks the workers:
    each worker would otherwise import them (and Scrapy under them) itself, about half a second of CPU
    per worker and per worker replaced, as much as extracting a hundred pages. A fork server already
    running (an earlier pool of this process) is kept as it is.

    Started here when the run will use the pool, so that it imports the stages while the first sites
    open and fetch their navigation: started by the first report page's job instead, it held the
    reactor — no download moved — for those imports (pebble starts its workers in the caller's thread,
    and a worker's fork waits for the server's preload): about 0.3 s on a quiet 2-core box."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(worker_preload())
    if uses_worker_pool(settings):
        forkserver.ensure_running()


def uses_worker_pool(settings: Any) -> bool:
    """Whether the run's items meet a CPU stage on worker processes (not ``XXGK_WORKERS = 0``, not a
    run without the stages, e.g. the bench's spiders alone, not a pages-only run whose light pages run
    inline: pipelines/offload.py ``WorkerPool.run_job``)."""
    if settings.getint("XXGK_WORKERS", default_workers()) <= 0:
        return False
    if not settings.getbool("XXGK_ATTACHMENTS", True) and settings.getint("XXGK_INLINE_BYTES") > 0:
        return False  # pages only: the pages run in the crawl process, a rare big one starts the pool
    pipelines = settings.getdict("ITEM_PIPELINES")
    return any(pipelines.get(stage.pipeline) is not None for stage in CPU_STAGES)


def freeze_startup_objects() -> None:
    """Move what start-up allocated (modules, classes, settings, the pool, the database) out of the
    collector's reach: they live for the whole run, and every full collection of the crawl would
    otherwise walk them again; collected first, so nothing dead is kept."""
    gc.collect()
    gc.freeze()


@contextmanager
def startup_objects_frozen() -> Iterator[None]:
    """Whatever :func:`freeze_startup_objects` froze inside is the collector's again on the way out:
    a process running fleet after fleet (tests, a scheduler) would otherwise keep every fleet's
    start-up objects, pool and database included, for good. Something frozen before the fleet (the
    caller's own ``gc.freeze()``) stays frozen: the freeze is the process's, and not ours to undo."""
    frozen_before = gc.get_freeze_count()
    try:
        yield
    finally:
        if frozen_before == 0:
            gc.unfreeze()


def site_summary(crawler: Crawler, site: str) -> dict[str, Any]:
    """The site's summary as a single-site crawl gives it; a crawler that never opened its spider
    (it failed to start) still gets one, so that the run reports the site as failed."""
    if getattr(crawler, "spider", None) is not None:
        return crawl_summary(crawler)
    return {
        "spider": site, "finish_reason": "failed to start", "pages": 0, "bytes": 0, "report_pages": 0,
        "new_reports": 0, "errors": 1, "seconds": 0.0, "requests": 0, "not_modified": 0,
        "new_versions": 0, "run_status": "failed", "run_failure": "the crawler failed to start",
        "challenges": {}, "faults": {}, "disk_full": None, "cannot_walk": None,
    }


#: the last run's measurements in this process (one run per process: Twisted's reactor cannot restart)
last_run: FleetRun | None = None


def run_sites(
    settings: Any, sites: Sequence[str], arguments: Callable[[str], dict[str, Any]],
    prepare: Callable[[Crawler, str], None], at_once: int | None = None,
) -> list[dict[str, Any]]:
    """Crawl ``sites`` with at most ``at_once`` (``XXGK_SITES_AT_ONCE``) alive at a time; one summary
    per site, in order. ``arguments(site)``: the spider's arguments; ``prepare(crawler, site)``:
    called on each crawler before it starts (its JOBDIR …)."""
    global last_run
    fleet = Fleet(settings, sites, arguments, prepare, at_once)
    summaries = fleet.start()
    last_run = fleet.run
    return summaries
