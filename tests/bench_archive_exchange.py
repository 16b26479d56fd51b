"""CPU per archived exchange, and byte-identity of the archive, against another checkout's code.

    python tests/bench_archive_exchange.py time --against /work/main [--count 2000] [--runs 5]
    python tests/bench_archive_exchange.py same --against /work/main

``time`` plays ``--count`` small pages (≈1.5 KB, the headers a Scrapy crawl sends and a government
CMS answers, a tenth gzip-encoded, a tenth repeats that become revisits, spider context on every
request) through the real ``WarcArchiveMiddleware``, once in this checkout and once in the other,
alternating for ``--runs`` child processes each, and prints the best ``thread_time`` per exchange
of each. ``same`` plays a varied corpus (the fixture pages, POSTs, redirects, 404s, h2, non-ASCII
header bytes, retries, failures, a file roll) with a frozen clock and counted record IDs in both
checkouts and compares the gunzipped WARC bytes, the gzip members and the CDXJ lines.

A child is this file run with ``--root``: that checkout goes first on ``sys.path``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
WORDS = ["政府", "信息", "公开", "工作", "年度", "报告", "申请", "办理", "结果", "2023", "年", "统计"]
REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
    "User-Agent": "xxgk/0.1 (+https://example.org/xxgk)",
    "Accept-Encoding": "gzip, deflate, br, zstd",
}


def small_pages(count: int, seed: int = 11) -> list[dict[str, Any]]:
    """Issue 17's pages-only crawl: small HTML pages on a handful of hosts."""
    rng = random.Random(seed)
    hosts = [f"www.county{n}.gov.cn" for n in range(8)]
    downloads: list[dict[str, Any]] = []
    for n in range(count):
        host = rng.choice(hosts)
        url = f"http://{host}/art/2024/{rng.randrange(1, 13)}/{rng.randrange(1, 29)}/art_{n}_{rng.randrange(10**6)}.html"
        if rng.random() < 0.1 and downloads:
            body = downloads[rng.randrange(len(downloads))]["body"]
        else:
            text = "".join(rng.choices(WORDS, k=rng.randint(250, 350)))
            body = f"<html><head><title>{text[:20]}</title></head><body><p>{text}</p></body></html>".encode()
        headers = {
            "Date": "Tue, 19 Jan 2026 08:00:00 GMT",
            "Server": "nginx",
            "Content-Type": "text/html; charset=utf-8",
            "Last-Modified": "Mon, 18 Jan 2026 02:11:09 GMT",
            "ETag": f'"{n:x}-5e2"',
            "Accept-Ranges": "bytes",
        }
        if rng.random() < 0.1:
            body, headers["Content-Encoding"] = gzip.compress(body, mtime=0), "gzip"
        context = {
            "site": host,
            "role": "page",
            "list_title": "2023年政府信息公开工作年度报告",
            "list_date": "2024-01-19",
            "column": "年报",
            "column_url": f"http://{host}/col/col1/index.html",
        }
        downloads.append(
            {
                "url": url,
                "headers": headers,
                "body": body,
                "meta": {"xxgk_context": context},
                "request_headers": {**REQUEST_HEADERS, "Referer": f"http://{host}/col/col1/index.html"},
            }
        )
    return downloads


def varied(seed: int = 5) -> list[dict[str, Any]]:
    """Every branch the writer has: the fixture pages and documents, plus the awkward cases."""
    rng = random.Random(seed)
    bodies = [path.read_bytes() for path in sorted(FIXTURES.rglob("*")) if path.is_file()]
    base = "http://xxgk.example.gov.cn"
    downloads = small_pages(300, seed)
    for n, body in enumerate(bodies):
        downloads.append(
            {
                "url": f"{base}/doc/{n}.bin?id={n}&t=报告",
                "body": body,
                "headers": {"Content-Type": "application/octet-stream"},
            }
        )
    downloads += [
        {
            "url": f"{base}/search.do",
            "method": "POST",
            "request_body": b"q=%E6%8A%A5%E5%91%8A&page=2",
            "body": b"{}",
        },
        {"url": f"{base}/api?x=1", "method": "POST", "request_body": "报告 二".encode(), "body": b"[]"},
        {"url": f"{base}/go", "status": 302, "headers": {"Location": f"{base}/art/1.html"}, "body": b""},
        {"url": f"{base}/missing", "status": 404, "body": b"<h1>404</h1>"},
        {"url": f"{base}/odd", "status": 599, "body": b"?"},
        {"url": f"{base}/h2.html", "protocol": "h2", "ip": "10.0.0.7", "body": b"<p>h2</p>"},
        {"url": f"{base}/old.html", "protocol": "HTTP/1.0", "body": b"<p>old</p>"},
        {
            "url": f"{base}/file.doc",
            "body": b"DOC",
            "headers": {"Content-Disposition": 'attachment; filename="报告.doc"'.encode("gbk")},
        },
        {"url": f"{base}/art/%E6%8A%A5%E5%91%8A.html?b=2&a=1#top", "body": b"<p>q</p>"},
        {"url": "http://user:pw@XXGK.Example.gov.cn:8080/A/../b/./c.html?", "body": b"<p>c</p>"},
        {
            "url": f"{base}/retry.html",
            "meta": {"retry_times": 2, "xxgk_context": {"site": "s", "t": "a\r\nWARC-Type: x"}},
            "body": b"<p>r</p>",
        },
        {"url": f"{base}/bad.gz", "headers": {"Content-Encoding": "gzip"}, "body": b"not gzip"},
        {"url": f"{base}/none", "headers": {}, "no_type": True, "body": b"plain"},
        {"url": f"{base}/down.html", "fail": "TimeoutError: took too long"},
        {"url": f"{base}/empty.html", "body": b""},
        {"url": f"{base}/empty2.html", "body": b""},
    ]
    rng.shuffle(downloads)
    return downloads


def freeze() -> None:
    """A fixed clock and counted UUIDs, patched where both checkouts look them up."""
    import warcio.recordbuilder

    import crawler.archive.middleware
    import crawler.archive.records
    import crawler.archive.writer

    start = datetime(2026, 1, 19, 8, 0, 0, tzinfo=UTC)
    ticks = iter(range(10**9))

    class FrozenClock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            # a whole second every 7th reading: the ".000000" case
            moment = start + timedelta(
                seconds=next(ticks), microseconds=0 if next(ticks) % 7 == 0 else 123457
            )
            return moment if tz is not None else moment.replace(tzinfo=None)

    counter = iter(range(1, 10**9))
    uuid.uuid4 = lambda: uuid.UUID(int=next(counter))  # type: ignore[assignment]
    # the writer's IDs from the same counter, however a checkout makes them (warcio's make_warc_id or not)
    crawler.archive.writer.new_record_id = lambda: f"<urn:uuid:{uuid.uuid4()}>"  # type: ignore[attr-defined]
    for module in (
        crawler.archive.middleware,
        crawler.archive.writer,
        crawler.archive.records,
        warcio.recordbuilder,
    ):
        if hasattr(module, "datetime"):
            module.datetime = FrozenClock  # type: ignore[attr-defined]


def play(downloads: list[dict[str, Any]], warc_dir: Path, max_size: int | None = None) -> float:
    """Thread CPU seconds spent in the middleware's two calls over all downloads."""
    from scrapy import Request
    from scrapy.http import HtmlResponse, Response

    from crawler.archive.middleware import WarcArchiveMiddleware
    from crawler.archive.writer import WarcArchiveWriter

    options = {"max_size": max_size} if max_size else {}
    middleware = WarcArchiveMiddleware(
        WarcArchiveWriter(warc_dir, "bench", worker="w1", info={"robots": "obey"}, **options)
    )
    played = []
    for spec in downloads:
        request = Request(
            spec["url"],
            method=spec.get("method", "GET"),
            body=spec.get("request_body", b""),
            headers=spec.get("request_headers", REQUEST_HEADERS),
            meta=dict(spec.get("meta", {})),
        )
        headers = (
            spec.get("headers", {})
            if spec.get("no_type")
            else {"Content-Type": "text/html; charset=utf-8", **spec.get("headers", {})}
        )
        response = None
        if "fail" not in spec:
            cls = HtmlResponse if b"html" in str(headers.get("Content-Type", "")).encode() else Response
            response = cls(
                spec["url"],
                status=spec.get("status", 200),
                headers=headers,
                body=spec["body"],
                request=request,
                protocol=spec.get("protocol", "HTTP/1.1"),
                ip_address=None,
            )
            if spec.get("ip"):
                from ipaddress import ip_address

                response.ip_address = ip_address(spec["ip"])
        played.append((request, response, spec.get("fail")))
    began = time.thread_time()
    for request, response, failure in played:
        middleware.process_request(request)
        if response is None:
            middleware.process_exception(request, TimeoutError(failure))
        else:
            middleware.process_response(request, response)
    spent = time.thread_time() - began
    middleware.close()
    return spent


def child(args: argparse.Namespace) -> None:
    import crawler

    assert Path(crawler.__file__).resolve().is_relative_to(Path(args.root).resolve()), crawler.__file__
    if args.mode == "time":
        downloads = small_pages(args.count)
        best = float("inf")
        for _ in range(args.rounds):
            with tempfile.TemporaryDirectory() as tmp:
                best = min(best, play(downloads, Path(tmp) / "warc"))
        print(json.dumps({"seconds": best, "count": args.count}))
    else:
        freeze()
        play(varied(), Path(args.out), max_size=200_000)


def spawn(root: str, *extra: str) -> str:
    command = [sys.executable, __file__, "--root", root, *extra]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def compare_timing(args: argparse.Namespace) -> None:
    here = str(HERE.parent)
    best = {"this": float("inf"), "other": float("inf")}
    for _ in range(args.runs):
        for name, root in (("other", args.against), ("this", here)):
            out = json.loads(
                spawn(root, "--mode", "time", "--count", str(args.count), "--rounds", str(args.rounds))
            )
            best[name] = min(best[name], out["seconds"])
    ms = {name: 1e3 * seconds / args.count for name, seconds in best.items()}
    print(
        f"{args.against}: {ms['other']:.3f} ms/exchange; this checkout: {ms['this']:.3f} ms/exchange; "
        f"{ms['other'] / ms['this']:.2f}x fewer CPU seconds (best of {args.runs}x{args.rounds})"
    )


def compare_output(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        dirs = {name: Path(tmp) / name for name in ("this", "other")}
        spawn(str(HERE.parent), "--mode", "same", "--out", str(dirs["this"]))
        spawn(args.against, "--mode", "same", "--out", str(dirs["other"]))
        names = {name: sorted(p.name for p in path.iterdir()) for name, path in dirs.items()}
        assert names["this"] == names["other"], names
        records = lines = 0
        for name in names["this"]:
            mine, theirs = (dirs["this"] / name).read_bytes(), (dirs["other"] / name).read_bytes()
            if name.endswith(".gz"):
                assert gzip.decompress(mine) == gzip.decompress(theirs), f"{name}: WARC bytes differ"
                records += gzip.decompress(mine).count(b"WARC/1.1\r\n")
            else:
                lines += mine.count(b"\n")
            assert mine == theirs, f"{name}: files differ"
        print(f"identical: {len(names['this'])} files, {records} records, {lines} CDXJ lines")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", nargs="?", choices=["time", "same"])
    parser.add_argument("--against", default="/work/main")
    parser.add_argument("--root")
    parser.add_argument("--mode")
    parser.add_argument("--out")
    parser.add_argument("--count", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.root:
        sys.path.insert(0, args.root)
        child(args)
    elif args.command == "time":
        compare_timing(args)
    else:
        compare_output(args)


if __name__ == "__main__":
    main()
