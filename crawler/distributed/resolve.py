"""The seeder resolves a site's platform before any worker sees it: ``xxgk crawl --distributed URL``.

Workers load a site's spider by name and decode its queued requests with that spider's callbacks. A
start URL has no profile a worker could load, and a ``platform = "auto"`` spider changes class on its
start page (crawler/platforms/auto.py), which only the worker that fetched the page would see. So
the seeder fetches each such start page once, as a crawl would — a one-page Scrapy crawl with the
project's settings (proxy from the environment, the crawl's user agent, retries, the archive: the
page goes into the seeder's ``DIR/warc/`` like any fetch, and its documents row into the seeder's
``DIR/xxgk.db`` through the crawl's own stages, so the database holds what a reparse of that archive
rebuilds) — runs the same detection
(``AutoSpider.detect``), and seeds a profile with that platform. The profile's fields travel in Redis
with the site (``P:sites``), and a worker makes its spider from them (crawler/running.py
``run_seeded``), so every worker walks the site as one platform. A URL with ``--platform`` forced
needs no fetch. The probe runs in a child process: Twisted's reactor starts once per process, and
the seeder goes on to collect start requests and drain.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Any

from scrapy.http import Response

from crawler.sites.catalog import AUTO, PLATFORMS, complete, find_profile, is_url, profile_for_url, site_name
from crawler.sites.profile import SiteProfile

#: settings of the probe: fetch and archive the start page and store its documents row with the
#: crawl's chain (ITEM_PIPELINES as a crawl's: every archived fetch has the row a reparse rebuilds);
#: record no crawl run (the site was not crawled: a later run must not take the probe for an ok one)
PROBE_SETTINGS: dict[str, Any] = {
    "EXTENSIONS": {},
    "XXGK_INCREMENTAL": False,  # the page in full (no 304 to detect from) and no known pages to re-verify
    "JOBDIR": None,
    # no search-index pass over the seeder's whole database per seed: the probe stores only its start
    # page's documents row, and the crawl of the site refreshes the index at its end
    "XXGK_SEARCH_PASS": False,
}


def unresolved(sites: Sequence[str]) -> list[str]:
    """The sites whose platform is decided on their start page: URLs and ``platform = "auto"`` profiles."""
    return [site for site in sites if is_url(site) or find_profile(site).platform == AUTO]


def starting_profile(site: str, platform: str | None = None) -> SiteProfile:
    """The site's profile before detection (a URL's is made from its host; ``platform`` forced on a URL)."""
    if is_url(site):
        return profile_for_url(site, platform if platform in PLATFORMS else AUTO)
    return find_profile(site)


def resolved(profile: SiteProfile, platform: str) -> SiteProfile:
    """The profile walked as ``platform``, completed with its defaults (as ``AutoSpider.become`` does)."""
    return complete(replace(profile, platform=platform), platform)


def resolve_platforms(sites: Sequence[str], overrides: dict[str, Any], platform: str | None = None
                      ) -> dict[str, SiteProfile]:
    """Seed name → a profile with a concrete platform, for every site that needs one."""
    starting = {site: starting_profile(site, platform) for site in unresolved(sites)}
    decided = {site: profile for site, profile in starting.items() if profile.platform in PLATFORMS}
    probe = {site: profile for site, profile in starting.items() if site not in decided}
    if probe:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
            detected = executor.submit(probe_platforms, list(probe.values()), overrides).result()
        decided |= {site: resolved(profile, detected[profile.name]) for site, profile in probe.items()}
    return {site_name(site): profile for site, profile in decided.items()}


def probe_platforms(profiles: list[SiteProfile], overrides: dict[str, Any]) -> dict[str, str]:
    """In the child process: one crawl of each start page; profile name → detected platform
    (``generic`` when the page could not be fetched: the generic platform then says what it saw)."""
    from scrapy.crawler import CrawlerProcess

    from crawler.running import project_settings
    from crawler.spiderloader import spider_class

    process = CrawlerProcess(project_settings(overrides | PROBE_SETTINGS))
    crawlers = []
    for profile in profiles:
        crawler = process.create_crawler(type("PlatformProbe", (ProbeMixin, spider_class(profile)), {}))
        crawlers.append(crawler)
        process.crawl(crawler)
    process.start()
    return {profile.name: getattr(crawler.spider, "detected", None) or "generic"
            for profile, crawler in zip(profiles, crawlers, strict=True)}


class ProbeMixin:
    """An auto-detecting spider that stops at its start page's verdict, yielding the start page's
    documents row as the crawl's first callback does (a failed fetch's comes from ``on_error``)."""

    detected: str | None = None
    forced: str | None

    def parse_start(self, response: Response) -> Iterator[Any]:
        self.detected = self.forced or self.detect(response)  # type: ignore[attr-defined]  # AutoSpider's
        document = self.list_document(response)  # type: ignore[attr-defined]  # PlatformSpider's
        if document is not None:
            yield document

    def check_outcome(self) -> None:
        """No report link is what a probe expects: no layout verdict."""
