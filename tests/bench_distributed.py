"""Distributed throughput: ``python -m tests.bench_distributed [default|large]`` (or from tests/bench.py).

The replica crawled by 1 and then 2 ``xxgk worker`` processes sharing one Redis, with one ``xxgk
drain``, in the same run: pages/s for each and the scaling ratio. Each worker extracts inline
(``XXGK_WORKERS=0``), so one worker is one process and two workers can use both cores of a
two-core machine — which the replica server (this process) and the drainer share with them.
Time runs from starting the workers to the drainer's exit (worker start-up included, for both).
CPU milliseconds per page, of the workers together and of the drainer, show where the time goes
whatever else the machine runs: the drainer is the part that does not scale out, and the replica
server (this process, one interpreter) caps what any number of workers can fetch.
Never a timed assertion: machines differ, the ratio is what we track.
"""

from __future__ import annotations

import resource
import sys
import tempfile
from pathlib import Path

from tests.replica.fixture import running_replica
from tests.support.distributed import distributed_crawl, fetches
from tests.support.redis_server import MISSING, redis_server_binary, running_redis


def line(label: str, value: str) -> None:
    print(f"  {label:<44} {value}", flush=True)


def own_cpu() -> float:
    """CPU seconds of this process, i.e. of the replica server it runs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bench_distributed(scale: str = "large", worker_counts: tuple[int, ...] = (1, 2)) -> None:
    print(f"distributed: 1 vs 2 workers + one drainer on Redis, same replica (scale={scale})", flush=True)
    if redis_server_binary() is None:
        line("skipped", MISSING)
        return
    rates: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp, running_redis(Path(tmp) / "redis") as redis_url, \
            running_replica(seed=0, scale=scale) as replica:
        for database, workers in enumerate(worker_counts, start=1):
            url = f"{redis_url.rsplit('/', 1)[0]}/{database}"  # a fresh Redis database per run
            data_dir = Path(tmp) / f"workers{workers}"
            replica_cpu = own_cpu()
            run = distributed_crawl(url, replica.proxy_url, data_dir, workers, data_dir / "logs")
            replica_cpu = own_cpu() - replica_cpu
            pages = sum(fetches(data_dir / "warc").values())
            rates[workers] = pages / run.seconds
            line(f"{workers} worker(s): pages in {run.seconds:.1f} s", f"{pages:8d}")
            line(f"{workers} worker(s)", f"{rates[workers]:8.1f} pages/s")
            line(f"{workers} worker(s): CPU ms/page: workers, drain, replica",
                 f"{1000 * run.workers_cpu / pages:8.1f} {1000 * run.drain_cpu / pages:8.1f} "
                 f"{1000 * replica_cpu / pages:8.1f}")
    first, last = worker_counts[0], worker_counts[-1]
    line(f"scaling ratio {last} / {first} workers (ideal {last / first:.0f}.0)", f"{rates[last] / rates[first]:8.2f}")


if __name__ == "__main__":
    bench_distributed(*(sys.argv[1:2] or ["large"]))
