"""Re-crawl nights for the end-to-end tests: one incremental `xxgk crawl` counted as N days after today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.test_recrawl_e2e import crawl


def crawl_night(replica: Any, data_dir: Path, days: int, failed: dict[str, str], name: str, *extra: str) -> None:
    """Crawl ``data_dir`` again as the night ``days`` after today (``XXGK_REVERIFY_DATE``); a failing
    run's stderr tail goes to ``failed[name]`` (the tests assert it empty, naming the night)."""
    day = (datetime.now(UTC).date() + timedelta(days=days)).isoformat()
    result = crawl(replica, data_dir, "-s", f"XXGK_REVERIFY_DATE={day}", *extra)
    if result.returncode:
        failed[name] = result.stderr[-2000:]
