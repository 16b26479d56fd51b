"""The database contract (DIR/xxgk.db), created and evolved through sqlite-utils migrations.

Tables (architecture.md): ``reports`` (one row per reporting body and year), ``documents`` (every
fetched copy), ``cells`` (long format), ``checks``, ``report_versions``, ``bodies`` (one row per
reporting body, crawler/bodies.py). Every schema change is a migration in crawler/migrations/;
``open_db`` applies what is pending.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from crawler import migrations

DB_NAME = "xxgk.db"


def db_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / DB_NAME


def open_db(path: str | Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database and bring its schema up to date."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    # Before anything that may wait for a lock: another process may be creating the same fresh file.
    db.execute("PRAGMA busy_timeout = 10000")
    # WAL: readers (Datasette, `xxgk status`) never block the single writer, and a kill mid-write
    # leaves the last committed transaction intact.
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    if migrate:
        apply_migrations(db)
    return db


def apply_migrations(db: Database) -> None:
    """Bring the schema up to date: first the names earlier releases recorded
    (``migrations.rename_recorded``), then every pending step in order.

    Processes opening one fresh database at once (two crawls, a crawl and ``xxgk serve``, fleet sites
    started together) would each find no ``_sqlite_migrations`` and each run m001. So every step runs
    under SQLite's write lock, taken before what is pending is read (``BEGIN IMMEDIATE``; sqlite-utils'
    own ``atomic()`` inside it becomes a savepoint): the first process applies a step, the others wait
    (busy_timeout) and then find it recorded. One step per lock, as sqlite-utils commits each step on
    its own: a failing step stays pending and those before it stay applied. A database with nothing
    pending is never write-locked, so opening it does not wait for a running crawl's writes."""
    steps = migrations.migrations
    while _needs_work(db):
        with _write_lock(db):
            migrations.rename_recorded(db)
            pending = steps.pending(db)
            if pending:  # another process may have applied everything meanwhile
                steps.apply(db, stop_before=[later.name for later in pending[1:]])


def _needs_work(db: Database) -> bool:
    """A lock-free read: any old name to rewrite or any step not recorded."""
    recorded = {applied.name for applied in migrations.migrations.applied(db)}
    current = [step.name for step in migrations.migrations._migrations]
    return bool(recorded & migrations.RENAMED.keys()) or any(name not in recorded for name in current)


@contextmanager
def _write_lock(db: Database) -> Iterator[None]:
    """One transaction holding the database's write lock from its first statement."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.rollback()
        raise
    db.commit()
