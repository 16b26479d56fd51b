"""``reparse``: rebuild every derived table from the archive into a fresh database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from crawler.archive.audit import ArchiveProblems
from crawler.archive.reader import ArchivedResponse, iter_responses, replay_not_modified
from crawler.items import ReportPage
from crawler.reparse.attachments import AttachmentsFromArchive, items_from
from crawler.reparse.batches import pool_map
from crawler.reparse.cores import WINDOW_PER_WORKER, cpu_on, extraction_pool, links_ahead
from crawler.reparse.delivery import delivered
from crawler.reparse.searching import StreamedSearchIndex
from pipelines.chain import CRAWL_CHAIN, ChainStats, SyncChain


@dataclass(slots=True)
class ReparseSummary:
    responses: int = 0  # response and revisit records read
    report_pages: int = 0  # ReportPage items rebuilt
    documents: int = 0  # FetchedDocument items rebuilt
    attachments: int = 0  # files and images of report pages read from the archive (each record once)
    skipped: int = 0  # records the spider never saw as items (redirects, retried attempts, robots.txt)
    reports: int = 0  # rows in ``reports`` afterwards
    versions: int = 0  # rows in ``report_versions`` afterwards
    seconds: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)
    #: what was wrong with the archive and skipped (crawler/archive/audit.py), one line each
    problems: list[str] = field(default_factory=list)

    @property
    def reports_per_second(self) -> float:
        return self.report_pages / self.seconds if self.seconds else 0.0


def reparse(
    warc_dir: Path, into: Path, *, stats: Any = None, workers: int = 0,
    tick: Callable[[int], None] | None = None,
) -> ReparseSummary:
    """Rebuild every derived table from the archive under ``warc_dir`` into a new DB at ``into``.

    ``workers`` > 0 runs the CPU stages (normalise, extract) on that many processes (the database
    stages stay in this one, in capture order), so the result is the same as with ``workers=0``.
    ``tick(1)`` is called for each archived response read (a progress bar).
    """
    into = Path(into)
    if into.exists() and into.stat().st_size > 0:
        raise FileExistsError(f"{into} exists: reparse builds a fresh database")
    if not Path(warc_dir).is_dir():
        raise FileNotFoundError(f"no archive at {warc_dir}")
    stats = stats if stats is not None else ChainStats()
    summary = ReparseSummary()
    started = time.perf_counter()
    # a 304 answer to a revalidation is read as the capture the crawl replayed (crawler/archive/revalidate.py)
    problems = ArchiveProblems()
    records = _counted(replay_not_modified(iter_responses(warc_dir, problems), warc_dir), summary, tick)
    # the pool first: its workers load while this process opens the database
    with extraction_pool(workers) as pool, SyncChain(into, stats, CRAWL_CHAIN, share_connection=True) as chain:
        in_flight, attachments = WINDOW_PER_WORKER * workers, AttachmentsFromArchive()
        looked_ahead = links_ahead(pool, delivered(records), attachments, in_flight=in_flight)
        items = items_from(looked_ahead, attachments)
        search = StreamedSearchIndex(chain.db, pool)
        _record_all(chain, cpu_on(pool, items, chain.cpu_stages, in_flight=in_flight), summary, search)
        if pool is not None:  # the passes at the store's close (search index, similarity) on every core too
            chain.database[-1].map_rows = pool_map(pool)
        summary.reports = chain.db["reports"].count
        summary.versions = chain.db["report_versions"].count
    summary.seconds = time.perf_counter() - started
    summary.skipped = summary.responses - summary.report_pages - summary.documents - summary.attachments
    summary.stats = stats.get_stats()
    summary.problems = [str(problem) for problem in problems.found]
    return summary


#: items stored per transaction: a commit per report was a quarter of the writer's SQL time; the
#: database is a fresh file, discarded whole if the reparse fails, so a larger transaction loses nothing
TRANSACTION_ITEMS = 100


def _record_all(chain: SyncChain, items: Iterator[Any], summary: ReparseSummary, search: StreamedSearchIndex) -> None:
    """The database stages, here in the one writer, on items whose CPU stages have run; one
    connection for dedupe and store (``share_connection``), so dedupe sees what this transaction
    stored; the search index follows each transaction (crawler/reparse/searching.py)."""
    attachment_records: set[str] = set()
    stored = TRANSACTION_ITEMS
    while stored == TRANSACTION_ITEMS:  # a short transaction is the last one
        stored = 0
        with chain.db.atomic():  # each item's own transaction inside becomes a savepoint
            for item in islice(items, TRANSACTION_ITEMS):
                stored += 1
                if isinstance(item, ReportPage):
                    summary.report_pages += 1
                    attachment_records.update(a.warc_record_id for a in item.attachments if a.warc_record_id)
                    summary.attachments = len(attachment_records)
                else:
                    summary.documents += 1
                chain.record(item)
            search.stored()
    with chain.db.atomic():
        search.finish()


def _counted(
    records: Iterator[ArchivedResponse], summary: ReparseSummary, tick: Callable[[int], None] | None = None
) -> Iterator[ArchivedResponse]:
    for record in records:
        summary.responses += 1
        if tick is not None:
            tick(1)
        yield record
