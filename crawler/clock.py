"""The one clock of the crawl's records: now, in UTC, as ISO 8601 with a ``Z``.

Two precisions, each where a stored format depends on it: ``microseconds`` for a document's
``fetched_at`` (a crawl and a reparse of its archive agree to the microsecond of the WARC-Date,
crawler/builders.py), ``seconds`` for the times of runs and bookkeeping (``crawl_runs.started`` /
``finished``, ``drained_items.drained_at``). Not in crawler/extract/, which has no clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

Timespec = Literal["seconds", "microseconds"]


def utc_now(timespec: Timespec = "seconds") -> str:
    """``2026-03-01T08:00:00Z`` (or ``…08:00:00.123456Z`` with ``microseconds``)."""
    return datetime.now(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")
