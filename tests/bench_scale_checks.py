"""What ``make bench scale`` checks beside its table (tests/bench_scale.py): politeness of one many-site
run, from its WARC request records, and the pages-only crawl's CPU per page against the spiders alone.

Politeness, per host: the most requests the per-host gate let be in flight at once (crawler/hostgate.py
counts them as it lets them go) against ``CONCURRENT_REQUESTS_PER_DOMAIN``, and the shortest gap between
two request starts in the archive (the WARC-Date of a request is when the gate let it go) against
``DOWNLOAD_DELAY``. A host breaks it if either is passed; the worst host of the run is printed.

CPU per page: the CPU of the crawl process from ``run_crawl`` on plus its extraction pool's processes
(tests/bench_stages.py), divided by the pages fetched, for the pages-only crawl (spiders, archive, every
pipeline, SQLite, job state) and for the same spiders on the same sites with none of that (bench.py's
"spider" variant), run back to back in pairs; the ratio is the median of the pairs' ratios.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from statistics import median
from typing import Any

#: the allowance between the gate's monotonic clock and the wall clock stamped as WARC-Date
CLOCK_SLACK_S = 0.002
#: issue #17: pages-only CPU per page at most this many times the spiders alone's
CPU_TARGET = 1.5


def politeness(warc_dir: Path, host_peaks: dict[str, int], limit: int, delay: float) -> dict[str, Any]:
    """Per host, from the archive: requests, the most in flight, the shortest gap between two request
    starts; and the hosts that broke the limit or the delay (what the run's JSON carries)."""
    from tests.support.distributed import request_times

    hosts: dict[str, tuple[int, int, float]] = {}
    for host, times in request_times(warc_dir).items():
        gaps = [(b - a).total_seconds() for (a, _), (b, _) in pairwise(times)]
        hosts[host] = (len(times), host_peaks.get(host, 0), min(gaps, default=float("inf")))
    too_many = sorted(host for host, (_, peak, _) in hosts.items() if peak > limit)
    too_soon = sorted(host for host, (_, _, gap) in hosts.items() if gap < delay - CLOCK_SLACK_S)
    shortest = min(hosts.items(), key=lambda item: item[1][2], default=("", (0, 0, float("inf"))))
    return {
        "hosts": len(hosts), "requests": sum(count for count, _, _ in hosts.values()),
        "limit": limit, "delay": delay, "most_in_flight": max((peak for _, peak, _ in hosts.values()), default=0),
        "shortest_gap": shortest[1][2], "shortest_gap_host": shortest[0],
        "over_limit": too_many, "under_delay": too_soon,
    }  # fmt: skip


def print_politeness(line: Any, sites: int, found: dict[str, Any]) -> None:
    ok = not found["over_limit"] and not found["under_delay"]
    line(f"politeness at {sites:,} sites ({found['hosts']:,} hosts)", "holds" if ok else "BROKEN")
    line("  most in flight to one host (limit)", f"{found['most_in_flight']} ({found['limit']})")
    gap = found["shortest_gap"]
    line("  shortest gap between two requests (delay)",
         f"{gap:.3f} s ({found['delay']:.3f} s) at {found['shortest_gap_host']}" if gap != float("inf") else "-")
    for key, what in (("over_limit", "hosts above the limit"), ("under_delay", "hosts under the delay")):
        if found[key]:
            line(f"  {what}", f"{len(found[key])}: {', '.join(found[key][:5])}")


def cpu_per_page(result: dict[str, Any]) -> float:
    """CPU ms per page of one run: the crawl process from run_crawl on and its pool's processes."""
    return 1000 * sum(result["stage_cpu"].values()) / result["pages"] if result["pages"] else float("inf")


def print_cpu_ratio(line: Any, pairs: dict[int, list[tuple[dict[str, Any], dict[str, Any]]]]) -> None:
    """Per site count: the median over its pairs (pages only, spiders alone, run back to back) of the
    pages-only CPU per page over the spiders alone's, with the medians of each and the pairs' range."""
    for sites, runs in sorted(pairs.items()):
        if not runs:
            continue
        ratios = [cpu_per_page(pages) / cpu_per_page(spiders) for pages, spiders in runs]
        pages = median(cpu_per_page(pages_run) for pages_run, _ in runs)
        spiders = median(cpu_per_page(spiders_run) for _, spiders_run in runs)
        line(f"CPU ms/page at {sites:,} sites, pages / spiders alone",
             f"{pages:5.2f} / {spiders:5.2f}, {median(ratios):.2f}× (median of {len(runs)} pairs, "
             f"{min(ratios):.2f}–{max(ratios):.2f}; done when ≤ {CPU_TARGET}×)")
