"""A full disk stops the crawl cleanly instead of losing pages one by one.

When a WARC write (``crawler.archive.middleware``) or a database write (``pipelines.store``) fails
for lack of space, the write is undone — the archive writer cuts the file back to its last whole
record and index line, SQLite rolls the item's transaction back — and the spider is closed with the
reason ``disk_full``: every complete record and row is kept, nothing half-written is left.

The job dir's ``crawl.running`` marker is left in place on such a close (crawler/resume.py), so
``xxgk crawl --resume`` after space is freed treats the run as interrupted: it walks the navigation
again and fetches every report page that has no committed row, as after a kill.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from typing import Any

logger = logging.getLogger(__name__)

DISK_FULL = "disk_full"  # the spider's close reason
STAT = "xxgk/disk_full"  # where the first failure's message is kept (crawl summary, crawl_runs)
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def is_disk_full(error: BaseException) -> bool:
    """An OSError for lack of space or quota, or SQLite's SQLITE_FULL ("database or disk is full")."""
    if isinstance(error, OSError):
        return error.errno in _NO_SPACE
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return code == sqlite3.SQLITE_FULL or "database or disk is full" in str(error)
    return False


def stop_crawl(crawler: Any, where: str, error: BaseException) -> None:
    """Close the spider as ``disk_full`` (once), saying what could not be written."""
    stats = crawler.stats
    if stats.get_value(STAT):
        return
    message = f"no space left writing {where}: {error}"
    stats.set_value(STAT, message)
    logger.error("%s — stopping the crawl; free space, then run it again with --resume", message)
    from scrapy.utils.defer import deferred_from_coro

    deferred_from_coro(crawler.engine.close_spider_async(reason=DISK_FULL))
