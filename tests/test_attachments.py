"""The crawl side of attachments: which links a report page has, what a download calls itself, the
spider's bookkeeping (each file fetched once, each report released once all its files are in), and
the extract and store stages over a report and its files."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

import pytest
from scrapy import Request
from scrapy.core.downloader.handlers._base_streaming import DownloadCancelledError
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import FetchedDocument, ReportPage
from crawler.platforms.attachments import (
    AttachmentFetches,
    AttachmentLink,
    SharedFiles,
    attachment_links,
    download_name,
    header_text,
)
from crawler.platforms.base import fetch_error
from crawler.spiderloader import site_spider

WendengSpider = site_spider("wendeng")

WENDENG = "http://www.wendeng.gov.cn"
PAGE = f"{WENDENG}/art/2024/1/22/art_1_2.html"
DOMAINS = ("wendeng.gov.cn",)


def page(body: str) -> bytes:
    return (f'<html><head><meta charset="utf-8"></head><body><div id="zoom">{body}</div>'
            '<div class="footer"><img src="/images/logo.gif"></div></body></html>').encode()  # fmt: skip


# --- links -------------------------------------------------------------------------------------------------------


def links_of(body: str) -> list[tuple[str, str]]:
    return [(link.url.removeprefix(WENDENG), link.role) for link in attachment_links(page(body), PAGE, None, DOMAINS)]


def test_hanweb_downfile_links_are_attachments() -> None:
    body = '<p>附件：<a href="/module/download/downfile.jsp?classid=0&showname=%E8%A1%A8.xls&filename=ab.xls">表.xls</a></p>'
    assert links_of(body) == [("/module/download/downfile.jsp?classid=0&showname=%E8%A1%A8.xls&filename=ab.xls",
                               "attachment")]  # fmt: skip


def test_trs_links_with_oldsrc_resolve_against_the_page() -> None:
    body = '<a href="./P020240122512345.pdf" oldsrc="P020240122512345.pdf">年度报告.pdf</a>'
    assert links_of(body) == [("/art/2024/1/22/P020240122512345.pdf", "attachment")]


def test_upper_case_extensions_and_plain_links_are_attachments() -> None:
    body = '<a href="/attach/0/REPORT.PDF">报告</a><a href="/attach/0/tables.XLSX">统计表</a>'
    assert links_of(body) == [("/attach/0/REPORT.PDF", "attachment"), ("/attach/0/tables.XLSX", "attachment")]


def test_a_link_without_extension_counts_when_its_text_names_a_file() -> None:
    body = '<p>附件：<a href="/files/get?id=17">2023年度统计表.xlsx</a></p><p><a href="/art/2.html">上一篇.pdf</a></p>'
    assert links_of(body) == [("/files/get?id=17", "attachment")]


def test_body_pictures_are_images_but_icons_flipbooks_and_other_hosts_are_not() -> None:
    body = (
        '<p><img src="/picture/0/1.jpg"></p><p><img src="/images/print.gif"></p>'
        '<p><a href="/book/2023/index.html">电子书</a></p>'
        '<p><a href="http://cdn.example.com/x.pdf">x.pdf</a></p>'
    )
    assert links_of(body) == [("/picture/0/1.jpg", "image")]


def test_each_file_is_linked_once() -> None:
    body = '<a href="/attach/a.pdf">a</a><a href="/attach/a.pdf#page=2">again</a>'
    assert links_of(body) == [("/attach/a.pdf", "attachment")]


# --- names -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "disposition", "link", "expected"),
    [
        (f"{WENDENG}/d?id=1", "attachment; filename*=UTF-8''%E7%BB%9F%E8%AE%A1%E8%A1%A8.xlsx", None, "统计表.xlsx"),
        (f"{WENDENG}/d?id=1", 'attachment; filename="2023年报.pdf"', None, "2023年报.pdf"),
        (f"{WENDENG}/downfile.jsp?showname=%E8%A1%A8.xls&filename=ab.xls", None, None, "表.xls"),
        (f"{WENDENG}/files/P0201.PDF", None, "年度报告", "P0201.PDF"),
        (f"{WENDENG}/files/get?id=17", None, "统计表", "统计表"),
    ],
)
def test_download_names(url: str, disposition: str | None, link: str | None, expected: str) -> None:
    assert download_name(url, disposition, link) == expected


def test_raw_gbk_header_bytes_read_as_text() -> None:
    raw = 'attachment; filename="2023年报.pdf"'.encode("gbk")
    assert download_name(f"{WENDENG}/d", header_text(raw)) == "2023年报.pdf"


def test_fetch_errors_say_what_happened() -> None:
    request = Request(f"{WENDENG}/a.pdf")
    not_found = HttpError(Response(request.url, status=404, request=request), "Ignoring non-200 response")
    cancelled = DownloadCancelledError("Received 70000000 bytes which is larger than download max size (64)")
    assert fetch_error(Failure(not_found)) == "http 404"
    assert fetch_error(Failure(cancelled)).startswith("too-large: Received 70000000 bytes")
    assert fetch_error(Failure(TimeoutError("took too long"))) == "fetch: TimeoutError: took too long"


# --- the bookkeeping ---------------------------------------------------------------------------------------------


@dataclass
class Recorder:
    requested: list[str] = field(default_factory=list)

    def attachment_request(self, link: AttachmentLink, parent_url: str) -> str:
        self.requested.append(link.url)
        return link.url


def report(url: str) -> ReportPage:
    return ReportPage(site="wendeng", url=url, final_url=url, status=200, content_type="text/html", body=b"",
                      encoding="utf-8", sha256="", fetched_at="2026-01-01T00:00:00Z")  # fmt: skip


def fetched(url: str, body: bytes = b"x", error: str | None = None) -> FetchedDocument:
    return FetchedDocument(site="wendeng", url=url, final_url=url, status=200 if error is None else 404,
                           content_type=None, sha256=hashlib.sha256(body).hexdigest(), fetched_at="t",
                           role="attachment", body=None if error else body, error=error)  # fmt: skip


A, B = f"{WENDENG}/a.pdf", f"{WENDENG}/b.png"


def test_a_report_is_released_once_all_its_files_are_in() -> None:
    fetches = AttachmentFetches(Recorder())
    item = report(PAGE)
    assert list(fetches.request(item, [AttachmentLink(A, "attachment"), AttachmentLink(B, "image")])) == [A, B]
    assert list(fetches.arrived(fetched(B))) == []
    assert list(fetches.arrived(fetched(A))) == [item]
    assert [(d.url, d.parent_url) for d in item.attachments] == [(A, PAGE), (B, PAGE)]  # page order


def test_a_file_two_postings_share_is_fetched_once() -> None:
    recorder = Recorder()
    fetches = AttachmentFetches(recorder)
    first, second, third = report(PAGE), report(f"{WENDENG}/second.html"), report(f"{WENDENG}/third.html")
    list(fetches.request(first, [AttachmentLink(A, "attachment")]))
    assert list(fetches.request(second, [AttachmentLink(A, "attachment")])) == []  # waits for the same fetch
    assert list(fetches.arrived(fetched(A))) == [first, second]
    assert list(fetches.request(third, [AttachmentLink(A, "attachment")])) == [third]  # already here
    assert recorder.requested == [A]
    assert [d.parent_url for d in (first.attachments[0], second.attachments[0], third.attachments[0])] == [
        PAGE, f"{WENDENG}/second.html", f"{WENDENG}/third.html"
    ]  # fmt: skip


def test_a_failed_file_releases_its_report_and_is_tried_again_by_the_next() -> None:
    recorder = Recorder()
    fetches = AttachmentFetches(recorder)
    item = report(PAGE)
    list(fetches.request(item, [AttachmentLink(A, "attachment")]))
    assert list(fetches.arrived(fetched(A, error="http 404"))) == [item]
    assert item.attachments[0].error == "http 404"
    list(fetches.request(report(f"{WENDENG}/later.html"), [AttachmentLink(A, "attachment")]))
    assert recorder.requested == [A, A]


def test_the_cache_of_fetched_files_is_bounded_by_bytes() -> None:
    fetches = AttachmentFetches(Recorder(), cache_bytes=10)
    for name in ("1", "2", "3"):
        url = f"{WENDENG}/{name}.pdf"
        list(fetches.request(report(PAGE + name), [AttachmentLink(url, "attachment")]))
        list(fetches.arrived(fetched(url, body=b"12345")))
    assert list(fetches.done) == [f"{WENDENG}/2.pdf", f"{WENDENG}/3.pdf"] and fetches.cached == 10


def test_a_page_without_files_is_released_at_once() -> None:
    item = report(PAGE)
    assert list(AttachmentFetches(Recorder()).request(item, [])) == [item]


# --- the spider --------------------------------------------------------------------------------------------------


def collect(spider: WendengSpider, response: Response) -> list[Any]:
    async def run() -> list[Any]:
        return [x async for x in spider.parse_report(response, list_title="t", list_date=None, column=None,
                                                     column_url=None)]  # fmt: skip

    return asyncio.run(run())


def test_the_report_item_comes_with_its_files_downloaded_by_its_own_callback() -> None:
    spider = WendengSpider()
    body = page('<p><img src="/picture/0/1.jpg"></p><p>附件：<a href="/files/get?id=17">统计表.xlsx</a></p>')
    request = Request(PAGE, meta={"xxgk_context": {"site": "wendeng", "role": "page"}})
    response = HtmlResponse(PAGE, body=body, encoding="utf-8", request=request)
    downloaded: list[Request] = []
    disposition = b"attachment; filename*=UTF-8''2023%E7%BB%9F%E8%AE%A1%E8%A1%A8.xlsx"

    async def download(file_request: Request) -> Response:
        downloaded.append(file_request)
        if file_request.url.endswith(".jpg"):
            return Response(file_request.url, body=b"\xff\xd8jpeg", headers={"Content-Type": "image/jpeg"},
                            request=file_request)  # fmt: skip
        return Response(file_request.url, body=b"PK\x03\x04", headers={"Content-Disposition": disposition},
                        request=file_request)  # fmt: skip

    spider.download = download  # type: ignore[method-assign]
    [item] = collect(spider, response)
    assert [(d.role, d.filename, d.body, d.parent_url) for d in item.attachments] == [
        ("image", "1.jpg", b"\xff\xd8jpeg", PAGE),
        ("attachment", "2023统计表.xlsx", b"PK\x03\x04", PAGE),
    ]
    workbook = downloaded[1]
    assert workbook.meta["xxgk_context"] == {
        "site": "wendeng", "role": "attachment", "url": f"{WENDENG}/files/get?id=17", "parent_url": PAGE,
        "name": "统计表.xlsx",
    }  # fmt: skip


def test_a_file_two_pages_need_at_once_is_downloaded_once() -> None:
    calls: list[str] = []

    async def fetch(link: AttachmentLink, parent_url: str) -> FetchedDocument:
        calls.append(link.url)
        await asyncio.sleep(0.01)
        return fetched(link.url)

    files = SharedFiles(fetch=fetch)

    async def both() -> list[FetchedDocument]:
        link = AttachmentLink(A, "attachment")
        return list(await asyncio.gather(files.get(link, PAGE), files.get(link, f"{WENDENG}/second.html")))

    first, second = asyncio.run(both())
    assert calls == [A]
    assert (first.parent_url, second.parent_url, first.body) == (PAGE, f"{WENDENG}/second.html", b"x")


def test_a_failed_download_is_recorded_and_the_report_goes_on() -> None:
    spider = WendengSpider()
    body = page('<p>附件：<a href="/attach/0/a.pdf">a.pdf</a><a href="/attach/0/b.pdf">b.pdf</a></p>')
    response = HtmlResponse(PAGE, body=body, encoding="utf-8", request=Request(PAGE))

    async def download(file_request: Request) -> Response:
        if file_request.url.endswith("a.pdf"):
            raise DownloadCancelledError("Received 9 bytes which is larger than download max size (8)")
        return Response(file_request.url, status=404, request=file_request)

    spider.download = download  # type: ignore[method-assign]
    [item] = collect(spider, response)
    too_large, missing = item.attachments
    assert (too_large.url, too_large.status, too_large.body, too_large.error[:10]) == (
        f"{WENDENG}/attach/0/a.pdf", 0, None, "too-large:"
    )  # fmt: skip
    assert (missing.status, missing.error, missing.fault) == (404, "http 404", "http_404")


# --- extract and store: a replica report whose numbers are only in its spreadsheet ---------------------------------


@pytest.fixture(scope="module")
def spreadsheet_report() -> tuple[ReportPage, Any]:
    from tests.replica.world import build_world

    world = build_world(0)
    report = next(r for r in world.current_reports()
                  if r.site == "wendeng" and r.numbers_from == "xlsx" and r.attachments[0].filename.endswith(".xlsx"))  # fmt: skip
    path = report.url.removeprefix(WENDENG)
    item = ReportPage(site="wendeng", url=report.url, final_url=report.url, status=200, content_type="text/html",
                      body=world.handle("GET", "www.wendeng.gov.cn", path).body, encoding="utf-8", sha256="p",
                      fetched_at="2026-01-01T00:00:00Z", list_title=report.title)  # fmt: skip
    for attachment in report.attachments:
        body = world.handle("GET", "www.wendeng.gov.cn", attachment.url.removeprefix(WENDENG)).body
        document = fetched(attachment.url, body)
        document.role, document.parent_url, document.filename = attachment.kind, report.url, attachment.filename
        item.attachments.append(document)
    return item, report


def test_the_extract_stage_takes_the_tables_from_the_spreadsheet_and_leaves_the_pictures(
    spreadsheet_report: tuple[ReportPage, Any],
) -> None:
    from pipelines.extract import extract_item
    from pipelines.normalise import normalise_item

    item, report = spreadsheet_report
    item = extract_item(normalise_item(item))
    assert item.error is None
    extracted = item.extracted
    workbook, *pictures = item.attachments
    assert (extracted.cell_sources["sec3"].method, extracted.cell_sources["sec3"].document_url) == ("xlsx", workbook.url)
    expected = {(r, c): v for r, cols in report.file_tables.sec3.items() for c, v in cols.items()}
    assert {(r, c): extracted.sec3[r][c].value for r, c in expected} == expected
    assert (workbook.kind, workbook.method, workbook.error) == ("xlsx", "xlsx", None)
    assert pictures and {(p.kind, p.method, p.error) for p in pictures} == {("image", None, None)}  # no OCR needed


def test_the_store_links_each_cell_to_the_document_it_was_read_from(
    spreadsheet_report: tuple[ReportPage, Any], tmp_path: Any
) -> None:
    from crawler.db import open_db
    from pipelines.chain import ChainStats as ReparseStats
    from pipelines.chain import SyncChain as Stages

    item, _ = spreadsheet_report
    with Stages(tmp_path / "x.db", ReparseStats()) as stages:
        stages.process(item)
    db = open_db(tmp_path / "x.db")
    documents = list(db.query("SELECT id, role, report_id, parent_url, kind, method FROM documents ORDER BY id"))
    sources = {(row["table"], row["source"], row["document_id"])
               for row in db.query("SELECT DISTINCT [table], source, document_id FROM cells")}  # fmt: skip
    db.close()
    page, workbook, *pictures = documents
    assert (page["role"], workbook["role"], workbook["kind"], workbook["method"]) == ("page", "attachment", "xlsx", "xlsx")
    assert {d["report_id"] for d in documents} == {page["report_id"]} and workbook["parent_url"] == item.url
    assert {d["role"] for d in pictures} == {"image"}
    assert ("sec3", "xlsx", workbook["id"]) in sources


def test_a_document_past_its_deadline_fails_alone_and_the_page_is_kept(
    spreadsheet_report: tuple[ReportPage, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # what a worker does (pipelines/offload.py): each document read under its own deadline
    import copy
    import time

    from pipelines import extract, offload
    from pipelines.normalise import normalise_item

    def stuck(*_args: Any, **_kwargs: Any) -> Any:
        time.sleep(30)

    monkeypatch.setattr(offload, "_document_seconds", 0.2)
    monkeypatch.setattr(extract, "read_document", stuck)
    item, _ = spreadsheet_report
    item = extract.extract_item(normalise_item(copy.deepcopy(item)))
    workbook = item.attachments[0]
    assert item.error is None and item.extracted.agency  # the page's own report is kept
    assert workbook.error == "timeout: reading took longer than 0.2 s"
