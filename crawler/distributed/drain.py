"""The single writer: move the items workers pushed to Redis into DIR/xxgk.db.

The drainer runs the database stages of the chain (``pipelines.chain.DATABASE_STAGES``: dedupe and
store, the same classes on one connection), so it writes the rows a one-process crawl writes. Items
survive a drainer restart: one is moved atomically from ``P:items`` to ``P:items:draining`` (BLMOVE),
stored in one SQLite transaction together with its envelope id (table ``drained_items``), and only
then removed from ``P:items:draining``; a restarted drainer first finishes what is left there, and
the id makes a second store of the same item a no-op.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redis import Redis

from crawler.clock import utc_now  # seconds: the precision drained_items.drained_at is stored at
from crawler.db import db_path
from crawler.distributed import codec
from crawler.distributed.connection import outage_of
from crawler.distributed.state import Keys, SharedState
from pipelines.chain import DATABASE_STAGES, ChainStats, SyncChain


class Drainer:
    def __init__(self, server: Redis, keys: Keys, data_dir: Path, *, reap_every: float = 5.0,
                 heartbeat_ttl: float = 30.0, tick: Callable[[int], None] | None = None) -> None:  # fmt: skip
        self.server = server
        self.tick = tick  # called once per message drained (a progress line)
        self.keys = keys
        self.state = SharedState(server, keys)
        self.stats = ChainStats()
        # one connection for both stages: dedupe reads what the store committed, one transaction each
        self.chain = SyncChain(db_path(data_dir), self.stats, DATABASE_STAGES, share_connection=True)
        self.reap_every = reap_every
        self.heartbeat_ttl = heartbeat_ttl  # after an outage, reaping waits this long (workers beat again)
        self.crawl_id: str | None = None

    def __enter__(self) -> Drainer:
        self.chain.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.chain.__exit__(*exc_info)  # the store's close refreshes the search index, as after a crawl

    def run(self, *, until_complete: bool = True, poll_seconds: float = 0.5) -> ChainStats:
        """Drain until the seeded crawl is complete and every item is stored (or, with
        ``until_complete=False``, until the item list is empty)."""
        self.crawl_id = self.state.crawl_id()
        self.recover()
        next_reap = 0.0
        while True:
            # redis-py types the timeout as int; BLMOVE takes decimal seconds (Redis >= 6)
            message = self.server.blmove(
                self.keys.items, self.keys.draining, poll_seconds, "RIGHT", "LEFT"  # type: ignore[arg-type]
            )
            if message is not None:
                self.drain_one(message)
                continue
            # idle: Redis may have restarted (forgotten the crawl?) or lost a BLMOVE reply mid-outage
            self.state.check_crawl(self.crawl_id)
            self.recover()
            if time.monotonic() >= next_reap:
                self.reap()
                next_reap = time.monotonic() + self.reap_every
            if self.finished(until_complete):
                return self.stats

    def reap(self) -> None:
        outage = outage_of(self.server)
        if outage is not None and outage.in_grace(self.heartbeat_ttl):
            return  # Redis just came back: a worker whose heartbeat lapsed in the outage beats first
        self.stats.inc_value("xxgk/drain/requeued_from_dead_workers", self.state.reap(self.state.sites()))

    def finished(self, until_complete: bool) -> bool:
        # complete first, then empty: every item is pushed before its request's lease is released
        if until_complete and not self.state.all_complete():
            return False
        return self.server.llen(self.keys.items) == 0 and self.server.llen(self.keys.draining) == 0

    def recover(self) -> None:
        """Finish what a previous drainer took and did not acknowledge, oldest first (also what this
        one took when Redis went away before its BLMOVE's reply: the one drainer owns the list)."""
        for message in reversed(self.server.lrange(self.keys.draining, 0, -1)):
            self.stats.inc_value("xxgk/drain/recovered")
            self.drain_one(message)

    def drain_one(self, message: bytes | str) -> None:
        try:
            envelope = codec.loads(message)
            item_id, item = envelope["id"], envelope["item"]
        except (codec.CodecError, KeyError, TypeError) as exc:
            # not ours or damaged: kept aside for a human, never dropped silently
            self.server.lpush(f"{self.keys.items}:rejected", message)
            self.stats.inc_value("xxgk/error/drain_decode")
            self.stats.set_value("xxgk/drain/last_error", f"{type(exc).__name__}: {exc}")
        else:
            self.store_once(item_id, envelope.get("worker"), item)
        self.server.lrem(self.keys.draining, 1, message)  # type: ignore[arg-type]  # bytes are what LRANGE gave
        if self.tick is not None:
            self.tick(1)

    def store_once(self, item_id: str, worker: str | None, item: Any) -> None:
        db = self.chain.db
        assert db is not None
        with db.atomic():
            if db.execute("SELECT 1 FROM drained_items WHERE id = ?", [item_id]).fetchone():
                self.stats.inc_value("xxgk/drain/already_stored")
                return
            self.chain.record(item)
            db["drained_items"].insert({"id": item_id, "worker": worker, "drained_at": utc_now()})
        self.stats.inc_value("xxgk/drain/items")
