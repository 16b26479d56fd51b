"""``xxgk sites``: the sites the project knows (profiles, and sites crawled by URL), with platform,
region and how their last crawl went (``crawl_runs``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from crawler.db import db_path, open_db
from crawler.options import data_dir_option
from crawler.sites.profile import SiteProfile

COLUMNS = ("site", "platform", "region", "profile", "last_crawl", "status", "reports")


def last_runs(path: Path) -> dict[str, dict[str, Any]]:
    """site → its latest crawl_runs row (empty when there is no database yet)."""
    if not path.exists():
        return {}
    db = open_db(path)
    try:
        if "crawl_runs" not in db.table_names():
            return {}
        rows = db.query("SELECT * FROM crawl_runs WHERE id IN (SELECT MAX(id) FROM crawl_runs GROUP BY spider)")
        return {row["spider"]: row for row in rows}
    finally:
        db.close()


def site_rows(profiles: Iterable[SiteProfile], runs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per profile, then one per site crawled by URL only (its name is its host)."""
    rows = []
    for profile in profiles:
        rows.append(_row(profile.name, profile.platform, profile.region + profile.county,
                         profile.status or "tested", runs.get(profile.name)))
    named = {row["site"] for row in rows}
    rows += [_row(site, "auto", "", "none (crawled by URL)", run) for site, run in sorted(runs.items())
             if site not in named]
    return rows


def _row(site: str, platform: str, region: str, profile: str, run: dict[str, Any] | None) -> dict[str, Any]:
    status = "never crawled"
    if run is not None:
        status = run["status"] if not run.get("failure") else f"{run['status']}: {run['failure']}"
    return {"site": site, "platform": platform, "region": region, "profile": profile,
            "last_crawl": (run or {}).get("finished") or "", "status": status,
            "reports": (run or {}).get("report_pages", "")}


def format_rows(rows: list[dict[str, Any]]) -> str:
    widths = {column: max(len(column), *(len(str(row[column])) for row in rows)) for column in COLUMNS}
    lines = ["  ".join(column.ljust(widths[column]) for column in COLUMNS)]
    lines += ["  ".join(str(row[column]).ljust(widths[column]) for column in COLUMNS) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


@click.command()
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per site.")
def sites(data_dir: Path, as_json: bool) -> None:
    """List the known sites: platform, region, whether the profile was tried live, and the last crawl.

    \b
    Example:
        xxgk sites --data-dir data
        XXGK_SITES_DIR=~/counties xxgk sites      (profiles of your own, one TOML file per county)
    """
    from crawler.sites.catalog import known_profiles

    rows = site_rows(known_profiles(), last_runs(db_path(data_dir)))
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    else:
        click.echo(format_rows(rows))
