"""Bounds on one job of the extraction pool: the memory a worker may write to, and an alarm.

Both are process-level tools (an rlimit, SIGALRM), used by pipelines/offload.py in the worker
processes and, for the alarm, around a light job run in the crawl process itself.
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def alarm(seconds: float, raised: Callable[[str], BaseException]) -> Iterator[None]:
    """Raise ``raised("took longer than … s")`` in the code running inside the block once it has run
    for ``seconds`` (SIGALRM: call from the main thread). The handler and any timer that was already
    set (pytest-timeout's, an outer alarm) are put back, the timer less the time spent here."""

    def expire(_signum: int, _frame: Any) -> None:
        raise raised(f"took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    began = time.monotonic()
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay > 0:  # an outer timer's expiry is still owed, never dropped
            left = outer_delay - (time.monotonic() - began)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6), outer_interval)


def limit_memory(megabytes: int | None) -> None:
    """Worker initializer: cap the memory the worker can write to, so a runaway parser raises
    MemoryError.

    ``RLIMIT_DATA`` (the heap and private writable mappings, Linux ≥ 4.7), not ``RLIMIT_AS``: the
    address space counts reservations no page of which is ever used — rensa's allocator reserves
    ~1 GB of ``PROT_NONE`` address space at import, so a worker whose fork server had loaded it
    started at 1.2 GB of address space, and onnxruntime's OCR of one picture then failed with
    ``std::bad_alloc`` under 2,048 MB while its resident set was 0.4 GB. Before Linux 4.7
    ``RLIMIT_DATA`` bounded only ``brk`` (large allocations are mmaps): there the bound is on the
    address space, counted from what the worker already has reserved."""
    if not megabytes:
        return
    import resource

    budget = int(megabytes) * 1024 * 1024
    if data_limit_bounds_mmap():
        which, limit = resource.RLIMIT_DATA, budget
    else:
        which, limit = resource.RLIMIT_AS, address_space_now() + budget
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(which, (limit, hard))


def data_limit_bounds_mmap(release: str | None = None) -> bool:
    """Whether the kernel's ``RLIMIT_DATA`` counts private writable mmaps (Linux 4.7 and later;
    ``release``: a kernel release string, this machine's by default)."""
    import platform

    if release is None:
        if platform.system() != "Linux":
            return True  # RLIMIT_DATA as that system defines it
        release = platform.release()
    numbers = re.findall(r"\d+", release)[:2]
    return len(numbers) == 2 and (int(numbers[0]), int(numbers[1])) >= (4, 7)


def address_space_now() -> int:
    """This process's address space in bytes (``VmSize``), 0 where /proc does not tell."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
