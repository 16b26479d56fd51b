"""Redis connections that ride out an outage: a restarted or briefly unreachable Redis is waited for.

redis-py retries a failed command through its ``Retry`` object (disconnect, reconnect, send again);
:class:`OutageRetry` is one bounded by *time*, not by a count — it keeps retrying, with exponential
backoff, until Redis answers or ``XXGK_REDIS_OUTAGE_S`` seconds have passed, and says so in the log
when Redis goes away and when it is back. Every command of a worker, the drainer or the seeder goes
through it, so none of them dies on the first connection error.

Why a retried command does no harm: what the crawl sends is idempotent or made so — ``SADD``, ``HSET``,
``HDEL``, ``SET`` are; a request pushed twice is stopped by the dupefilter's ``SADD`` in the same
script; an item pushed twice is the same envelope (same id), stored once by the drainer
(``drained_items``); an item moved to ``P:items:draining`` whose reply was lost is finished by the
drainer's recovery. After an outage nobody reaps leases for one heartbeat TTL (:meth:`OutageRetry.
in_grace`): a worker whose heartbeat key expired during the outage gets the time to beat again,
so its requests are not handed to another worker while it still works on them.

A Redis restarted *without* persistence answers again but has forgotten the crawl: the marker key
the seeder writes (``P:crawl``) is gone, and :meth:`SharedState.check_crawl
<crawler.distributed.state.SharedState.check_crawl>` fails loudly instead of letting a worker or
the drainer "finish" an empty crawl.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from typing import Any, TypeVar

from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, RedisError, TimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_OUTAGE_S = 300.0
BACKOFF_CAP_S = 2.0  # at most this long between two attempts: a restarted Redis is used within 2 s
BACKOFF_BASE_S = 0.05


class RedisOutage(RedisError):
    """Redis stayed unreachable for longer than the configured outage (not retried again)."""


class OutageRetry(Retry):
    """Retry connection errors (refused, reset, timeout, Redis still loading) for up to ``outage_s``."""

    def __init__(self, outage_s: float = DEFAULT_OUTAGE_S, *, cap: float = BACKOFF_CAP_S,
                 base: float = BACKOFF_BASE_S, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(ExponentialBackoff(cap=cap, base=base), retries=-1,
                         supported_errors=(ConnectionError, TimeoutError, socket.timeout))
        self.outage_s = outage_s
        self.clock = clock
        self.down_since: float | None = None
        self.recovered_at: float | None = None
        self.outages = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> OutageRetry:
        # redis-py deep-copies the retry into every connection: one shared state per client instead
        return self

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__

    def call_with_retry(self, do: Callable[[], T], fail: Callable[..., Any],
                        is_retryable: Callable[[Exception], bool] | None = None,
                        with_failure_count: bool = False) -> T:
        failures = 0
        while True:
            try:
                result = do()
            except self._supported_errors as error:
                if is_retryable and not is_retryable(error):
                    raise
                failures += 1
                fail(error, failures) if with_failure_count else fail(error)
                self._wait(error, failures)
            else:
                self._recovered()
                return result

    def _wait(self, error: Exception, failures: int) -> None:
        now = self.clock()
        if self.down_since is None:
            self.down_since = now
            logger.warning("Redis unreachable (%s: %s): reconnecting, for up to %.0f s (XXGK_REDIS_OUTAGE_S)",
                           type(error).__name__, error, self.outage_s)
        if now - self.down_since >= self.outage_s:
            down, self.down_since = now - self.down_since, None
            raise RedisOutage(f"Redis unreachable for {down:.0f} s (XXGK_REDIS_OUTAGE_S = {self.outage_s:g}): "
                              f"{type(error).__name__}: {error}") from error
        time.sleep(self._backoff.compute(failures))

    def _recovered(self) -> None:
        if self.down_since is None:
            return
        now = self.clock()
        logger.warning("Redis is back after %.1f s: carrying on", now - self.down_since)
        self.down_since, self.recovered_at = None, now
        self.outages += 1

    def in_grace(self, seconds: float) -> bool:
        """Whether an outage ended less than ``seconds`` ago (reaping waits: heartbeats may have lapsed)."""
        return self.recovered_at is not None and self.clock() - self.recovered_at < seconds


_clients: dict[tuple[str, float], Redis] = {}


def resilient_redis(url: str, outage_s: float = DEFAULT_OUTAGE_S) -> Redis:
    """One client per process and URL (the scheduler, the push stage and the worker extension share
    it, and so its outage state), retrying through outages of up to ``outage_s``."""
    key = (url, outage_s)
    if key not in _clients:
        _clients[key] = new_redis(url, outage_s)
    return _clients[key]


def new_redis(url: str, outage_s: float = DEFAULT_OUTAGE_S) -> Redis:
    """A client of its own (not shared), retrying through outages of up to ``outage_s``."""
    return Redis.from_url(url, retry=OutageRetry(outage_s), socket_connect_timeout=5,
                          socket_keepalive=True, health_check_interval=30)


def outage_of(server: Redis) -> OutageRetry | None:
    retry = server.get_retry()
    return retry if isinstance(retry, OutageRetry) else None


def outage_seconds(settings: Any) -> float:
    return settings.getfloat("XXGK_REDIS_OUTAGE_S", DEFAULT_OUTAGE_S)


def redis_from_settings(settings: Any) -> Redis:
    """The worker's client (``XXGK_REDIS_URL``); NotConfigured outside distributed mode."""
    from scrapy.exceptions import NotConfigured

    url = settings.get("XXGK_REDIS_URL")
    if not url:
        raise NotConfigured("XXGK_REDIS_URL is empty: not a distributed worker")
    return resilient_redis(url, outage_seconds(settings))
