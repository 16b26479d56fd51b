"""The job scheduler keeps pending requests in memory and writes them to the job dir only at a stop:
a resumed crawl reads back exactly what was pending, and past its bound a site's requests spill."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.jobqueue import JobScheduler
from crawler.resume import RUNNING_MARKER, ResumeDupeFilter


class Site(Spider):
    name = "site"

    def parse_list(self, response: Any) -> None: ...


class FakeDownloader:
    """What the downloader-aware priority queue asks of a downloader: a slot per host, none busy."""

    def __init__(self) -> None:
        self.slots: dict[str, Any] = {}

    def get_slot_key(self, request: Request) -> str:
        return urlsplit(request.url).hostname or ""


def scheduler(jobdir: Path | None, **settings: Any) -> JobScheduler:
    crawler = get_crawler(Site, {"JOBDIR": str(jobdir) if jobdir else "", "LOG_LEVEL": "ERROR",
                                 "SCHEDULER": "crawler.jobqueue.JobScheduler",
                                 "SCHEDULER_DISK_QUEUE": "crawler.jobqueue.JobDiskQueue",
                                 "DUPEFILTER_CLASS": "scrapy.dupefilters.RFPDupeFilter", **settings})
    crawler.spider = spider = Site.from_crawler(crawler)
    crawler.engine = SimpleNamespace(downloader=FakeDownloader())  # type: ignore[assignment]
    opened = JobScheduler.from_crawler(crawler)
    opened.open(spider)
    return opened


def requests(spider: Any, count: int) -> list[Request]:
    return [Request(f"https://{host}.example/{n}", callback=spider.parse_list, priority=n % 3,
                    meta={"xxgk_context": {"role": "list"}}) for n in range(count) for host in ("a", "b")]


def drain(opened: JobScheduler) -> list[Request]:
    popped = []
    while (request := opened.next_request()) is not None:
        popped.append(request)
    return popped


def queue_files(jobdir: Path) -> list[Path]:
    return [path for path in (jobdir / "requests.queue").rglob("*") if path.is_file()]


def test_nothing_is_written_per_request_and_a_stop_writes_what_was_pending(tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    first = scheduler(jobdir)
    pushed = requests(first.spider, 10)
    assert all(first.enqueue_request(request) for request in pushed)
    assert queue_files(jobdir) == []  # in memory while the crawl runs
    fetched = [first.next_request() for _ in range(5)]
    first.close("shutdown")
    pending = {request.url for request in pushed} - {request.url for request in fetched if request}
    assert queue_files(jobdir)

    resumed = scheduler(jobdir)
    again = drain(resumed)
    assert {request.url for request in again} == pending and len(again) == len(pending)
    assert all(request.callback == resumed.spider.parse_list for request in again)  # type: ignore[attr-defined]
    assert not resumed.enqueue_request(pushed[0])  # requests.seen came back too
    resumed.close("finished")


@pytest.mark.parametrize("starts", [0, 5])
def test_the_resumed_order_is_the_order_the_stopped_run_would_have_popped(tmp_path: Path, starts: int) -> None:
    """Scrapy keeps start requests in FIFO queues of their own, the others in LIFO ones: the write-out
    at a stop restores both orders."""
    jobdir = tmp_path / "job"
    memory, stopped = scheduler(None), scheduler(jobdir)
    for opened in (memory, stopped):
        for n in range(starts):
            opened.enqueue_request(Request(f"https://s.example/{n}", callback=opened.spider.parse_list,
                                           meta={"is_start_request": True}))
        for request in requests(opened.spider, 12):
            opened.enqueue_request(request)
    stopped.close("shutdown")
    assert [r.url for r in drain(scheduler(jobdir))] == [r.url for r in drain(memory)]


def test_past_the_bound_requests_spill_to_disk_and_come_back(tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    bounded = scheduler(jobdir, XXGK_QUEUE_IN_MEMORY=4)
    pushed = requests(bounded.spider, 10)
    for request in pushed:
        bounded.enqueue_request(request)
    stats = bounded.stats
    assert stats is not None
    assert stats.get_value("scheduler/enqueued/memory") == 4
    assert stats.get_value("scheduler/enqueued/disk") == len(pushed) - 4
    assert queue_files(jobdir)
    assert {request.url for request in drain(bounded)} == {request.url for request in pushed}


def test_without_a_job_dir_all_stays_in_memory() -> None:
    plain = scheduler(None)
    pushed = requests(plain.spider, 5)
    for request in pushed:
        plain.enqueue_request(request)
    assert plain.dqs is None and len(plain) == len(pushed)
    assert {id(request) for request in drain(plain)} == {id(request) for request in pushed}  # no round trip
    plain.close("finished")


def test_a_failed_write_out_at_a_stop_keeps_the_job_dir_marked_as_crashed(tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    opened = scheduler(jobdir, DUPEFILTER_CLASS="crawler.resume.ResumeDupeFilter")
    assert isinstance(opened.df, ResumeDupeFilter)
    for request in requests(opened.spider, 3):
        opened.enqueue_request(request)

    def no_space(request: Request) -> bool:
        raise OSError(28, "No space left on device")

    opened._dqpush = no_space  # type: ignore[method-assign]
    opened.close("shutdown")  # logged, not raised: the dupefilter and the queue state still close
    opened.df.spider_closed("shutdown")
    assert (jobdir / RUNNING_MARKER).exists()  # --resume treats the stop as a crash
