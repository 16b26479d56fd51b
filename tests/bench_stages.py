"""CPU per crawl stage, for tests/bench_scale.py: cheap timers, no profiler.

Measured inside the crawl process, bench-only (nothing here is imported by the crawler):

* archive, dedupe, store: ``time.thread_time()`` around ``WarcArchiveMiddleware.process_request`` /
  ``process_response`` and the two database pipelines' ``process_item`` — all synchronous calls on
  the reactor thread, so the thread's CPU between entry and return is exactly theirs;
* extraction: the light jobs run in the crawl process (``WorkerPool.run_here``, timed like the
  stages above), plus the CPU of the extraction pool's worker processes (the other jobs),
  read from /proc after the pool closed: the forkserver is this process's child and reaps the
  workers, so its ``cutime``/``cstime`` hold theirs (live descendants are added as they stand);
* spider: the rest of the crawl process's own CPU from the call to ``run_crawl`` on (the fleet's
  start, Scrapy's engine and downloader, the spiders' callbacks, handing items to the pool) —
  process CPU minus the timed stages.

Linux-only (/proc); elsewhere extraction reads 0.
"""

from __future__ import annotations

import functools
import os
import resource
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

STAGES = ("spider", "archive", "extraction", "dedupe", "store")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def timed(spent: Counter[str], stage: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` adding the reactor thread's CPU seconds it takes to ``spent[stage]``."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.thread_time()
        try:
            return method(*args, **kwargs)
        finally:
            spent[stage] += time.thread_time() - began

    return wrapper


def instrument() -> Counter[str]:
    """Patch the timed stages' classes in this process; the returned counter fills as they run."""
    from crawler.archive.middleware import WarcArchiveMiddleware
    from pipelines.dedupe import DedupePipeline
    from pipelines.offload import WorkerPool
    from pipelines.store import StorePipeline

    spent: Counter[str] = Counter()
    targets: tuple[tuple[type, str, str], ...] = (
        (WarcArchiveMiddleware, "process_request", "archive"),
        (WarcArchiveMiddleware, "process_response", "archive"),
        (DedupePipeline, "process_item", "dedupe"),
        (StorePipeline, "process_item", "store"),
        (WorkerPool, "run_here", "extraction"),
    )
    for cls, name, stage in targets:
        setattr(cls, name, timed(spent, stage, getattr(cls, name)))
    return spent


def _proc_stat(pid: str) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and its reaped children) from /proc/<pid>/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    # fields[0] is the state (field 3); utime, stime, cutime, cstime are fields 14–17
    return int(fields[1]), sum(int(value) for value in fields[11:15]) / _TICKS


def descendants_cpu(root: int | None = None) -> float:
    """CPU seconds of every live descendant of ``root`` (this process), their reaped children included."""
    root = os.getpid() if root is None else root
    table = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit() and (stat := _proc_stat(entry.name)) is not None:
            table[int(entry.name)] = stat
    total = 0.0
    for pid, (parent, cpu) in table.items():
        while parent not in (root, 0, 1) and parent in table:
            parent = table[parent][0]
        if parent == root and pid != root:
            total += cpu
    return total


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def stage_split(spent: Counter[str], process_cpu: float, extraction_cpu: float) -> dict[str, float]:
    """CPU seconds per stage: the timed ones (extraction's light jobs among them) with the workers',
    and the rest of the process as the spider's."""
    timed_total = sum(spent[stage] for stage in ("archive", "extraction", "dedupe", "store"))
    return {"spider": max(0.0, process_cpu - timed_total), "archive": spent["archive"],
            "extraction": spent["extraction"] + extraction_cpu, "dedupe": spent["dedupe"],
            "store": spent["store"]}  # fmt: skip
