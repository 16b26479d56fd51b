"""What a re-crawl already knows, so that it can stop paging a column at reports it has.

Portal lists are sorted newest first. Once a list page shows a report the database already holds, the
pages after it list older reports, which the previous crawl saw. So a re-crawl stops paging a column
there, and new reports (always on the first pages) are still found; the report pages it does meet are
revalidated, not refetched (:mod:`crawler.archive.revalidate`), or not asked for at all while their
list entry is unchanged (:mod:`crawler.recrawl`).

That inference is only as good as the previous crawl, so paging stops early only when the latest run
of the same spider (``crawl_runs``) ended ok and covered at least this crawl's scope (every year, or
the same ``--year``). After a failed or narrower run, or with ``--full`` (``XXGK_INCREMENTAL=False``),
every page is asked for again. Reports back-dated into the middle of a list are what a periodic
``--full`` run is for (deploy/ schedules one).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.db import db_path
from crawler.items import REPORT_ROLES


@dataclass(frozen=True, slots=True)
class History:
    """Report URLs a site's earlier crawls fetched, and the run that vouches for them (None: no early stop)."""

    known: frozenset[str] = field(default_factory=frozenset)
    baseline_run: int | None = None

    @property
    def stops_paging(self) -> bool:
        return self.baseline_run is not None

    def reached_known(self, urls: Iterable[str]) -> bool:
        """True when paging can stop after a page listing ``urls``: one of them is a known report."""
        return self.stops_paging and any(url in self.known for url in urls)


def covers(run_year: int | None, year: int | None) -> bool:
    """A run over every year covers any crawl; a ``--year`` run covers only crawls of that year."""
    return run_year is None or run_year == year


def baseline_run(runs: Iterable[dict[str, Any]], year: int | None) -> int | None:
    """The id of the latest run if it ended ok and covers ``year``; runs are given newest first."""
    latest = next(iter(runs), None)
    if latest is None or latest["status"] != "ok" or not covers(latest["year"], year):
        return None
    return int(latest["id"])


def load_history(settings: Any, site: str, year: int | None) -> History:
    """The history of ``site`` in ``XXGK_DATA_DIR``'s database; empty for ``--full`` or a first crawl."""
    if not settings.getbool("XXGK_INCREMENTAL", True) or not settings.get("XXGK_DATA_DIR"):
        return History()
    path = db_path(settings.get("XXGK_DATA_DIR"))
    if not path.exists():
        return History()
    return read_history(path, site, year)


def read_history(path: Path, site: str, year: int | None) -> History:
    # plain sqlite3, read-only: the crawl's own stages open (and migrate) the database themselves
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "crawl_runs" not in tables or "documents" not in tables:
            return History()
        runs = conn.execute(
            "SELECT id, status, year FROM crawl_runs WHERE spider = ? ORDER BY id DESC LIMIT 1", [site]
        )
        baseline = baseline_run((dict(row) for row in runs), year)
        if baseline is None:
            return History()
        marks = ", ".join("?" for _ in REPORT_ROLES)
        rows = conn.execute(
            f"SELECT url, final_url FROM documents WHERE site = ? AND status = 200 AND role IN ({marks})",
            [site, *REPORT_ROLES],
        )
        known = frozenset(url for row in rows for url in (row["url"], row["final_url"]) if url)
        return History(known, baseline)
    finally:
        conn.close()
