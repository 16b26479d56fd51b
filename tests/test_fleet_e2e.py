"""End to end: one `xxgk crawl` of several sites in one process against the replica — two profiles on
one host and a host that never answers. The replica's handler is wrapped to count, at the server,
how many requests each host has in flight: the shared host never sees more than its limit, though two
crawlers fetch from it at once; the dead host costs only its own site (closed at its deadline) while
the others finish; every site has its crawl_runs row and its summary line."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.db import open_db
from crawler.platforms.urls import url_host
from tests.replica import server as replica_server
from tests.replica.fixture import running_replica

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
SHARED = "www.xincai.gov.cn"
DEAD = "www.never-answers.gov.cn"
LIMIT = 2
DELAY = 0.2
LATENCY = 0.3  # longer than the delay: the host's limit is reached, so passing it would show

PROFILES = {  # a second name for the replica's 新蔡 portal, and a county whose server is down
    "xincai_twin": f'[site]\nname = "xincai_twin"\nstart_url = "http://{SHARED}/"\n',
    "deadcounty": f'[site]\nname = "deadcounty"\nstart_url = "http://{DEAD}/"\n',
}


@contextmanager
def counting_hosts() -> Iterator[tuple[Counter[str], Counter[str]]]:
    """Wrap the replica's handler: (requests in flight per host now, the most ever) — and the dead
    host holds every connection open, unanswered, until the replica shuts down."""
    original: Callable[..., Any] = replica_server._Handler._answer
    lock = threading.Lock()
    now: Counter[str] = Counter()
    peak: Counter[str] = Counter()

    def answer(handler: Any, head: bool) -> None:
        host, _ = handler._host_and_target()
        if host == DEAD:
            handler.server.stopping.wait(600)
            return
        with lock:
            now[host] += 1
            peak[host] = max(peak[host], now[host])
        try:
            time.sleep(LATENCY)  # answers take a while, as on the internet: requests overlap
        finally:
            # counted from arrival to the end of the wait, before the answer is written: a thread
            # descheduled after writing would otherwise still count while the client sends the next
            with lock:
                now[host] -= 1
        original(handler, head)

    replica_server._Handler._answer = answer  # type: ignore[method-assign]
    try:
        yield now, peak
    finally:
        replica_server._Handler._answer = original  # type: ignore[method-assign]


def request_times(warc_dir: Path, host: str) -> dict[str, list[tuple[datetime, str]]]:
    """spider → (WARC-Date, spider) of its request records to ``host`` (a WARC file is one spider's)."""
    found: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "request" or url_host(record.rec_headers.get_header("WARC-Target-URI")) != host:
                    continue
                spider = path.name.removeprefix("xxgk-").split("-")[0]
                when = datetime.fromisoformat(record.rec_headers.get_header("WARC-Date").replace("Z", "+00:00"))
                found[spider].append((when, spider))
    return dict(found)


def test_many_sites_one_process_politeness_and_a_dead_host(tmp_path: Path) -> None:
    sites_dir = tmp_path / "sites"
    sites_dir.mkdir()
    for name, text in PROFILES.items():
        (sites_dir / f"{name}.toml").write_text(text, encoding="utf-8")
    data_dir = tmp_path / "data"
    with counting_hosts() as (_, peak), running_replica(seed=0, sites=("xincai",)) as replica:
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        env |= {"http_proxy": replica.proxy_url, "XXGK_SITES_DIR": str(sites_dir)}
        result = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", "deadcounty", f"http://{SHARED}/", "xincai_twin",
             "--year", "2023", "--fast", "--data-dir", str(data_dir),
             "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={LIMIT}", "-s", "XXGK_SITES_AT_ONCE=3",
             "-s", f"DOWNLOAD_DELAY={DELAY}", "-s", "DOWNLOAD_DELAY_JITTER=0",
             "-s", "XXGK_SITE_DEADLINE=120", "-s", "DOWNLOAD_TIMEOUT=20", "-s", "LOG_LEVEL=WARNING"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )
    lines = result.stdout.splitlines()
    assert result.returncode != 0, "the dead county's run failed, so the command does"
    assert [line.split(":")[0] for line in lines[:3]] == ["deadcounty", SHARED, "xincai_twin"]
    assert peak[SHARED] <= LIMIT, f"{SHARED} saw {peak[SHARED]} requests at once"
    assert peak[SHARED] == LIMIT  # and the two crawlers did use it together
    times = request_times(data_dir / "warc", SHARED)
    assert set(times) == {SHARED, "xincai_twin"}  # both crawlers fetched from the shared host …
    gaps = [(b - a).total_seconds() for (a, _), (b, _) in pairwise(sorted(times[SHARED] + times["xincai_twin"]))]
    assert min(gaps) >= DELAY - 0.01, sorted(gaps)[:5]  # … one delay apart for both together
    db = open_db(data_dir / "xxgk.db")
    runs = {row["spider"]: row for row in db.query("SELECT * FROM crawl_runs")}
    healthy = [runs[SHARED], runs["xincai_twin"]]
    assert all(run["status"] == "ok" and run["report_pages"] > 0 for run in healthy), result.stdout
    dead = runs["deadcounty"]
    assert dead["status"] == "failed" and dead["report_pages"] == 0
    # the dead host held up only its own site: the others were done long before it was closed
    assert all(run["finished"] < dead["finished"] for run in healthy)
    assert dead["finish_reason"] == "closespider_timeout"
