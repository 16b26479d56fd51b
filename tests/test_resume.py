"""The job dir and the dupefilter behind ``xxgk crawl --resume`` (the SIGKILL e2e is in test_e2e_faults)."""

from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.db import open_db
from crawler.resume import RUNNING_MARKER, ResumeDupeFilter, committed_urls, prepare_job_dir
from crawler.summary import failed_runs, summary_line

PAGE = "http://www.hy.gov.cn/xxgk/zfxxgknb/202301/t20230116_1.html"


def page_request(url: str = PAGE) -> Request:
    return Request(url, meta={"xxgk_context": {"role": "page", "site": "hy"}})


def test_fresh_clears_resume_keeps_a_clean_stop_and_drops_a_dead_runs_queue(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs" / "hy"
    jobs.mkdir(parents=True)
    (jobs / "requests.seen").write_bytes(b"x")
    assert prepare_job_dir(jobs, resume=False) == "fresh" and list(jobs.iterdir()) == []
    (jobs / "requests.seen").write_bytes(b"x")
    (jobs / "spider.state").write_bytes(b"s")
    assert prepare_job_dir(jobs, resume=True) == "resumed" and (jobs / "requests.seen").exists()
    (jobs / "requests.queue").mkdir()
    (jobs / RUNNING_MARKER).write_text("123\n")
    assert prepare_job_dir(jobs, resume=True) == "recovered"
    assert sorted(p.name for p in jobs.iterdir()) == ["spider.state"]


def test_committed_urls_are_stored_report_pages_only(tmp_path: Path) -> None:
    db = open_db(tmp_path / "xxgk.db")
    rows = [("page", 200, PAGE), ("page", 0, PAGE + "?timeout"), ("challenge", 412, PAGE + "?c"), ("list", 200, "L")]
    for role, status, url in rows:
        db["documents"].insert({"role": role, "status": status, "url": url, "final_url": url})
    db.close()
    assert committed_urls(tmp_path / "xxgk.db") == {PAGE}
    assert committed_urls(tmp_path / "missing.db") == set()


def test_the_dupefilter_skips_committed_pages_and_never_persists_page_fingerprints(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    dupefilter = ResumeDupeFilter(str(jobs), fingerprinter=crawler.request_fingerprinter,
                                  committed={PAGE}, stats=crawler.stats)
    assert (jobs / RUNNING_MARKER).exists()
    assert dupefilter.request_seen(page_request()) and dupefilter.request_seen(page_request())
    other = PAGE.replace("_1", "_2")
    assert not dupefilter.request_seen(page_request(other)) and dupefilter.request_seen(page_request(other))
    assert not dupefilter.request_seen(Request("http://www.hy.gov.cn/xxgk/zfxxgknb/list.html"))
    dupefilter.close("finished")
    dupefilter.spider_closed()
    assert (jobs / "requests.seen").stat().st_size > 0  # the list page only
    assert not (jobs / RUNNING_MARKER).exists()
    assert crawler.stats.get_value("xxgk/resume/already_stored") == 1
    reopened = ResumeDupeFilter(str(jobs), fingerprinter=crawler.request_fingerprinter)
    assert not reopened.request_seen(page_request(other))  # fetched, never committed: fetched again
    assert reopened.request_seen(Request("http://www.hy.gov.cn/xxgk/zfxxgknb/list.html"))


def test_a_site_blocked_by_challenges_fails_loudly() -> None:
    summary = {"spider": "wendeng", "finish_reason": "structural_fetch_failed", "pages": 2, "report_pages": 0,
               "new_reports": 0, "errors": 1, "challenges": "ruishu ×1", "faults": {"challenge": 2}}
    assert failed_runs([summary]) == ["wendeng: blocked by anti-bot challenges (ruishu ×1), no report fetched"]
    assert summary_line(summary).endswith("(faults met: challenge 2); BLOCKED by anti-bot challenges: ruishu ×1")
