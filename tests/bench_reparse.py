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
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from crawler.reparse import ReparseSummary

# Scrapy and the crawl's modules (the WARC reader, the chain) are imported in the functions that use
# them, not here: every pool worker imports the main module again (multiprocessing's main-module
# fixup), so what this module imports at its top, each worker would import at its start — a cost
# ``xxgk reparse`` (``python -m crawler``, whose main module imports nothing) never pays, and no part
# of what is measured here (the reader and warcio at the top cost each worker ~0.1 s of CPU a run)

MIN_REPORTS = 2_000


def import_what_is_timed() -> None:
    """The modules a reparse loads (the reader, the stages, Scrapy), loaded before anything is
    timed, as imports at this module's top would have been (see above)."""
    import crawler.reparse.build  # noqa: F401
    import pipelines.store  # noqa: F401


def archive_replica_reports(warc_dir: Path, count: int) -> int:
    """Write up to ``count`` replica report pages (all postings) as the crawl would; return how many."""
    from scrapy import Request
    from scrapy.http import HtmlResponse

    from crawler.archive.middleware import CONTEXT_META_KEY, WarcArchiveMiddleware
    from crawler.archive.writer import WarcArchiveWriter
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
    from crawler.archive.reader import iter_responses
    from crawler.builders import item_for
    from crawler.reparse.delivery import delivered
    from pipelines.chain import ChainStats, SyncChain

    items = [item_for(archived, response) for archived, response in delivered(iter_responses(warc_dir))]
    started = time.perf_counter()
    with SyncChain(into, ChainStats()) as stages:
        for item in items:
            stages.process(item)
    return time.perf_counter() - started


def time_read_only(warc_dir: Path) -> float:
    from crawler.archive.reader import iter_responses

    started = time.perf_counter()
    for _ in iter_responses(warc_dir):
        pass
    return time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU of this process, every thread (the reader, the one writer, the pool's scheduler threads).
    The pool's workers are children of the fork server, not ours: :func:`pool_seconds`."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def pool_seconds() -> float:
    """CPU of this process's descendants, the reaped ones included (/proc): the fork server and the
    pool's workers, whose exits it reaps. Read after a pool closed, the difference is that pool's
    CPU, its workers' start-up counted (they fork from the fork server inside the timed reparse)."""
    from tests.bench_stages import descendants_cpu

    return descendants_cpu()


@dataclass(slots=True)
class Spent:
    """CPU seconds of one reparse: this process and the pool's, and of the first in the closing
    passes (search index, similarity), which nothing overlaps but their pooled map."""

    wall: float = 0.0
    main: float = 0.0
    pool: float = 0.0
    main_closing: float = 0.0


@contextmanager
def closing_cpu(spent: Spent) -> Iterator[None]:
    """Bench-only: the CPU this process spends in the store's close (the closing passes)."""
    from pipelines.store import StorePipeline

    original = StorePipeline.close_spider

    def timed(self: StorePipeline) -> None:
        before = cpu_seconds()
        try:
            original(self)
        finally:
            spent.main_closing += cpu_seconds() - before

    StorePipeline.close_spider = timed  # type: ignore[method-assign]
    try:
        yield
    finally:
        StorePipeline.close_spider = original  # type: ignore[method-assign]


def timed_reparse(warc_dir: Path, into: Path, workers: int) -> tuple[ReparseSummary, Spent]:
    """A reparse, and the CPU it cost this process and the pool."""
    from crawler.reparse import reparse

    spent = Spent()
    main, pool = cpu_seconds(), pool_seconds()
    with closing_cpu(spent):
        summary = reparse(warc_dir, into, workers=workers)
    spent.wall, spent.main = summary.seconds, cpu_seconds() - main
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:  # until the fork server has reaped the closed pool's workers
        spent.pool = pool_seconds() - pool
        time.sleep(0.05)
        if abs(pool_seconds() - pool - spent.pool) < 0.005:
            break
    return summary, spent


def projected(inline: Spent, cores: Spent, n: int) -> tuple[float, float]:
    """(Amdahl, pipelined) projections of all cores / one core on ``n`` cores from CPU alone, so they
    mean the same on a loaded box. Amdahl: this process's CPU is all serial, the pool's divides by n.
    Pipelined: the streaming part of this process overlaps the pool (it reads and writes while the
    workers extract), only its closing passes are serial; the three processes share n cores."""
    amdahl = inline.main / (cores.main + cores.pool / n)
    streaming = cores.main - cores.main_closing
    pipelined = inline.main / (cores.main_closing + max(streaming, (streaming + cores.pool) / n))
    return amdahl, pipelined


#: tables that hold the clock (when a migration or a pass ran, how long it took), not what was parsed
CLOCKED_TABLES = frozenset({"_sqlite_migrations", "similarity_runs"})


def tables(db_file: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows as stored (the one writer stores in capture order on both runs, so the ids
    agree too), but the clocked ones."""
    connection = sqlite3.connect(db_file)
    try:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                 if row[0] not in CLOCKED_TABLES]  # fmt: skip
        return {name: connection.execute(f"SELECT * FROM [{name}]").fetchall() for name in names}
    finally:
        connection.close()


def differing_tables(one: Path, every: Path) -> list[str]:
    first, second = tables(one), tables(every)
    return sorted(name for name in first.keys() | second.keys() if first.get(name) != second.get(name))


def one_vs_all_cores(warc_dir: Path, tmp: Path, workers: int, rounds: int) -> dict[str, Any]:
    """Reparse on one core (inline) and on every core, alternated ``rounds`` times. On a machine
    others share, the wall ratio is the best of each (the least disturbed runs); the CPU split and
    the projections are the median of each round's pair, run one after the other under about the
    same load (the load inflates CPU time too, so a pair from different moments would not compare)."""
    runs: list[tuple[Spent, Spent, float]] = []
    summaries: dict[str, list[ReparseSummary]] = {"one": [], "all": []}
    for round_no in range(rounds):
        pair = []
        for name, count in (("one", 0), ("all", workers)):
            summary, spent = timed_reparse(warc_dir, tmp / f"{name}{round_no}.db", count)
            summaries[name].append(summary)
            pair.append(spent)
        runs.append((pair[0], pair[1], os.getloadavg()[0]))
    differ = differing_tables(tmp / "one0.db", tmp / "all0.db")
    one, every = (min(summaries[name], key=lambda run: run.seconds) for name in ("one", "all"))
    pages, cores = one.report_pages, max(1, min(workers, os.cpu_count() or 1))
    projections = [projected(inline, pooled, cores) for inline, pooled, _ in runs]

    def per_report(value: Callable[[Spent, Spent], float]) -> float:
        return 1000 * median(value(inline, pooled) for inline, pooled, _ in runs) / pages

    return {
        "reparse_reports_per_s": pages / one.seconds,
        "reparse_all_cores_reports_per_s": every.report_pages / every.seconds,
        "all_cores_vs_one": one.seconds / every.seconds,
        "rounds": [
            (round(inline.wall / pooled.wall, 2), round(projection[1], 2), round(load, 1))
            for (inline, pooled, load), projection in zip(runs, projections, strict=True)
        ],
        "cpu_ms_per_report_one": per_report(lambda inline, _: inline.main),
        "cpu_ms_per_report_all": per_report(lambda _, pooled: pooled.main),
        "cpu_ms_per_report_all_closing": per_report(lambda _, pooled: pooled.main_closing),
        "cpu_ms_per_report_pool": per_report(lambda _, pooled: pooled.pool),
        "projected_amdahl": median(amdahl for amdahl, _ in projections),
        "projected_pipelined": median(pipelined for _, pipelined in projections),
        "tables_differing": differ,
        "summary": one,
    }


def bench_reparse(count: int = 2_400, workers: int | None = None, rounds: int = 2) -> dict[str, Any]:
    """Print and return the figures (reports/s of reparse on one core and on all, and of its peers)."""
    import_what_is_timed()
    from crawler.reparse import reparse_workers

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
          f"   {figures['cpu_ms_per_report_all']:6.1f} CPU ms/report in the reader+writer "
          f"({figures['cpu_ms_per_report_all_closing']:.1f} of it closing), "
          f"{figures['cpu_ms_per_report_pool']:.1f} in the pool")  # fmt: skip
    print(f"  ratio all cores / one core, wall          {figures['all_cores_vs_one']:8.2f}"
          f"   rounds (wall ratio, projected, load): {figures['rounds']}")  # fmt: skip
    print(f"  projected from CPU on {min(workers, os.cpu_count() or 1)} cores (median): Amdahl "
          f"{figures['projected_amdahl']:8.2f}   pipelined {figures['projected_pipelined']:.2f}")  # fmt: skip
    print("  tables one core vs all cores              "
          + ("identical" if not figures["tables_differing"] else f"DIFFER: {figures['tables_differing']}"))
    print(f"  peer: the same stages on prebuilt items   {figures['stages_only_reports_per_s']:8.1f} reports/s")
    print(f"  peer: reading the WARC alone              {figures['read_only_reports_per_s']:8.1f} reports/s")
    print(f"  ratio reparse (one core) / stages only    "
          f"{figures['reparse_reports_per_s'] / figures['stages_only_reports_per_s']:8.2f}")  # fmt: skip
    return figures


if __name__ == "__main__":
    bench_reparse(int(sys.argv[1]) if len(sys.argv) > 1 else 2_400)
