"""Politeness for the whole fleet: a host's concurrency and delay hold across every ``xxgk worker``.

Scrapy's own limits (``CONCURRENT_REQUESTS_PER_DOMAIN``, ``DOWNLOAD_DELAY``) are per process: N workers
would hit one small county server N times as hard as one. :class:`FleetPoliteness` asks Redis for a
grant before each request leaves a worker:

    P:host:HOST:slots   zset  grant id → expiry (ms): the requests to HOST in flight, fleet-wide
    P:host:HOST:next    str   the earliest time (ms) the next request to HOST may start; expires itself

A grant is given when fewer than ``XXGK_HOST_CONCURRENCY`` (default: ``CONCURRENT_REQUESTS_PER_DOMAIN``)
requests to the host are in flight and ``XXGK_HOST_DELAY`` s (default: ``DOWNLOAD_DELAY``) have passed
since the last grant, in one script on Redis' clock (workers on several machines agree on it). The
request waits otherwise, without holding up other hosts (each site runs in a crawler of its own). The
grant ends with the response or the error; one held by a killed worker expires after
``DOWNLOAD_TIMEOUT`` plus a margin. So adding workers adds hosts crawled at once, never load on one host.
``--fast`` (the loopback replica only) turns it off along with the delays (``XXGK_HOST_POLITENESS``).

The middleware sits just below the archive's (950), so the WARC-Date of a request is the time it was
granted: the fleet's schedule can be checked from the archive alone. A downloader middleware runs before
the request waits in the worker's own downloader slot, so a local delay after the grant could bring two
workers' sends closer than the fleet's delay: with the grants on, :func:`delay_in_the_fleet` moves the
delay into the grant (the worker's DOWNLOAD_DELAY, jitter and AutoThrottle off). The worker's per-domain
limit stays (it can only hold a request longer).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import sleep

from crawler.distributed.connection import redis_from_settings
from crawler.distributed.scheduler import worker_name
from crawler.distributed.state import DEFAULT_PREFIX

logger = logging.getLogger(__name__)

#: request.meta key: the fleet grant a request holds while it is in flight
GRANT_META = "xxgk_host_grant"
#: how long a request waits before asking again when the host has no free slot
POLL_SECONDS = 0.05
#: how long past DOWNLOAD_TIMEOUT a grant of a killed worker still counts
GRANT_MARGIN_S = 30.0

# KEYS: slots zset, next key. ARGV: limit, delay ms, grant ttl ms, grant id.
# Returns 0 (granted), the ms to wait for the delay, or -1 (every slot busy: ask again soon).
_GRANT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local after = tonumber(redis.call('GET', KEYS[2]) or '0')
if after > now then return after - now end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return -1 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
local delay = tonumber(ARGV[2])
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay) end
return 0
"""


def host_keys(prefix: str, host: str) -> tuple[str, str]:
    return f"{prefix}:host:{host}:slots", f"{prefix}:host:{host}:next"


class FleetPoliteness:
    """Downloader middleware of an ``xxgk worker``: one fleet-wide grant per request to a host."""

    def __init__(self, server: Any, prefix: str, worker: str, limit: int, delay: float, ttl: float) -> None:
        self.server = server
        self.prefix = prefix
        self.limit = max(1, limit)
        self.delay_ms = max(0, round(delay * 1000))
        self.ttl_ms = max(1, round(ttl * 1000))
        self._grant = server.register_script(_GRANT)
        self._ids = (f"{worker}:{n}" for n in itertools.count())
        self._turns: dict[str, asyncio.Lock] = {}  # host → whose turn it is to ask (Scrapy's asyncio reactor)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("XXGK_HOST_POLITENESS", True):
            raise NotConfigured("fleet-wide politeness is off (XXGK_HOST_POLITENESS=False)")
        server = redis_from_settings(settings)  # NotConfigured outside distributed mode
        limit = settings.getint("XXGK_HOST_CONCURRENCY", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8))
        delay = settings.getfloat("XXGK_HOST_DELAY", settings.getfloat("DOWNLOAD_DELAY", 0.0))
        ttl = settings.getfloat("DOWNLOAD_TIMEOUT", 180.0) + GRANT_MARGIN_S
        prefix = settings.get("XXGK_REDIS_PREFIX") or DEFAULT_PREFIX
        return cls(server, prefix, worker_name(settings), limit, delay, ttl)

    async def process_request(self, request: Request) -> None:
        self.release(request)  # a grant copied along with the meta of the request this one replaces
        host = urlsplit(request.url).hostname or ""
        if not host:
            return
        grant = next(self._ids)
        # one request per host and worker asks Redis at a time, the others queue behind it here: a
        # full host is polled by each worker once per POLL_SECONDS, not once per waiting request
        async with self._turns.setdefault(host, asyncio.Lock()):
            while (wait := self.ask(host, grant)) != 0:
                await sleep(POLL_SECONDS if wait < 0 else wait / 1000)
        request.meta[GRANT_META] = (host, grant)

    def ask(self, host: str, grant: str) -> int:
        """0 once granted; else how many ms to wait (-1: no free slot)."""
        keys = host_keys(self.prefix, host)
        return int(self._grant(keys=list(keys), args=[self.limit, self.delay_ms, self.ttl_ms, grant]))

    def process_response(self, request: Request, response: Response) -> Response:
        self.release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self.release(request)

    def release(self, request: Request) -> None:
        """The request is done with the host: its slot is free for any worker (its delay still runs)."""
        held = request.meta.pop(GRANT_META, None)
        if held is not None:
            host, grant = held
            self.server.zrem(host_keys(self.prefix, host)[0], grant)


def delay_in_the_fleet(settings: Any) -> None:
    """With fleet politeness on, a worker's delay between requests to a host is the grant's alone
    (``XXGK_HOST_DELAY``, default the configured ``DOWNLOAD_DELAY``): the local delay, its jitter and
    AutoThrottle's adaptive delay are turned off, so the request leaves when it is granted. ``settings``:
    the worker's Scrapy settings, before any crawler is made from them."""
    if not settings.getbool("XXGK_HOST_POLITENESS", True):
        return
    delay = settings.getfloat("XXGK_HOST_DELAY", settings.getfloat("DOWNLOAD_DELAY", 0.0))
    settings.set("XXGK_HOST_DELAY", delay, priority="cmdline")
    for name, value in (("DOWNLOAD_DELAY", 0), ("DOWNLOAD_DELAY_JITTER", 0), ("AUTOTHROTTLE_ENABLED", False)):
        settings.set(name, value, priority="cmdline")
