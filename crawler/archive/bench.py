"""Measure the archive middleware: ``python -m crawler.archive.bench [N]``.

Plays N synthetic downloads (HTML pages, gzip-encoded pages, repeats that become revisits, PDF-like
attachments) through ``WarcArchiveMiddleware`` into a temporary directory and prints records/s and
the time added per response. The peer, measured in the same run, is the least any archiver must
do with the same bytes: SHA-256 them, gzip them and write them to a file.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import sys
import tempfile
import time
import zlib
from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse, Response

from crawler.archive.middleware import WarcArchiveMiddleware
from crawler.archive.writer import WarcArchiveWriter

WORDS = [
    "政府",
    "信息",
    "公开",
    "工作",
    "年度",
    "报告",
    "申请",
    "办理",
    "结果",
    "行政",
    "复议",
    "诉讼",
    "2023",
    "年",
    "本机关",
    "统计",
    "数据",
]


def synthetic_downloads(count: int, seed: int = 7) -> list[tuple[Request, Response]]:
    rng = random.Random(seed)
    downloads: list[tuple[Request, Response]] = []
    for n in range(count):
        url = f"http://xxgk.example.gov.cn/art/2024/{n}.html"
        roll = rng.random()
        if roll < 0.10 and downloads:  # a page seen before: becomes a revisit
            body, headers = downloads[rng.randrange(len(downloads))][1].body, {}
        elif roll < 0.20:  # an attachment: incompressible
            body, headers = rng.randbytes(rng.randint(100_000, 400_000)), {"Content-Type": "application/pdf"}
        else:
            text = " ".join(rng.choices(WORDS, k=rng.randint(3_000, 9_000)))
            body, headers = f"<html><body><p>{text}</p></body></html>".encode(), {}
            if roll > 0.85:
                body, headers = gzip.compress(body, compresslevel=6), {"Content-Encoding": "gzip"}
        request = Request(url)
        headers = {"Content-Type": "text/html; charset=utf-8", **headers}
        downloads.append((request, HtmlResponse(url, headers=headers, body=body, request=request)))
    return downloads


def time_middleware(downloads: list[tuple[Request, Response]], warc_dir: Path) -> float:
    middleware = WarcArchiveMiddleware(WarcArchiveWriter(warc_dir, "bench", worker="bench"))
    started = time.perf_counter()
    for request, response in downloads:
        middleware.process_request(request)
        middleware.process_response(request, response)
    middleware.close()
    return time.perf_counter() - started


def time_peer(downloads: list[tuple[Request, Response]], path: Path) -> float:
    started = time.perf_counter()
    with path.open("wb") as out:
        for _, response in downloads:
            hashlib.sha256(response.body).digest()
            compressor = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
            out.write(compressor.compress(response.body) + compressor.flush())
    return time.perf_counter() - started


def main(count: int = 2_000) -> None:
    downloads = synthetic_downloads(count)
    payload_mb = sum(len(response.body) for _, response in downloads) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        warc_dir = Path(tmp) / "warc"
        archive_seconds = time_middleware(downloads, warc_dir)
        peer_seconds = time_peer(downloads, Path(tmp) / "peer.gz")
        warc_mb = sum(path.stat().st_size for path in warc_dir.glob("*.warc.gz")) / 1e6
    records = 2 * count  # a request and a response (or revisit) record per download
    print(f"{count} downloads, {payload_mb:.1f} MB payload → {warc_mb:.1f} MB of WARC")
    print(f"middleware: {archive_seconds:.2f} s = {records / archive_seconds:,.0f} records/s, "
          f"{1e3 * archive_seconds / count:.2f} ms per response, {payload_mb / archive_seconds:.0f} MB/s")  # fmt: skip
    print(f"peer (sha256 + gzip + write): {peer_seconds:.2f} s; middleware/peer = "
          f"{archive_seconds / peer_seconds:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000)
