"""Re-crawl cost: ``python -m tests.bench_recrawl [default|large]`` (or ``bench_recrawl()`` from tests/bench.py).

Twice — the replica serving ``ETag`` / ``Last-Modified`` as usual, then serving none (as many dynamic
CMS pages do; tests/replica/validators.py) — crawls the replica once, then again while nothing
changed: incrementally the next night (``XXGK_REVERIFY_DATE``: the rolling re-verification of
crawler/recrawl.py takes its share) and with ``--full`` (everything fetched again), each on a copy
of the first crawl's data directory, in the same run against the same replica. Reports bytes
received, requests and time of each, and the ratios against the first crawl. Never a timed assertion.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.db import open_db

ROOT = Path(__file__).resolve().parent.parent
#: stats summed over the spiders' end-of-run dumps (Scrapy logs them at INFO on stderr)
_STAT = re.compile(r"'(xxgk/wire/bytes/[\w-]+|xxgk/recrawl/[\w_]+)': (\d+)")


def dumped_stats(log: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, value in _STAT.findall(log):
        found[key] = found.get(key, 0) + int(value)
    return found


def line(label: str, value: str) -> None:
    print(f"  {label:<44} {value}", flush=True)


def crawl(proxy_url: str, data_dir: Path, *extra: str) -> dict[str, Any]:
    """One `xxgk crawl` of both sites; its crawl_runs rows summed (the spiders run side by side)."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()} | {"http_proxy": proxy_url}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "wendeng", "hy", "--fast", "--data-dir", str(data_dir), *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"crawl failed:\n{done.stderr[-3000:]}")
    db = open_db(data_dir / "xxgk.db")
    try:
        [row] = db.query(
            "SELECT SUM(bytes) AS bytes, SUM(requests) AS requests, MAX(seconds) AS seconds, "
            "SUM(new_reports) AS new_reports, SUM(not_modified) AS not_modified, "
            "SUM(known_skipped) AS known_skipped, SUM(reverified) AS reverified "
            "FROM (SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 2)"
        )
    finally:
        db.close()
    return row | {"wall": wall, "stats": dumped_stats(done.stderr)}


def bench_recrawl(scale: str = "large") -> dict[str, dict[str, dict[str, Any]]]:
    found = {}
    for validators in (True, False):
        found["validators" if validators else "no validators"] = bench_server(scale, validators)
    return found


def by_role(run: dict[str, Any]) -> None:
    """The incremental run's received bytes by the requests' role, and what the archive handed over."""
    stats, total = run["stats"], max(run["bytes"], 1)
    roles = {"lists": ("list",), "report pages": ("page", "alias"), "files": ("attachment", "image")}
    for name, kinds in roles.items():
        got = sum(stats.get(f"xxgk/wire/bytes/{kind}", 0) for kind in kinds)
        line(f"incremental: bytes of {name}", f"{got:>12,} ({got / total:.0%})")
    named = {kind for kinds in roles.values() for kind in kinds}
    other = sum(v for k, v in stats.items() if k.startswith("xxgk/wire/bytes/") and k.rsplit("/", 1)[1] not in named)
    line("incremental: bytes of other requests", f"{other:>12,}")
    line("incremental: list pages from the archive",
         f"{stats.get('xxgk/recrawl/lists_from_archive', 0):,}"
         f" ({stats.get('xxgk/recrawl/bytes_from_archive', 0):,} B not transferred)")


def bench_server(scale: str, validators: bool) -> dict[str, dict[str, Any]]:
    from tests.replica.fixture import running_replica
    from tests.replica.validators import without_validators

    kind = "with" if validators else "without"
    print(f"recrawl: first crawl vs re-crawls of the unchanged replica {kind} validators (scale={scale})", flush=True)
    if os.environ.get("XXGK_BENCH_NO_VALIDATORS_ONLY") and validators:
        return {}
    # the night after the first crawl, or XXGK_BENCH_NIGHT nights after (other slots of the schedules)
    night = int(os.environ.get("XXGK_BENCH_NIGHT", "1"))
    tomorrow = (datetime.now(UTC).date() + timedelta(days=night)).isoformat()
    # XXGK_BENCH_DATE: the incremental night's day instead (before the first crawl's captures, though,
    # nothing is due by age); XXGK_BENCH_SEASON_YEAR: the year in-season columns are complete for
    # (XXGK_SEASON_YEAR; the replica's newest is 2024), else the night's year − 1
    tomorrow = os.environ.get("XXGK_BENCH_DATE") or tomorrow
    year = os.environ.get("XXGK_BENCH_SEASON_YEAR") or str(date.fromisoformat(tomorrow).year - 1)
    print(f"recrawl: the incremental night counts as {tomorrow}, its reports' year {year}", flush=True)
    with running_replica(seed=0, scale=scale) as replica, tempfile.TemporaryDirectory() as tmp:
        if not validators:
            without_validators(replica.world)
        first_dir = Path(tmp) / "first"
        runs = {"first": crawl(replica.proxy_url, first_dir)}
        # XXGK_BENCH_SEASON: the season's months for the incremental run ("1-12": in season), else the default
        season = ("-s", f"XXGK_SEASON_MONTHS={os.environ['XXGK_BENCH_SEASON']}") if "XXGK_BENCH_SEASON" in os.environ else ()
        incremental = ("-s", f"XXGK_REVERIFY_DATE={tomorrow}", "-s", f"XXGK_SEASON_YEAR={year}", *season)
        for name, extra in (("incremental", incremental), ("full", ("--full",))):
            data_dir = Path(tmp) / name
            shutil.copytree(first_dir, data_dir)
            runs[name] = crawl(replica.proxy_url, data_dir, *extra)
    first = runs["first"]
    for name, run in runs.items():
        line(f"{name}: bytes / requests", f"{run['bytes']:>12,} / {run['requests']:,}")
        line(f"{name}: seconds (crawl / process)", f"{run['seconds']:8.1f} / {run['wall']:.1f}")
    for name in ("incremental", "full"):
        run = runs[name]
        line(f"ratio {name} / first: bytes", f"{run['bytes'] / first['bytes']:8.3f}")
        line(f"ratio {name} / first: requests", f"{run['requests'] / first['requests']:8.3f}")
        line(f"ratio {name} / first: time", f"{run['seconds'] / first['seconds']:8.3f}")
    incremental = runs["incremental"]
    line("incremental: pages answered 304 (not modified)", f"{incremental['not_modified']:,}")
    line("incremental: report pages skipped as known / re-verified",
         f"{incremental['known_skipped']:,} / {incremental['reverified']:,}")
    by_role(incremental)
    line("new reports found by the re-crawls (want 0)", f"{incremental['new_reports']} / {runs['full']['new_reports']}")
    return runs


if __name__ == "__main__":
    bench_recrawl(*sys.argv[1:2])
