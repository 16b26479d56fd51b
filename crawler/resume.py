"""Resume an interrupted crawl with nothing lost: ``xxgk crawl … --resume``.

Every ``xxgk crawl`` runs with Scrapy's ``JOBDIR`` = ``DIR/jobs/<spider>`` (pending requests on disk —
written when the crawl stops, crawler/jobqueue.py — seen fingerprints in ``requests.seen``); a crawl
without ``--resume`` starts from an empty job dir.

Scrapy's job dir is built for a *clean* stop (one Ctrl-C): queuelib writes its queue positions and
Scrapy its ``active.json`` only when the scheduler closes. After SIGKILL, OOM or a power cut the queue
on disk is stale or torn, and ``requests.seen`` holds fingerprints of requests that were popped,
fetched, perhaps parsed — but whose items never reached the database. Resuming from that would lose
exactly those pages: the classic hole.

How it is closed here — "seen" means "committed", for report pages:

- A marker file ``crawl.running`` lives in the job dir while a crawl runs and is removed when the
  spider closes. Found at start, it means the previous run died: its ``requests.queue`` and
  ``requests.seen`` are discarded (never trusted), so the navigation (home, columns, list pages) is
  walked again — cheap, a few dozen pages, and it rediscovers every report link.
- :class:`ResumeDupeFilter` never writes report-page fingerprints (roles ``page``/``alias``, and
  attachments) to ``requests.seen``. Across runs, a report page counts as seen only when the database
  has a committed ``documents`` row for its URL with a 2xx status — written in the same transaction
  as its report, cells and checks (pipelines/store.py). A page fetched but not committed when the
  process died has no row, so the resumed crawl fetches and stores it again.
- After a clean stop the job dir is intact and Scrapy resumes as documented; the same rule keeps a
  report page whose item was still in flight from being lost.

Failed fetches (timeouts, challenges: rows with an error) are not "committed": a resume tries them
again.

What a run saw outlives a clean stop too (``outcome.json`` in the job dir, beside Scrapy's
``spider.state``): the report decisions it counted (every ``xxgk/`` counter: report links, pages
skipped as known, stored, …) and which known report pages it skipped (crawler/recrawl.py). A half
that resumes a clean stop adds them to its own, so its ``crawl_runs`` row and outcome count the
whole job: an incremental run whose lists were all read before the stop (or that had finished — a
fleet resumed after a kill resumes its finished sites too) resumes to nothing left to fetch, and
without them would end "found no report" (the generic platform: ``layout_changed``). A dead run's
outcome is dropped with its queue: the navigation is walked again, so everything is met again.
Transfer figures (pages, bytes, fetches by role, bytes handed over from the archive) stay the
process's own.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.job import job_dir as scrapy_job_dir

from crawler.db import db_path
from crawler.diskfull import DISK_FULL

logger = logging.getLogger(__name__)

JOBS_DIR = "jobs"
RUNNING_MARKER = "crawl.running"
#: Scrapy's own job-dir state that is only consistent after a clean close
UNSAFE_AFTER_CRASH = ("requests.queue", "requests.seen")
#: requests whose "seen" is decided by the database, never by requests.seen
COMMITTED_ROLES = frozenset({"page", "alias", "attachment", "image"})
#: what the runs of a job saw, kept from one clean stop to the run that resumes it
OUTCOME_FILE = "outcome.json"
CARRIED_PREFIX = "xxgk/"
#: the verdict of each run (crawler/extensions/crawl_runs.py) and its transfer figures — what this
#: process fetched, by role and in bytes — are each run's own, never carried
NOT_CARRIED_PREFIXES = ("xxgk/run/", "xxgk/wire/", "xxgk/fetched/", "xxgk/recrawl/bytes_", "xxgk/revalidate/bytes_")


def job_dir(data_dir: str | Path, spider: str) -> Path:
    return Path(data_dir) / JOBS_DIR / spider


def prepare_job_dir(path: str | Path, resume: bool) -> str:
    """Get ``path`` ready for a crawl: ``"fresh"`` (emptied), ``"resumed"`` (a clean stop's state
    kept) or ``"recovered"`` (the previous run died: its queue and seen-file dropped)."""
    path = Path(path)
    if not resume:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
        return "fresh"
    path.mkdir(parents=True, exist_ok=True)
    if not (path / RUNNING_MARKER).exists():
        return "resumed"
    for name in (*UNSAFE_AFTER_CRASH, OUTCOME_FILE):  # a dead run's outcome: all is met again
        target = path / name
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    (path / RUNNING_MARKER).unlink()
    return "recovered"


def committed_urls(database: str | Path) -> set[str]:
    """URLs whose fetched copy is in the database: as requested and as finally answered."""
    path = Path(database)
    if not path.exists():
        return set()
    from crawler.db import open_db

    db = open_db(path)
    try:
        roles = sorted(COMMITTED_ROLES)
        marks = ",".join("?" * len(roles))
        rows = db.execute(
            f"SELECT url, final_url FROM documents WHERE role IN ({marks}) AND status BETWEEN 200 AND 299",
            roles,
        ).fetchall()
    finally:
        db.close()
    return {url for row in rows for url in row if url}


def request_role(request: Request) -> str | None:
    return (request.meta.get("xxgk_context") or {}).get("role")


class ResumeDupeFilter(RFPDupeFilter):
    """Scrapy's fingerprint filter, except that report pages are "seen" across runs only once
    committed to the database (see the module docstring)."""

    def __init__(self, path: str | None = None, debug: bool = False, *, fingerprinter: Any = None,
                 committed: set[str] | None = None, stats: Any = None) -> None:
        super().__init__(path, debug, fingerprinter=fingerprinter)
        self.committed = committed or set()
        self.stats = stats
        self.skipped: set[str] = set()
        self.spider: Any = None  # known at spider_opened: whose skip decisions the job dir keeps
        self.resume = False  # whether this run adds an earlier clean stop's outcome to its own
        self.marker = Path(path, RUNNING_MARKER) if path else None
        self.lost = False  # the scheduler could not write its queue at the stop (crawler/jobqueue.py)
        if self.marker is not None:
            self.marker.write_text(f"{os.getpid()}\n")

    def state_lost(self) -> None:
        """The job dir's queue is incomplete: keep the marker, so a resume walks the navigation again."""
        self.lost = True

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        path = scrapy_job_dir(settings)
        resume = settings.getbool("XXGK_RESUME")
        if path:
            # also for plain `scrapy crawl -s JOBDIR=…`: a dead run's queue and seen-file are not trusted
            state = prepare_job_dir(path, resume=True)
            if state == "recovered":
                logger.warning("the previous crawl in %s did not end cleanly: walking the navigation again", path)
        committed: set[str] = set()
        data_dir = settings.get("XXGK_DATA_DIR")
        if resume and data_dir:
            committed = committed_urls(db_path(data_dir))
            logger.info("resuming: %d report pages are already in the database", len(committed))
        dupefilter = cls(path, settings.getbool("DUPEFILTER_DEBUG"), fingerprinter=crawler.request_fingerprinter,
                         committed=committed, stats=crawler.stats)
        crawler.signals.connect(dupefilter.spider_closed, signal=signals.spider_closed)
        dupefilter.resume = resume
        crawler.signals.connect(dupefilter.spider_opened, signal=signals.spider_opened)
        return dupefilter

    def request_seen(self, request: Request) -> bool:
        if request_role(request) not in COMMITTED_ROLES:
            return super().request_seen(request)
        if request.url in self.committed:
            if request.url not in self.skipped:
                self.skipped.add(request.url)
                if self.stats is not None:
                    self.stats.inc_value("xxgk/resume/already_stored")
            return True
        fingerprint = self._fingerprint(request)
        if fingerprint in self._fingerprints:
            return True
        self._fingerprints.add(fingerprint)  # in memory only: never written to requests.seen
        return False

    def spider_closed(self, reason: str = "finished") -> None:
        """The run ended cleanly (whatever its reason): the job dir's state is consistent — except
        after a full disk (crawler/diskfull.py), whose failed writes left requests marked seen whose
        responses were never parsed, or after a stop whose queue could not be written (``state_lost``):
        the marker stays, so --resume walks the navigation again."""
        if self.marker is not None and reason != DISK_FULL and not self.lost:
            save_outcome(self.marker.parent, self.stats, self.spider)
            self.marker.unlink(missing_ok=True)

    def spider_opened(self, spider: Any) -> None:
        """Resuming: count what the job's earlier runs saw (see the module docstring)."""
        self.spider = spider
        if self.marker is not None and self.resume:
            load_outcome(self.marker.parent, self.stats, spider)


def _known_pages(spider: Any) -> Any:
    return getattr(spider, "known_pages", None)


def save_outcome(path: Path, stats: Any, spider: Any) -> None:
    """The job's counters so far (earlier runs' included: they were added at open) and its skipped pages."""
    counters = {} if stats is None else {
        key: value for key, value in stats.get_stats().items()
        if key.startswith(CARRIED_PREFIX) and not key.startswith(NOT_CARRIED_PREFIXES)
        and isinstance(value, int) and not isinstance(value, bool)
    }
    known = _known_pages(spider)
    skipped = sorted(url for url, skip in known.decided.items() if skip) if known is not None else []
    (path / OUTCOME_FILE).write_text(json.dumps({"stats": counters, "skipped": skipped}), encoding="utf-8")


def load_outcome(path: Path, stats: Any, spider: Any) -> None:
    """Add a clean stop's counters to this run's, and hold its skip decisions: a page skipped as known
    before the stop is not counted (nor itemised) again when a list still queued shows it."""
    try:
        saved = json.loads((path / OUTCOME_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # no earlier clean stop (or a torn file): this run counts alone
    if stats is not None:
        for key, value in saved.get("stats", {}).items():
            stats.inc_value(key, value)
    known = _known_pages(spider)
    if known is not None:
        for url in saved.get("skipped", []):
            known.decided.setdefault(url, True)
            known.itemised.add(url)
