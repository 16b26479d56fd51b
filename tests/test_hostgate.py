"""The per-host gate (crawler/hostgate.py): a host's concurrency and delay hold across every crawler of
a process. Unit tests on the gate, then two crawlers of one process against one loopback server that
counts what it sees: with Scrapy's own downloader the server sees twice the limit, with the gate never
more than it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from crawler.hostgate import HostGate

ROOT = Path(__file__).resolve().parent.parent


def test_gate_counts_in_flight_and_peak() -> None:
    gate = HostGate()
    gate.enter("a", 1.0)
    gate.enter("a", 2.0)
    gate.enter("b", 3.0)
    gate.leave("a")
    assert gate.state("a").transferring == 1
    assert gate.state("a").lastseen == 2.0
    assert gate.peak == {"a": 2, "b": 1}


def test_leaving_wakes_waiters_in_arrival_order_once_each() -> None:
    gate = HostGate()
    woken: list[str] = []
    first, second = object(), object()
    gate.enter("a", 0.0)
    gate.wait("a", first, lambda: woken.append("first"))
    gate.wait("a", second, lambda: woken.append("second"))
    gate.wait("a", first, lambda: woken.append("first again"))  # one wait per slot
    gate.leave("a")
    assert woken == ["first", "second"]
    assert not gate.state("a").waiting


def test_a_waiter_refused_again_queues_up_again() -> None:
    gate = HostGate()
    slot = object()
    calls = []

    def wake() -> None:
        calls.append(1)
        gate.wait("a", slot, wake)  # still busy: back in the queue for the next leave

    gate.enter("a", 0.0)
    gate.enter("a", 0.0)
    gate.wait("a", slot, wake)
    gate.leave("a")
    assert len(calls) == 1 and gate.state("a").waiting


def test_a_closed_downloaders_slots_are_forgotten() -> None:
    gate = HostGate()
    slot = object()
    gate.enter("a", 0.0)
    gate.wait("a", slot, lambda: None)
    gate.forget("a", slot)
    assert not gate.state("a").waiting


def test_forgetting_a_slot_touches_only_its_own_host() -> None:
    gate = HostGate()
    mine, other = object(), object()
    gate.wait("a", mine, lambda: None)
    gate.wait("b", other, lambda: None)
    gate.forget("a", mine)
    gate.forget("c", object())  # a host the gate never saw: nothing to do
    assert not gate.state("a").waiting and list(gate.state("b").waiting) == [id(other)]


# --- two crawlers, one host --------------------------------------------------------------------


class Counting(BaseHTTPRequestHandler):
    lock = threading.Lock()
    in_flight = 0
    peak = 0
    arrivals: ClassVar[list[float]] = []  # each server gets its own (counting_server)

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.in_flight += 1
            cls.peak = max(cls.peak, cls.in_flight)
            cls.arrivals.append(time.monotonic())
        try:
            time.sleep(0.05)  # long enough for requests to overlap when they are allowed to
            body = b"<html><body>ok</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            with cls.lock:
                cls.in_flight -= 1

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def counting_server() -> Iterator[tuple[str, type[Counting]]]:
    handler = type("Handler", (Counting,), {"in_flight": 0, "peak": 0, "arrivals": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


#: two spiders of one CrawlerProcess fetch 12 pages each from one host
SCRIPT = """
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess

base, settings = sys.argv[1], json.loads(sys.argv[2])

class Pages(scrapy.Spider):
    async def start(self):
        for n in range(12):
            yield scrapy.Request(f"{base}/{self.name}/{n}", dont_filter=True)

    def parse(self, response):
        pass

process = CrawlerProcess(settings | {"ROBOTSTXT_OBEY": False, "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False})
for name in ("one", "two"):
    process.crawl(type(name, (Pages,), {"name": name}))
process.start()
"""


def crawl_twice(base: str, settings: dict[str, object]) -> None:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    subprocess.run([sys.executable, "-c", SCRIPT, base, json.dumps(settings)], cwd=ROOT, env=env,
                   check=True, timeout=120)


GATED = {"DOWNLOADER": "crawler.hostgate.HostGateDownloader"}


def test_two_crawlers_never_exceed_one_hosts_concurrency() -> None:
    limits = {"CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_DELAY": 0}
    with counting_server() as (base, ungated):
        crawl_twice(base, limits)
    # the control: each crawler keeps its own slot, so together they pass the limit (Scrapy 2.19 even
    # passes it within one crawler: a slot counts a transfer only once its task has started)
    assert ungated.peak > 2
    with counting_server() as (base, gated):
        crawl_twice(base, limits | GATED)
    assert gated.peak == 2
    assert len(gated.arrivals) == 24


def shortest_pair_span(arrivals: list[float]) -> float:
    """The shortest time over which the server saw three requests in a row: robust to the jitter of one
    arrival, which shortens one gap as much as it lengthens the one before."""
    return min(c - a for a, c in zip(arrivals, arrivals[2:], strict=False))


def test_two_crawlers_share_one_hosts_delay() -> None:
    delay = 0.3  # large against the arrival jitter of a loaded machine (tens of ms)
    limits = {"CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": delay, "DOWNLOAD_DELAY_JITTER": 0}
    with counting_server() as (base, ungated):
        crawl_twice(base, limits)
    assert shortest_pair_span(ungated.arrivals) < 1.5 * delay  # the control: one delay per crawler
    with counting_server() as (base, gated):
        crawl_twice(base, limits | GATED)
    assert len(gated.arrivals) == 24
    # the delay counts from the last request any crawler sent the host: two delays between three
    assert shortest_pair_span(gated.arrivals) >= 1.5 * delay
