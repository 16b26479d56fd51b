"""The crawl's shared state in Redis: key names, and the few operations that must be atomic.

Keys, under a prefix (``XXGK_REDIS_PREFIX``, default ``xxgk``) so that one Redis can hold several
crawls::

    P:crawl                    str   the crawl's id, written by the seeder first: gone means Redis lost the crawl
    P:sites                    hash  site → {"year": …}: what workers crawl (written by the seeder)
    P:workers                  set   every worker that ever leased a request
    P:alive:WORKER             str   the worker's heartbeat; expires XXGK_WORKER_HEARTBEAT_TTL s after its last beat
    P:SITE:requests            zset  scrapy-redis' priority queue (score −priority)
    P:SITE:dupefilter          set   scrapy-redis' request fingerprints
    P:SITE:leases:WORKER       hash  "score:seq" → request: what WORKER popped and has not finished
    P:SITE:reaped:WORKER       set   lease ids requeued as WORKER's when its heartbeat had expired
    P:SITE:report_links        int   report links found by all workers (a worker's "none found" is local)
    P:host:HOST:slots / :next        fleet-wide politeness per host (crawler/distributed/politeness.py)
    P:lease_seq                int   lease ids
    P:items                    list  items from workers (tagged JSON envelopes), newest on the left
    P:items:draining           list  what the drainer took and has not committed yet

Reliable queue: a pop moves the request into the worker's lease hash in the same script; the worker
deletes the lease only after the response and everything it produced (child requests, items) are in
Redis. A worker whose heartbeat expired is dead: any worker or the drainer moves its leases back
into the queue (not through the dupefilter: their fingerprints are already in it).

The scripts read keys they were not handed (the worker set's members): one Redis server, not a cluster.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from redis import Redis

DEFAULT_PREFIX = "xxgk"

_LEASE = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return false end
local id = popped[2] .. ':' .. redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], id, popped[1])
redis.call('SADD', KEYS[4], ARGV[1])
return {id, popped[1]}
"""

# KEYS: dupefilter, queue. ARGV: fingerprint, score, message. One step, so that a worker killed between
# the two never leaves a request marked seen and not queued (it would be lost for good).
_PUSH_NEW = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: alive key, lease hash, queue, reaped set. ARGV[1] = "force" to requeue a live worker's leases
# (its own). A dead worker's requeued lease ids go to its reaped set: should it be alive after all, it
# must not fetch them (heartbeat.LeaseCheck); kept a day.
_REQUEUE = """
if ARGV[1] ~= 'force' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  local score = string.match(entries[i], '^(.*):[0-9]+$')
  redis.call('ZADD', KEYS[3], score, entries[i + 1])
  if ARGV[1] ~= 'force' then
    redis.call('SADD', KEYS[4], entries[i])
    redis.call('EXPIRE', KEYS[4], 86400)
  end
end
redis.call('DEL', KEYS[2])
return #entries / 2
"""

# KEYS: lease hash, queue. ARGV: lease ids. Hands back leases their worker does not know it holds.
_REQUEUE_IDS = """
local moved = 0
for _, id in ipairs(ARGV) do
  local message = redis.call('HGET', KEYS[1], id)
  if message then
    redis.call('ZADD', KEYS[2], string.match(id, '^(.*):[0-9]+$'), message)
    redis.call('HDEL', KEYS[1], id)
    moved = moved + 1
  end
end
return moved
"""

# KEYS: queue, workers set. ARGV[1]: the lease hash prefix of this site ("P:SITE:leases:").
_COMPLETE = """
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('HLEN', ARGV[1] .. worker) > 0 then return 0 end
end
return 1
"""


class CrawlStateLost(RuntimeError):
    """Redis answers but the crawl's keys are gone (restarted without persistence, flushed)."""


@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str = DEFAULT_PREFIX

    @classmethod
    def from_settings(cls, settings: Any) -> Keys:
        """The fleet's keys under ``XXGK_REDIS_PREFIX`` (the default prefix when unset)."""
        return cls(settings.get("XXGK_REDIS_PREFIX") or DEFAULT_PREFIX)

    @property
    def crawl(self) -> str:
        return f"{self.prefix}:crawl"

    @property
    def sites(self) -> str:
        return f"{self.prefix}:sites"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def lease_seq(self) -> str:
        return f"{self.prefix}:lease_seq"

    @property
    def items(self) -> str:
        return f"{self.prefix}:items"

    @property
    def draining(self) -> str:
        return f"{self.prefix}:items:draining"

    def alive(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    def queue(self, site: str) -> str:
        return f"{self.prefix}:{site}:requests"

    def dupefilter(self, site: str) -> str:
        return f"{self.prefix}:{site}:dupefilter"

    def report_links(self, site: str) -> str:
        return f"{self.prefix}:{site}:report_links"

    def lease_prefix(self, site: str) -> str:
        return f"{self.prefix}:{site}:leases:"

    def leases(self, site: str, worker: str) -> str:
        return self.lease_prefix(site) + worker

    def reaped(self, site: str, worker: str) -> str:
        return f"{self.prefix}:{site}:reaped:{worker}"


class SharedState:
    """The atomic operations on the keys above."""

    def __init__(self, server: Redis, keys: Keys) -> None:
        self.server = server
        self.keys = keys
        self._lease = server.register_script(_LEASE)
        self._requeue = server.register_script(_REQUEUE)
        self._complete = server.register_script(_COMPLETE)
        self._push_new = server.register_script(_PUSH_NEW)
        self._requeue_ids = server.register_script(_REQUEUE_IDS)

    # -- requests

    def lease(self, site: str, worker: str) -> tuple[str, bytes] | None:
        """Pop the best request of ``site`` into ``worker``'s leases: (lease id, message), or None."""
        k = self.keys
        found = self._lease(keys=[k.queue(site), k.leases(site, worker), k.lease_seq, k.workers], args=[worker])
        if not found:
            return None
        lease_id, message = found
        return _text(lease_id), message

    def push_new(self, site: str, fingerprint: str, score: float, message: bytes) -> bool:
        """Queue ``message`` unless its fingerprint was seen; mark it seen — atomically."""
        k = self.keys
        return bool(self._push_new(keys=[k.dupefilter(site), k.queue(site)], args=[fingerprint, score, message]))

    def ack(self, site: str, worker: str, lease_id: str) -> None:
        self.server.hdel(self.keys.leases(site, worker), lease_id)

    def holds(self, site: str, worker: str, lease_id: str) -> bool:
        """Whether ``worker`` still holds the lease (not requeued as a dead worker's)."""
        return bool(self.server.hexists(self.keys.leases(site, worker), lease_id))

    def taken_back(self, site: str, worker: str, lease_id: str) -> bool:
        """Whether the fleet requeued this lease as a dead worker's (not merely lost with a Redis that
        restarted without it: such a request is queued nowhere, and its holder must still fetch it)."""
        return bool(self.server.sismember(self.keys.reaped(site, worker), lease_id))

    def requeue(self, site: str, worker: str, *, force: bool = False) -> int:
        """Move ``worker``'s leases of ``site`` back into the queue, if it is dead (or ``force``)."""
        k = self.keys
        args = ["force" if force else ""]
        return int(self._requeue(keys=[k.alive(worker), k.leases(site, worker), k.queue(site),
                                         k.reaped(site, worker)], args=args))

    def requeue_strays(self, site: str, worker: str, held: set[str]) -> int:
        """Requeue ``worker``'s leases of ``site`` other than ``held``: a lease whose reply was lost in
        an outage (the pop ran, the connection dropped, the retry popped another) is held by nobody,
        and would keep the site from ever completing."""
        key = self.keys.leases(site, worker)
        strays = sorted({_text(lease) for lease in self.server.hkeys(key)} - held)
        return int(self._requeue_ids(keys=[key, self.keys.queue(site)], args=strays)) if strays else 0

    def reap(self, sites: Iterable[str]) -> int:
        """Requeue the leases of every dead worker; forget dead workers that hold nothing."""
        moved = 0
        sites = list(sites)
        for worker in sorted(_text(name) for name in self.server.smembers(self.keys.workers)):
            if self.server.exists(self.keys.alive(worker)):
                continue
            moved += sum(self.requeue(site, worker) for site in sites)
            self.server.srem(self.keys.workers, worker)
        return moved

    def beat(self, worker: str, ttl_seconds: float) -> None:
        self.server.set(self.keys.alive(worker), "1", px=max(1, int(ttl_seconds * 1000)))
        self.server.sadd(self.keys.workers, worker)

    def is_complete(self, site: str) -> bool:
        """Nothing queued and nothing leased for ``site``: read in one script, so that a pop (queue →
        lease) or an ack after its children were pushed (lease → queue) cannot slip between the reads."""
        k = self.keys
        return bool(self._complete(keys=[k.queue(site), k.workers], args=[k.lease_prefix(site)]))

    def add_report_links(self, site: str, count: int) -> int:
        """Add this worker's newly found report links of ``site``; the fleet's total."""
        return int(self.server.incrby(self.keys.report_links(site), count))

    def queued(self, site: str) -> int:
        return int(self.server.zcard(self.keys.queue(site)))

    # -- sites

    def sites(self) -> dict[str, dict[str, Any]]:
        return {_text(site): json.loads(value) for site, value in self.server.hgetall(self.keys.sites).items()}

    def add_site(self, site: str, year: int | None, profile: dict[str, Any] | None = None) -> None:
        """The site, its year and — when the seeder resolved its platform (crawler/distributed/resolve.py)
        — the profile every worker makes its spider from."""
        self.server.hset(self.keys.sites, site, json.dumps({"year": year} | ({"profile": profile} if profile else {}),
                                                           ensure_ascii=False))

    # -- the crawl's marker

    def start_crawl(self) -> str:
        """The crawl's id: a new one unless a crawl is already seeded under this prefix."""
        self.server.set(self.keys.crawl, uuid.uuid4().hex, nx=True)
        return self.crawl_id() or ""

    def crawl_id(self) -> str | None:
        value = self.server.get(self.keys.crawl)
        return _text(value) if value is not None else None

    def check_crawl(self, expected: str | None) -> None:
        """Fail loudly if the crawl seeded as ``expected`` is no longer in Redis (None: nothing to check)."""
        if expected is None:
            return
        found = self.crawl_id()
        if found != expected:
            url = self.server.get_connection_kwargs()
            where = f"{url.get('host', '?')}:{url.get('port', '?')}/{url.get('db', 0)}"
            raise CrawlStateLost(
                f"Redis at {where} lost this crawl's state ({self.keys.crawl} is "
                f"{'gone' if found is None else 'another crawl'}): restarted without persistence or flushed? "
                "Its queue, leases and items are gone: seed the crawl again (the archive and the database are kept)"
            )

    def all_complete(self) -> bool:
        sites = self.sites()
        return bool(sites) and all(self.is_complete(site) for site in sites)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
