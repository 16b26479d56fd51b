"""Reparse throughput: ``python -m tests.bench_reparse [N]`` (or ``bench_reparse()`` from tests/bench.py).

Archives N report pages of the large replica world (no server: bodies come from ``World.handle``)
through the real ``WarcArchiveMiddleware`` with their spider context, then times ``reparse`` into a
fresh database on one core (inline: ``workers=0``, the same code with the CPU stages called in
this process — the honest one-core peer; ``workers=1`` would be a worker *and* the writer, two
processes on two cores) and on all cores (``reparse_workers()`` processes for normalise
and extract, the one writer here), alternated, the ratio printed. Two peers, measured in the same run
on the same pages:

* stages only: the same items, prebuilt in memory, through the same four stages into a fresh DB —
  what reparse costs beyond the pipelines is reading, decoding and rebuilding from the WARC;
* read only: ``iter_responses`` over the archive, i.e. the WARC reading alone.

Never a timed assertion: machines differ, the ratios are what we track.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.archive.middleware import CONTEXT_META_KEY, WarcArchiveMiddleware
from crawler.archive.reader import iter_responses
from crawler.archive.writer import WarcArchiveWriter
from crawler.builders import item_for
from crawler.reparse import ReparseSummary, reparse, reparse_workers
from crawler.reparse.delivery import delivered
from pipelines.chain import ChainStats as ReparseStats
from pipelines.chain import SyncChain as Stages

MIN_REPORTS = 2_000


def archive_replica_reports(warc_dir: Path, count: int) -> int:
    """Write up to ``count`` replica report pages (all postings) as the crawl would; return how many."""
    from tests.replica.world import build_world

    world = build_world(seed=0, scale="large")
    middleware = WarcArchiveMiddleware(WarcArchiveWriter(warc_dir, "bench", worker="bench"))
    written = 0
    for report in world.current_reports():
        for url in [report.url, *(d["url"] for d in report.duplicates if d["kind"] != "alias")][
            : count - written
        ]:
            context = {"site": report.site, "role": "page", "list_title": report.title,
                       "list_date": report.published.strftime("%Y-%m-%d"), "column": None,
                       "column_url": report.column_url}  # fmt: skip
            parts = urlsplit(url)
            served = world.handle("GET", parts.hostname or "", parts.path)
            request = Request(url, meta={CONTEXT_META_KEY: context})
            middleware.process_request(request)
            headers = dict(served.headers)
            middleware.process_response(
                request, HtmlResponse(url, headers=headers, body=served.body, request=request)
            )
            written += 1
        if written >= count:
            break
    middleware.close()
    return written


def time_stages_only(warc_dir: Path, into: Path) -> float:
    items = [item_for(archived, response) for archived, response in delivered(iter_responses(warc_dir))]
    started = time.perf_counter()
    with Stages(into, ReparseStats()) as stages:
        for item in items:
            stages.process(item)
    return time.perf_counter() - started


def time_read_only(warc_dir: Path) -> float:
    started = time.perf_counter()
    for _ in iter_responses(warc_dir):
        pass
    return time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU of this process: the reader and the one writer (the pool's workers are the fork server's
    children, not ours). Inline it is the whole reparse; beside the pool it is the serial part, the
    floor under the wall time however many cores extract."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def timed_reparse(warc_dir: Path, into: Path, workers: int) -> tuple[ReparseSummary, float]:
    """A reparse, and the CPU seconds it cost this process."""
    before = cpu_seconds()
    summary = reparse(warc_dir, into, workers=workers)
    return summary, cpu_seconds() - before


def one_vs_all_cores(warc_dir: Path, tmp: Path, workers: int, rounds: int) -> dict[str, Any]:
    """Reparse on one core (inline) and on every core, alternated ``rounds`` times: on a machine
    others share, the best of each is the least disturbed."""
    best: dict[str, tuple[ReparseSummary, float]] = {}
    for round_no in range(rounds):
        for name, count in (("one", 0), ("all", workers)):
            run = timed_reparse(warc_dir, tmp / f"{name}{round_no}.db", count)
            if name not in best or run[0].seconds < best[name][0].seconds:
                best[name] = run
    (one, one_cpu), (every, every_cpu) = best["one"], best["all"]
    return {
        "reparse_reports_per_s": one.report_pages / one.seconds,
        "reparse_all_cores_reports_per_s": every.report_pages / every.seconds,
        "all_cores_vs_one": one.seconds / every.seconds,
        "cpu_ms_per_report_one": 1000 * one_cpu / one.report_pages,
        "cpu_ms_per_report_all": 1000 * every_cpu / every.report_pages,
        "summary": one,
    }


def bench_reparse(count: int = 2_400, workers: int | None = None, rounds: int = 2) -> dict[str, Any]:
    """Print and return the figures (reports/s of reparse on one core and on all, and of its peers)."""
    workers = reparse_workers() if workers is None else workers
    with tempfile.TemporaryDirectory(prefix="bench-reparse-") as tmp:
        warc_dir = Path(tmp) / "warc"
        pages = archive_replica_reports(warc_dir, max(count, MIN_REPORTS))
        warc_mb = sum(path.stat().st_size for path in warc_dir.glob("*.warc.gz")) / 1e6
        load_before = os.getloadavg()[0]
        cores = one_vs_all_cores(warc_dir, Path(tmp), workers, rounds)
        load_after = os.getloadavg()[0]
        stages_seconds = time_stages_only(warc_dir, Path(tmp) / "stages.db")
        read_seconds = time_read_only(warc_dir)
    summary = cores.pop("summary")
    figures = {
        "report_pages": summary.report_pages,
        "reports": summary.reports,
        "warc_mb": round(warc_mb, 1),
        **cores,
        "workers": workers,
        # others' processes on the box take cores from the pool, never from an inline run's one:
        # a ratio measured above a load of about 1 understates what all cores give
        "load_before": round(load_before, 2),
        "load_after": round(load_after, 2),
        "stages_only_reports_per_s": pages / stages_seconds,
        "read_only_reports_per_s": pages / read_seconds,
    }
    print(f"reparse: {summary.report_pages} replica report pages ({warc_mb:.1f} MB of WARC) → "
          f"{summary.reports} reports; {os.cpu_count()} cores, best of {rounds} alternated runs; "
          f"box load {load_before:.1f} → {load_after:.1f} (1-min average)")  # fmt: skip
    print(f"  reparse on one core (inline)              {figures['reparse_reports_per_s']:8.1f} reports/s"
          f"   {figures['cpu_ms_per_report_one']:6.1f} CPU ms/report, all of it")  # fmt: skip
    print(f"  reparse on all cores ({workers} workers)          "
          f"{figures['reparse_all_cores_reports_per_s']:8.1f} reports/s"
          f"   {figures['cpu_ms_per_report_all']:6.1f} CPU ms/report in the reader+writer")  # fmt: skip
    print(f"  ratio all cores / one core                {figures['all_cores_vs_one']:8.2f}")
    print(f"  peer: the same stages on prebuilt items   {figures['stages_only_reports_per_s']:8.1f} reports/s")
    print(f"  peer: reading the WARC alone              {figures['read_only_reports_per_s']:8.1f} reports/s")
    print(f"  ratio reparse (one core) / stages only    "
          f"{figures['reparse_reports_per_s'] / figures['stages_only_reports_per_s']:8.2f}")  # fmt: skip
    return figures


if __name__ == "__main__":
    bench_reparse(int(sys.argv[1]) if len(sys.argv) > 1 else 2_400)
