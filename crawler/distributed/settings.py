"""The Scrapy settings of an ``xxgk worker``, applied on top of crawler/settings.py only there.

The ``XXGK_`` settings they use are documented in crawler/settings.py (distributed section).
"""

from __future__ import annotations

from typing import Any

from crawler import settings as project
from crawler.distributed.state import DEFAULT_PREFIX
from pipelines.chain import WORKER_CHAIN, item_pipelines


def worker_settings(redis_url: str, prefix: str = DEFAULT_PREFIX) -> dict[str, Any]:
    return {
        "XXGK_REDIS_URL": redis_url,
        "XXGK_REDIS_PREFIX": prefix,
        "REDIS_URL": redis_url,  # scrapy-redis' own connection (the scheduler's)
        "SCHEDULER": "crawler.distributed.scheduler.LeasingScheduler",
        "SCHEDULER_PERSIST": True,  # one worker closing must never flush what the others share
        "SCHEDULER_SERIALIZER": "crawler.distributed.codec",  # tagged JSON, not pickle
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # workers normalise and extract (CPU scales with them); the drainer dedupes and stores
        "ITEM_PIPELINES": item_pipelines(WORKER_CHAIN),
        # a host's concurrency and delay for the whole fleet (crawler/distributed/politeness.py)
        "DOWNLOADER_MIDDLEWARES": project.DOWNLOADER_MIDDLEWARES
        | {"crawler.distributed.politeness.FleetPoliteness": 940,
           # after the grant's wait, before the archive: a lease the fleet took back is not fetched here
           "crawler.distributed.heartbeat.LeaseCheck": 945},
        "EXTENSIONS": {"crawler.distributed.worker.DistributedWorker": 500},
        "SPIDER_MIDDLEWARES": {"crawler.distributed.worker.SeedsFromRedis": 10},
    }
