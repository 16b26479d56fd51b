"""Seeded network faults for the replica server: 5xx, timeouts, resets, truncated bodies, slow drip.

A fault is a pure function of (fault seed, request key, attempt number), so a run is reproducible;
and only the first ``faulty_attempts`` attempts of a request can fail, so a crawler that retries
always gets through (a faulted URL succeeds by its 2nd or 3rd attempt). robots.txt is never faulted.

    plan = FaultPlan.parse("5xx=0.1,timeout=0.05,reset=0.02,truncate=0.02,slow=0.01", seed=3)
    plan.decide("GET http://www.hy.gov.cn/xxgk/index.html", attempt=0)  # → "reset", "503", … or None
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

KINDS = ("5xx", "timeout", "reset", "truncate", "slow")
STATUSES = (500, 502, 503)


@dataclass
class FaultPlan:
    """Fault rates per kind (each in 0..1, summing to at most 1) and how faults behave."""

    rates: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    faulty_attempts: int = 2  # attempts 0..n-1 may fail; attempt n and later never do
    hang_seconds: float = 30.0  # a "timeout" holds the connection this long, then closes it unanswered
    drip_seconds: float = 2.0  # a "slow" answer trickles its body over about this long
    _attempts: dict[str, int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.rates) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
        if any(not 0 <= r <= 1 for r in self.rates.values()) or sum(self.rates.values()) > 1 + 1e-9:
            raise ValueError(f"fault rates must be in 0..1 and sum to at most 1: {self.rates}")

    @classmethod
    def parse(cls, spec: str, seed: int = 0, **options: float) -> FaultPlan:
        """``"5xx=0.1,timeout=0.05"`` → a plan (the CLI's ``--faults`` syntax)."""
        rates: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            kind, _, rate = part.partition("=")
            rates[kind.strip()] = float(rate)
        return cls(rates, seed, **options)  # type: ignore[arg-type]

    def decide(self, key: str, attempt: int) -> str | None:
        """The fault for the ``attempt``-th (0-based) request with ``key``: a kind, "500"/"502"/"503", or None."""
        if attempt >= self.faulty_attempts or key.endswith("/robots.txt"):
            return None
        roll = _unit(f"{self.seed}|{key}|{attempt}")
        for kind in KINDS:
            rate = self.rates.get(kind, 0.0)
            if roll < rate:
                return (
                    str(STATUSES[int(roll / rate * len(STATUSES)) % len(STATUSES)]) if kind == "5xx" else kind
                )
            roll -= rate
        return None

    def next_fault(self, key: str) -> str | None:
        """Count this request's attempt and decide its fault (thread-safe: the server is threaded)."""
        with self._lock:
            attempt = self._attempts.get(key, 0)
            self._attempts[key] = attempt + 1
        return self.decide(key, attempt)

    def reset_attempts(self) -> None:
        with self._lock:
            self._attempts.clear()


def request_key(method: str, host: str, target: str, body: bytes = b"") -> str:
    """What identifies "the same request" across retries: method, URL and (for POST) the form."""
    suffix = f" #{hashlib.sha1(body).hexdigest()[:12]}" if body else ""
    return f"{method} http://{host}{target}{suffix}"


def _unit(text: str) -> float:
    """A uniform number in [0, 1) from ``text``: stable across runs and Python versions."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") / 2**64
