"""The bench's CPU-per-stage timers (tests/bench_stages.py), on constructed calls."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter

import pytest

from tests.bench_stages import descendants_cpu, stage_split, timed


def test_a_timed_method_adds_its_cpu_to_its_stage_even_when_it_raises() -> None:
    spent: Counter[str] = Counter()

    def busy(n: int) -> int:
        return sum(range(n))

    def failing() -> None:
        sum(range(200_000))
        raise ValueError("boom")

    assert timed(spent, "archive", busy)(200_000) == sum(range(200_000))
    after_one = spent["archive"]
    with pytest.raises(ValueError):
        timed(spent, "archive", failing)()
    assert 0 < after_one < spent["archive"] and set(spent) == {"archive"}


def test_the_spider_gets_the_process_cpu_the_timed_stages_did_not_take() -> None:
    spent = Counter({"archive": 1.0, "dedupe": 0.5, "store": 0.25})
    split = stage_split(spent, process_cpu=3.0, extraction_cpu=2.0)
    assert split == {"spider": 1.25, "archive": 1.0, "extraction": 2.0, "dedupe": 0.5, "store": 0.25}
    assert stage_split(spent, process_cpu=1.0, extraction_cpu=0.0)["spider"] == 0.0  # never negative
    # light jobs run in the crawl process: extraction's, not the spider's
    inline = stage_split(spent + Counter({"extraction": 0.5}), process_cpu=3.0, extraction_cpu=2.0)
    assert inline["spider"] == 0.75 and inline["extraction"] == 2.5


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_live_child_process_cpu_is_counted() -> None:
    child = subprocess.Popen([sys.executable, "-c", "sum(range(30_000_000)); input()"], stdin=subprocess.PIPE)
    try:
        for _ in range(200):  # until the child has burnt its loop (clock ticks are 10 ms)
            if descendants_cpu() > 0.2:
                break
            time.sleep(0.05)
        assert descendants_cpu() > 0.2
    finally:
        child.communicate(b"\n", timeout=30)
