"""A resumed run counts what the job's earlier runs saw (crawler/resume.py ``outcome.json``): an
incremental run that skipped every known report page and stopped cleanly — or finished — resumes to
nothing left to fetch, and must not end "found no report"."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from crawler.recrawl import KnownPages
from crawler.resume import OUTCOME_FILE, RUNNING_MARKER, ResumeDupeFilter, prepare_job_dir
from tests.replica.fixture import running_replica
from tests.replica.validators import without_validators
from tests.support.recrawl import query, xxgk

PAGE = "http://www.example.gov.cn/xxgk/nb/2023/t1.html"


def half(jobs: Path, resume: bool) -> tuple[ResumeDupeFilter, Any, Any]:
    """One run's dupefilter, stats and spider, opened on ``jobs`` as a crawl would."""
    crawler = get_crawler(settings_dict={"JOBDIR": str(jobs), "XXGK_RESUME": resume})
    crawler.stats.open_spider()
    dupefilter = ResumeDupeFilter.from_crawler(crawler)
    spider = SimpleNamespace(known_pages=KnownPages())
    dupefilter.spider_opened(spider)
    return dupefilter, crawler.stats, spider


def test_a_clean_stop_carries_its_counts_and_skip_decisions_to_the_resumed_run(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    prepare_job_dir(jobs, resume=False)
    first, stats, spider = half(jobs, resume=False)
    stats.inc_value("xxgk/report_links", 3)
    stats.inc_value("xxgk/store/reports/known", 3)
    stats.set_value("xxgk/run/status", "failed")  # a run's own verdict is never carried
    spider.known_pages.decided.update({PAGE: True, PAGE + "?due": False})
    first.spider_closed("shutdown")
    assert (jobs / OUTCOME_FILE).exists()
    second, stats, spider = half(jobs, resume=True)
    assert stats.get_value("xxgk/report_links") == 3 and stats.get_value("xxgk/store/reports/known") == 3
    assert stats.get_value("xxgk/run/status") is None
    assert spider.known_pages.decided == {PAGE: True} and spider.known_pages.itemised == {PAGE}
    stats.inc_value("xxgk/report_links", 2)
    second.spider_closed("finished")
    _, stats, _ = half(jobs, resume=True)  # a third half counts the whole job
    assert stats.get_value("xxgk/report_links") == 5


def test_a_fresh_run_or_a_dead_runs_resume_counts_alone(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    prepare_job_dir(jobs, resume=False)
    first, stats, _ = half(jobs, resume=False)
    stats.inc_value("xxgk/report_links", 3)
    first.spider_closed("finished")
    _, stats, _ = half(jobs, resume=False)  # not resuming: nothing carried
    assert stats.get_value("xxgk/report_links") is None
    (jobs / RUNNING_MARKER).write_text("1\n")  # then the run died: its navigation is walked again
    assert prepare_job_dir(jobs, resume=True) == "recovered"
    assert not (jobs / OUTCOME_FILE).exists()
    _, stats, _ = half(jobs, resume=True)
    assert stats.get_value("xxgk/report_links") is None


@pytest.mark.e2e
def test_resuming_an_all_skipped_incremental_run_is_not_found_no_report(tmp_path: Path) -> None:
    """The replica without validators: a first crawl, an incremental one that skips every known page,
    then ``--resume`` (as a fleet resumed after a kill resumes its finished sites): nothing is left to
    fetch, and the resumed run's row still counts the known pages."""
    with running_replica(seed=0, sites=("hy",)) as replica:
        without_validators(replica.world)
        assert xxgk(replica, "crawl", "hy", "--fast", "--data-dir", str(tmp_path / "first")).returncode == 0
        data = tmp_path / "again"
        shutil.copytree(tmp_path / "first", data)
        assert xxgk(replica, "crawl", "hy", "--fast", "--data-dir", str(data)).returncode == 0
        resumed = xxgk(replica, "crawl", "hy", "--fast", "--data-dir", str(data), "--resume")
    runs = query(data, "SELECT status, failure, known_skipped, report_pages FROM crawl_runs ORDER BY id")
    assert resumed.returncode == 0, resumed.stderr[-1500:]
    incremental, last = runs[1], runs[2]
    assert incremental["known_skipped"] > 0 and incremental["status"] == "ok"
    assert last["status"] == "ok" and last["failure"] is None
    assert last["report_pages"] >= incremental["report_pages"]
