"""The replica as an HTTP/1.1 forward proxy on 127.0.0.1 for the real host names.

A client sets ``http_proxy=http://127.0.0.1:PORT`` and requests ``http://www.wendeng.gov.cn/…``
as usual: the request line then carries the absolute URI. A plain ``Host:`` header works too.
Any other host gets a 502 and nothing ever leaves the machine: this server opens no outbound
connection at all, it only answers from the in-memory :class:`World`.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.replica.world import Response, World

_MAX_BODY = 1 << 20


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, world: World, port: int = 0) -> None:
        self.world = world
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: Scrapy reuses connections
    server: ReplicaServer
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
        world = self.server.world
        if host not in world.hosts:
            self._send(_bad_gateway(host), head)
            return
        self._send(world.handle(self.command, host, target, body), head)

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
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if not head:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # thousands of requests per test: stay quiet


def _bad_gateway(host: str) -> Response:
    text = f"502 Bad Gateway: {host or '(no host)'} is not part of the replica\n"
    return Response(502, [("Content-Type", "text/plain; charset=utf-8")], text.encode("utf-8"))


def start(world: World, port: int = 0) -> tuple[ReplicaServer, threading.Thread]:
    """Serve ``world`` on a background thread; stop with ``server.shutdown(); server.server_close()``."""
    server = ReplicaServer(world, port)
    thread = threading.Thread(target=server.serve_forever, name="replica", daemon=True)
    thread.start()
    return server, thread
