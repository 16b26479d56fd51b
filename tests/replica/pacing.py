"""Internet-like pacing for the replica server: a latency before each answer and a bandwidth per host.

On loopback every answer arrives at once, so a crawler's politeness (delays, concurrency per host) and
its concurrency across hosts never show. With a :class:`Pacing` each answer waits ``latency`` seconds
before its first byte, and a host's bytes leave at no more than ``bandwidth`` bytes/s *shared by all
its connections* (one small county server's uplink), so two requests at once to one host take twice as
long, two requests to two hosts do not.

The pacing also counts, per host, the requests being answered at once (``HostLoad.peak``) and when
each arrived: what a server operator would see of a crawler's politeness.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

_CHUNK = 8192


@dataclass
class HostLoad:
    """What one host saw: requests in progress now, the most at once, and each arrival (monotonic)."""

    active: int = 0
    peak: int = 0
    arrivals: list[float] = field(default_factory=list)


@dataclass
class Pacing:
    latency: float = 0.0  # seconds before each answer's first byte
    bandwidth: int = 0  # bytes per second per host, shared by its connections; 0 = unlimited
    loads: dict[str, HostLoad] = field(default_factory=dict, compare=False)
    #: host → when its link is next idle
    _free: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def parse(cls, latency: float = 0.0, bandwidth: str | int = 0) -> Pacing:
        """``bandwidth`` as bytes/s or with a unit: ``64k``, ``2m`` (×1024)."""
        text = str(bandwidth).strip().lower()
        scale = {"k": 1024, "m": 1024 * 1024}.get(text[-1:], 1) if text else 1
        number = text.rstrip("km") or "0"
        return cls(latency=float(latency), bandwidth=int(float(number) * scale))

    @contextmanager
    def serving(self, host: str) -> Iterator[None]:
        """Count one request to ``host`` as in progress for the duration of the block."""
        with self._lock:
            load = self.loads.setdefault(host, HostLoad())
            load.active += 1
            load.peak = max(load.peak, load.active)
            load.arrivals.append(time.monotonic())
        try:
            yield
        finally:
            with self._lock:
                load.active -= 1

    def delay(self, stopping: threading.Event) -> None:
        """The round trip and the server's think time, before the status line."""
        if self.latency > 0:
            stopping.wait(self.latency)

    def send(self, host: str, write: Callable[[bytes], object], body: bytes, stopping: threading.Event) -> None:
        """Write ``body`` no faster than the host's share of its bandwidth allows."""
        if self.bandwidth <= 0:
            write(body)
            return
        for start in range(0, len(body), _CHUNK):
            chunk = body[start : start + _CHUNK]
            pause = self._reserve(host, len(chunk)) - time.monotonic()
            if pause > 0 and stopping.wait(pause):
                return  # shutting down
            write(chunk)

    def _reserve(self, host: str, size: int) -> float:
        """When ``size`` more bytes of ``host`` are through its link: after everything reserved before."""
        with self._lock:
            start = max(time.monotonic(), self._free.get(host, 0.0))
            self._free[host] = end = start + size / self.bandwidth
        return end

    def peak(self) -> dict[str, int]:
        with self._lock:
            return {host: load.peak for host, load in self.loads.items()}
