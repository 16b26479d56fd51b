"""The replica as an HTTP/1.1 forward proxy on 127.0.0.1 for the real host names.

A client sets ``http_proxy=http://127.0.0.1:PORT`` and requests ``http://www.wendeng.gov.cn/…``
as usual: the request line then carries the absolute URI. A plain ``Host:`` header works too.
Any other host gets a 502 and nothing ever leaves the machine: this server opens no outbound
connection at all, it only answers from the in-memory :class:`World`.

With a :class:`~tests.replica.faults.FaultPlan` the server also misbehaves at the socket level
(5xx, hangs, resets, truncated and slow bodies), deterministically per request and attempt. With a
:class:`~tests.replica.pacing.Pacing` it answers after a latency and at a bandwidth per host.
"""

from __future__ import annotations

import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.replica.faults import FaultPlan, request_key
from tests.replica.pacing import Pacing
from tests.replica.world import Response, World

_MAX_BODY = 1 << 20
_DRIP_CHUNKS = 20


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(
        self, world: World, port: int = 0, faults: FaultPlan | None = None, pacing: Pacing | None = None
    ) -> None:
        self.world = world
        self.faults = faults
        self.pacing = pacing
        self.stopping = threading.Event()  # wakes hanging and dripping handlers on shutdown
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def shutdown(self) -> None:
        self.stopping.set()
        super().shutdown()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: Scrapy reuses connections
    server: ReplicaServer
    host = ""  # the replica host of the request being answered
    server_version = "nginx"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # small responses back to back: don't let Nagle hold them
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_POST(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_CONNECT(self) -> None:
        # https tunnels would need an upstream; the replica sites are plain http
        self._send(_bad_gateway(self.path.split(":")[0]), head=False)

    def _answer(self, head: bool) -> None:
        body = self._read_body()
        host, target = self._host_and_target()
        self.host = host
        world = self.server.world
        if host not in world.hosts:
            self._send(_bad_gateway(host), head)
            return
        pacing = self.server.pacing
        if pacing is None:
            self._respond(head, host, target, body)
            return
        with pacing.serving(host):
            pacing.delay(self.server.stopping)
            self._respond(head, host, target, body)

    def _respond(self, head: bool, host: str, target: str, body: bytes) -> None:
        world = self.server.world
        plan = self.server.faults
        fault = plan.next_fault(request_key(self.command, host, target, body)) if plan else None
        if fault == "timeout":
            self._hang()
        elif fault is not None and fault.isdigit():
            self._send(_server_error(int(fault)), head)
        else:
            response = world.handle(self.command, host, target, body, self.headers)
            if fault is None or head:
                self._send(response, head)
            else:
                self._send_faulty(response, fault)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, _MAX_BODY)) if length > 0 else b""

    def _host_and_target(self) -> tuple[str, str]:
        if self.path.startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            target = parts.path or "/"
            return (parts.hostname or "").lower(), target + (f"?{parts.query}" if parts.query else "")
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        return host, self.path

    def _send(self, response: Response, head: bool) -> None:
        self._send_head(response)
        if head:
            return
        pacing = self.server.pacing
        if pacing is None:
            self.wfile.write(response.body)
        else:
            pacing.send(self.host, self.wfile.write, response.body, self.server.stopping)

    def _send_head(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status != 304:  # a 304 has no body; its length would describe the 200's
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()

    # -- faults

    def _hang(self) -> None:
        """Accept and say nothing: the client's timeout fires first; after a bounded wait, close."""
        self.server.stopping.wait(self.server.faults.hang_seconds)
        self.close_connection = True

    def _send_faulty(self, response: Response, fault: str) -> None:
        self._send_head(response)
        half = response.body[: len(response.body) // 2]
        if fault == "slow":
            self._drip(response.body)
            return
        self.wfile.write(half)
        self.close_connection = True
        if fault == "reset":
            # linger 0: close() sends RST instead of FIN, mid-body
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        # truncate: Content-Length promised the whole body; closing now (FIN) leaves it short

    def _drip(self, body: bytes) -> None:
        """The whole body, in small pieces spread over ``drip_seconds``."""
        size = max(1, -(-len(body) // _DRIP_CHUNKS))
        pause = self.server.faults.drip_seconds / _DRIP_CHUNKS
        for start in range(0, len(body), size):
            self.wfile.write(body[start : start + size])
            if self.server.stopping.wait(pause):
                break

    def log_message(self, format: str, *args: object) -> None:
        pass  # thousands of requests per test: stay quiet


def _server_error(status: int) -> Response:
    reasons = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable"}
    text = (
        f"<html><head><title>{status} {reasons[status]}</title></head><body><center><h1>{status} "
        f"{reasons[status]}</h1></center><hr><center>nginx</center></body></html>\n"
    )
    headers = [("Content-Type", "text/html"), *([("Retry-After", "1")] if status == 503 else [])]
    return Response(status, headers, text.encode())


def _bad_gateway(host: str) -> Response:
    text = f"502 Bad Gateway: {host or '(no host)'} is not part of the replica\n"
    return Response(502, [("Content-Type", "text/plain; charset=utf-8")], text.encode("utf-8"))


def start(
    world: World, port: int = 0, faults: FaultPlan | None = None, pacing: Pacing | None = None
) -> tuple[ReplicaServer, threading.Thread]:
    """Serve ``world`` on a background thread; stop with ``server.shutdown(); server.server_close()``."""
    server = ReplicaServer(world, port, faults, pacing)
    thread = threading.Thread(target=server.serve_forever, name="replica", daemon=True)
    thread.start()
    return server, thread
