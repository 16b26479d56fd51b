"""``xxgk crawl``: crawl sites into DIR/xxgk.db, archiving every response (crawler/running.py), or
seed them for distributed workers (crawler/commands/distributed.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from crawler.commands.distributed import seed_and_drain
from crawler.distributed.state import DEFAULT_PREFIX
from crawler.options import data_dir_option, fail, redis_option, settings_option, year_option
from crawler.running import FAST_SETTINGS, run_crawl, spider_names
from crawler.sites.catalog import is_url, tested_sites
from crawler.summary import failed_runs, summary_line


def chosen_sites(sites: Sequence[str], all_sites: bool) -> list[str]:
    """The sites to crawl: those named (profiles or URLs), or every tried profile; refuses unknown names."""
    known = spider_names()
    chosen = tested_sites() if all_sites else list(sites)
    if not chosen:
        fail(f"name at least one site (or --all); known: {', '.join(known)}")
    unknown = sorted(set(chosen) - set(known) - {site for site in chosen if is_url(site)})
    if unknown:
        fail(f"unknown site(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return chosen


def check_distributed(sites: Sequence[str], redis_url: str | None, *, full: bool = False, lists: bool = False) -> str:
    """The Redis URL of a distributed crawl. Sites whose platform is detected on their start page (URLs,
    ``platform = "auto"``) are resolved by the seeder before seeding (crawler/distributed/resolve.py).
    What to fetch again is the workers' decision (their own settings), so the flags that change it here
    are refused rather than silently ignored."""
    if not redis_url:
        fail("--distributed needs --redis URL")
    if full or lists:
        flag, setting = ("--full", "XXGK_INCREMENTAL=False") if full else ("--lists", "XXGK_LIST_DAYS=1")
        fail(f"{flag} does not reach the workers of --distributed: start them with `xxgk worker -s {setting}`")
    return redis_url


@click.command()
@click.argument("sites", nargs=-1)
@data_dir_option
@year_option
@click.option("--all", "all_sites", is_flag=True, help="Crawl every site with a tried profile (see `xxgk sites`).")
@click.option("--fast", is_flag=True, envvar="XXGK_FAST",
              help="No politeness delays: only for the loopback replica (env XXGK_FAST=1: scheduled recipes' tests).")
@click.option("--full", is_flag=True, help="Fetch everything in full again (default: incremental re-crawl).")
@click.option("--lists", is_flag=True,
              help="Read every list page this run, even out of season (known report pages still skipped).")
@settings_option
@click.option("--distributed", is_flag=True, help="Seed the sites into Redis for `xxgk worker`s, then drain.")
@redis_option(required=False, help="The shared Redis of --distributed.")
@click.option("--seed-only", is_flag=True, help="With --distributed: seed, and leave draining to `xxgk drain`.")
@click.option("--resume", is_flag=True, help="Continue an interrupted crawl (DIR/jobs/<site>); nothing stored is fetched again.")
@click.option("--platform", type=click.Choice(["auto", "hanweb", "trs", "generic"]), default="auto", show_default=True,
              help="The platform of sites given by URL (auto: detected from the start page).")
def crawl(
    sites: tuple[str, ...], data_dir: Path, year: int | None, all_sites: bool, fast: bool, full: bool,
    settings: dict[str, Any], distributed: bool, redis_url: str | None, seed_only: bool, resume: bool,
    platform: str, lists: bool,
) -> None:
    """Crawl SITES (profile names or start URLs) into DIR/xxgk.db, archiving every response.

    \b
    Example:
        xxgk crawl wendeng hy --data-dir data --year 2023
        xxgk crawl http://www.example.gov.cn/ wendeng   (a URL: named after its host, platform detected)
        xxgk crawl --all --full        (re-verify everything, not only what changed)
        xxgk crawl --all --lists       (read every list page tonight, out of season too)
    Against the offline replica:
        http_proxy=http://127.0.0.1:8899 xxgk crawl wendeng --fast
    On many machines (workers: xxgk worker --redis URL):
        xxgk crawl wendeng hy --distributed --redis redis://10.0.0.5:6379/0
    After a crash or kill, continue where it stopped:
        xxgk crawl wendeng hy --resume
    """
    chosen = chosen_sites(sites, all_sites)
    if distributed:
        url = check_distributed(chosen, redis_url, full=full, lists=lists)
    overrides = (FAST_SETTINGS if fast else {}) | ({"XXGK_INCREMENTAL": False} if full else {})
    overrides |= ({"XXGK_LIST_DAYS": 1} if lists else {}) | settings
    if distributed:
        probe = {"XXGK_DATA_DIR": str(data_dir), **overrides}  # how the seeder fetches a start page to resolve
        return seed_and_drain(url, DEFAULT_PREFIX, chosen, data_dir, year, seed_only, probe, platform)
    summaries = run_crawl(chosen, data_dir, year, overrides, resume=resume, platform=platform)
    for summary in summaries:
        click.echo(summary_line(summary))
    if reasons := failed_runs(summaries):
        fail("; ".join(reasons))
