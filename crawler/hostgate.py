"""Per-host politeness across every crawler of a process: a host's concurrency and delay hold for the
whole many-site run (crawler/fleet.py), not for each site's crawler apart.

Scrapy keeps a downloader slot per host inside each crawler, so two profiles on one server (a shared
provincial platform, attachments on one CDN, two names of one portal) would each send the server
``CONCURRENT_REQUESTS_PER_DOMAIN`` requests at once. :class:`HostGateDownloader` asks one
process-wide :class:`HostGate` before a slot sends a request: at most the slot's concurrency in
flight to the host from all crawlers together, and the download delay counted from the last
request any crawler sent to it. A slot that finds its host busy waits, in arrival order, and is
woken when one of the host's transfers ends. The archive's WARC-Date of a request is when the gate
let it go (not when it joined the queue), so the archive shows each host's load as the host saw it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import monotonic
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro
from twisted.internet.defer import Deferred

from crawler.archive.middleware import _STARTED_KEY as WARC_DATE_KEY


@dataclass(slots=True)
class HostState:
    transferring: int = 0
    lastseen: float = 0.0
    #: id(slot) → the callback that processes that slot's queue again; dicts keep arrival order
    waiting: dict[int, Callable[[], None]] = field(default_factory=dict)


class HostGate:
    """What every crawler of the process has in flight to each host, and when it last sent one."""

    def __init__(self) -> None:
        self.hosts: dict[str, HostState] = {}
        #: the most requests ever in flight to each host at once (what tests and benchmarks check)
        self.peak: dict[str, int] = {}

    def state(self, host: str) -> HostState:
        state = self.hosts.get(host)
        if state is None:
            state = self.hosts[host] = HostState()
        return state

    def enter(self, host: str, now: float) -> None:
        state = self.state(host)
        state.transferring += 1
        state.lastseen = now
        self.peak[host] = max(self.peak.get(host, 0), state.transferring)

    def leave(self, host: str) -> None:
        state = self.state(host)
        state.transferring -= 1
        waiting = list(state.waiting.values())
        state.waiting.clear()
        for wake in waiting:  # each re-checks the gate; those still refused queue up again in order
            wake()

    def wait(self, host: str, slot: object, wake: Callable[[], None]) -> None:
        self.state(host).waiting.setdefault(id(slot), wake)

    def forget(self, host: str, slot: object) -> None:
        # the slot's own host only: a closing crawler costs the same after 1,000 sites as after one
        state = self.hosts.get(host)
        if state is not None:
            state.waiting.pop(id(slot), None)


#: the process's gate: every HostGateDownloader shares it
GATE = HostGate()


class HostSlot(Slot):
    """A downloader slot that knows its key (the host), to ask the gate about it."""

    __slots__ = ("host",)
    host: str

    @classmethod
    def of(cls, slot: Slot, host: str) -> HostSlot:
        gated = cls(slot.concurrency, slot.delay, slot.jitter)
        gated.host = host
        return gated


class HostGateDownloader(Downloader):
    """Scrapy's downloader with the per-host limits shared by all crawlers of the process
    (``DOWNLOADER = "crawler.hostgate.HostGateDownloader"``, set by crawler/fleet.py)."""

    gate = GATE

    def _get_slot(self, request: Request, spider: Any = None) -> tuple[str, Slot]:
        key, slot = super()._get_slot(request)
        if not isinstance(slot, HostSlot):
            slot = self.slots[key] = HostSlot.of(slot, key)
        return key, slot

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall or not isinstance(slot, HostSlot):
            return
        state = self.gate.state(slot.host)
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + max(slot.lastseen, state.lastseen)
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            if state.transferring >= slot.concurrency:
                self.gate.wait(slot.host, slot, lambda: self._process_queue(slot))
                return
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            self.gate.enter(slot.host, now)
            if WARC_DATE_KEY in request.meta:
                # the archive dates the exchange when the request leaves for the wire, not when it
                # joined the queue: WARC-Dates then show what each host really saw (and when)
                request.meta[WARC_DATE_KEY] = datetime.now(UTC)
            _schedule_coro(self._gated_download(slot, request, queue_dfd))
            if delay:  # one request per delay: the next pass waits out the rest of it
                self._process_queue(slot)
                break

    async def _gated_download(self, slot: HostSlot, request: Request, queue_dfd: Deferred[Any]) -> None:
        try:
            await self._wait_for_download(slot, request, queue_dfd)
        finally:
            self.gate.leave(slot.host)

    def close(self) -> None:
        for slot in self.slots.values():
            if isinstance(slot, HostSlot):
                self.gate.forget(slot.host, slot)
        super().close()
