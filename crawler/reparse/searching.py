"""The search index written while a reparse streams, not all of it in the store's closing pass.

At close, nothing overlaps the writer: every shadow row it inserts there (FTS5 indexes the bigrams
as the row goes in, the largest part of the closing CPU) is serial time of a reparse on all cores.
Written after each transaction instead, the inserts run while the workers extract the next pages.

Each transaction's new reports are tokenised (``search_row``, pure: on the pool if there is one)
and their rows inserted a fixed number of transactions later, so a worker's tokens are ready by
then and the database sees the same writes in the same order with or without a pool. A report
changed after its row was written (a newer version, a canonical posting's title) is caught by the
store's closing refresh, which re-tokenises only rows whose digest no longer matches
(crawler/search.py): the index ends the same as if built at close.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from sqlite_utils import Database

from crawler.reparse.batches import Batcher
from crawler.search import REPORT_COLUMNS, SEARCH_TABLE, ensure_search_tables, search_row, upsert_search_rows
from pipelines.offload import WorkerPool

#: transactions between tokenising a transaction's reports and inserting their rows: the pool's
#: results are ready by then (one transaction is about a hundred items), so the writer seldom waits
LAG = 2
#: shadow rows per pool task: a transaction's new reports in a few tasks, each worth its round trip
ROWS_PER_TASK = 32

RowGetter = Callable[[], dict]


class StreamedSearchIndex:
    """Shadow rows of the reports stored so far, written a few transactions behind the store."""

    def __init__(self, db: Database, pool: WorkerPool | None = None, lag: int = LAG) -> None:
        self.db, self.lag = db, max(0, lag)
        self.batcher: Batcher[dict] | None = Batcher(pool, search_row, ROWS_PER_TASK) if pool is not None else None
        self.last_id = 0  # reports.id grows: the rows above it are the ones stored since
        self.pending: deque[list[RowGetter]] = deque()
        ensure_search_tables(db)

    def stored(self) -> None:
        """At the end of a transaction (inside it): tokenise the reports it added, and insert the
        rows of the transaction ``lag`` before."""
        reports = list(
            self.db.query(f"select {REPORT_COLUMNS} from reports where id > ? order by id", [self.last_id])
        )
        if reports:
            self.last_id = reports[-1]["id"]
        self.pending.append([self.tokenised(report) for report in reports])
        if self.batcher is not None:
            self.batcher.flush()
        while len(self.pending) > self.lag:
            self.insert(self.pending.popleft())

    def finish(self) -> None:
        """The rows still pending, then FTS5's segments merged into one (as the closing refresh would)."""
        while self.pending:
            self.insert(self.pending.popleft())
        if self.last_id:
            self.db.table(SEARCH_TABLE).optimize()

    def tokenised(self, report: dict) -> RowGetter:
        if self.batcher is not None:
            return self.batcher.call(report)
        row = search_row(report)
        return lambda: row

    def insert(self, getters: list[RowGetter]) -> None:
        upsert_search_rows(self.db, [getter() for getter in getters])
