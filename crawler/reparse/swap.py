"""``reparse_in_place``: build the new database beside the old one, then swap it in atomically.

Readers see the old database or the new one, never a half-built one; if the build fails the old
database is untouched, and what a killed reparse left is removed by the next one.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crawler.db import db_path
from crawler.reparse.build import ReparseSummary, reparse

SWAP_TIMEOUT = 10.0  # seconds to wait for another connection's transaction before giving up
TEMP_PREFIX = ".xxgk-reparse-"


def reparse_in_place(
    data_dir: Path, *, stats: Any = None, workers: int = 0, tick: Callable[[int], None] | None = None,
) -> ReparseSummary:
    """Rebuild ``DIR/xxgk.db`` from ``DIR/warc/``: build beside it, then swap it in atomically."""
    target = db_path(data_dir)
    remove_leftovers(Path(data_dir))
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".db", dir=data_dir)
    os.close(fd)
    temp = Path(name)
    try:
        temp.unlink()  # reparse wants to create it
        summary = reparse(Path(data_dir) / "warc", temp, stats=stats, workers=workers, tick=tick)
        single_file(temp)
        if target.exists():
            single_file(target)
        os.replace(temp, target)
    finally:
        for leftover in (temp, *sidecars(temp)):
            leftover.unlink(missing_ok=True)
    return summary


def remove_leftovers(data_dir: Path) -> None:
    """Delete what a reparse killed before its swap left: its half-built database (and WAL). The old
    database was never touched, so this is all there is to undo; a reparse still running (its pid
    alive) keeps its file."""
    for leftover in data_dir.glob(f"{TEMP_PREFIX}*"):
        pid = leftover.name.removeprefix(TEMP_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def single_file(path: Path) -> None:
    """Fold the WAL into ``path`` and leave WAL mode, so the file alone is the whole database.

    Needed on both sides of the swap: a stale ``xxgk.db-wal`` left beside the new file would be
    replayed into it. Leaving WAL mode needs exclusive access, so a database still open elsewhere
    (a crawl writing to it) fails here instead of being replaced under its writer.
    """
    connection = sqlite3.connect(path, timeout=SWAP_TIMEOUT)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    finally:
        connection.close()
    if str(mode).lower() != "delete":
        raise RuntimeError(f"{path} is in use by another process: stop it, then reparse again")
