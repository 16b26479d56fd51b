"""What the spider knew travels with each archived response: XXGK-Context, retry count, WARC-Date."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.middleware import CONTEXT_META_KEY, META_KEY, WarcArchiveMiddleware
from crawler.archive.reader import iter_responses
from crawler.archive.writer import WarcArchiveWriter

SITE = "http://xxgk.example.gov.cn"
PAGE = "<html><body><h1>2023年政府信息公开工作年度报告</h1></body></html>".encode()
CONTEXT = {
    "site": "wendeng",
    "role": "page",
    "list_title": "威海市文登区人民政府2023年政府信息公开工作年度报告",
    "list_date": "2024-01-16",
    "column": "政府信息公开年报",
    "column_url": f"{SITE}/col/col1/index.html",
    "parent_url": None,
}
ISO_MICROS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@pytest.fixture
def warc_dir(tmp_path: Path) -> Path:
    return tmp_path / "warc"


@pytest.fixture
def middleware(warc_dir: Path) -> Iterator[WarcArchiveMiddleware]:
    middleware = WarcArchiveMiddleware(WarcArchiveWriter(warc_dir, "testsite", worker="w1"))
    yield middleware
    middleware.close()


def fetch(
    middleware: WarcArchiveMiddleware, url: str, meta: dict | None = None, body: bytes = PAGE
) -> Request:
    request = Request(url, meta=meta or {})
    middleware.process_request(request)
    response = HtmlResponse(
        url, headers={"Content-Type": "text/html; charset=utf-8"}, body=body, request=request
    )
    middleware.process_response(request, response)
    return request


def response_headers(warc_dir: Path) -> list[dict[str, str]]:
    found = []
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "revisit"):
                    found.append(dict(record.rec_headers.headers))
    return found


def test_the_context_is_a_compact_utf8_header_and_warcio_checks_the_file(
    middleware: WarcArchiveMiddleware, warc_dir: Path
) -> None:
    fetch(middleware, f"{SITE}/art/1.html", {CONTEXT_META_KEY: CONTEXT})
    middleware.close()
    [headers] = response_headers(warc_dir)
    assert "政府信息公开年报" in headers["XXGK-Context"]  # UTF-8, not \\u escapes
    assert ", " not in headers["XXGK-Context"] and ": " not in headers["XXGK-Context"]
    warcs = [str(path) for path in warc_dir.glob("*.warc.gz")]
    check = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", *warcs], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout


def test_the_reader_gives_the_context_back_on_responses_and_revisits(
    middleware: WarcArchiveMiddleware, warc_dir: Path
) -> None:
    fetch(middleware, f"{SITE}/art/1.html", {CONTEXT_META_KEY: CONTEXT})
    fetch(middleware, f"{SITE}/art/1.html", {CONTEXT_META_KEY: CONTEXT | {"role": "alias"}})
    middleware.close()
    first, again = iter_responses(warc_dir)
    assert again.revisit_of == first.record_id
    assert first.context == CONTEXT
    assert again.context == CONTEXT | {"role": "alias"}
    assert again.body == PAGE


def test_a_request_without_context_reads_back_with_an_empty_one(
    middleware: WarcArchiveMiddleware, warc_dir: Path
) -> None:
    fetch(middleware, f"{SITE}/robots.txt", body=b"User-agent: *\n")
    middleware.close()
    [archived] = iter_responses(warc_dir)
    assert archived.context == {} and "XXGK-Context" not in response_headers(warc_dir)[0]


def test_newlines_in_context_values_cannot_break_the_header(
    middleware: WarcArchiveMiddleware, warc_dir: Path
) -> None:
    context = CONTEXT | {"list_title": "第一行\r\n第二行\nWARC-Type: forged"}
    fetch(middleware, f"{SITE}/art/2.html", {CONTEXT_META_KEY: context})
    middleware.close()
    [archived] = iter_responses(warc_dir)
    assert archived.context == context


def test_retry_times_are_archived(middleware: WarcArchiveMiddleware, warc_dir: Path) -> None:
    fetch(middleware, f"{SITE}/art/3.html", {CONTEXT_META_KEY: CONTEXT})
    fetch(middleware, f"{SITE}/art/3.html", {CONTEXT_META_KEY: CONTEXT, "retry_times": 2}, body=b"<p>x</p>")
    middleware.close()
    assert [archived.retry_times for archived in iter_responses(warc_dir)] == [0, 2]


def test_the_pointer_carries_the_records_warc_date(middleware: WarcArchiveMiddleware, warc_dir: Path) -> None:
    pointers = [
        fetch(middleware, f"{SITE}/art/{n}.html", {CONTEXT_META_KEY: CONTEXT}).meta[META_KEY] for n in (1, 1)
    ]
    middleware.close()
    archived = list(iter_responses(warc_dir))
    assert [pointer["date"] for pointer in pointers] == [record.date for record in archived]
    assert [pointer["revisit"] for pointer in pointers] == [False, True]
    assert all(ISO_MICROS.match(pointer["date"]) for pointer in pointers)


def test_a_capture_on_a_whole_second_still_has_six_digits(warc_dir: Path) -> None:
    from datetime import UTC, datetime

    from crawler.archive.writer import CapturedRequest, CapturedResponse

    writer = WarcArchiveWriter(warc_dir, "testsite", worker="w1")
    pointer = writer.write_exchange(
        CapturedRequest(f"{SITE}/a.html", "GET", []),
        CapturedResponse(200, [], PAGE),
        datetime(2026, 11, 21, 9, 30, tzinfo=UTC),
    )
    writer.close()
    assert pointer["date"] == "2026-11-21T09:30:00.000000Z"
