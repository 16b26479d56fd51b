"""A clean stop with requests still pending (here a CLOSESPIDER_PAGECOUNT limit; Ctrl-C and a site
deadline close the same way) leaves them in the job dir, though the crawl held them in memory
(crawler/jobqueue.py), and ``--resume`` fetches them: the stopped and resumed halves store the reports
one uninterrupted crawl stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.replica.fixture import running_replica
from tests.support.recrawl import report_keys, xxgk

pytestmark = pytest.mark.e2e
SITE = "wendeng"


def crawl(replica: object, data_dir: Path, *extra: str, stopped: bool = False) -> None:
    result = xxgk(replica, "crawl", SITE, "--fast", "--data-dir", str(data_dir), "-s", "XXGK_ATTACHMENTS=0",
                  *extra)  # type: ignore[arg-type]
    # only the stopped half may end "failed" (too few pages): the whole crawl and the resumed one succeed
    assert result.returncode in ((0, 1) if stopped else (0,)), result.stderr[-3000:]


def test_requests_pending_at_a_clean_stop_are_written_to_the_job_dir_and_resumed(tmp_path: Path) -> None:
    with running_replica(seed=0) as replica:
        crawl(replica, tmp_path / "whole")
        halves = tmp_path / "halves"
        crawl(replica, halves, "-s", "CLOSESPIDER_PAGECOUNT=12", stopped=True)
        queue = halves / "jobs" / SITE / "requests.queue"
        assert [path for path in queue.rglob("*") if path.is_file() and path.name != "active.json"]
        stopped = report_keys(halves)
        crawl(replica, halves, "--resume")
    whole = report_keys(tmp_path / "whole")
    assert whole and stopped < whole  # the stop left reports to find, and the resumed half found them
    assert report_keys(halves) == whole
