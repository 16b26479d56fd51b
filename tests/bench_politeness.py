"""``python -m tests.bench_politeness``: three workers crawl three generated counties behind a paced replica
(0.5 s per answer), per-host limits 2 at once and 0.2 s apart, with the fleet-wide grants off and on
(crawler/distributed/politeness.py); per host: requests, the most the server saw at once, the shortest
gap between two request stamps in the WARC files and how many gaps were under the delay."""

from __future__ import annotations

import tempfile
from itertools import pairwise
from pathlib import Path

from redis import Redis

from tests.replica.fixture import running_counties
from tests.replica.pacing import Pacing
from tests.support.distributed import drain, proxy_env, request_times, seed, start_workers
from tests.support.redis_server import running_redis

LIMIT, DELAY, LATENCY = 2, 0.2, 0.5


def run(url: str, fleet: bool) -> None:
    Redis.from_url(url).flushdb()
    pacing = Pacing(latency=LATENCY)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-politeness-"))
    with running_counties(50, seed=11, pacing=pacing) as counties:
        env = proxy_env(counties.proxy_url) | {"XXGK_SITES_DIR": str(counties.sites_dir)}
        seed(url, env, counties.sites[:3])
        settings = [f"CONCURRENT_REQUESTS_PER_DOMAIN={LIMIT}", f"DOWNLOAD_DELAY={DELAY}", "XXGK_WORKERS=1",
                    "XXGK_ATTACHMENTS=0", f"XXGK_HOST_POLITENESS={'true' if fleet else 'false'}"]
        workers = start_workers(url, data_dir, env, 3, data_dir / "logs", settings=settings)
        try:
            drain(url, data_dir, env)
            workers.wait(300)
        finally:
            workers.stop()
        peak = pacing.peak()
    for host, times in sorted(request_times(data_dir / "warc").items()):
        gaps = sorted((b - a).total_seconds() for (a, _), (b, _) in pairwise(times))
        print(f"fleet {'on ' if fleet else 'off'}  {host:28} {len(times):4} requests  at once ≤ {peak.get(host)}"
              f"  shortest gap {gaps[0]:.3f} s  gaps under {DELAY * 0.85:.2f} s: {sum(g < DELAY * 0.85 for g in gaps)}")


def main() -> None:
    with running_redis(Path(tempfile.mkdtemp(prefix="bench-redis-"))) as url:
        run(url, fleet=False)
        run(url, fleet=True)


if __name__ == "__main__":
    main()
