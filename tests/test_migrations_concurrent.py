"""Migrations across processes: several processes opening one fresh database at once (two crawls, a
crawl and `xxgk serve`, fleet sites started together) all succeed, every step is recorded once and
the schema is the one a single process makes."""

from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path
from typing import Any

from crawler.db import open_db
from crawler.migrations import migrations
from tests.support.schema import columns, schema

PROCESSES = 6


def _open(path: str, barrier: Any, errors: Any) -> None:
    """Wait until every process is ready, then open the database: they all find it unmigrated."""
    try:
        barrier.wait(timeout=60)
        open_db(path).close()
    except BaseException:  # reported to the parent, which asserts there were none
        errors.put(traceback.format_exc())


def test_processes_opening_a_fresh_database_at_once_migrate_it_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier, errors = context.Barrier(PROCESSES), context.Queue()
    path = str(tmp_path / "race" / "xxgk.db")
    workers = [context.Process(target=_open, args=(path, barrier, errors)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    failures = [errors.get() for _ in range(errors.qsize())] if not errors.empty() else []
    assert not failures, failures[0]
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES
    db = open_db(path)
    names = [row["name"] for row in db["_sqlite_migrations"].rows]
    assert sorted(names) == sorted(m.name for m in migrations._migrations)  # each step once
    alone = open_db(tmp_path / "alone" / "xxgk.db")
    assert schema(db) == schema(alone)
    assert columns(db) == columns(alone)
