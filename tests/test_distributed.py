"""Distributed mode (issue 9): workers sharing a Redis queue, one drainer writing SQLite.

Needs a real redis-server (Debian package ``redis-server``, installed by ``make system``): each
test module run starts its own on a free 127.0.0.1 port, without persistence, and skips when the
binary is missing. The end-to-end tests compare against a one-process crawl of the same replica;
what they assert comes from crawling, never from the replica's manifest.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from redis import Redis
from scrapy import FormRequest, Request

import crawler.cli  # noqa: F401  (loads the command modules in the order the CLI does)
from crawler.distributed import codec
from crawler.distributed.drain import Drainer
from crawler.distributed.scheduler import LEASE_META, LeasedQueue
from crawler.distributed.state import Keys, SharedState
from crawler.extract.model import Cell, CheckResult, ExtractedReport, Narrative
from crawler.items import FetchedDocument, ReportPage
from crawler.platforms.hanweb import JpageOptions
from crawler.spiderloader import site_spider
from pipelines.push import envelope
from tests.replica.fixture import Replica
from tests.support.distributed import (
    DUMPS,
    SITES,
    database,
    distributed_crawl,
    document,
    drain,
    dump,
    fetches,
    proxy_env,
    run_xxgk,
    seed,
    start_workers,
)
from tests.support.redis_server import MISSING, redis_server_binary, running_redis

pytestmark = pytest.mark.skipif(redis_server_binary() is None, reason=MISSING)
WendengSpider = site_spider("wendeng")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


# --- the wire format ----------------------------------------------------------------------------


def report_page() -> ReportPage:
    report = ExtractedReport(
        agency="威海市文登区人民政府", agency_as_printed="文登区人民政府", year=2023, published="2024-01-16",
        format="G2", table_render="html",
        sec2={"b1": {"r1": {"new": Cell(3, "3")}}},
        sec3={"new_received": {"total": Cell(Decimal("12.5"), "12.5", "approx")}},
        sec4={}, narrative=Narrative(proactive_total=Decimal("7"), facts=[]),
        checks={"c1": CheckResult("c1", "pass", True, delta=Decimal("0.10"))},
    )
    attachment = FetchedDocument(site="wendeng", url="http://a/x.pdf", final_url="http://a/x.pdf", status=200,
                                 content_type="application/pdf", sha256="0" * 64, fetched_at="2024-01-01T00:00:00Z",
                                 role="attachment", body=b"%PDF-\x00\xff")
    return ReportPage(site="wendeng", url="http://a/r.html", final_url="http://a/r.html", status=200,
                      content_type="text/html; charset=utf-8", body="报告".encode() + b"\x00\xfe",
                      encoding="utf-8", sha256="1" * 64, fetched_at="2024-01-02T03:04:05.000006Z",
                      attachments=[attachment], text="正文", extracted=report)


def test_codec_round_trips_an_extracted_report_page() -> None:
    page = report_page()
    assert codec.loads(codec.dumps(page)) == page


def test_a_field_at_its_default_does_not_travel() -> None:
    # a drainer of the version before a field was added (ReportPage.rows) still reads the message
    import json

    page = report_page()
    fields = json.loads(codec.dumps(page))["fields"]
    assert "rows" not in fields and page.rows is None
    assert "extracted" in fields  # what is set travels
    assert codec.loads(codec.dumps(page)) == page


def test_codec_keeps_decimal_amounts_exact() -> None:
    cell = codec.loads(codec.dumps(report_page())).extracted.sec3["new_received"]["total"]
    assert cell.value == Decimal("12.5") and isinstance(cell.value, Decimal)


def test_codec_refuses_a_dataclass_it_does_not_know() -> None:
    from crawler.extract.model import Attachment

    message = codec.dumps(Attachment("http://a/b"))
    with pytest.raises(codec.CodecError, match="refusing"):
        codec.loads(message.replace(b"crawler.extract.model:Attachment", b"os:system"))


def test_codec_refuses_to_send_what_it_cannot_read_back() -> None:
    with pytest.raises(codec.CodecError):
        codec.dumps({"callback": print})


def test_a_request_crosses_redis_with_its_callback_and_context(redis_url: str) -> None:
    server = database(redis_url)
    spider = WendengSpider()
    options = JpageOptions("/module/web/jpage/dataproxy.jsp", 15, 100, 3, {"columnid": "1"})
    request = FormRequest(
        "http://www.wendeng.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46", formdata={"col": "1"},
        callback=spider.parse_dataproxy, errback=spider.on_error,
        cb_kwargs={"options": options, "form": {"col": "1"}, "window": (46, 90), "column": "年报", "planned": 100},
        meta={"xxgk_structural": True, "xxgk_context": {"site": "wendeng", "role": "dataproxy"}},
    )
    queue = LeasedQueue(server, spider, Keys("t").queue("wendeng"), codec, keys=Keys("t"), worker="w0")
    queue.push(request)
    popped = queue.pop()
    assert popped is not None
    assert (popped.method, popped.url, popped.body) == (request.method, request.url, request.body)
    assert popped.callback == spider.parse_dataproxy
    assert popped.errback == spider.on_error
    assert popped.cb_kwargs == request.cb_kwargs
    assert popped.meta["xxgk_context"] == request.meta["xxgk_context"]
    assert popped.meta[LEASE_META]


def test_hanweb_chrome_frozensets_survive(redis_url: str) -> None:
    server = database(redis_url)
    spider = WendengSpider()
    request = Request("http://www.wendeng.gov.cn/col/col1/index.html", callback=spider.parse_column,
                      cb_kwargs={"column": "年报", "depth": 1, "chrome": frozenset({"b", "a"})})
    queue = LeasedQueue(server, spider, "t:wendeng:requests", codec, keys=Keys("t"), worker="w0")
    queue.push(request)
    assert queue.pop().cb_kwargs["chrome"] == frozenset({"a", "b"})


# --- leases -------------------------------------------------------------------------------------


def push_requests(server: Redis, count: int) -> LeasedQueue:
    spider = WendengSpider()
    queue = LeasedQueue(server, spider, Keys("t").queue("wendeng"), codec, keys=Keys("t"), worker="w0")
    for index in range(count):
        queue.push(Request(f"http://www.wendeng.gov.cn/{index}.html", callback=spider.parse_home))
    return queue


def test_a_request_seen_before_is_not_queued_again(redis_url: str) -> None:
    server = database(redis_url)
    spider = WendengSpider()
    queue = LeasedQueue(server, spider, Keys("t").queue("wendeng"), codec, keys=Keys("t"), worker="w0")
    request = Request("http://www.wendeng.gov.cn/a.html", callback=spider.parse_home)
    fingerprint = "f" * 40
    assert queue.push_new(request, fingerprint)
    assert not queue.push_new(request.replace(), fingerprint)
    assert len(queue) == 1


def test_a_popped_request_is_leased_not_lost(redis_url: str) -> None:
    server = database(redis_url)
    queue = push_requests(server, 1)
    state = SharedState(server, Keys("t"))
    queue.pop()
    assert state.queued("wendeng") == 0
    assert not state.is_complete("wendeng")


def test_an_acknowledged_lease_completes_the_site(redis_url: str) -> None:
    server = database(redis_url)
    queue = push_requests(server, 1)
    request = queue.pop()
    queue.ack(request.meta[LEASE_META])
    assert SharedState(server, Keys("t")).is_complete("wendeng")


def test_a_dead_workers_leases_go_back_to_the_queue(redis_url: str) -> None:
    server = database(redis_url)
    queue = push_requests(server, 3)
    state = SharedState(server, Keys("t"))
    state.beat("w0", ttl_seconds=0.05)
    queue.pop(), queue.pop()
    time.sleep(0.1)  # the heartbeat expires: w0 is dead
    assert state.reap(["wendeng"]) == 2
    assert state.queued("wendeng") == 3


def test_a_live_workers_leases_stay_leased(redis_url: str) -> None:
    server = database(redis_url)
    queue = push_requests(server, 2)
    state = SharedState(server, Keys("t"))
    state.beat("w0", ttl_seconds=30)
    queue.pop()
    assert state.reap(["wendeng"]) == 0
    assert state.queued("wendeng") == 1


# --- the drainer --------------------------------------------------------------------------------


def document_rows(data_dir: Path) -> list[str]:
    from crawler.db import db_path, open_db

    db = open_db(db_path(data_dir))
    try:
        return [row["url"] for row in db.query("SELECT url FROM documents ORDER BY url")]
    finally:
        db.close()


def test_an_item_taken_but_not_acknowledged_is_stored_once_after_a_restart(redis_url: str, tmp_path: Path) -> None:
    server = database(redis_url)
    keys = Keys("t")
    message = envelope(document("http://a/1.html"), "w0")
    with Drainer(server, keys, tmp_path) as drainer:
        drainer.store_once(codec.loads(message)["id"], "w0", document("http://a/1.html"))
    server.lpush(keys.draining, message)  # committed, then killed before removing it from Redis
    server.lpush(keys.items, envelope(document("http://a/2.html"), "w1"))
    with Drainer(server, keys, tmp_path) as drainer:
        stats = drainer.run(until_complete=False, poll_seconds=0.05)
    assert document_rows(tmp_path) == ["http://a/1.html", "http://a/2.html"]
    assert stats.get_value("xxgk/drain/already_stored") == 1


def test_a_message_that_is_not_ours_is_kept_aside(redis_url: str, tmp_path: Path) -> None:
    server = database(redis_url)
    keys = Keys("t")
    server.lpush(keys.items, b"\x80\x04pickle?")
    with Drainer(server, keys, tmp_path) as drainer:
        stats = drainer.run(until_complete=False, poll_seconds=0.05)
    assert server.lrange(f"{keys.items}:rejected", 0, -1) == [b"\x80\x04pickle?"]
    assert stats.get_value("xxgk/error/drain_decode") == 1


# --- end to end against the replica -------------------------------------------------------------


@pytest.fixture(scope="module")
def single_process(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("single")
    run_xxgk(["crawl", *SITES, "--fast", "--data-dir", str(data_dir), "-s", "XXGK_WORKERS=0"],
             proxy_env(replica.proxy_url))
    return data_dir


@pytest.fixture(scope="module")
def three_workers(replica: Replica, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    url = redis_url.rsplit("/", 1)[0] + "/1"
    database(url)
    data_dir = tmp_path_factory.mktemp("distributed")
    distributed_crawl(url, replica.proxy_url, data_dir, workers=3, log_dir=data_dir / "logs")
    return data_dir


@pytest.mark.e2e
def test_three_workers_and_a_drainer_store_what_one_process_stores(single_process: Path, three_workers: Path) -> None:
    expected, found = dump(single_process), dump(three_workers)
    assert expected["reports"], "the single-process crawl found no report"
    for table in DUMPS:
        assert found[table] == expected[table], table


@pytest.mark.e2e
def test_no_url_is_fetched_twice_by_the_workers(three_workers: Path) -> None:
    twice = {key: count for key, count in fetches(three_workers / "warc").items() if count > 1}
    assert twice == {}


@pytest.mark.e2e
def test_the_workers_fetch_what_one_process_fetches(single_process: Path, three_workers: Path) -> None:
    assert set(fetches(three_workers / "warc")) == set(fetches(single_process / "warc"))


@pytest.mark.e2e
def test_each_worker_archives_into_files_of_its_own(three_workers: Path) -> None:
    names = {path.name.removesuffix(".warc.gz").rsplit("-", 1)[1] for path in (three_workers / "warc").glob("*.warc.gz")}
    assert names == {"w0", "w1", "w2"}


@pytest.mark.e2e
def test_a_worker_killed_mid_crawl_loses_nothing(
    replica: Replica, redis_url: str, single_process: Path, tmp_path: Path
) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/2"
    server = database(url)
    env = proxy_env(replica.proxy_url)
    seed(url, env)
    # a short heartbeat, so that the survivors notice the death within seconds; extraction in a pool
    # process (not inline), so that OCR of a table picture never holds up a live worker's heartbeat
    workers = start_workers(url, tmp_path, env, 3, tmp_path / "logs",
                            settings=["XXGK_WORKER_HEARTBEAT_TTL=5", "XXGK_WORKERS=1"])
    try:
        held = kill_while_holding_leases(server, workers.procs[0].pid, worker="w0")
        drain(url, tmp_path, env)
        codes = workers.wait()
    finally:
        workers.stop()
    assert held > 0, "w0 held no lease when killed: the test proved nothing"
    assert codes[1:] == [0, 0], [workers.log_tail(i) for i in (1, 2)]
    assert codes[0] == -signal.SIGKILL
    assert dump(tmp_path) == dump(single_process)


def kill_while_holding_leases(server: Redis, pid: int, worker: str, timeout: float = 60) -> int:
    """SIGKILL the worker once the crawl is well under way and it holds leases; return how many."""
    keys = Keys()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = sum(server.scard(keys.dupefilter(site)) for site in SITES)
        held = sum(server.hlen(keys.leases(site, worker)) for site in SITES)
        if seen >= 120 and held:
            os.kill(pid, signal.SIGKILL)
            return held
        time.sleep(0.02)
    raise AssertionError(f"{worker} never held a lease mid-crawl")
