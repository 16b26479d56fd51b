"""The machine's own ceiling for a reparse on all cores: ``python -m tests.bench_contention [N]``.

A reparse on all cores runs the same pure work (the CPU stages) as one on one core, on processes
that run at the same time. If running at the same time makes each CPU second do less (shared
caches and memory bandwidth, or virtual cores that share a physical one), the parallel run's CPU
per report is higher than the inline run's for no fault of its code: a ceiling no pool plumbing can
lift. This measures it: the CPU stages over N replica report pages (prebuilt, as bench_reparse's
"stages only" peer) in one process alone, then in two processes at once on the same items, and prints
CPU ms/item of each and the ceiling they imply, 2 × alone / together, for two cores.

Never a timed assertion: the ratio is what we track, and the box's load is printed beside it.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.synchronize import Barrier


def prebuilt_items(warc_dir: Path) -> list[bytes]:
    """The archive's report pages as items, pickled (each run unpickles its own fresh copy)."""
    from crawler.archive.reader import iter_responses
    from crawler.builders import item_for
    from crawler.reparse.delivery import delivered

    return [pickle.dumps(item_for(archived, response)) for archived, response in delivered(iter_responses(warc_dir))]


def stages_cpu(items: list[bytes], start: Barrier | None = None) -> float:
    """CPU seconds of this process for the CPU stages over ``items``; ``start``: begin with a partner."""
    from crawler.reparse.pooled import for_the_writer

    for_the_writer(pickle.loads(items[0]))  # caches warm, as in a worker that has run a batch
    if start is not None:
        start.wait()
    began = time.process_time()
    for blob in items:
        for_the_writer(pickle.loads(blob))
    return time.process_time() - began


def _child(items: list[bytes], start: Barrier, spent: Any) -> None:
    spent.value = stages_cpu(items, start)


def at_once(items: list[bytes], processes: int) -> list[float]:
    """CPU seconds of each of ``processes`` processes running the stages over ``items`` at the same
    time; each forked from this process, which never runs the stages itself, so every one starts
    from the same state (the stages' caches as cold as in a fresh worker, bar one warming item)."""
    context = multiprocessing.get_context("fork")  # no threads here: a plain fork is safe
    start = context.Barrier(processes)
    spent = [context.Value("d", 0.0) for _ in range(processes)]
    children = [context.Process(target=_child, args=(items, start, value)) for value in spent]
    for child in children:
        child.start()
    for child in children:
        child.join()
    return [value.value for value in spent]


def bench_contention(count: int = 600, rounds: int = 3) -> dict[str, Any]:
    from tests.bench_reparse import archive_replica_reports

    with tempfile.TemporaryDirectory(prefix="bench-contention-") as tmp:
        warc_dir = Path(tmp) / "warc"
        archive_replica_reports(warc_dir, count)
        items = prebuilt_items(warc_dir)
    load_before = os.getloadavg()[0]
    alone, paired = [], []
    for _ in range(rounds):  # alternated, so both see about the same load
        alone.extend(at_once(items, 1))
        paired.extend(at_once(items, 2))
    per_item = {name: 1000 * median(values) / len(items) for name, values in (("alone", alone), ("together", paired))}
    figures = {
        "items": len(items),
        "cpu_ms_per_item_alone": per_item["alone"],
        "cpu_ms_per_item_together": per_item["together"],
        "ceiling_on_two_cores": 2 * per_item["alone"] / per_item["together"],
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }
    print(f"contention: the CPU stages over {len(items)} replica report pages, median of {rounds} alternated "
          f"rounds; box load {figures['load_before']:.1f} → {figures['load_after']:.1f} (1-min average)")  # fmt: skip
    print(f"  one process alone                 {figures['cpu_ms_per_item_alone']:6.2f} CPU ms/item")
    print(f"  two processes at once (each)      {figures['cpu_ms_per_item_together']:6.2f} CPU ms/item")
    print(f"  ceiling on two cores, 2 × alone / together   {figures['ceiling_on_two_cores']:.2f}")
    return figures


if __name__ == "__main__":
    bench_contention(int(sys.argv[1]) if len(sys.argv) > 1 else 600)
