"""Stage 3 of an ``xxgk worker``: hand the extracted item to Redis, for the one writer (``xxgk drain``).

Workers normalise and extract (the CPU, later OCR, scales with them); dedupe and store need the
database, which has one writer. The item crosses Redis as tagged JSON (``crawler.distributed.codec``),
in an envelope whose id lets the drainer store it exactly once.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, Self

from redis import Redis
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.distributed import codec
from crawler.distributed.connection import redis_from_settings
from crawler.distributed.scheduler import worker_name
from crawler.distributed.state import Keys
from crawler.items import ReportPage


def wire_item(item: Any) -> Any:
    """What the drainer needs of an item: a report page without its parsed ``page`` (only the
    extract stage reads it; the normalised ``text`` and the ``extracted`` report travel)."""
    if isinstance(item, ReportPage) and item.page is not None:
        return dataclasses.replace(item, page=None)
    return item


def envelope(item: Any, worker: str) -> bytes:
    return codec.dumps({"id": uuid.uuid4().hex, "worker": worker, "item": wire_item(item)})


class RedisPushPipeline:
    def __init__(self, server: Redis, keys: Keys, worker: str, stats: StatsCollector) -> None:
        self.server = server
        self.keys = keys
        self.worker = worker
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        keys = Keys.from_settings(settings)
        return cls(redis_from_settings(settings), keys, worker_name(settings), crawler.stats)

    def process_item(self, item: object) -> object:
        message = envelope(item, self.worker)
        self.server.lpush(self.keys.items, message)
        self.stats.inc_value("xxgk/distributed/items_pushed")
        self.stats.inc_value("xxgk/distributed/item_bytes", len(message))
        return item
