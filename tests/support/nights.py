"""Re-crawl nights for the end-to-end tests: one incremental `xxgk crawl` counted as N days after today."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.replica.validators import without_validators
from tests.support.recrawl import crawl


def crawl_night(replica: Any, data_dir: Path, days: int, failed: dict[str, str], name: str, *extra: str) -> None:
    """Crawl ``data_dir`` again as the night ``days`` after today (``XXGK_REVERIFY_DATE``); a failing
    run's stderr tail goes to ``failed[name]`` (the tests assert it empty, naming the night)."""
    day = (datetime.now(UTC).date() + timedelta(days=days)).isoformat()
    result = crawl(replica, data_dir, "-s", f"XXGK_REVERIFY_DATE={day}", *extra)
    if result.returncode:
        failed[name] = result.stderr[-2000:]


def first_then_quiet(replica: Any, first: Path, quiet: Path, failed: dict[str, str], *extra: str) -> None:
    """Serve the replica without validators, crawl it into ``first``, then crawl a copy of that
    (``quiet``) as the next night, nothing changed (``extra``: that night's settings)."""
    without_validators(replica.world)
    result = crawl(replica, first)
    if result.returncode:
        failed["first"] = result.stderr[-2000:]
    shutil.copytree(first, quiet)
    crawl_night(replica, quiet, 1, failed, "quiet", *extra)
