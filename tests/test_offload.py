"""The extraction pool bounds every job: a deadline, a memory limit, a dead worker replaced.

Each failure ends as that job's error (and the item's, with a fault kind); the next job still runs.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator

import pytest

from crawler.items import ReportPage
from pipelines.chain import ChainStats
from pipelines.offload import (
    DocumentTimeout,
    ExtractTimeout,
    Job,
    PooledStage,
    WorkerCrashed,
    WorkerPool,
    document_deadline,
    fault_of,
    run_inline,
)


def double(value: int) -> int:
    return 2 * value


def sleep_then(seconds: float, value: int) -> int:
    time.sleep(seconds)
    return value


def allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)  # past the worker's RLIMIT_DATA: MemoryError
    return len(block)


def die() -> None:
    os._exit(3)


def read_slowly(seconds: float) -> str:
    try:
        with document_deadline():
            time.sleep(seconds)
    except DocumentTimeout as exc:
        return f"timed out: {exc}"
    return "read"


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    pool = WorkerPool(1, timeout=1.5, memory_mb=768)
    yield pool
    pool.close()


def run(pool: WorkerPool, func, *args):  # type: ignore[no-untyped-def]
    return asyncio.run(pool.run(func, *args))


def test_a_job_past_the_deadline_is_stopped_and_the_next_job_runs(pool: WorkerPool) -> None:
    started = time.monotonic()
    with pytest.raises(ExtractTimeout, match=r"1\.5 s"):
        run(pool, sleep_then, 30, 1)
    assert time.monotonic() - started < 20  # stopped, not waited for
    assert run(pool, double, 21) == 42


def test_a_job_past_the_memory_bound_fails_alone_and_the_next_job_runs(pool: WorkerPool) -> None:
    with pytest.raises(MemoryError):
        run(pool, allocate, 4096)
    assert run(pool, double, 4) == 8


def test_a_dead_worker_is_replaced(pool: WorkerPool) -> None:
    with pytest.raises(WorkerCrashed, match="exit code 3"):
        run(pool, die)
    assert run(pool, double, 5) == 10


def test_blocking_results_are_explained_the_same_way(pool: WorkerPool) -> None:
    with pytest.raises(ExtractTimeout):
        pool.result(pool.submit(sleep_then, 30, 1))
    assert pool.result(pool.submit(double, 1)) == 2


def test_fault_kinds() -> None:
    assert [fault_of(e) for e in (ExtractTimeout(), MemoryError(), WorkerCrashed(), ValueError())] == [
        "extract_timeout",
        "extract_memory",
        "extract_crash",
        "extract",
    ]


def test_inline_pool_and_run_inline_return_errors_as_values() -> None:
    inline = WorkerPool(0)
    assert asyncio.run(inline.run(double, 3)) == 6
    assert isinstance(run_inline(Job(int, ("x",))), ValueError)
    assert inline.result(inline.submit(double, 2)) == 4


# -- through a stage, as the pipelines use it ---------------------------------------------------------


Stats = ChainStats  # the stages' stats stand-in (pipelines/chain.py)


class SlowStage(PooledStage):
    """A stage whose job sleeps as long as the page's body says (hostile input stand-in)."""

    @staticmethod
    def wants(item: object) -> bool:
        return isinstance(item, ReportPage)

    @staticmethod
    def job(item: ReportPage) -> Job:
        return Job(sleep_then, (float(item.body.decode()), 7))

    @staticmethod
    def apply_result(item: ReportPage, result: object) -> ReportPage:
        if isinstance(result, BaseException):
            item.error = f"slow: {type(result).__name__}: {result}"
        return item

    @staticmethod
    def count(stats: Stats, item: ReportPage) -> None:
        stats.inc_value("slow/errors" if item.error else "slow/ok")


def page(body: bytes) -> ReportPage:
    return ReportPage(site="hy", url="http://x/", final_url="http://x/", status=200, content_type=None,
                      body=body, encoding="utf-8", sha256="", fetched_at="2024-01-01T00:00:00Z")


def test_a_stage_records_the_timeout_on_the_item_and_goes_on(pool: WorkerPool) -> None:
    stats = Stats()
    stage = SlowStage(stats, pool)
    slow, quick = page(b"30"), page(b"0")
    asyncio.run(stage.process_item(slow))
    asyncio.run(stage.process_item(quick))
    assert slow.error.startswith("slow: ExtractTimeout") and slow.fault == "extract_timeout"
    assert quick.error is None and quick.fault is None
    assert stats == {"slow/errors": 1, "slow/ok": 1, "xxgk/error/extract_timeout": 1, "xxgk/offload/pool": 2}


def test_a_slow_document_fails_alone_inside_a_job_of_several(pool: WorkerPool) -> None:
    # three documents: the job may run 3 × 1.5 s, each document 1.5 s — the slow one times out in the
    # worker (its error is a value), and the job itself comes back instead of being killed
    started = time.monotonic()
    assert pool.result(pool.submit(read_slowly, 30, units=3)) == "timed out: took longer than 1.5 s"
    assert time.monotonic() - started < 4.5
    assert pool.result(pool.submit(read_slowly, 0, units=3)) == "read"


def test_outside_a_worker_there_is_no_alarm() -> None:
    assert read_slowly(0.1) == "read"


def reserve_address_space(megabytes: int) -> int:
    """Reserve ``megabytes`` of address space no page of which can be written (``PROT_NONE``), as
    some allocators do at import (rensa's reserves ~1 GB), then allocate a little for real."""
    import mmap

    no_access = 0  # PROT_NONE, which the mmap module does not name
    reserved = mmap.mmap(-1, megabytes * 1024 * 1024, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, prot=no_access)
    try:
        return len(bytearray(64 * 1024 * 1024)) + len(reserved) * 0
    finally:
        reserved.close()


def test_reserved_address_space_is_no_memory_spent(pool: WorkerPool) -> None:
    # an address-space limit (RLIMIT_AS) counted such reservations: OCR failed under the bound with a
    # resident set a fifth of it; the bound is on what the worker can write to
    assert run(pool, reserve_address_space, 2048) == 64 * 1024 * 1024


@pytest.mark.parametrize(("release", "bounds"), [("6.18.44-fc-v1045", True), ("4.7.0", True), ("4.19.0-27-amd64", True),
                                                 ("3.10.0-1160.el7.x86_64", False), ("4.4.0-210-generic", False)])
def test_before_linux_4_7_the_bound_falls_back_to_the_address_space(release: str, bounds: bool) -> None:
    # RLIMIT_DATA bounded only brk there: a large allocation (an mmap) would escape it
    from pipelines.worker_limits import data_limit_bounds_mmap

    assert data_limit_bounds_mmap(release) is bounds


def test_the_address_space_fallback_still_stops_a_runaway_allocation() -> None:
    import subprocess
    import sys

    code = (
        "from pipelines import worker_limits\n"
        "worker_limits.data_limit_bounds_mmap = lambda release=None: False\n"
        "worker_limits.limit_memory(256)\n"
        "try:\n    bytearray(1024 * 1024 * 1024)\nexcept MemoryError:\n    print('bounded')\n"
        "print(len(bytearray(64 * 1024 * 1024)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["bounded", str(64 * 1024 * 1024)]


# -- light jobs in the crawl process ------------------------------------------------------------------


def pid_of(_value: int) -> int:
    return os.getpid()


def spin(seconds: float) -> str:
    """Busy for ``seconds``, swallowing every Exception on the way, as extraction does."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            sum(range(1000))
        except Exception:  # the inline alarm must get through this
            return "swallowed"
    return "finished"


@pytest.fixture(scope="module")
def light() -> Iterator[WorkerPool]:
    pool = WorkerPool(1, timeout=5, memory_mb=None, inline_bytes=1000, inline_seconds=0.2)
    yield pool
    pool.close()


def run_job(pool: WorkerPool, job: Job) -> tuple[object, ChainStats]:
    stats = ChainStats()
    return asyncio.run(pool.run_job(job, stats)), stats


def test_a_light_job_runs_in_the_crawl_process(light: WorkerPool) -> None:
    result, stats = run_job(light, Job(pid_of, (1,), size=1000))
    assert result == os.getpid()
    assert stats == {"xxgk/offload/inline": 1}


@pytest.mark.parametrize(
    "job",
    [
        Job(pid_of, (1,), size=1001),  # too big for the crawl loop
        Job(pid_of, (1,), size=10, units=2),  # a page with its documents: each has its deadline
        Job(pid_of, (1,)),  # no size said: always the bounded worker
    ],
    ids=["too-big", "with-documents", "no-size"],
)
def test_other_jobs_run_in_a_worker(light: WorkerPool, job: Job) -> None:
    result, stats = run_job(light, job)
    assert result != os.getpid()
    assert stats == {"xxgk/offload/pool": 1}


def test_a_light_job_past_the_alarm_runs_again_in_a_worker(light: WorkerPool) -> None:
    started = time.monotonic()
    result, stats = run_job(light, Job(spin, (1.0,), size=10))
    # the alarm got through the job's `except Exception`; the worker ran it whole
    assert result == "finished"
    assert stats == {"xxgk/offload/inline_timeout": 1, "xxgk/offload/pool": 1}
    assert time.monotonic() - started < 1.0 + 0.2 + 3  # stopped here at 0.2 s, not run twice in full


def test_the_alarm_puts_back_the_handler_and_an_outer_timer() -> None:
    import signal

    from pipelines.worker_limits import alarm

    def outer(_signum: int, _frame: object) -> None:
        raise AssertionError("the outer timer fired early")

    previous = signal.signal(signal.SIGALRM, outer)
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        with alarm(5, DocumentTimeout):
            pass
        assert signal.getsignal(signal.SIGALRM) is outer
        left, _interval = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < left <= 30  # still owed, less the time spent inside
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_off_the_main_thread_a_light_job_goes_to_a_worker(light: WorkerPool) -> None:
    # the alarm only reaches the main thread: elsewhere nothing could stop a long job
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as thread:
        result, stats = thread.submit(run_job, light, Job(pid_of, (1,), size=10)).result()
    assert result != os.getpid()
    assert stats == {"xxgk/offload/pool": 1}


def test_with_no_inline_bytes_every_job_goes_to_a_worker() -> None:
    pool = WorkerPool(1, timeout=5, memory_mb=None)
    try:
        result, stats = run_job(pool, Job(pid_of, (1,), size=0))
    finally:
        pool.close()
    assert result != os.getpid()
    assert stats == {"xxgk/offload/pool": 1}
