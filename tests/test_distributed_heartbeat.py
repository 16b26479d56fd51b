"""A worker's heartbeat survives a starved reactor; a lease the fleet took back is not fetched.

The failure these guard against: on a loaded machine a worker's reactor sat in one long callback for
longer than the heartbeat TTL, the heartbeat (beaten on that reactor) lapsed, the other workers
requeued its leases while it still held them, and both fetched the same URLs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from redis import Redis
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from twisted.internet.defer import succeed
from twisted.python.failure import Failure

from crawler.distributed import codec
from crawler.distributed.heartbeat import Heartbeat, LeaseCheck, LeaseLost
from crawler.distributed.scheduler import LEASE_META, LeasedQueue
from crawler.distributed.state import Keys, SharedState
from crawler.distributed.worker import ack_when_handled
from crawler.spiderloader import site_spider
from pipelines.chain import WORKER_CHAIN, item_pipelines
from tests.replica.fixture import Replica
from tests.support.distributed import drain, fetches, proxy_env, seed, start_workers
from tests.support.redis_server import MISSING, redis_server_binary, running_redis

pytestmark = pytest.mark.skipif(redis_server_binary() is None, reason=MISSING)
TTL = 0.3


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def server(redis_url: str) -> Redis:
    server = Redis.from_url(redis_url)
    server.flushdb()
    return server


def leased(server: Redis, worker: str = "w0") -> tuple[LeasedQueue, Request]:
    spider = site_spider("wendeng")()
    keys = Keys("t")
    queue = LeasedQueue(server, spider, keys.queue("wendeng"), codec, keys=keys, worker=worker)
    queue.push(Request("http://www.wendeng.gov.cn/a.html", callback=spider.parse_home))
    request = queue.pop()
    assert request is not None
    return queue, request


def block_like_a_long_callback(seconds: float) -> None:
    """Hold the calling thread, as an inline extraction holds the reactor (pure Python, no sleep)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(1000))


def test_a_beat_only_from_the_blocked_caller_lapses_and_its_leases_are_taken(server: Redis) -> None:
    """The old mechanism, for contrast: a beat that waits for the caller is lost while it is busy."""
    state = SharedState(server, Keys("t"))
    leased(server)
    state.beat("w0", TTL)
    block_like_a_long_callback(TTL * 3)  # no beat meanwhile: the reactor was busy
    assert state.reap(["wendeng"]) == 1  # taken from a worker that is still working on it


def test_the_heartbeat_thread_keeps_a_busy_worker_alive(server: Redis) -> None:
    state = SharedState(server, Keys("t"))
    _, request = leased(server)
    heartbeat = Heartbeat(SharedState(Redis.from_url(_url(server)), Keys("t")), "w0", TTL)
    heartbeat.start()
    try:
        for _ in range(3):
            block_like_a_long_callback(TTL * 2)  # callbacks longer than the TTL, back to back
            assert state.reap(["wendeng"]) == 0
        heartbeat.progress()
        assert state.holds("wendeng", "w0", request.meta[LEASE_META])
        assert heartbeat.beats >= 4
    finally:
        heartbeat.stop()


def test_a_hung_reactor_stops_the_beat_so_the_fleet_takes_over(server: Redis) -> None:
    state = SharedState(server, Keys("t"))
    leased(server)
    heartbeat = Heartbeat(SharedState(Redis.from_url(_url(server)), Keys("t")), "w0", TTL, stall_s=TTL)
    heartbeat.start()
    try:
        time.sleep(TTL * 4)  # no progress() at all: hung, not busy
        assert heartbeat.hung()
        assert state.reap(["wendeng"]) == 1
    finally:
        heartbeat.stop()


def test_a_stopped_heartbeat_lets_the_key_expire(server: Redis) -> None:
    heartbeat = Heartbeat(SharedState(Redis.from_url(_url(server)), Keys("t")), "w0", TTL)
    heartbeat.start()
    heartbeat.start()  # a second crawler of the same process shares it
    heartbeat.stop()
    assert heartbeat._thread is not None  # one crawler still open
    heartbeat.stop()
    time.sleep(TTL * 1.5)
    assert not server.exists(Keys("t").alive("w0"))


def lease_check(server: Redis, worker: str = "w0") -> LeaseCheck:
    crawler: Any = SimpleNamespace(spider=SimpleNamespace(name="wendeng"), stats=None)
    return LeaseCheck(crawler, SharedState(server, Keys("t")), worker)


def test_a_held_lease_is_fetched(server: Redis) -> None:
    _, request = leased(server)
    assert lease_check(server).process_request(request) is None


def test_a_lease_the_fleet_took_back_is_not_fetched(server: Redis) -> None:
    state = SharedState(server, Keys("t"))
    _, request = leased(server)
    assert state.reap(["wendeng"]) == 1  # w0 never beat: dead to the fleet, its lease requeued
    with pytest.raises(LeaseLost):
        lease_check(server).process_request(request)
    assert state.queued("wendeng") == 1  # still queued for whoever leases it next: nothing lost


def test_a_request_not_fetched_is_not_counted_as_sent(server: Redis) -> None:
    """The downloader stats (850) count a request before this check (945) drops it: it is uncounted."""
    from scrapy.downloadermiddlewares.stats import DownloaderStats
    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    state = SharedState(server, Keys("t"))
    _, request = leased(server)
    assert state.reap(["wendeng"]) == 1
    crawler: Any = SimpleNamespace(spider=SimpleNamespace(name="wendeng"), stats=None, settings=Settings())
    crawler.stats = MemoryStatsCollector(crawler)
    DownloaderStats(crawler.stats).process_request(request)
    with pytest.raises(LeaseLost):
        LeaseCheck(crawler, state, "w0").process_request(request)
    counted = crawler.stats.get_stats()
    assert (counted["downloader/request_count"], counted["downloader/request_bytes"],
            counted["downloader/request_method_count/GET"], counted["xxgk/distributed/lease_lost"]) == (0, 0, 0, 1)


def test_a_lease_lost_with_a_restarted_redis_is_still_fetched(server: Redis) -> None:
    """Not taken back by the fleet, only forgotten (restart from an older snapshot): queued nowhere."""
    _, request = leased(server)
    server.hdel(Keys("t").leases("wendeng", "w0"), request.meta[LEASE_META])
    assert lease_check(server).process_request(request) is None


def test_a_lost_lease_reaches_no_errback_and_is_acknowledged() -> None:
    handled: list[Any] = []
    acked: list[Request] = []
    engine: Any = SimpleNamespace(_handle_downloader_output=lambda result, request: handled.append(result)
                                  or succeed(None))
    ack_when_handled(engine, acked.append)
    request = Request("http://www.wendeng.gov.cn/a.html")
    engine._handle_downloader_output(Failure(LeaseLost("gone")), request)
    assert handled == [] and acked == [request]
    engine._handle_downloader_output(Failure(IgnoreRequest("offsite")), request)
    assert len(handled) == 1 and len(acked) == 2  # any other failure goes to the spider as before


def test_a_request_without_a_lease_is_not_checked(server: Redis) -> None:
    assert lease_check(server).process_request(Request("http://www.wendeng.gov.cn/robots.txt")) is None


def _url(server: Redis) -> str:
    kwargs = server.get_connection_kwargs()
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}"


# --- end to end: workers whose reactor stalls for longer than the heartbeat TTL ------------------


@pytest.mark.e2e
def test_workers_whose_reactor_stalls_past_the_ttl_fetch_no_url_twice(
    replica: Replica, redis_url: str, tmp_path: Path
) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/3"
    Redis.from_url(url).flushdb()
    env = proxy_env(replica.proxy_url)
    seed(url, env, sites=("wendeng",))
    pipelines = item_pipelines(WORKER_CHAIN) | {"tests.support.stall.StallPipeline": 150}
    settings = ["XXGK_WORKER_HEARTBEAT_TTL=1", "XXGK_TEST_STALL_S=4", f"ITEM_PIPELINES={json.dumps(pipelines)}"]
    workers = start_workers(url, tmp_path, env, 2, tmp_path / "logs", settings=settings)
    try:
        drain(url, tmp_path, env)
        codes = workers.wait()
    finally:
        workers.stop()
    assert codes == [0, 0], [workers.log_tail(i) for i in (0, 1)]
    stalled = sum(log.read_text(errors="replace").count("stalling the reactor") for log in workers.logs)
    assert stalled >= 2, "no reactor stalled: the test proved nothing"
    twice = {key: count for key, count in fetches(tmp_path / "warc").items() if count > 1}
    assert twice == {}
