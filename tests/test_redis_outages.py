"""Issue 20, Redis outages: a real redis-server that the tests stop and start again on the same port.

What is checked here on constructed examples (the crawl through an outage is in
tests/test_e2e_infrastructure.py): a command waits through a restart and logs it, an outage longer
than XXGK_REDIS_OUTAGE_S fails with a clear error, a Redis restarted without persistence is told
apart from one restarted with it, and the drainer stops loudly when its crawl was forgotten.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from crawler.distributed.connection import OutageRetry, RedisOutage, resilient_redis
from crawler.distributed.drain import Drainer
from crawler.distributed.state import CrawlStateLost, Keys, SharedState
from tests.support.redis_server import MISSING, RestartableRedis, redis_server_binary

pytestmark = pytest.mark.skipif(redis_server_binary() is None, reason=MISSING)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RestartableRedis]:
    server = RestartableRedis(tmp_path / "redis", persist=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def client(url: str, outage_s: float = 30.0) -> Redis:
    # not the per-process cache of resilient_redis: every test its own retry state
    return Redis.from_url(url, retry=OutageRetry(outage_s), socket_connect_timeout=2)


def restart_in_background(server: RestartableRedis, down_seconds: float, **options: bool) -> threading.Thread:
    thread = threading.Thread(target=server.restart, args=(down_seconds,), kwargs=options)
    thread.start()
    return thread


def test_a_command_waits_through_a_restart_and_logs_it(redis: RestartableRedis,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    server = client(redis.url)
    server.set("k", "before")
    restarting = restart_in_background(redis, 1.5)
    time.sleep(0.3)  # the server is down now
    with caplog.at_level(logging.WARNING, logger="crawler.distributed.connection"):
        assert server.get("k") == b"before"  # waited, reconnected, and the data persisted
    restarting.join()
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("Redis unreachable") for m in messages), messages
    assert any(m.startswith("Redis is back after") for m in messages), messages
    assert server.get_retry().outages == 1


def test_an_outage_longer_than_the_limit_fails_with_a_clear_error(redis: RestartableRedis) -> None:
    server = client(redis.url, outage_s=0.5)
    server.ping()
    redis.stop()
    started = time.monotonic()
    with pytest.raises(RedisOutage, match="XXGK_REDIS_OUTAGE_S"):
        server.get("k")
    assert 0.5 <= time.monotonic() - started < 5


def test_reaping_waits_one_heartbeat_after_an_outage() -> None:
    now = [100.0]
    retry = OutageRetry(60, clock=lambda: now[0])
    assert not retry.in_grace(30)
    retry.down_since = 90.0
    retry._recovered()
    assert retry.in_grace(30)
    now[0] = 131.0
    assert not retry.in_grace(30)


def test_one_client_per_url_shares_its_outage_state() -> None:
    url = "redis://127.0.0.1:1/0"
    assert resilient_redis(url, 5) is resilient_redis(url, 5)
    pool_retry = resilient_redis(url, 5).connection_pool.connection_kwargs["retry"]
    assert pool_retry is resilient_redis(url, 5).get_retry()


def test_a_restart_with_persistence_keeps_the_crawl(redis: RestartableRedis) -> None:
    state = SharedState(client(redis.url), Keys("t"))
    crawl = state.start_crawl()
    assert state.start_crawl() == crawl  # seeding again joins the crawl under way
    redis.restart()
    state.check_crawl(crawl)


def test_a_restart_without_persistence_is_detected(redis: RestartableRedis) -> None:
    state = SharedState(client(redis.url), Keys("t"))
    crawl = state.start_crawl()
    redis.restart(persist=False)
    with pytest.raises(CrawlStateLost, match=r"lost this crawl.s state .*t:crawl is gone"):
        state.check_crawl(crawl)


def test_the_drainer_stops_loudly_when_redis_forgot_the_crawl(redis: RestartableRedis, tmp_path: Path) -> None:
    """A drainer waiting for workers, Redis restarted empty: it exits non-zero saying why, instead of
    waiting forever (or, with the sites forgotten too, ending an empty crawl as if complete)."""
    keys = Keys()
    state = SharedState(Redis.from_url(redis.url), keys)
    state.start_crawl()
    state.add_site("hy", None)
    state.server.zadd(keys.queue("hy"), {b"a request no worker takes": 0})
    drainer = subprocess.Popen([sys.executable, "-m", "crawler", "drain", "--redis", redis.url,
                                "--data-dir", str(tmp_path / "data")], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "data" / "xxgk.db").exists():  # connected, and its database opened
            assert drainer.poll() is None and time.monotonic() < deadline, "the drainer did not start"
            time.sleep(0.05)
        time.sleep(1)
        assert drainer.poll() is None  # waiting for the workers
        redis.restart(1.0, persist=False)
        _, stderr = drainer.communicate(timeout=60)
    finally:
        if drainer.poll() is None:
            drainer.kill()
    assert drainer.returncode != 0
    assert "lost this crawl's state" in stderr and "xxgk:crawl is gone" in stderr, stderr[-2000:]


def test_the_drainer_carries_on_after_a_restart_with_persistence(redis: RestartableRedis, tmp_path: Path) -> None:
    keys = Keys()
    server = client(redis.url)
    state = SharedState(server, keys)
    state.start_crawl()
    server.lpush(keys.items, b"not an envelope")
    with Drainer(server, keys, tmp_path) as drainer:
        restarting = restart_in_background(redis, 1.5)
        time.sleep(0.3)
        stats = drainer.run(until_complete=False, poll_seconds=0.1)
        restarting.join()
    assert stats.get_value("xxgk/error/drain_decode") == 1  # the message outlived the restart
    assert server.get_retry().outages >= 1


def test_a_lease_nobody_holds_goes_back_to_the_queue(redis: RestartableRedis) -> None:
    """The pop ran but its reply was lost (the connection dropped), so the retry popped another: the
    first lease is in Redis, unknown to the worker; after the outage it is handed back."""
    state = SharedState(client(redis.url), Keys("t"))
    state.server.zadd(Keys("t").queue("s"), {b"first": 0, b"second": 1})
    state.lease("s", "w")  # its reply "lost"
    kept, _ = state.lease("s", "w")
    assert state.requeue_strays("s", "w", held={kept}) == 1
    assert state.server.zrange(Keys("t").queue("s"), 0, -1) == [b"first"]
    assert state.server.hkeys(Keys("t").leases("s", "w")) == [kept.encode()]
    assert state.requeue_strays("s", "w", held={kept}) == 0


@pytest.mark.e2e
def test_a_worker_fails_loudly_when_redis_comes_back_empty(redis: RestartableRedis, tmp_path: Path) -> None:
    """Mid-crawl, Redis restarted without persistence: the worker closes as redis_state_lost and exits
    non-zero, instead of finding "nothing queued" and finishing as if the crawl were complete."""
    from tests.replica.fixture import running_replica
    from tests.support.distributed import proxy_env, seed, start_workers

    with running_replica(seed=0) as replica:
        env = proxy_env(replica.proxy_url)
        seed(redis.url, env, sites=("hy",))
        workers = start_workers(redis.url, tmp_path, env, 1, tmp_path / "logs", settings=["XXGK_WORKERS=1"])
        try:
            server = Redis.from_url(redis.url)
            deadline = time.monotonic() + 120
            while server.scard(Keys().dupefilter("hy")) < 30:
                assert time.monotonic() < deadline and workers.procs[0].poll() is None, workers.log_tail(0)
                time.sleep(0.05)
            redis.restart(1.0, persist=False)
            (code,) = workers.wait(timeout=120)
        finally:
            workers.stop()
    log = workers.log_tail(0)
    assert code != 0, log
    assert "lost this crawl's state" in log and "ended with 'redis_state_lost'" in log, log
