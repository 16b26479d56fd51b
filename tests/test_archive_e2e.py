"""End to end: a real Scrapy crawl (subprocess) against a throwaway server on 127.0.0.1, archived."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.cdxj import iter_index, lookup
from crawler.archive.reader import iter_responses, read_record

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
REPORT = "<html><body><h1>2023年度报告</h1><p>{}</p></body></html>"
INDEX = """<html><body>
<a href="/gz">gz</a> <a href="/redirect">moved</a> <a href="/flaky">flaky</a>
<a href="/missing">missing</a> <a href="/private/x">private</a> <a href="/chunked">chunked</a>
<a href="/copy-a">a</a> <a href="/copy-b">b</a>
</body></html>"""


class Site(BaseHTTPRequestHandler):
    """A small portal: gzip, a redirect, a 503 that stays down, a 404, chunking, copies, a POST proxy."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        routes = {
            "/robots.txt": lambda: self.reply(b"User-agent: *\nDisallow: /private\n", "text/plain"),
            "/": lambda: self.reply(INDEX.encode()),
            "/gz": self.gzipped,
            "/redirect": lambda: self.reply(b"", status=302, extra={"Location": "/target"}),
            "/target": lambda: self.reply(REPORT.format("target").encode()),
            "/flaky": lambda: self.reply(b"<h1>busy</h1>", status=503),
            "/chunked": self.chunked,
            "/copy-a": lambda: self.reply(REPORT.format("same").encode()),
            "/copy-b": lambda: self.reply(REPORT.format("same").encode()),
        }
        routes.get(self.path, lambda: self.reply(b"<h1>Not Found</h1>", status=404))()

    def do_POST(self) -> None:
        form = self.rfile.read(int(self.headers["Content-Length"]))
        self.reply(b"<datastore><record>" + form + b"</record></datastore>", "text/xml")

    def reply(self, body: bytes, content_type: str = "text/html; charset=utf-8", *, status: int = 200,
              extra: dict[str, str] | None = None) -> None:  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def gzipped(self) -> None:
        assert "gzip" in self.headers.get("Accept-Encoding", "")
        self.reply(gzip.compress(REPORT.format("gz").encode(), mtime=0), extra={"Content-Encoding": "gzip"})

    def chunked(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in (b"<html><body>", "分块".encode(), b"</body></html>"):
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, format: str, *args: object) -> None:
        """Keep pytest output quiet."""


SPIDER = textwrap.dedent(
    """
    import hashlib
    import scrapy

    class Portal(scrapy.Spider):
        name = "portal"
        custom_settings = {
            "DOWNLOADER_MIDDLEWARES": {"crawler.archive.middleware.WarcArchiveMiddleware": 950},
            "ROBOTSTXT_OBEY": True,
            "RETRY_TIMES": 1,
            "TELNETCONSOLE_ENABLED": False,
        }

        def __init__(self, base, **kwargs):
            super().__init__(**kwargs)
            self.start_urls = [base + "/"]

        def parse(self, response):
            for href in response.css("a::attr(href)").getall():
                yield response.follow(href, self.page)
            yield scrapy.FormRequest(response.urljoin("/dataproxy"), formdata={"col": "1", "page": "2"},
                                     callback=self.page)

        def page(self, response):
            yield {"url": response.url, "sha256": hashlib.sha256(response.body).hexdigest(),
                   "warc": response.meta.get("xxgk_warc")}
    """
)


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def crawl(tmp_path: Path, base: str) -> list[dict]:
    spider = tmp_path / "portal.py"
    spider.write_text(SPIDER, encoding="utf-8")
    items = tmp_path / "items.jsonl"
    env = {name: value for name, value in os.environ.items() if "proxy" not in name.lower()}
    env |= {"PYTHONPATH": str(REPO), "NO_PROXY": "*"}
    command = [
        sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", f"base={base}",
        "-o", str(items), "-s", f"XXGK_DATA_DIR={tmp_path / 'data'}",
    ]  # fmt: skip
    # cwd=tmp_path: no scrapy.cfg there, so the project's pipelines stay out of this crawl
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in items.read_text(encoding="utf-8").splitlines()]


def test_a_real_crawl_is_archived_completely(tmp_path: Path, site: str) -> None:
    items = crawl(tmp_path, site)
    warc_dir = tmp_path / "data" / "warc"
    warcs = sorted(warc_dir.glob("*.warc.gz"))
    check = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", *map(str, warcs)], capture_output=True, text=True
    )
    assert warcs and check.returncode == 0, check.stdout

    captured = [(entry.url.removeprefix(site), entry.status, entry.method) for entry in iter_index(warc_dir)]
    expected = {
        ("/robots.txt", 200, "GET"),
        ("/", 200, "GET"),
        ("/gz", 200, "GET"),
        ("/redirect", 302, "GET"),
        ("/target", 200, "GET"),
        ("/missing", 404, "GET"),
        ("/chunked", 200, "GET"),
        ("/copy-a", 200, "GET"),
        ("/copy-b", 200, "GET"),
        ("/dataproxy", 200, "POST"),
    }
    assert expected <= set(captured)
    assert captured.count(("/flaky", 503, "GET")) == 2  # first try and its retry: both archived
    assert not any(url.startswith("/private") for url, _, _ in captured)  # robots.txt kept it unfetched

    # every request has its response, linked both ways
    with warcs[0].open("rb") as stream:
        headers = [dict(record.rec_headers.headers) for record in ArchiveIterator(stream)]
    ids = {h["WARC-Record-ID"]: h for h in headers}
    for request in (h for h in headers if h["WARC-Type"] == "request"):
        assert ids[request["WARC-Concurrent-To"]]["WARC-Concurrent-To"] == request["WARC-Record-ID"]

    # the spider's pointers find the same bytes it saw; the gzip page is stored still compressed
    by_path = {item["url"].removeprefix(site): item for item in items}
    assert {"/gz", "/target", "/chunked", "/copy-a", "/copy-b", "/dataproxy"} <= set(by_path)
    for item in by_path.values():
        pointer = item["warc"]
        assert pointer["payload_sha256"] == item["sha256"]
        [response] = [r for r in iter_responses(warc_dir) if r.record_id == pointer["record_id"]]
        assert hashlib.sha256(response.body).hexdigest() == item["sha256"]
    gz = by_path["/gz"]["warc"]
    assert read_record(warc_dir, gz["file"], gz["offset"])[:2] == b"\x1f\x8b"
    assert sorted(by_path[p]["warc"]["revisit"] for p in ("/copy-a", "/copy-b")) == [False, True]
    [chunked] = lookup(warc_dir, f"{site}/chunked")
    assert (
        read_record(warc_dir, chunked.filename, chunked.offset) == "<html><body>分块</body></html>".encode()
    )
    [proxy] = [r for r in iter_responses(warc_dir) if r.method == "POST"]
    assert proxy.request_body in (b"col=1&page=2", b"page=2&col=1")
