"""Running crawls: the project's Scrapy settings, ``-s`` overrides, and one Scrapy process over many
sites, each with its summary (crawler/summary.py).

The commands (crawler/commands/) and the benchmarks call this; it knows nothing of click, so a
refusal is an exception the command turns into its one-line reason. Scrapy is imported inside the
functions: ``xxgk --help`` and ``xxgk extract`` should not pay for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crawler.sites.catalog import is_url, site_name
from crawler.summary import crawl_summary

#: settings for crawling the loopback replica: no politeness delays (never for real sites)
FAST_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_DELAY_JITTER": 0,
    "XXGK_RETRY_BACKOFF_BASE": 0.05,
    "XXGK_HOST_POLITENESS": False,  # workers: no fleet-wide grants per host (crawler/distributed/politeness.py)
}


class ReplicaError(RuntimeError):
    """The offline replica is not in this installation, or did not start."""


def project_settings(overrides: dict[str, Any] | None = None) -> Any:
    """crawler/settings.py, with ``overrides`` at command-line priority (above the spiders' own)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def parse_overrides(pairs: Sequence[str]) -> dict[str, Any]:
    """``-s KEY=VALUE`` pairs; values are read as JSON when they parse, else kept as strings.

    Raises ValueError on a pair without ``=``."""
    overrides: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"-s takes KEY=VALUE, got {pair!r}")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


def spider_names() -> list[str]:
    """Every spider the project's loader knows: the profiles, and the platform spiders for URLs."""
    from scrapy.spiderloader import get_spider_loader

    return sorted(get_spider_loader(project_settings()).list())


def spider_arguments(site: str, year: int | None, platform: str | None = None) -> dict[str, str]:
    """The ``-a`` arguments of one site's spider: the year, and the platform forced on a start URL."""
    return ({"year": str(year)} if year else {}) | ({"platform": platform} if platform and is_url(site) else {})


def run_crawl(
    sites: Sequence[str], data_dir: Path, year: int | None, overrides: dict[str, Any], resume: bool = False,
    platform: str | None = None,
) -> list[dict[str, Any]]:
    """Crawl the sites in one Scrapy process (crawler/fleet.py); return one summary per spider.

    Each spider keeps its Scrapy job state in DIR/jobs/<spider> (crawler/resume.py): emptied for a
    fresh crawl, continued with ``resume``. Sites: profile names or start URLs (``platform``: forced on URLs).
    """
    from crawler.resume import job_dir, prepare_job_dir

    settings = project_settings(
        {"XXGK_DATA_DIR": str(data_dir), "XXGK_YEAR": year, "XXGK_RESUME": resume, **overrides}
    )

    def prepare(crawler: Any, site: str) -> None:
        if "JOBDIR" not in overrides:
            jobs = job_dir(data_dir, site_name(site))
            prepare_job_dir(jobs, resume)
            crawler.settings.set("JOBDIR", str(jobs), priority="cmdline")

    # crawler/fleet.py: a bounded number of sites at once (XXGK_SITES_AT_ONCE), one extraction pool,
    # one database writer and per-host limits shared by all of them
    from crawler.fleet import run_sites as run_fleet

    return run_fleet(settings, sites, lambda site: spider_arguments(site, year, platform), prepare)


def run_seeded(settings: Any, sites: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """A distributed worker's crawl: every seeded site at once (their requests come from one shared
    queue, so none may wait for another to finish), one spider per site (``{"year": …}`` as seeded),
    no job directory (Redis holds the state) — and one extraction pool for all of them, as in a
    many-site run (pipelines/offload.py), not one per site."""
    from scrapy.crawler import CrawlerProcess

    from crawler.sites.profile import profile_from_fields
    from crawler.spiderloader import spider_class
    from pipelines.offload import shared_pool

    process = CrawlerProcess(settings)
    crawlers = []
    for site in sorted(sites):
        profile = sites[site].get("profile")  # resolved by the seeder (crawler/distributed/resolve.py)
        crawler = process.create_crawler(spider_class(profile_from_fields(profile)) if profile else site)
        crawlers.append(crawler)
        process.crawl(crawler, **spider_arguments(site, sites[site].get("year")))
    with shared_pool(process.settings):
        process.start()
    return [crawl_summary(crawler) for crawler in crawlers]


@contextmanager
def replica_proxy(seed: int) -> Iterator[str]:
    """Start the offline replica (tests/replica) and yield its proxy URL; ReplicaError when it cannot."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "tests" / "replica" / "__main__.py").exists():
        raise ReplicaError("the offline replica (tests/replica) is not here: run `xxgk demo` from a checkout")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.replica", "serve", "--seed", str(seed)],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("http://"):
            raise ReplicaError(f"the replica did not start (said {line!r})")
        yield line
    finally:
        proc.terminate()
        proc.wait(timeout=10)
