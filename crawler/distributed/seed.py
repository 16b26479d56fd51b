"""Feed sites to the workers: their start requests go into the shared queue, the site into P:sites."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from redis import Redis
from scrapy import Request
from scrapy.spiderloader import get_spider_loader
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.distributed import codec
from crawler.distributed.scheduler import LeasedQueue
from crawler.distributed.state import Keys, SharedState
from crawler.sites.catalog import site_name
from crawler.sites.profile import SiteProfile, profile_to_dict
from crawler.spiderloader import spider_class


async def _collect(start: AsyncIterator[Any]) -> list[Request]:
    return [output async for output in start if isinstance(output, Request)]


def seed_sites(server: Redis, keys: Keys, sites: Sequence[str], year: int | None, settings: Any,
               profiles: Mapping[str, SiteProfile] | None = None) -> dict[str, int]:
    """Push each site's start requests (through the shared dupefilter); return how many were new.

    A site whose crawl is complete (nothing queued or leased) starts afresh: its fingerprints (and the
    report links the workers counted) are cleared. A site still being crawled keeps them, so seeding it again adds nothing.
    ``profiles``: site name → the profile the seeder resolved (crawler/distributed/resolve.py): its
    spider makes the seeds, and its fields go to Redis with the site, for the workers.
    """
    loader = get_spider_loader(settings)  # the project's: spiders made from the site profiles
    state = SharedState(server, keys)
    pushed: dict[str, int] = {}
    state.start_crawl()  # first: workers and the drainer tell a Redis that forgot the crawl by it
    for name in sites:
        profile = (profiles or {}).get(site_name(name))
        spider = (spider_class(profile) if profile else loader.load(name))(year=year)
        site = spider.name
        if state.is_complete(site):
            server.delete(keys.dupefilter(site), keys.report_links(site))
        queue = LeasedQueue(server, spider, keys.queue(site), codec, keys=keys, worker="seeder")
        dupefilter = RFPDupeFilter(server, key=keys.dupefilter(site))
        pushed[site] = 0
        for request in asyncio.run(_collect(spider.start())):
            if request.dont_filter:
                queue.push(request)
                pushed[site] += 1
            elif queue.push_new(request, dupefilter.request_fingerprint(request)):
                pushed[site] += 1
        state.add_site(site, year, profile_to_dict(profile) if profile else None)  # last: a worker that sees the site finds its seeds queued
    return pushed
