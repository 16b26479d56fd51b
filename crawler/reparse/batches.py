"""Several calls to a worker pool in one task, each call's result or failure kept its own.

A pool task costs the submitting process a fixed share of bookkeeping (pebble's scheduler and result
threads, a pipe round trip, pickling headers) whatever the task does. In a reparse that process is
the one writer, the serial part of the run: one task per report page spent on it about as much as a
worker spent extracting. Grouping calls into batches pays that share once per batch.

What a batch must not change is fault isolation: one document's exception is its own (caught in the
worker, per call), and a batch the pool itself failed (a deadline passed, a worker died) is run
again call by call, so that only the culprit ends with the timeout or crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

from pipelines.offload import WorkerPool

T = TypeVar("T")

#: calls per task: enough that the per-task bookkeeping is small beside the work, few enough that
#: the workers still share the calls evenly and a failed batch's rerun is short. A task costs about
#: 1 ms of CPU in the worker and as much in the pool's threads here whatever it carries: 16 (was 8)
#: took 6-19% off a reparse's CPU on all cores (tests/bench_reparse.py, alternated on a loaded box)
BATCH_SIZE = 16
#: calls per task of the light calls (a page's attachment links: a tenth of its extraction)
LIGHT_BATCH_SIZE = 2 * BATCH_SIZE


class Failed:
    """A call's exception, returned from the worker in place of its value (picklable as the
    exception is)."""

    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def run_batch(func: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[Any]:
    """In a worker: ``func`` on each call's arguments; a call that raised gives its :class:`Failed`."""
    results: list[Any] = []
    for args in calls:
        try:
            results.append(func(*args))
        except Exception as exc:  # that call's document only: the others of the batch go on
            results.append(Failed(exc))
    return results


class Batcher(Generic[T]):
    """Calls of ``func`` queued into batches of ``size``, one pool task each.

    :meth:`call` returns a getter for that call's value (raising its exception); asking for a value
    whose batch is still being filled sends the batch as it is, so a consumer never waits on a batch
    that nobody would send.
    """

    def __init__(self, pool: WorkerPool, func: Callable[..., T], size: int = BATCH_SIZE) -> None:
        self.pool, self.func, self.size = pool, func, max(1, size)
        self.calls: list[tuple[Any, ...]] = []
        self.units: list[int] = []
        self.getters: list[Pending[T]] = []

    def call(self, *args: Any, units: int = 1) -> Pending[T]:
        getter = Pending(self, args, units)
        self.calls.append(args)
        self.units.append(units)
        self.getters.append(getter)
        if len(self.calls) >= self.size:
            self.flush()
        return getter

    def flush(self) -> None:
        """Send the calls queued so far as one task."""
        if not self.calls:
            return
        future = self.pool.submit(run_batch, self.func, self.calls, units=sum(self.units))
        for position, getter in enumerate(self.getters):
            getter.future, getter.position = future, position
        self.calls, self.units, self.getters = [], [], []


class Pending(Generic[T]):
    """One call's place in its batch: the batch's future and its position there."""

    __slots__ = ("args", "batcher", "future", "position", "units")

    def __init__(self, batcher: Batcher[T], args: tuple[Any, ...], units: int) -> None:
        self.batcher, self.args, self.units = batcher, args, units
        self.future: Future[list[Any]] | None = None
        self.position = 0

    def ready(self) -> bool:
        """Whether the value is back (asking for it would not wait)."""
        return self.future is not None and self.future.done()

    def __call__(self) -> T:
        if self.future is None:
            self.batcher.flush()
        assert self.future is not None
        pool = self.batcher.pool
        try:
            value = pool.result(self.future)[self.position]
        except Exception:
            # the pool failed the whole batch (a deadline, a dead worker): this call again, alone, so
            # the failure lands on the call that caused it and the others keep their results
            return pool.result(pool.submit(self.batcher.func, *self.args, units=self.units))
        if isinstance(value, Failed):
            raise value.exc
        return value


def pool_map(pool: WorkerPool, size: int = 4 * BATCH_SIZE) -> Callable[[Callable[[Any], T], Any], Iterator[T]]:
    """``map`` on ``pool`` in batches of ``size``, results in input order (a call's exception raised
    when its result is reached, as ``map`` would). Every input is sent at the call, the results are
    waited for only as they are read: a caller can hand the pool its next inputs before it reads
    these results, so that its own reading overlaps the workers' computing."""

    def mapped(func: Callable[[Any], T], inputs: Any) -> Iterator[T]:
        batcher = Batcher(pool, func, size)
        getters = [batcher.call(one) for one in inputs]
        batcher.flush()
        return (getter() for getter in getters)

    return mapped
