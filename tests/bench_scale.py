"""Many sites in one run: ``make bench scale`` (``python -m tests.bench_scale [budget_s] [--quick]``).

One `xxgk crawl` (crawler/fleet.py) of 1, 10, 100 and 1,000 sites, each in a fresh process against the
replica, each size measured if its run is predicted to take at most ten minutes (the budget); the
sizes that would not fit are extrapolated with the slope of the last two measured (marked ``~``).
Prints one table: wall time, time per site, pages/s, peak RSS of the crawl process, start-up time
(spider loader, pool, database and the first crawlers scheduled) and CPU ms per page by stage
(tests/bench_stages.py says how each is measured). The 1- and 10-site rows are the best of their runs
(three or more) spread over the bench (a few seconds each: one busy moment of a shared box would decide
the ratio). Then the checks (tests/bench_scale_checks.py): time per site at 1,000 vs 10 sites, peak RSS,
pages-only CPU per page against the spiders alone at 10 and 100 sites (the median of pairs run back to
back, ``CPU_PAIRS``), and politeness per host from
the largest run's WARC request records. Then, in the same run, the peers: re-crawl bytes of the
unchanged replica with and without validators (tests/bench_recrawl.py) and reparse reports/s on one
core and on all (tests/bench_reparse.py). ``--quick``: 1, 10 and 30 sites, one reparse round.

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
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench import CRAWL_VARIANTS
from tests.bench_scale_checks import politeness, print_cpu_ratio, print_politeness
from tests.bench_stages import STAGES

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1, 10, 100, 1000)
SHOWN = (1, 10, 100, 1000)  # always in the table, measured or extrapolated
QUICK_SIZES = (1, 10, 30)  # `--quick`: to try the bench itself, all measured
BUDGET_S = 600.0
YEAR = 2023
#: every run's settings over FAST_SETTINGS. Pages only: LibreOffice conversions of attachments would
#: dominate (they are `bench documents`); what grows with the number of sites is the crawl machinery.
#: A host's limit and delay as a polite crawl has them (the project's 4 at once; a short delay, so the
#: crawl stays CPU-bound here): the politeness check holds them against the archive.
SETTINGS: dict[str, Any] = {"LOG_LEVEL": "ERROR", "XXGK_PROGRESS": False, "XXGK_ATTACHMENTS": False,
                            "CONCURRENT_REQUESTS_PER_DOMAIN": 4, "DOWNLOAD_DELAY": 0.02}
#: bench.py's spiders alone: no pipelines, no WARC, no job state
SPIDERS_ALONE: dict[str, Any] = next(dict(settings) for name, _, settings in CRAWL_VARIANTS if name == "spider")
REPEATS = 3  # at least, for the small rows: their best (their seconds are noise-sized)
SMALL = (1, 10)  # the rows repeated, alternated with the big ones
CPU_SITES = (10, 100)  # where the pages-only crawl's CPU per page is set against the spiders alone's
#: interleaved pairs (spiders alone, then pages only) per CPU_SITES size, the ratio their median: the
#: spiders alone's CPU per page swings by a third from run to run on a shared VM, so one pair, or the
#: best of each kind taken from different moments, says more about the moment than the crawl
CPU_PAIRS = {10: 5, 100: 3}


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


def run_sites_here(data_dir: str, names_file: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """In a subprocess: the crawl of the named sites, with what it cost this process (``overrides``:
    the variant's settings, e.g. bench.py's spiders alone) and, when it archived, its politeness."""
    from crawler import fleet
    from crawler.running import FAST_SETTINGS, run_crawl
    from tests.bench_stages import descendants_cpu, instrument, own_cpu, stage_split

    names = Path(names_file).read_text(encoding="utf-8").split()
    spent = instrument()
    settings = dict(FAST_SETTINGS) | SETTINGS | (overrides or {})
    # the interpreter's start and imports are no stage's: CPU from here on (start-up is its own column)
    began, cpu_began = time.perf_counter(), own_cpu()
    summaries = run_crawl(names, Path(data_dir), YEAR, settings)
    wall = time.perf_counter() - began
    run = fleet.last_run
    assert run is not None
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    stages = stage_split(spent, own_cpu() - cpu_began, descendants_cpu() + children.ru_utime + children.ru_stime)
    result = {
        "stage_cpu": stages,
        "sites": len(names), "wall": wall, "startup": run.startup_seconds,
        "pages": sum(s["pages"] for s in summaries), "reports": sum(s["report_pages"] for s in summaries),
        "failed": sum(s.get("run_status") == "failed" for s in summaries),
        "rss_mb": peak_rss_mb(),
        "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "most_alive": run.most_alive, "host_peak": max(run.host_peaks.values(), default=0),
    }
    if (warc := Path(data_dir) / "warc").is_dir():  # read after the clocks stopped: no stage's cost
        limit, delay = settings["CONCURRENT_REQUESTS_PER_DOMAIN"], settings["DOWNLOAD_DELAY"]
        result["politeness"] = politeness(warc, run.host_peaks, limit, delay)
    return result


def peak_rss_mb() -> float:
    """This process's peak resident set, from its own address space (``VmHWM``): ``ru_maxrss`` is
    not, since Linux carries the peak of the process that exec'd this one over (a bench parent that
    grew to 2 GB serving 1,000 sites made the next 1-site run read 2,273 MB)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(count: int, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
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
                [sys.executable, "-m", "tests.bench_scale", "_run", str(Path(tmp) / "data"), str(names_file),
                 json.dumps(overrides or {})],
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
    # CPU per page: the largest run's (the stages' work is per page; what grows is the wall time)
    stage_cpu = {stage: cpu / b["pages"] * at("pages") for stage, cpu in b["stage_cpu"].items()}
    return {"sites": count, "estimated": True, **{key: at(key) for key in keys}, "startup": startup,
            "host_peak": b["host_peak"], "stage_cpu": stage_cpu}


HEADER = (f"{'sites':>6} {'wall s':>8} {'s/site':>6} {'pages/s':>7} {'RSS MB':>6} {'start s':>7}  CPU ms/page: "
          + " ".join(f"{stage:>10}" for stage in STAGES))


def row(result: dict[str, Any], rounds: int = 1) -> str:
    mark = "~" if result.get("estimated") else " "
    per_site = result["wall"] / result["sites"]
    rate = result["pages"] / result["wall"] if result["wall"] else 0.0
    per_page = 1000 / result["pages"] if result["pages"] else 0.0
    cpu = " ".join(f"{result['stage_cpu'][stage] * per_page:10.2f}" for stage in STAGES)
    return (f"{mark}{result['sites']:>5} {result['wall']:8.1f} {per_site:6.2f} {rate:7.1f} "
            f"{result['rss_mb']:6.0f} {result['startup']:7.2f}  {' ' * 12} {cpu}"
            + (f"  (best of {rounds})" if rounds > 1 else ""))


@dataclass
class Runs:
    """Every run of the bench by size: the pages-only crawls, and the pairs with the spiders alone."""

    pages: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    #: (pages only, spiders alone) measured back to back, spiders alone first
    pairs: dict[int, list[tuple[dict[str, Any], dict[str, Any]]]] = field(default_factory=lambda: defaultdict(list))

    def best(self, count: int) -> dict[str, Any]:
        """The size's fastest pages-only run: on a shared box, noise only ever adds time."""
        return min(self.pages[count], key=lambda result: result["wall"])

    def run(self, count: int, spiders_alone: bool = False) -> dict[str, Any]:
        result = measure(count, SPIDERS_ALONE if spiders_alone else None)
        if not spiders_alone:
            self.pages[count].append(result)
        kind = "spiders alone" if spiders_alone else "pages only"
        print(f"  measured {count} sites ({kind}) in {result['wall']:.1f} s", flush=True)
        return result

    def run_pair(self, count: int) -> None:
        """The spiders alone, then the pages-only crawl of the same sites: one pair of the CPU ratio."""
        spiders = self.run(count, spiders_alone=True)
        self.pairs[count].append((self.run(count), spiders))

    def pages_run(self, count: int) -> None:
        """One pages-only run of ``count`` sites, as a pair with the spiders alone where the CPU
        ratio is taken and pairs are still missing."""
        if len(self.pairs[count]) < CPU_PAIRS.get(count, 0):
            self.run_pair(count)
        else:
            self.run(count)

    def small_round(self, sizes: tuple[int, ...]) -> None:
        """One more run of each small row (with its spiders-alone pair at 10 sites), while any has
        fewer than REPEATS."""
        for count in (c for c in SMALL if c in sizes):
            if len(self.pages[count]) < REPEATS:
                self.pages_run(count)


def measure_sizes(sizes: tuple[int, ...], budget: float) -> Runs:
    """Each size in turn while its own run is predicted (by the slope of the last two sizes) to take
    no longer than the budget; after each big size a round of the small rows, so that their best of
    REPEATS spans the whole run; the spiders-alone peer beside each CPU_SITES size."""
    runs = Runs()
    for count in sizes:
        done = [c for c in sizes if runs.pages[c]]
        if len(done) >= 2:
            a, b = runs.best(done[-2]), runs.best(done[-1])
            slope = (b["wall"] - a["wall"]) / (b["sites"] - a["sites"])
            if b["wall"] + slope * (count - b["sites"]) > budget:
                break
        runs.pages_run(count)
        if count not in SMALL:
            runs.small_round(sizes)
    while any(len(runs.pages[c]) < REPEATS for c in SMALL if c in sizes):
        runs.small_round(sizes)
    # the CPU pairs still missing, alternated between the sizes (so no size's pairs share one moment)
    while missing := [c for c in CPU_SITES if runs.pages[c] and len(runs.pairs[c]) < CPU_PAIRS[c]]:
        for count in missing:
            runs.run_pair(count)
    return runs


def scale_table(sizes: tuple[int, ...], shown: tuple[int, ...], budget: float) -> tuple[dict[int, dict[str, Any]], Runs]:
    """Print the one table (measured sizes, then the shown ones extrapolated); return it by size."""
    runs = measure_sizes(sizes, budget)
    measured_sizes = sorted(count for count in runs.pages if runs.pages[count])
    results = [runs.best(count) for count in measured_sizes]
    first, second = (results[-2], results[-1]) if len(results) > 1 else (results[-1], results[-1])
    results += [extrapolated(count, first, second) for count in shown if count not in measured_sizes]
    by_size = {result["sites"]: result for result in sorted(results, key=lambda r: r["sites"])}
    print(HEADER)
    for count in sorted(set(shown) | set(measured_sizes)):
        print(row(by_size[count], len(runs.pages[count])), flush=True)
    return by_size, runs


def print_targets(by_size: dict[int, dict[str, Any]], runs: Runs, big: int) -> None:
    if 10 in by_size and big in by_size and big > 10:
        small, large = by_size[10], by_size[big]
        ratio = (large["wall"] / big) / (small["wall"] / 10)
        crawl = ((large["wall"] - large["startup"]) / big) / ((small["wall"] - small["startup"]) / 10)
        mark = "~" if large.get("estimated") else ""
        line(f"time per site, {big:,} vs 10 sites", f"{mark}{ratio:.2f}× (done when ≤ 1.25×; "
             f"start-up apart {mark}{crawl:.2f}×)")
        line(f"peak RSS at {big:,} sites", f"{mark}{large['rss_mb'] + large['worker_rss_mb']:.0f} MB "
             "(crawl + one worker; done when < 2048 MB)")
    print_cpu_ratio(line, {count: runs.pairs[count] for count in CPU_SITES})
    largest = max((count for count in runs.pages if runs.pages[count]), default=0)
    if largest and "politeness" in runs.pages[largest][-1]:
        print_politeness(line, largest, runs.pages[largest][-1]["politeness"])


def print_peers(quick: bool) -> None:
    """In the same run: re-crawl bytes of the unchanged replica with and without validators, and
    reparse reports/s on one core and on all (tests/bench_recrawl.py, tests/bench_reparse.py)."""
    from tests.bench_recrawl import bench_server
    from tests.bench_reparse import MIN_REPORTS, bench_reparse

    # the default replica: the large one's three crawls per server would take the bench past 15 minutes
    recrawls = {validators: bench_server("default", validators) for validators in (True, False)}
    print("re-crawl of the unchanged replica, bytes received / the first crawl's:")
    for validators, runs in recrawls.items():
        kind = "with validators   " if validators else "without validators"
        first = runs["first"]["bytes"]
        line(f"{kind}: incremental / full", f"{runs['incremental']['bytes'] / first:6.3f} / "
             f"{runs['full']['bytes'] / first:6.3f}")
    bench_reparse(MIN_REPORTS, rounds=1 if quick else 2)


def bench_scale(budget: float = BUDGET_S, quick: bool = False) -> None:
    sizes, shown = (QUICK_SIZES, QUICK_SIZES) if quick else (SIZES, SHOWN)
    print(f"scale: one `xxgk crawl` of N sites (crawler/fleet.py), --year {YEAR}, pages only, on {platform.node()} "
          f"({os.cpu_count()} cores, {platform.processor() or platform.machine()}); ~ = extrapolated; "
          "CPU per stage as tests/bench_stages.py measures it", flush=True)
    by_size, runs = scale_table(sizes, shown, budget)
    print_targets(by_size, runs, max(shown))
    print_peers(quick)


def main(argv: list[str]) -> None:
    if argv and argv[0] == "_run":
        print(json.dumps(run_sites_here(argv[1], argv[2], json.loads(argv[3]) if len(argv) > 3 else None)))
        return
    quick = "--quick" in argv
    numbers = [float(arg) for arg in argv if arg != "--quick"]
    bench_scale(numbers[0] if numbers else BUDGET_S, quick=quick)


if __name__ == "__main__":
    main(sys.argv[1:])
