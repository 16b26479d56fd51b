"""The stage chain, named once: normalise → extract → dedupe → store (and, for a distributed worker,
push instead of the two database stages).

Every path an item takes is derived from the lists here: ``ITEM_PIPELINES`` of a crawl
(crawler/settings.py) and of an ``xxgk worker`` (crawler/distributed/settings.py), the drainer's
database stages (crawler/distributed/drain.py) and ``xxgk reparse`` (crawler/reparse/). A stage added
here reaches all of them; tests/test_chain.py checks that they agree.

Outside Scrapy the chain runs on :class:`SyncChain`, one synchronous driver: the CPU stages through
their module's pure ``<name>_item`` function (so a worker process can run them), the database stages
through their pipeline class on one stats collector, :class:`ChainStats`.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.items import ReportPage


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage: its name, its module under ``pipelines/`` and its Scrapy pipeline class."""

    name: str
    pipeline: str  # dotted path of the Scrapy item pipeline class

    @property
    def module(self) -> str:
        return self.pipeline.rsplit(".", 1)[0]


#: pure work on one item: may run in a worker process, in any number of them
CPU_STAGES: tuple[Stage, ...] = (
    Stage("normalise", "pipelines.normalise.NormalisePipeline"),
    Stage("extract", "pipelines.extract.ExtractPipeline"),
)
#: the single writer's stages, in this order, on DIR/xxgk.db
DATABASE_STAGES: tuple[Stage, ...] = (
    Stage("dedupe", "pipelines.dedupe.DedupePipeline"),
    Stage("store", "pipelines.store.StorePipeline"),
)
#: a distributed worker's last stage: the item to Redis, for the drainer's database stages
PUSH_STAGE = Stage("push", "pipelines.push.RedisPushPipeline")

#: one process: the whole chain (``xxgk crawl``, ``xxgk reparse``)
CRAWL_CHAIN: tuple[Stage, ...] = CPU_STAGES + DATABASE_STAGES
#: ``xxgk worker``: the CPU stages, then push; ``xxgk drain`` runs DATABASE_STAGES
WORKER_CHAIN: tuple[Stage, ...] = (*CPU_STAGES, PUSH_STAGE)


def worker_preload(stages: Sequence[Stage] = CPU_STAGES) -> list[str]:
    """What an extraction pool's fork server should import before it forks workers for ``stages``:
    each stage's module and the ``WORKER_MODULES`` its pure functions import where they run (so
    that the process loading the pipeline classes does not carry crawler.extract for nothing)."""
    modules: list[str] = []
    for stage in stages:
        modules += [stage.module, *getattr(importlib.import_module(stage.module), "WORKER_MODULES", ())]
    return modules


def item_pipelines(stages: Sequence[Stage]) -> dict[str, int]:
    """Scrapy's ``ITEM_PIPELINES`` for ``stages``: their classes at 100, 200, … in chain order."""
    return {stage.pipeline: 100 * position for position, stage in enumerate(stages, start=1)}


class ChainStats(Counter[str]):
    """The part of Scrapy's StatsCollector the stages use, where no crawler runs (reparse, the
    drainer, tests)."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] += count

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.get(key, default)

    def set_value(self, key: str, value: Any) -> None:
        self[key] = value

    def max_value(self, key: str, value: Any) -> None:
        self[key] = max(self.get(key, value), value)

    def get_stats(self) -> dict[str, Any]:
        return dict(self)


def run_sync(result: Any) -> Any:
    """A stage's result, awaited if the stage is async (Scrapy pipelines may be)."""
    return asyncio.run(_await(result)) if inspect.isawaitable(result) else result


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _report_without_error(item: object) -> bool:
    return isinstance(item, ReportPage) and not item.error


def cpu_function(stage: Stage) -> Callable[[Any], Any]:
    """A CPU stage as one synchronous function of the item: its module's ``<name>_item`` applied when
    its ``wants(item)`` (pure, so worker processes can run it)."""
    module = importlib.import_module(stage.module)
    name = f"{stage.name}_item"
    wants = getattr(module, "wants", None) or _report_without_error
    if not callable(getattr(module, name, None)):
        raise TypeError(f"CPU stage {stage.name}: {stage.module} has no {name}(item)")

    def run(item: Any) -> Any:
        # looked up on each call: the module's function, whatever wraps it (a profiler, a test's spy)
        return getattr(module, name)(item) if wants(item) else item

    return run


_functions: dict[tuple[Stage, ...], list[Callable[[Any], Any]]] = {}


def run_cpu_stages(item: Any, stages: tuple[Stage, ...] = CPU_STAGES) -> Any:
    """The CPU ``stages`` on one item, in chain order (the function a worker process is given)."""
    if stages not in _functions:
        _functions[stages] = [cpu_function(stage) for stage in stages]
    for stage in _functions[stages]:
        item = stage(item)
    return item


class SyncChain:
    """Drive ``stages`` synchronously on one :class:`ChainStats`: CPU stages as pure functions, the
    database stages as their pipeline objects on the database at ``path``.

    ``share_connection``: the database stages use one connection (the last stage's), so a transaction
    around :meth:`record` covers them all (the drainer's exactly-once store).
    """

    def __init__(self, path: Path, stats: Any, stages: Sequence[Stage] = CRAWL_CHAIN, *,
                 share_connection: bool = False) -> None:  # fmt: skip
        self.stages = tuple(stages)
        self.stats = stats
        self.share_connection = share_connection
        #: run by :meth:`process` here, or by the caller on a pool (``run_cpu_stages``) before :meth:`record`
        self.cpu_stages = tuple(s for s in self.stages if s in CPU_STAGES)
        # here, not at the top: a reparse's pool workers load this module for the CPU stages, and
        # never the database stages' Scrapy (crawler/reparse/pooled.py)
        from scrapy.utils.misc import load_object

        self.database = [load_object(s.pipeline)(path, stats) for s in self.stages if s not in CPU_STAGES]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(stage.name for stage in self.stages)

    @property
    def db(self) -> Any:
        """The connection of the last database stage (the store): what the chain wrote."""
        return self.database[-1].db if self.database else None

    def __enter__(self) -> SyncChain:
        if not self.database:
            return self
        # the last stage (the store) first: opening the database applies the migrations the others read
        last, *others = reversed(self.database)
        last.open_spider()
        for stage in others:
            if self.share_connection:
                stage.db = last.db
            else:
                stage.open_spider()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.database:
            return
        # the store last: its close refreshes the search index over everything stored
        for stage in self.database[:-1]:
            if self.share_connection:
                stage.db = None
            else:
                stage.close_spider()
        self.database[-1].close_spider()

    def process(self, item: Any) -> Any:
        """Every stage of the chain, in order."""
        return self.record(run_cpu_stages(item, self.cpu_stages))

    def record(self, item: Any) -> Any:
        """The database stages only, on an item whose CPU stages have run (elsewhere, or in a pool)."""
        for stage in self.database:
            item = run_sync(stage.process_item(item))
        return item
