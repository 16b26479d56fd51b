"""The WARC archive: middleware → WARC records + CDXJ → reader, on a tmp DIR (no network)."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import brotli
import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.cdxj import iter_index, lookup, surt_key
from crawler.archive.encoding import ContentDecodingError, decode_content
from crawler.archive.middleware import META_KEY, WarcArchiveMiddleware
from crawler.archive.reader import ArchiveReadError, iter_responses, read_record
from crawler.archive.writer import EMPTY_PAYLOAD_DIGEST, WarcArchiveWriter

SITE = "http://xxgk.example.gov.cn"
PAGE = "<html><body><h1>2023年政府信息公开工作年度报告</h1></body></html>".encode()


# --- helpers ----------------------------------------------------------------------------------


def warcio_check(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """warcio's own validator (digests, framing), as a user would run it."""
    command = [sys.executable, "-m", "warcio.cli", "check", "-v", *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def make_middleware(warc_dir: Path, **options: object) -> WarcArchiveMiddleware:
    return WarcArchiveMiddleware(WarcArchiveWriter(warc_dir, "testsite", worker="w1", **options))


def fetch(
    middleware: WarcArchiveMiddleware,
    url: str,
    body: bytes = PAGE,
    *,
    status: int = 200,
    headers: dict[str, object] | None = None,
    method: str = "GET",
    request_body: bytes = b"",
) -> Request:
    """Play one download through the middleware, as Scrapy's downloader would."""
    request = Request(url, method=method, body=request_body)
    assert middleware.process_request(request) is None
    response_headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    response = HtmlResponse(url, status=status, headers=response_headers, body=body, request=request)
    assert middleware.process_response(request, response) is response
    return request


def records(warc_dir: Path) -> Iterator[tuple[str, dict[str, str], bytes]]:
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                headers = dict(record.rec_headers.headers)
                yield record.rec_type, headers, record.raw_stream.read()


@pytest.fixture
def warc_dir(tmp_path: Path) -> Path:
    return tmp_path / "data" / "warc"


@pytest.fixture
def middleware(warc_dir: Path) -> Iterator[WarcArchiveMiddleware]:
    middleware = make_middleware(warc_dir)
    yield middleware
    middleware.close()


# --- construction -----------------------------------------------------------------------------


class NamedSpider(Spider):
    name = "shandong"


def test_from_crawler_writes_under_data_dir(tmp_path: Path) -> None:
    settings = {"XXGK_DATA_DIR": str(tmp_path), "XXGK_WARC_WORKER": "host-1", "XXGK_WARC_MAX_SIZE": 5000}
    middleware = WarcArchiveMiddleware.from_crawler(get_crawler(NamedSpider, settings))
    fetch(middleware, f"{SITE}/index.html")
    middleware.close()
    [warc] = (tmp_path / "warc").glob("*.warc.gz")
    assert warc.name.startswith("xxgk-shandong-") and warc.name.endswith("-00000-host-1.warc.gz")
    assert middleware.writer.max_size == 5000


def test_disabled_raises_not_configured_with_reason(tmp_path: Path) -> None:
    crawler = get_crawler(NamedSpider, {"XXGK_DATA_DIR": str(tmp_path), "XXGK_WARC_ENABLED": False})
    with pytest.raises(NotConfigured, match="XXGK_WARC_ENABLED"):
        WarcArchiveMiddleware.from_crawler(crawler)


# --- records ----------------------------------------------------------------------------------


def test_request_and_response_are_linked_records_that_warcio_checks(
    middleware: WarcArchiveMiddleware, warc_dir: Path
) -> None:
    fetch(middleware, f"{SITE}/index.html")
    middleware.close()

    (info_type, info, _), (req_type, req, _), (resp_type, resp, payload) = records(warc_dir)
    assert [info_type, req_type, resp_type] == ["warcinfo", "request", "response"]
    assert req["WARC-Concurrent-To"] == resp["WARC-Record-ID"]
    assert resp["WARC-Concurrent-To"] == req["WARC-Record-ID"]
    assert resp["WARC-Payload-Digest"].startswith("sha256:")
    assert resp["WARC-Block-Digest"].startswith("sha256:")
    assert resp["WARC-Warcinfo-ID"] == info["WARC-Record-ID"]
    assert payload == PAGE
    check = warcio_check(list(warc_dir.glob("*.warc.gz")))
    assert check.returncode == 0, check.stdout
    assert check.stdout.count("digest pass") == 3


def test_every_record_is_warc_1_1_in_its_own_gzip_member(
    middleware: WarcArchiveMiddleware, warc_dir: Path
) -> None:
    pointer = fetch(middleware, f"{SITE}/a.html").meta[META_KEY]
    middleware.close()
    data = (warc_dir / pointer["file"]).read_bytes()
    member = data[pointer["offset"] : pointer["offset"] + pointer["length"]]
    assert gzip.decompress(member).startswith(b"WARC/1.1\r\nWARC-Record-ID:")


def test_post_body_is_archived_in_the_request_record(
    middleware: WarcArchiveMiddleware, warc_dir: Path
) -> None:
    form = b"col=1&webid=2&pageNum=3"
    fetch(middleware, f"{SITE}/module/dataproxy.jsp", b"<datastore/>", method="POST", request_body=form)
    middleware.close()

    request_payloads = [payload for kind, _, payload in records(warc_dir) if kind == "request"]
    assert request_payloads == [form]
    [answer] = iter_responses(warc_dir)
    assert (answer.method, answer.request_body, answer.body) == ("POST", form, b"<datastore/>")
    [entry] = lookup(warc_dir, f"{SITE}/module/dataproxy.jsp", method="POST")
    assert "__wb_method=post" in entry.key and entry.method == "POST"
    assert lookup(warc_dir, f"{SITE}/module/dataproxy.jsp", method="GET") == []


def test_gzip_body_is_archived_as_received_and_decoded_by_the_reader(
    middleware: WarcArchiveMiddleware, warc_dir: Path
) -> None:
    encoded = gzip.compress(PAGE)
    headers = {"Content-Encoding": "gzip", "Transfer-Encoding": "chunked"}
    pointer = fetch(middleware, f"{SITE}/gz.html", encoded, headers=headers).meta[META_KEY]
    middleware.close()

    assert read_record(warc_dir, pointer["file"], pointer["offset"]) == encoded
    [archived] = iter_responses(warc_dir)
    assert archived.body == PAGE
    assert archived.header("Content-Encoding") == "gzip"
    assert archived.header("Transfer-Encoding") is None  # de-chunked by the transport: dropped
    # documents.sha256 is over the decoded payload, i.e. what the spider sees as response.body
    assert pointer["payload_sha256"] == archived.payload_sha256 == hashlib.sha256(PAGE).hexdigest()


def test_header_bytes_are_kept_exactly(middleware: WarcArchiveMiddleware, warc_dir: Path) -> None:
    disposition = 'attachment; filename="2023年报.pdf"'.encode("gbk")
    fetch(middleware, f"{SITE}/file.pdf", b"%PDF-1.4", headers={"Content-Disposition": disposition})
    middleware.close()
    raw = gzip.decompress(next(warc_dir.glob("*.warc.gz")).read_bytes())
    assert b"Content-Disposition: " + disposition + b"\r\n" in raw
    [archived] = iter_responses(warc_dir)
    assert archived.header("Content-Disposition").encode("latin-1") == disposition


def test_redirects_errors_and_robots_are_archived(middleware: WarcArchiveMiddleware, warc_dir: Path) -> None:
    fetch(
        middleware, f"{SITE}/robots.txt", b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}
    )
    fetch(middleware, f"{SITE}/old", b"", status=302, headers={"Location": f"{SITE}/new"})
    fetch(middleware, f"{SITE}/new", b"<h1>Service Unavailable</h1>", status=503)
    fetch(middleware, f"{SITE}/gone", b"<h1>Not Found</h1>", status=404)
    middleware.close()
    assert [(entry.url.removeprefix(SITE), entry.status) for entry in iter_index(warc_dir)] == [
        ("/robots.txt", 200),
        ("/old", 302),
        ("/new", 503),
        ("/gone", 404),
    ]
    [redirect] = [r for r in iter_responses(warc_dir) if r.status == 302]
    assert redirect.header("Location") == f"{SITE}/new"


def test_cached_responses_are_not_archived_again(middleware: WarcArchiveMiddleware, warc_dir: Path) -> None:
    request = Request(f"{SITE}/cached.html")
    middleware.process_response(request, HtmlResponse(request.url, body=PAGE, flags=["cached"]))
    middleware.close()
    assert META_KEY not in request.meta
    assert list(iter_index(warc_dir)) == []


def test_failed_download_archives_the_request_and_why(
    middleware: WarcArchiveMiddleware, warc_dir: Path
) -> None:
    request = Request(f"{SITE}/slow.html")
    middleware.process_request(request)
    middleware.process_exception(request, TimeoutError("took too long"))
    middleware.process_exception(Request(f"{SITE}/disallowed"), IgnoreRequest("robots.txt"))
    middleware.close()
    kinds = [(kind, payload) for kind, _, payload in records(warc_dir)]
    assert kinds[1:] == [("request", b""), ("metadata", b"fetch-error: TimeoutError: took too long\r\n")]


def test_proxy_credentials_never_reach_the_archive(middleware: WarcArchiveMiddleware, warc_dir: Path) -> None:
    request = Request(f"{SITE}/p.html", headers={"Proxy-Authorization": "Basic c2VjcmV0", "Cookie": "a=1"})
    middleware.process_response(request, HtmlResponse(request.url, body=PAGE, request=request))
    middleware.close()
    raw = gzip.decompress(next(warc_dir.glob("*.warc.gz")).read_bytes())
    assert b"c2VjcmV0" not in raw
    assert b"Cookie: a=1\r\n" in raw and b"Host: xxgk.example.gov.cn\r\n" in raw


# --- revisits ---------------------------------------------------------------------------------


def test_identical_payload_becomes_a_revisit(middleware: WarcArchiveMiddleware, warc_dir: Path) -> None:
    report = PAGE * 50
    first = fetch(middleware, f"{SITE}/report.html", report).meta[META_KEY]
    second = fetch(middleware, f"{SITE}/report.html?from=list", report).meta[META_KEY]
    middleware.close()

    assert (first["revisit"], second["revisit"]) == (False, True)
    assert first["payload_sha256"] == second["payload_sha256"]
    [original, revisit] = [
        headers for kind, headers, _ in records(warc_dir) if kind in {"response", "revisit"}
    ]
    assert revisit["WARC-Type"] == "revisit"
    assert revisit["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert revisit["WARC-Refers-To-Target-URI"] == f"{SITE}/report.html"
    assert revisit["WARC-Refers-To-Date"] == original["WARC-Date"]
    assert revisit["WARC-Refers-To"] == original["WARC-Record-ID"]
    assert revisit["WARC-Payload-Digest"] == original["WARC-Payload-Digest"]
    assert first["length"] > second["length"]  # no payload stored twice

    bodies = [(r.url, r.body, r.revisit_of) for r in iter_responses(warc_dir)]
    assert bodies == [
        (f"{SITE}/report.html", report, None),
        (f"{SITE}/report.html?from=list", report, first["record_id"]),
    ]
    assert read_record(warc_dir, second["file"], second["offset"]) == report
    assert read_record(warc_dir, second["file"], second["offset"], resolve_revisit=False) == b""
    assert warcio_check(list(warc_dir.glob("*.warc.gz"))).returncode == 0


def test_revisits_span_crawls_through_the_cdxj_indexes(warc_dir: Path) -> None:
    first_crawl = make_middleware(warc_dir)
    original = fetch(first_crawl, f"{SITE}/report.html").meta[META_KEY]
    first_crawl.close()

    second_crawl = make_middleware(warc_dir)  # a new process: its digest map comes from the indexes
    again = fetch(second_crawl, f"{SITE}/report.html").meta[META_KEY]
    changed = fetch(second_crawl, f"{SITE}/report.html", PAGE + b"<!-- edited -->").meta[META_KEY]
    second_crawl.close()

    assert again["revisit"] and not changed["revisit"]
    assert again["file"] != original["file"]
    [first_capture, revisit] = [h for kind, h, _ in records(warc_dir) if kind in {"response", "revisit"}][:2]
    assert revisit["WARC-Refers-To-Date"] == first_capture["WARC-Date"]
    assert revisit["WARC-Refers-To"] == original["record_id"]
    assert [r.body for r in iter_responses(warc_dir)] == [PAGE, PAGE, PAGE + b"<!-- edited -->"]


def test_reader_finds_an_original_it_has_not_met_yet(warc_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(2):  # two crawls: the second file holds only a revisit
        crawl = make_middleware(warc_dir)
        fetch(crawl, f"{SITE}/report.html")
        crawl.close()
    # another worker's files can sort first; the reader must then resolve through the index
    files_newest_first = sorted(warc_dir.glob("*.warc.gz"), reverse=True)
    monkeypatch.setattr("crawler.archive.reader.warc_files", lambda _: files_newest_first)
    assert [(r.revisit_of is not None, r.body) for r in iter_responses(warc_dir)] == [
        (True, PAGE),
        (False, PAGE),
    ]


def test_empty_bodies_are_never_revisits(middleware: WarcArchiveMiddleware, warc_dir: Path) -> None:
    for _ in range(2):
        pointer = fetch(middleware, f"{SITE}/old", b"", status=302, headers={"Location": "/new"}).meta[
            META_KEY
        ]
        assert not pointer["revisit"] and pointer["payload_digest"] == EMPTY_PAYLOAD_DIGEST


def test_revisits_can_be_switched_off(warc_dir: Path) -> None:
    middleware = make_middleware(warc_dir, revisits=False)
    pointers = [fetch(middleware, f"{SITE}/r.html").meta[META_KEY] for _ in range(2)]
    middleware.close()
    assert [p["revisit"] for p in pointers] == [False, False]


# --- files and the index ----------------------------------------------------------------------


def test_files_roll_at_max_size_and_each_starts_with_warcinfo(warc_dir: Path) -> None:
    middleware = make_middleware(warc_dir, max_size=2_000)
    pointers = [
        fetch(middleware, f"{SITE}/p{n}.html", PAGE + str(n).encode()).meta[META_KEY] for n in range(12)
    ]
    middleware.close()

    warcs = sorted(warc_dir.glob("*.warc.gz"))
    assert len(warcs) > 3
    assert [w.name.split("-")[3] for w in warcs] == [f"{n:05d}" for n in range(len(warcs))]
    for warc in warcs:
        assert warc.stat().st_size < 2_000 + 2 * 1_000  # rolled before the next pair, never mid-pair
        assert (warc.parent / (warc.name + ".cdxj")).exists()
        with warc.open("rb") as stream:
            assert next(iter(ArchiveIterator(stream))).rec_type == "warcinfo"
    assert warcio_check(warcs).returncode == 0
    for n, pointer in enumerate(pointers):
        assert read_record(warc_dir, pointer["file"], pointer["offset"]) == PAGE + str(n).encode()


def test_cdxj_lookup_round_trips_byte_exact(middleware: WarcArchiveMiddleware, warc_dir: Path) -> None:
    body = bytes(range(256)) * 40  # binary, like an attachment
    request = fetch(
        middleware, f"{SITE}/files/2023年报.pdf", body, headers={"Content-Type": "application/pdf"}
    )
    pointer = request.meta[META_KEY]
    fetch(middleware, f"{SITE}/other.html")
    middleware.close()

    [entry] = lookup(warc_dir, request.url)  # Scrapy %-escaped the URL
    assert entry.url == request.url and entry.mime == "application/pdf" and entry.status == 200
    assert (entry.filename, entry.offset, entry.length) == (
        pointer["file"],
        pointer["offset"],
        pointer["length"],
    )
    assert entry.sha256 == hashlib.sha256(body).hexdigest() and entry.record_id == pointer["record_id"]
    assert len(entry.timestamp) == 14
    assert read_record(warc_dir, entry.filename, entry.offset) == body
    assert lookup(warc_dir, request.url.replace("xxgk.example", "XXGK.Example")) == [entry]  # SURT-canonical


def test_index_lines_follow_cdxj(middleware: WarcArchiveMiddleware, warc_dir: Path) -> None:
    fetch(middleware, f"{SITE}/a.html?b=2&a=1")
    middleware.close()
    [line] = next(warc_dir.glob("*.cdxj")).read_text(encoding="utf-8").splitlines()
    key, timestamp, fields = line.split(" ", 2)
    assert key == "cn,gov,example,xxgk)/a.html?a=1&b=2" == surt_key(f"{SITE}/a.html?b=2&a=1")
    assert timestamp.isdigit() and len(timestamp) == 14
    assert fields.startswith('{"url": ') and '"status": "200"' in fields and '"offset": "' in fields


def test_a_torn_index_tail_is_skipped(middleware: WarcArchiveMiddleware, warc_dir: Path) -> None:
    fetch(middleware, f"{SITE}/a.html")
    middleware.close()
    index = next(warc_dir.glob("*.cdxj"))
    index.write_text(index.read_text(encoding="utf-8") + 'cn,gov)/b 2024 {"url": "ht', encoding="utf-8")
    assert [entry.url for entry in iter_index(warc_dir)] == [f"{SITE}/a.html"]


def test_writers_sharing_a_name_never_share_a_file(warc_dir: Path) -> None:
    twins = [make_middleware(warc_dir), make_middleware(warc_dir)]
    for n, middleware in enumerate(twins):
        fetch(middleware, f"{SITE}/{n}.html", PAGE + bytes([n]))
    for middleware in twins:
        middleware.close()
    assert len(list(warc_dir.glob("*.warc.gz"))) == 2
    assert sorted(r.url for r in iter_responses(warc_dir)) == [f"{SITE}/0.html", f"{SITE}/1.html"]


def test_read_record_refuses_paths(warc_dir: Path) -> None:
    with pytest.raises(ArchiveReadError):
        read_record(warc_dir, "../xxgk.db", 0)


def test_capture_time_is_when_the_request_left(middleware: WarcArchiveMiddleware, warc_dir: Path) -> None:
    request = Request(f"{SITE}/t.html")
    middleware.process_request(request)
    request.meta["_xxgk_warc_started"] = datetime(2024, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)
    middleware.process_response(request, Response(request.url, body=b"x", request=request))
    middleware.close()
    [entry] = iter_index(warc_dir)
    assert (entry.timestamp, entry.warc_date) == ("20240301080000", "2024-03-01T08:00:00.123456Z")


# --- content decoding -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "encoded"),
    [
        ("gzip", gzip.compress(PAGE)),
        ("x-gzip", gzip.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)[2:-4]),  # raw deflate, as some IIS servers send
        ("br", brotli.compress(PAGE)),
        ("gzip, br", brotli.compress(gzip.compress(PAGE))),
        ("identity", PAGE),
        (None, PAGE),
    ],
)
def test_decode_content(encoding: str | None, encoded: bytes) -> None:
    assert decode_content(encoded, encoding) == PAGE


def test_decode_content_stops_at_an_unknown_coding_and_rejects_corrupt_data() -> None:
    assert decode_content(b"opaque", "compress") == b"opaque"
    with pytest.raises(ContentDecodingError):
        decode_content(b"not gzip at all", "gzip")
