"""The database contract (DIR/xxgk.db), created and evolved through sqlite-utils migrations.

Tables (architecture.md): ``reports`` (one row per reporting body and year), ``documents`` (every
fetched copy), ``cells`` (long format), ``checks``, ``report_versions``, ``bodies`` (one row per
reporting body, crawler/bodies.py). Every schema change is a migration in crawler/migrations.py;
``open_db`` applies what is pending.
"""

from __future__ import annotations

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
        migrations.apply(db)
    return db
