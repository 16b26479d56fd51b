"""Run ``xxgk`` distributed crawls against the replica in subprocesses (tests and `make bench`)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from redis import Redis
from warcio.archiveiterator import ArchiveIterator

from crawler.items import FetchedDocument
from crawler.platforms.urls import url_host

ROOT = Path(__file__).resolve().parent.parent.parent
SITES = ("wendeng", "hy")


def proxy_env(proxy_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return env | {"http_proxy": proxy_url, "PYTHONUNBUFFERED": "1"}


def xxgk(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler", *args]


def run_xxgk(args: Sequence[str], env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(xxgk(*args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"xxgk {' '.join(args)} failed:\n{done.stderr[-3000:]}"
    return done.stdout


def seed(redis_url: str, env: dict[str, str], sites: Sequence[str] = SITES) -> str:
    return run_xxgk(["crawl", *sites, "--distributed", "--redis", redis_url, "--seed-only"], env)


@dataclass
class Workers:
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def wait(self, timeout: float = 120) -> list[int]:
        return [proc.wait(timeout=timeout) for proc in self.procs]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)

    def log_tail(self, index: int) -> str:
        return self.logs[index].read_text(errors="replace")[-3000:]


def start_workers(redis_url: str, data_dir: Path, env: dict[str, str], count: int, log_dir: Path,
                  settings: Sequence[str] = ()) -> Workers:
    """``count`` workers named w0, w1 … sharing ``data_dir`` (their WARC files go to DIR/warc/)."""
    workers = Workers()
    log_dir.mkdir(parents=True, exist_ok=True)
    extra = [arg for pair in settings for arg in ("-s", pair)]
    for index in range(count):
        log = log_dir / f"w{index}.log"
        args = ["worker", "--redis", redis_url, "--data-dir", str(data_dir), "--fast", "--idle-timeout", "0.5",
                "--name", f"w{index}", "-s", "LOG_LEVEL=INFO", "-s", "XXGK_WORKERS=0", *extra]
        with log.open("wb") as out:
            workers.procs.append(subprocess.Popen(xxgk(*args), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
        workers.logs.append(log)
    return workers


def drain(redis_url: str, data_dir: Path, env: dict[str, str]) -> str:
    return run_xxgk(["drain", "--redis", redis_url, "--data-dir", str(data_dir)], env)


@dataclass(frozen=True)
class DistributedCrawl:
    seconds: float  # from starting the workers to the drainer's exit
    drained: str  # the drainer's summary line
    drain_cpu: float  # CPU seconds (user + system) of the drainer
    workers_cpu: float  # of all workers together


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # of the children waited for so far
    return usage.ru_utime + usage.ru_stime


def distributed_crawl(redis_url: str, proxy_url: str, data_dir: Path, workers: int, log_dir: Path) -> DistributedCrawl:
    env = proxy_env(proxy_url)
    seed(redis_url, env)
    started, cpu_before = time.monotonic(), children_cpu()
    running = start_workers(redis_url, data_dir, env, workers, log_dir)
    try:
        drained = drain(redis_url, data_dir, env)
        seconds, cpu_drained = time.monotonic() - started, children_cpu()
        codes = running.wait()
        assert codes == [0] * workers, [running.log_tail(i) for i, code in enumerate(codes) if code]
    finally:
        running.stop()
    return DistributedCrawl(seconds, drained.strip(), cpu_drained - cpu_before, children_cpu() - cpu_drained)


def fetches(warc_dir: Path) -> Counter[tuple[str, str, bytes]]:
    """(method, URL, body) of every request that got an answer, in every WARC file; robots.txt left
    out: Scrapy fetches it once per crawler process (each worker asks for itself). An attempt that got
    no answer (timeout, reset: its request record has a ``fetch-error`` note) is left out too: its
    retry is the fetch — on a loaded machine a worker's own retries are not the fleet fetching twice."""
    requests: dict[str, tuple[str, str, bytes]] = {}
    failed: set[str] = set()
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                headers = record.rec_headers
                if record.rec_type == "request" and not headers.get_header("WARC-Target-URI").endswith("/robots.txt"):
                    method = record.http_headers.protocol if record.http_headers else "GET"
                    requests[headers.get_header("WARC-Record-ID")] = (method, headers.get_header("WARC-Target-URI"),
                                                                      record.content_stream().read())
                elif record.rec_type == "metadata" and record.content_stream().read().startswith(b"fetch-error:"):
                    failed.add(headers.get_header("WARC-Concurrent-To"))
    return Counter(request for record_id, request in requests.items() if record_id not in failed)


def request_times(warc_dir: Path) -> dict[str, list[tuple[datetime, str]]]:
    """host → (WARC-Date, worker) of every request record, in time order (worker: from the file name)."""
    found: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for path in sorted(warc_dir.glob("*.warc.gz")):
        worker = path.name.removesuffix(".warc.gz").rsplit("-", 1)[1]
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request":
                    when = datetime.fromisoformat(record.rec_headers.get_header("WARC-Date").replace("Z", "+00:00"))
                    found[url_host(record.rec_headers.get_header("WARC-Target-URI"))].append((when, worker))
    return {host: sorted(times) for host, times in found.items()}


TIMESTAMPS = {"first_seen", "last_seen"}


def database(url: str) -> Redis:
    """A fresh Redis database (0–15) for each test that needs one: no keys left from another test."""
    server = Redis.from_url(url)
    server.flushdb()
    return server


def document(url: str) -> FetchedDocument:
    return FetchedDocument(site="wendeng", url=url, final_url=url, status=200, content_type="text/html",
                           sha256="2" * 64, fetched_at="2024-01-01T00:00:00Z", role="list", size=10)


#: the derived tables, keyed by (agency_key, year) instead of ids, capture times left out
DUMPS = {
    "reports": "SELECT * FROM reports",
    "cells": (
        "SELECT r.agency_key, r.year, c.[table], c.[row], c.[column], c.value, c.raw, c.flag, c.source "
        "FROM cells c JOIN reports r ON r.id = c.report_id"
    ),
    "report_versions": (
        "SELECT r.agency_key, r.year, v.version, v.title, v.url, v.published, v.content_hash, v.text, "
        "v.cells, v.superseded_by_hash, v.reason FROM report_versions v JOIN reports r ON r.id = v.report_id"
    ),
}


def dump(data_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    from crawler.db import db_path, open_db

    db = open_db(db_path(data_dir))
    try:
        tables = {}
        for table, sql in DUMPS.items():
            rows = [{k: v for k, v in row.items() if k != "id" and k not in TIMESTAMPS} for row in db.query(sql)]
            tables[table] = sorted((tuple(row.items()) for row in rows), key=repr)
        return tables
    finally:
        db.close()
