"""The job dir's disk queue writes what Scrapy's own would, only cheaper to compute."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest
from scrapy import FormRequest, Request, Spider
from scrapy.utils.request import request_from_dict

from crawler.jobqueue import JobDiskQueue, method_name, request_to_dict


class Base(Spider):
    name = "base"

    def parse_list(self, response: Any) -> None: ...

    def failed(self, failure: Any) -> None: ...


class Child(Base):
    name = "child"
    alias = Base.parse_list  # one function under two names: either round-trips to it

    def parse_page(self, response: Any, extra: int = 0) -> None: ...


def outside(response: Any) -> None: ...


SPIDER = Child()
CASES = [
    Request("https://a.example/1"),
    Request("https://a.example/2", callback=SPIDER.parse_list, errback=SPIDER.failed, priority=3,
            meta={"xxgk_context": {"role": "column"}}, cb_kwargs={"n": 1}, dont_filter=True),
    Request("https://a.example/3", callback=SPIDER.parse_page, headers={"Referer": "https://a.example/"}),
    Request("https://a.example/4", callback=SPIDER.alias),
    FormRequest("https://a.example/5", formdata={"q": "x"}, callback=SPIDER.parse_list),
]


@pytest.mark.parametrize("request_", CASES, ids=lambda r: r.url)
def test_same_dict_as_scrapy(request_: Request) -> None:
    ours, theirs = request_to_dict(request_, SPIDER), request_.to_dict(spider=SPIDER)
    for key in ("callback", "errback"):  # a function under two names: Scrapy takes the first in order
        if isinstance(ours[key], str):
            assert getattr(SPIDER, ours.pop(key)).__func__ is getattr(SPIDER, theirs.pop(key)).__func__
    assert ours == theirs


def test_what_only_scrapy_can_name_goes_its_way() -> None:
    assert method_name(SPIDER, None) is None and method_name(SPIDER, "parse_list") == "parse_list"
    assert method_name(SPIDER, SPIDER.parse_list) == "parse_list"
    for func in (partial(SPIDER.parse_page, extra=1), outside, Child.parse_list):
        assert not isinstance(method_name(SPIDER, func), str)
    with pytest.raises(ValueError):  # as Scrapy: a callback that is not the spider's cannot be queued
        request_to_dict(Request("https://a.example/6", callback=outside), SPIDER)


def test_queue_round_trip(tmp_path: Path) -> None:
    class FakeCrawler:
        spider = SPIDER

    queue = JobDiskQueue.from_crawler(FakeCrawler(), str(tmp_path / "q"))
    for request in CASES:
        queue.push(request)
    popped = [queue.pop() for _ in CASES][::-1]  # LIFO, as Scrapy's default
    queue.close()
    for before, after in zip(CASES, popped, strict=True):
        assert after is not None
        assert after.to_dict(spider=SPIDER) == request_from_dict(before.to_dict(spider=SPIDER), spider=SPIDER).to_dict(
            spider=SPIDER)
        assert type(after) is type(before) and after.callback == before.callback
