"""A worker's close reason (crawler/distributed/worker.py): the generic platform's "no report link found"
is one process's view; it stands only if no worker of the fleet found a report link."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from crawler.distributed.worker import DistributedWorker
from crawler.platforms.base import LAYOUT_CHANGED


def worker(close_reason: str | None, fleet_links: int, **stats: Any) -> DistributedWorker:
    extension = DistributedWorker.__new__(DistributedWorker)  # no Redis, no crawler: only the verdict
    collector = MemoryStatsCollector(SimpleNamespace(settings=Settings({"STATS_DUMP": False}), spider=None))
    for key, value in stats.items():
        collector.set_value(key.replace("__", "/"), value)
    extension.crawler = SimpleNamespace(stats=collector)
    extension.spider = SimpleNamespace(close_reason=close_reason)
    extension.fleet_links = fleet_links
    return extension


CANNOT_WALK = {"xxgk__layout__cannot_walk": "no report link found; 0 pages walked"}


def test_a_local_cannot_walk_gives_way_when_another_worker_found_report_links() -> None:
    assert worker(LAYOUT_CHANGED, 12, **CANNOT_WALK).close_reason() == "finished"


def test_cannot_walk_stands_when_no_worker_found_a_report_link() -> None:
    assert worker(LAYOUT_CHANGED, 0, **CANNOT_WALK).close_reason() == LAYOUT_CHANGED


def test_a_broken_page_of_its_own_still_fails_the_crawl() -> None:
    assert worker(LAYOUT_CHANGED, 12, **CANNOT_WALK, xxgk__layout_errors=1).close_reason() == LAYOUT_CHANGED
    assert worker(LAYOUT_CHANGED, 12).close_reason() == LAYOUT_CHANGED  # a structural error, not "cannot walk"


def test_other_reasons_pass_through() -> None:
    assert worker(None, 0).close_reason() == "finished"
    assert worker("closespider_timeout", 3).close_reason() == "closespider_timeout"
