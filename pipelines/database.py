"""What the stages that read or write DIR/xxgk.db share: where it is, and one connection a spider —
or one connection a process while :func:`shared_database` is open (crawler/fleet.py), so that a run
over many sites writes through a single writer instead of one connection per site."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from sqlite_utils import Database

from crawler.db import db_path, open_db

logger = logging.getLogger(__name__)

#: resolved database path → the process's one connection to it, while shared_database() is open
_shared: dict[Path, Database] = {}
#: id(shared connection) → the whole-database passes asked for during the run, by name, once each
_passes: dict[int, dict[str, Callable[[Database], Any]]] = {}


def whole_database_pass(db: Database, name: str, func: Callable[[Database], Any]) -> None:
    """Run ``func(db)``, a pass over the whole database (the search index, the templated-report
    comparison), now — or, on a shared connection, once when the run ends: after each of 1,000
    sites it would cost the run time quadratic in the sites."""
    passes = _passes.get(id(db))
    if passes is None:
        func(db)
    else:
        passes.setdefault(name, func)


@contextmanager
def shared_database(path: Path) -> Iterator[Database]:
    """Every stage opened while this is open uses one connection to ``path``; closed at the end.
    Stages run in the reactor thread and each item's transaction is synchronous, so the crawlers'
    writes never interleave inside a transaction."""
    key = Path(path).resolve()
    db = _shared[key] = open_db(path)
    passes = _passes[id(db)] = {}
    try:
        yield db
    finally:
        _shared.pop(key, None)
        _passes.pop(id(db), None)
        try:
            run_passes(db, passes)
        finally:
            db.close()


def run_passes(db: Database, passes: dict[str, Callable[[Database], Any]]) -> None:
    for name, func in passes.items():
        try:
            func(db)
        except sqlite3.Error as error:  # a full disk: what is stored stays whole; the next run redoes it
            logger.error("the %s pass over the database failed: %s", name, error)


class DatabaseStage:
    def __init__(self, path: Path, stats: StatsCollector) -> None:
        self.path = path
        self.stats = stats
        self.db: Database | None = None
        self.owns_db = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        data_dir = crawler.settings.get("XXGK_DATA_DIR")
        if not data_dir:
            raise NotConfigured(f"{cls.__name__}: XXGK_DATA_DIR is empty, so there is no database")
        return cls(db_path(data_dir), crawler.stats)

    def open_spider(self) -> None:
        shared = _shared.get(Path(self.path).resolve())
        self.owns_db = shared is None
        self.db = shared if shared is not None else open_db(self.path)

    def close_spider(self) -> None:
        if self.db is not None and self.owns_db:
            self.db.close()
        self.db = None
