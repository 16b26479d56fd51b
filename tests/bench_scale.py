"""Many sites in one run: ``python -m tests.bench scale`` (or ``python -m tests.bench_scale [budget_s]``).

One `xxgk crawl` (crawler/fleet.py) of 1, 10, 100 and 1,000 sites, each in a fresh process against the
replica, for as long as a ten-minute budget allows; the sizes that would not fit are extrapolated with
the slope of the last two measured (marked ``~``). Prints wall time, time per site, pages/s, peak RSS
of the crawl process and of an extraction worker, start-up time (spider loader, pool, database and the
first crawlers scheduled) and the most requests any host saw at once.

Sites: the many-site replica's generated counties (tests/replica/counties.py) when it is there, else
profiles named ``scaleNNNN`` over the replica's six hosts in turn (several sites per host: the
per-host gate then holds them to one host's limit together). ``--year`` and pages only (no
attachments: their LibreOffice conversions are ``bench documents``) keep each site small.
Absolute figures, on the machine named in the header; never a timed assertion.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1, 10, 30, 100, 300, 1000)
SHOWN = (1, 10, 100, 1000)  # always in the table, measured or extrapolated
BUDGET_S = 600.0
YEAR = 2023


def line(label: str, value: str) -> None:
    print(f"  {label:<44} {value}", flush=True)


# --- the sites ---------------------------------------------------------------------------------


def generated_sites(count: int, profiles: Path) -> tuple[Any, list[str]]:
    """(a world serving ``count`` sites, their profile names), profiles written under ``profiles``."""
    try:
        from tests.replica.counties import county_specs, county_world, write_profiles
    except ImportError:
        return replica_sites(count, profiles)
    specs = county_specs(count)
    write_profiles(specs, profiles)
    return county_world(count), [spec.site for spec in specs]


def replica_sites(count: int, profiles: Path) -> tuple[Any, list[str]]:
    from tests.replica.hosts import START_URLS
    from tests.replica.world import ALL_SITES, build_world

    profiles.mkdir(parents=True, exist_ok=True)
    urls = [START_URLS[site] for site in ALL_SITES]
    names = [f"scale{n:04d}" for n in range(count)]
    for n, name in enumerate(names):
        text = f'[site]\nname = "{name}"\nstart_url = "{urls[n % len(urls)]}"\n'
        (profiles / f"{name}.toml").write_text(text, encoding="utf-8")
    return build_world(0, sites=ALL_SITES), names


# --- one measured run, in its own process --------------------------------------------------------


def run_sites_here(data_dir: str, names_file: str) -> dict[str, Any]:
    """In a subprocess: the crawl of the named sites, with what it cost this process."""
    from crawler import fleet
    from crawler.running import FAST_SETTINGS, run_crawl

    names = Path(names_file).read_text(encoding="utf-8").split()
    # pages only: LibreOffice conversions of attachments would dominate (they are `bench documents`);
    # what grows with the number of sites is the crawl machinery, measured here
    settings = dict(FAST_SETTINGS) | {"LOG_LEVEL": "ERROR", "XXGK_PROGRESS": False, "XXGK_ATTACHMENTS": False}
    began = time.perf_counter()
    summaries = run_crawl(names, Path(data_dir), YEAR, settings)
    wall = time.perf_counter() - began
    run = fleet.last_run
    assert run is not None
    return {
        "sites": len(names), "wall": wall, "startup": run.startup_seconds,
        "pages": sum(s["pages"] for s in summaries), "reports": sum(s["report_pages"] for s in summaries),
        "failed": sum(s.get("run_status") == "failed" for s in summaries),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "most_alive": run.most_alive, "host_peak": max(run.host_peaks.values(), default=0),
    }


def measure(count: int) -> dict[str, Any]:
    from tests.replica.server import start

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        world, names = generated_sites(count, Path(tmp) / "sites")
        names_file = Path(tmp) / "names.txt"
        names_file.write_text("\n".join(names), encoding="utf-8")
        server, thread = start(world, 0, None)
        try:
            env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
            env |= {"http_proxy": server.proxy_url, "XXGK_SITES_DIR": str(Path(tmp) / "sites")}
            out = subprocess.run(
                [sys.executable, "-m", "tests.bench_scale", "_run", str(Path(tmp) / "data"), str(names_file)],
                cwd=ROOT, env=env, capture_output=True, text=True, check=False,
            )
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
    if out.returncode != 0:
        raise SystemExit(f"scale run of {count} sites failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the table -----------------------------------------------------------------------------------


def extrapolated(count: int, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """``count`` sites by the slope between the measured runs ``a`` and ``b`` (fewer sites first)."""
    span = b["sites"] - a["sites"]

    def at(key: str) -> float:
        return b[key] + (b[key] - a[key]) / span * (count - b["sites"]) if span else b[key]

    keys = ("wall", "pages", "rss_mb", "worker_rss_mb")
    # start-up: never below the largest run's (a falling slope between two noisy runs is no saving)
    startup = max(at("startup"), b["startup"])
    return {"sites": count, "estimated": True, **{key: at(key) for key in keys}, "startup": startup,
            "host_peak": b["host_peak"]}


def row(result: dict[str, Any]) -> str:
    mark = "~" if result.get("estimated") else " "
    per_site = result["wall"] / result["sites"]
    rate = result["pages"] / result["wall"] if result["wall"] else 0.0
    return (f"{mark}{result['sites']:>5} sites  {result['wall']:8.1f} s  {per_site:6.2f} s/site  {rate:6.1f} pages/s  "
            f"RSS {result['rss_mb']:6.0f} MB (+worker {result['worker_rss_mb']:4.0f})  "
            f"start-up {result['startup']:5.2f} s  host peak {result['host_peak']}")


def bench_scale(budget: float = BUDGET_S) -> None:
    print(f"scale: one `xxgk crawl` of N sites (crawler/fleet.py), --year {YEAR}, pages only, on {platform.node()} "
          f"({os.cpu_count()} cores, {platform.processor() or platform.machine()}); ~ = extrapolated", flush=True)
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    for count in SIZES:
        left = budget - (time.perf_counter() - started)
        if len(results) >= 2:  # sites run side by side: predict from the largest run's time per site
            last = results[-1]
            if last["wall"] / last["sites"] * count > left:
                break
        results.append(measure(count))
        line(f"{count} sites", row(results[-1]).strip())
    measured_sizes = {result["sites"] for result in results}
    first, second = (results[-2], results[-1]) if len(results) > 1 else (results[-1], results[-1])
    for count in SHOWN:
        if count not in measured_sizes:
            results.append(extrapolated(count, first, second))
            line(f"{count} sites (extrapolated)", row(results[-1]).strip())
    by_size = {result["sites"]: result for result in results}
    if 10 in by_size and 1000 in by_size:
        ratio = (by_size[1000]["wall"] / 1000) / (by_size[10]["wall"] / 10)
        line("time per site, 1,000 vs 10 sites", f"{ratio:.2f}× (done when ≤ 1.25×)")
        line("peak RSS at 1,000 sites", f"{by_size[1000]['rss_mb'] + by_size[1000]['worker_rss_mb']:.0f} MB "
             "(crawl + one worker; done when < 2048 MB)")


def main(argv: list[str]) -> None:
    if argv and argv[0] == "_run":
        print(json.dumps(run_sites_here(argv[1], argv[2])))
        return
    bench_scale(float(argv[0]) if argv else BUDGET_S)


if __name__ == "__main__":
    main(sys.argv[1:])
