"""``xxgk worker`` and ``xxgk drain`` (and what ``xxgk crawl --distributed`` runs): crawl on many
machines through Redis, with one writer for SQLite.

Design: crawler/distributed/__init__.py. Settings and the crawl itself come from crawler/running.py,
the options from crawler/options.py: this module imports nothing above it.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import click
from redis import Redis
from redis.exceptions import RedisError

from crawler.diskfull import is_disk_full
from crawler.distributed.connection import outage_seconds, resilient_redis
from crawler.distributed.politeness import delay_in_the_fleet
from crawler.distributed.state import CrawlStateLost, Keys, SharedState
from crawler.options import data_dir_option, fail, prefix_option, redis_option, settings_option
from crawler.running import FAST_SETTINGS, project_settings, run_seeded, spider_names


def connect(url: str, prefix: str) -> SharedState:
    """A client that waits through Redis outages of up to XXGK_REDIS_OUTAGE_S (crawler/distributed/connection.py);
    Redis must answer at start, though: a wrong URL fails at once."""
    server = resilient_redis(url, outage_seconds(project_settings()))
    try:
        Redis.from_url(url, socket_connect_timeout=5).ping()
    except RedisError as exc:
        fail(f"cannot reach Redis at {url}: {exc}")
    return SharedState(server, Keys(prefix))


def drain_into(state: SharedState, data_dir: Path, *, until_complete: bool) -> dict[str, Any]:
    from crawler.distributed.drain import Drainer
    from crawler.progress import progress

    ttl = project_settings().getfloat("XXGK_WORKER_HEARTBEAT_TTL", 30.0)
    try:
        with progress(None, "drained") as bar, Drainer(
            state.server, state.keys, data_dir, heartbeat_ttl=ttl, tick=bar.update
        ) as drainer:
            stats = drainer.run(until_complete=until_complete)
    except (CrawlStateLost, RedisError) as error:
        fail(f"drain stopped: {error}")  # every item stored so far is committed; `xxgk drain` again resumes
    except sqlite3.Error as error:
        if not is_disk_full(error):
            raise
        # the item's transaction rolled back, and the item stays in Redis (P:items:draining)
        fail(f"drain stopped: no space left writing {data_dir}/xxgk.db ({error}); free space, then run "
             "`xxgk drain` again: nothing is lost")
    return stats.get_stats()


def echo_drained(stats: dict[str, Any], data_dir: Path) -> None:
    reports = sum(v for k, v in stats.items() if k.startswith("xxgk/store/reports/"))
    click.echo(
        f"drained {stats.get('xxgk/drain/items', 0)} items into {data_dir}/xxgk.db: {reports} report pages, "
        f"{stats.get('xxgk/store/reports/new', 0)} new reports, {stats.get('xxgk/error/drain_decode', 0)} rejected"
    )


def seed_and_drain(redis_url: str, prefix: str, sites: list[str], data_dir: Path, year: int | None,
                   seed_only: bool, probe: dict[str, Any] | None = None, platform: str | None = None) -> None:
    """``xxgk crawl --distributed``: resolve the platform of sites that detect it on their start page
    (fetched with the ``probe`` settings; ``platform`` forced on URLs), push the sites' start requests,
    then (unless ``seed_only``) be the drainer until the workers have crawled everything."""
    from crawler.distributed.resolve import resolve_platforms
    from crawler.distributed.seed import seed_sites

    state = connect(redis_url, prefix)  # first: a wrong Redis fails before any start page is fetched
    profiles = resolve_platforms(sites, probe or {"XXGK_DATA_DIR": str(data_dir)}, platform)
    for name, profile in sorted(profiles.items()):
        click.echo(f"{name}: platform {profile.platform}, seeded with its profile for the workers")
    pushed = seed_sites(state.server, state.keys, sites, year, project_settings(), profiles)
    for site, count in pushed.items():
        note = "" if count else " (already being crawled: nothing new)"
        click.echo(f"{site}: {count} seed request(s) queued at {redis_url}{note}")
    if seed_only:
        # the drainer's database belongs beside the seeder's archive: the probe stored its rows there
        click.echo(f"now start workers:  xxgk worker --redis {redis_url}  and one  "
                   f"xxgk drain --redis {redis_url} --data-dir {data_dir}")
        return
    click.echo("draining while workers crawl (start them with: xxgk worker --redis URL) …")
    echo_drained(drain_into(state, data_dir, until_complete=True), data_dir)


def wait_for_sites(state: SharedState, timeout: float) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while not (sites := state.sites()) and time.monotonic() < deadline:
        time.sleep(0.5)
    return sites


def worker_overrides(redis_url: str, prefix: str, data_dir: Path, fast: bool, idle_timeout: float | None,
                     name: str | None) -> dict[str, Any]:
    """The Scrapy settings a worker crawls with (crawler/distributed/settings.py), before its ``-s`` ones."""
    from crawler.distributed.settings import worker_settings

    overrides: dict[str, Any] = worker_settings(redis_url, prefix) | {"XXGK_DATA_DIR": str(data_dir)}
    if fast:
        overrides |= FAST_SETTINGS
    if idle_timeout is not None:
        overrides["XXGK_WORKER_IDLE_TIMEOUT"] = idle_timeout
    if name:
        overrides["XXGK_WARC_WORKER"] = name
    return overrides


def worker_failures(summaries: list[dict[str, Any]]) -> list[str]:
    """Why a worker's crawl failed: each spider that did not finish, and a Redis that lost the state."""
    failed = [f"{s['spider']}: ended with {s['finish_reason']!r}" for s in summaries if s["finish_reason"] != "finished"]
    if any(s["finish_reason"] == "redis_state_lost" for s in summaries):
        failed.append("Redis lost the crawl's state (restarted without persistence or flushed?): seed it again")
    return failed


@click.command()
@redis_option()
@prefix_option
@data_dir_option
@click.option("--fast", is_flag=True, help="No politeness delays: only for the loopback replica.")
@click.option("--idle-timeout", type=float, default=None,
              help="Exit after nothing has been queued or leased for this long (s)  [default: 30, or "
                   "XXGK_WORKER_IDLE_TIMEOUT]; also how long to wait for seeds.")  # fmt: skip
@click.option("--name", default=None, help="Worker name (WARC files, leases)  [default: hostname-pid]")
@settings_option
def worker(redis_url: str, prefix: str, data_dir: Path, fast: bool, idle_timeout: float | None,
           name: str | None, settings: dict[str, Any]) -> None:
    """Crawl the sites seeded in Redis, sharing the queue with every other worker.

    Requests come from the shared queue (a URL is fetched once by all workers together), responses
    are archived to DIR/warc/ in files named after this worker, and extracted items go to Redis for
    the one `xxgk drain`. Run as many as you like, on as many machines.

    \b
    Example:
        xxgk worker --redis redis://10.0.0.5:6379/0 --data-dir /mnt/xxgk
    """
    state = connect(redis_url, prefix)
    scrapy_settings = project_settings(worker_overrides(redis_url, prefix, data_dir, fast, idle_timeout, name) | settings)
    delay_in_the_fleet(scrapy_settings)  # the grant alone spaces a host's requests across workers
    sites = wait_for_sites(state, scrapy_settings.getfloat("XXGK_WORKER_IDLE_TIMEOUT"))
    if not sites:
        click.echo(f"nothing seeded at {redis_url} (prefix {prefix!r}): seed with `xxgk crawl --distributed`")
        return
    # a site seeded with its profile (its platform resolved by the seeder) needs no local profile
    unknown = sorted(site for site in set(sites) - set(spider_names()) if not sites[site].get("profile"))
    if unknown:
        fail(f"seeded site(s) this installation does not know: {', '.join(unknown)}")
    summaries = run_seeded(scrapy_settings, sites)
    for summary in summaries:
        click.echo(f"{summary['spider']}: {summary['finish_reason']}, {summary['pages']} pages, "
                   f"{summary['errors']} errors")
    if failed := worker_failures(summaries):
        fail("; ".join(failed))


@click.command()
@redis_option()
@prefix_option
@data_dir_option
@click.option("--once", is_flag=True, help="Drain what is in Redis now and exit (do not wait for the crawl).")
def drain(redis_url: str, prefix: str, data_dir: Path, once: bool) -> None:
    """Move the items workers pushed to Redis into DIR/xxgk.db: the only writer of the database.

    Runs dedupe and store, exactly as a one-process crawl does, and exits once the seeded crawl is
    complete and every item is stored. Restart it at will: nothing pushed is lost or stored twice.

    \b
    Example:
        xxgk drain --redis redis://10.0.0.5:6379/0 --data-dir data
    """
    state = connect(redis_url, prefix)
    echo_drained(drain_into(state, data_dir, until_complete=not once), data_dir)
