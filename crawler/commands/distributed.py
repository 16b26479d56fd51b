"""``xxgk worker`` and ``xxgk drain`` (and what ``xxgk crawl --distributed`` runs): crawl on many
machines through Redis, with one writer for SQLite.

Wired into the group in ``crawler.cli`` with ``cli.add_command(worker)`` and ``cli.add_command(drain)``
(``crawler.cli`` is imported inside the commands: ``python -m crawler.cli`` runs it as ``__main__``,
so a module-level import would be circular). Design: crawler/distributed/__init__.py.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
from redis import Redis
from redis.exceptions import RedisError

from crawler.commands.archive import data_dir_option
from crawler.distributed.state import DEFAULT_PREFIX, Keys, SharedState

redis_option = click.option(
    "--redis", "redis_url", required=True, envvar="XXGK_REDIS_URL", metavar="URL",
    help="The shared Redis, e.g. redis://10.0.0.5:6379/0 (or $XXGK_REDIS_URL).",
)
prefix_option = click.option(
    "--prefix", default=DEFAULT_PREFIX, show_default=True,
    help="Redis key prefix: one Redis can hold several crawls.",
)


def fail(message: str) -> None:
    raise click.ClickException(message)


def connect(url: str, prefix: str) -> SharedState:
    server = Redis.from_url(url)
    try:
        server.ping()
    except RedisError as exc:
        fail(f"cannot reach Redis at {url}: {exc}")
    return SharedState(server, Keys(prefix))


def drain_into(state: SharedState, data_dir: Path, *, until_complete: bool) -> dict[str, Any]:
    from crawler.distributed.drain import Drainer
    from crawler.progress import progress

    with progress(None, "drained") as bar, Drainer(state.server, state.keys, data_dir, tick=bar.update) as drainer:
        stats = drainer.run(until_complete=until_complete)
    return stats.get_stats()


def echo_drained(stats: dict[str, Any], data_dir: Path) -> None:
    reports = sum(v for k, v in stats.items() if k.startswith("xxgk/store/reports/"))
    click.echo(
        f"drained {stats.get('xxgk/drain/items', 0)} items into {data_dir}/xxgk.db: {reports} report pages, "
        f"{stats.get('xxgk/store/reports/new', 0)} new reports, {stats.get('xxgk/error/drain_decode', 0)} rejected"
    )


def seed_and_drain(redis_url: str, prefix: str, sites: list[str], data_dir: Path, year: int | None,
                   seed_only: bool) -> None:
    """``xxgk crawl --distributed``: push the sites' start requests, then (unless ``seed_only``) be the
    drainer until the workers have crawled everything."""
    from crawler.cli import project_settings
    from crawler.distributed.seed import seed_sites

    state = connect(redis_url, prefix)
    pushed = seed_sites(state.server, state.keys, sites, year, project_settings())
    for site, count in pushed.items():
        note = "" if count else " (already being crawled: nothing new)"
        click.echo(f"{site}: {count} seed request(s) queued at {redis_url}{note}")
    if seed_only:
        click.echo(f"now start workers:  xxgk worker --redis {redis_url}  and one  xxgk drain --redis {redis_url}")
        return
    click.echo("draining while workers crawl (start them with: xxgk worker --redis URL) …")
    echo_drained(drain_into(state, data_dir, until_complete=True), data_dir)


def wait_for_sites(state: SharedState, timeout: float) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while not (sites := state.sites()) and time.monotonic() < deadline:
        time.sleep(0.5)
    return sites


@click.command()
@redis_option
@prefix_option
@data_dir_option
@click.option("--fast", is_flag=True, help="No politeness delays: only for the loopback replica.")
@click.option("--idle-timeout", type=float, default=None,
              help="Exit after nothing has been queued or leased for this long (s)  [default: 30, or "
                   "XXGK_WORKER_IDLE_TIMEOUT]; also how long to wait for seeds.")  # fmt: skip
@click.option("--name", default=None, help="Worker name (WARC files, leases)  [default: hostname-pid]")
@click.option("-s", "--set", "settings", multiple=True, metavar="KEY=VALUE", help="A Scrapy setting.")
def worker(redis_url: str, prefix: str, data_dir: Path, fast: bool, idle_timeout: float | None,
           name: str | None, settings: tuple[str, ...]) -> None:
    """Crawl the sites seeded in Redis, sharing the queue with every other worker.

    Requests come from the shared queue (a URL is fetched once by all workers together), responses
    are archived to DIR/warc/ in files named after this worker, and extracted items go to Redis for
    the one `xxgk drain`. Run as many as you like, on as many machines.

    \b
    Example:
        xxgk worker --redis redis://10.0.0.5:6379/0 --data-dir /mnt/xxgk
    """
    from scrapy.crawler import CrawlerProcess

    from crawler.cli import FAST_SETTINGS, crawl_summary, parse_overrides, project_settings, spider_names
    from crawler.distributed.settings import worker_settings

    state = connect(redis_url, prefix)
    overrides: dict[str, Any] = worker_settings(redis_url, prefix) | {"XXGK_DATA_DIR": str(data_dir)}
    if fast:
        overrides |= FAST_SETTINGS
    if idle_timeout is not None:
        overrides["XXGK_WORKER_IDLE_TIMEOUT"] = idle_timeout
    if name:
        overrides["XXGK_WARC_WORKER"] = name
    overrides |= parse_overrides(settings)
    scrapy_settings = project_settings(overrides)
    sites = wait_for_sites(state, scrapy_settings.getfloat("XXGK_WORKER_IDLE_TIMEOUT"))
    if not sites:
        click.echo(f"nothing seeded at {redis_url} (prefix {prefix!r}): seed with `xxgk crawl --distributed`")
        return
    unknown = sorted(set(sites) - set(spider_names()))
    if unknown:
        fail(f"seeded site(s) this installation does not know: {', '.join(unknown)}")
    process = CrawlerProcess(scrapy_settings)
    crawlers = []
    for site, spec in sorted(sites.items()):
        crawler = process.create_crawler(site)
        crawlers.append(crawler)
        process.crawl(crawler, **({"year": str(spec["year"])} if spec.get("year") else {}))
    process.start()
    summaries = [crawl_summary(crawler) for crawler in crawlers]
    for summary in summaries:
        click.echo(f"{summary['spider']}: {summary['finish_reason']}, {summary['pages']} pages, "
                   f"{summary['errors']} errors")
    failed = [f"{s['spider']}: ended with {s['finish_reason']!r}" for s in summaries if s["finish_reason"] != "finished"]
    if failed:
        fail("; ".join(failed))


@click.command()
@redis_option
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
