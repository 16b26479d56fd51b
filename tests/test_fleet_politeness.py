"""Politeness across distributed workers (crawler/distributed/politeness.py): a host's concurrency and
delay hold for the whole fleet. The grant script against a real redis-server on constructed hosts; then
three workers crawl three generated counties (tests/replica/counties.py) behind a paced replica, and the
WARC request timestamps and the server's own count say no host saw more than its limits."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest
from redis import Redis
from warcio.archiveiterator import ArchiveIterator

from crawler.distributed.politeness import FleetPoliteness, host_keys
from crawler.platforms.urls import url_host
from tests.replica.fixture import running_counties
from tests.replica.pacing import Pacing
from tests.support.distributed import drain, proxy_env, seed, start_workers
from tests.support.redis_server import MISSING, redis_server_binary, running_redis

pytestmark = pytest.mark.skipif(redis_server_binary() is None, reason=MISSING)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


def fleet(url: str, limit: int = 2, delay: float = 0.0, ttl: float = 60.0, worker: str = "w0") -> FleetPoliteness:
    return FleetPoliteness(Redis.from_url(url), "test", worker, limit, delay, ttl)


@pytest.fixture
def server(redis_url: str) -> Redis:
    server = Redis.from_url(redis_url)
    server.flushdb()
    return server


# --- the grant, on constructed hosts ------------------------------------------------------------


def test_no_more_grants_than_the_limit_across_workers_until_one_is_released(redis_url: str, server: Redis) -> None:
    one, two = fleet(redis_url, worker="w0"), fleet(redis_url, worker="w1")
    assert [one.ask("a.gov.cn", "g1"), two.ask("a.gov.cn", "g2"), two.ask("a.gov.cn", "g3")] == [0, 0, -1]
    server.zrem(host_keys("test", "a.gov.cn")[0], "g1")  # what release() does with the response
    assert two.ask("a.gov.cn", "g3") == 0


def test_hosts_have_limits_of_their_own(redis_url: str, server: Redis) -> None:
    limited = fleet(redis_url, limit=1, delay=5.0)
    assert [limited.ask(host, f"g-{host}") for host in ("a.gov.cn", "b.gov.cn", "c.gov.cn")] == [0, 0, 0]


def test_the_delay_spaces_grants_for_the_whole_fleet(redis_url: str, server: Redis) -> None:
    one, two = fleet(redis_url, limit=10, delay=0.3, worker="w0"), fleet(redis_url, limit=10, delay=0.3, worker="w1")
    assert one.ask("a.gov.cn", "g1") == 0
    wait = two.ask("a.gov.cn", "g2")
    assert 0 < wait <= 300
    time.sleep(wait / 1000 + 0.01)
    assert two.ask("a.gov.cn", "g2") == 0


def test_a_killed_workers_grant_expires(redis_url: str, server: Redis) -> None:
    dying, alive = fleet(redis_url, limit=1, ttl=0.1, worker="w0"), fleet(redis_url, limit=1, worker="w1")
    assert dying.ask("a.gov.cn", "g1") == 0  # never released: its worker was killed
    assert alive.ask("a.gov.cn", "g2") == -1
    time.sleep(0.15)
    assert alive.ask("a.gov.cn", "g2") == 0


def test_a_released_request_gives_its_slot_back_once(redis_url: str, server: Redis) -> None:
    from scrapy import Request

    middleware = fleet(redis_url, limit=1)
    request = Request("http://a.gov.cn/x.html")
    assert middleware.ask("a.gov.cn", "g1") == 0
    request.meta["xxgk_host_grant"] = ("a.gov.cn", "g1")
    middleware.release(request)
    middleware.release(request)  # a second release (response after an exception) frees nothing else
    assert middleware.ask("a.gov.cn", "g2") == 0 and middleware.ask("a.gov.cn", "g3") == -1


# --- three workers, three counties --------------------------------------------------------------

#: answers slower than the delay: without a fleet-wide limit, requests to one host would pile up
LIMIT, DELAY, LATENCY = 2, 0.05, 0.25


def request_times(warc_dir: Path) -> dict[str, list[tuple[datetime, str]]]:
    """host → (WARC-Date, worker) of every request record, in time order."""
    found: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for path in sorted(warc_dir.glob("*.warc.gz")):
        worker = path.name.removesuffix(".warc.gz").rsplit("-", 1)[1]
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request":
                    when = datetime.fromisoformat(record.rec_headers.get_header("WARC-Date").replace("Z", "+00:00"))
                    found[url_host(record.rec_headers.get_header("WARC-Target-URI"))].append((when, worker))
    return {host: sorted(times) for host, times in found.items()}


@pytest.mark.e2e
def test_three_workers_keep_each_hosts_limits_between_them(redis_url: str, tmp_path: Path) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/3"
    Redis.from_url(url).flushdb()
    pacing = Pacing(latency=LATENCY)  # answers take a while, as on the internet: requests overlap
    with running_counties(50, seed=11, pacing=pacing) as counties:
        sites = counties.sites[:3]
        env = proxy_env(counties.proxy_url) | {"XXGK_SITES_DIR": str(counties.sites_dir)}
        seed(url, env, sites)
        limits = [f"CONCURRENT_REQUESTS_PER_DOMAIN={LIMIT}", f"DOWNLOAD_DELAY={DELAY}", "XXGK_WORKERS=1"]
        workers = start_workers(url, tmp_path, env, 3, tmp_path / "logs", settings=limits)
        try:
            drain(url, tmp_path, env)
            codes = workers.wait(timeout=300)
        finally:
            workers.stop()
        hosts = {counties.world.spec(site).host for site in sites}
        peak = pacing.peak()
    assert codes == [0, 0, 0], [workers.log_tail(i) for i in range(3)]
    times = request_times(tmp_path / "warc")
    assert set(times) == hosts
    assert {worker for host in hosts for _, worker in times[host]} == {"w0", "w1", "w2"}  # all worked
    for host in hosts:
        gaps = [(b - a).total_seconds() for (a, _), (b, _) in pairwise(times[host])]
        assert min(gaps) >= DELAY - 0.01, (host, sorted(gaps)[:5])  # the delay, for the whole fleet
        assert len({worker for _, worker in times[host]}) > 1  # … though several workers fetched from it
    assert max(peak[host] for host in hosts) == LIMIT  # the server saw the limit reached, never passed
