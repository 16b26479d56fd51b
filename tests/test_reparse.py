"""``reparse``: items rebuilt from archived records (written by hand here, no crawl, no network)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from scrapy import Request
from scrapy.http import Response

from crawler.archive.middleware import CONTEXT_META_KEY, WarcArchiveMiddleware
from crawler.archive.writer import WarcArchiveWriter
from crawler.commands.archive import reparse as reparse_command
from crawler.db import open_db
from crawler.reparse import reparse, reparse_in_place
from crawler.spiderloader import site_spider
from pipelines.chain import ChainStats as ReparseStats
from pipelines.chain import SyncChain as Stages
from tests.support.played_archive import COLUMN, Archive, context, page_context
from tests.support.reparse_pages import ARTICLE, PAGES, WENDENG

HY = "http://www.hy.gov.cn"
TRS_ARTICLE = f"{HY}/xxgk/zfxxgknb/202301/t20230116_1.html"
GBK_ARTICLE = f"{HY}/old/2012/t20120301_9.html"


@pytest.fixture
def archive(data_dir: Path) -> Iterator[Archive]:
    archive = Archive(data_dir / "warc")
    yield archive
    archive.close()


def rows(db_file: Path, sql: str) -> list[dict[str, Any]]:
    db = open_db(db_file)
    try:
        return list(db.query(sql))
    finally:
        db.close()


#: the files the report pages link to, as the spider fetched them: (page, url, role, link text, bytes, type)
PAGE_FILES = (
    (ARTICLE, f"{WENDENG}/module/download/downfile.jsp?classid=0&showname=%E7%BB%9F%E8%AE%A1%E8%A1%A8.pdf"
     "&filename=ab12cd34ef56ab12cd34ef56ab12cd34.pdf", "attachment", "统计表.pdf", b"%PDF-1.4 truncated",
     "application/pdf"),
    (ARTICLE, f"{WENDENG}/picture/0/20260119094512.jpg", "image", "20260119094512", b"\xff\xd8\xff\xe0 truncated",
     "image/jpeg"),
    (TRS_ARTICLE, f"{HY}/xxgk/zfxxgknb/202301/P020230116512345678901.pdf", "attachment", "附表.pdf",
     b"%PDF-1.4 truncated", "application/pdf"),
    (TRS_ARTICLE, f"{HY}/xxgk/zfxxgknb/202301/W020230116512345678901.jpg", "image", "W020230116512345678901",
     b"\xff\xd8\xff\xe0 truncated", "image/jpeg"),
    (GBK_ARTICLE, f"{HY}/uploads/soft/200115/1-2001151030.doc", "attachment", "附表.doc",
     b"\xd0\xcf\x11\xe0 truncated", "application/msword"),
)  # fmt: skip
HANWEB_FILES = tuple(f for f in PAGE_FILES if f[0] == ARTICLE)


def fetch_files(archive: Archive, page: str, files: tuple[tuple[Any, ...], ...]) -> None:
    for parent, url, role, name, body, content_type in files:
        if parent == page:
            site = "wendeng" if WENDENG in url else "hy"
            archive.fetch(url, body, context(site, role, url=url, parent_url=parent, name=name),
                          headers={"Content-Type": content_type})  # fmt: skip


def fill(archive: Archive, files: tuple[tuple[Any, ...], ...] = PAGE_FILES) -> None:
    """A small crawl: robots.txt, a list page, three report pages (one GBK) each followed by its
    ``files``, an alias view (whose files were fetched already)."""
    archive.fetch(f"{WENDENG}/robots.txt", b"User-agent: *\n", None, headers={"Content-Type": "text/plain"})
    archive.fetch(COLUMN, b"<html><body><a href='/art/1.html'>x</a></body></html>", context("wendeng", "list"))
    archive.fetch(ARTICLE, (PAGES / "hanweb_article.html").read_bytes(),
                  page_context("wendeng", "威海市文登区财政局2025年政府信息公开工作年度报告"))  # fmt: skip
    fetch_files(archive, ARTICLE, files)
    archive.fetch(TRS_ARTICLE, (PAGES / "trs_article.html").read_bytes(),
                  page_context("hy", "海原县人民政府办公室2022年政府信息公开工作年度报告"))  # fmt: skip
    fetch_files(archive, TRS_ARTICLE, files)
    archive.fetch(GBK_ARTICLE, (PAGES / "legacy_gbk.html").read_bytes(), page_context("hy", None),
                  headers={"Content-Type": "text/html"})  # fmt: skip
    fetch_files(archive, GBK_ARTICLE, files)
    archive.fetch(f"{WENDENG}/xxgkAnnualReport?id=1", (PAGES / "hanweb_article.html").read_bytes(),
                  context("wendeng", "alias", list_title="威海市文登区财政局2025年政府信息公开工作年度报告"))  # fmt: skip
    archive.close()


def test_reparse_gives_each_report_page_its_files_from_the_archive(
    archive: Archive, data_dir: Path, tmp_path: Path
) -> None:
    fill(archive, files=HANWEB_FILES)
    reparse(data_dir / "warc", tmp_path / "rebuilt.db")
    files = rows(tmp_path / "rebuilt.db", "SELECT d.*, p.url AS page FROM documents d "
                 "JOIN documents p ON p.url = d.parent_url AND p.report_id = d.report_id "
                 "WHERE d.role IN ('attachment', 'image') ORDER BY d.id")  # fmt: skip
    hanweb = [(f["role"], f["filename"], f["status"], f["size"]) for f in files if f["parent_url"] == ARTICLE]
    assert hanweb == [
        ("attachment", "统计表.pdf", 200, len(HANWEB_FILES[0][4])),
        ("image", "20260119094512.jpg", 200, len(HANWEB_FILES[1][4])),
    ]
    assert all(f["warc_file"] for f in files if f["parent_url"] == ARTICLE)
    # the alias view links the same files: fetched once, a documents row for each page
    alias = [f["url"] for f in files if f["parent_url"] == f"{WENDENG}/xxgkAnnualReport?id=1"]
    assert alias == [url for _, url, *_ in HANWEB_FILES]
    # the crawl never fetched the other pages' files: kept as rows that say so
    missing = [f for f in files if f["parent_url"] in (TRS_ARTICLE, GBK_ARTICLE)]
    assert missing and all(f["error"].startswith("missing:") and f["status"] == 0 for f in missing)


def test_reparse_rebuilds_reports_and_documents(archive: Archive, data_dir: Path, tmp_path: Path) -> None:
    fill(archive)
    summary = reparse(data_dir / "warc", tmp_path / "rebuilt.db")
    assert (summary.responses, summary.report_pages, summary.documents, summary.attachments, summary.skipped) == (
        11, 4, 1, 5, 1
    )
    reports = rows(tmp_path / "rebuilt.db", "SELECT * FROM reports ORDER BY url")
    assert summary.reports == len(reports) == 3
    hanweb = next(row for row in reports if row["url"] == ARTICLE)
    assert (hanweb["agency"], hanweb["year"]) == ("威海市文登区财政局", 2025)
    assert set(json.loads(hanweb["urls"])) == {ARTICLE, f"{WENDENG}/xxgkAnnualReport?id=1"}
    documents = rows(tmp_path / "rebuilt.db", "SELECT * FROM documents ORDER BY id")
    assert [doc["role"] for doc in documents if doc["role"] not in ("attachment", "image")] == [
        "list", "page", "page", "page", "alias"
    ]
    assert documents[0]["fetched_at"].endswith("Z") and documents[0]["warc_file"].endswith(".warc.gz")


def test_the_encoding_is_decided_as_scrapy_decides_it(archive: Archive, data_dir: Path, tmp_path: Path) -> None:
    fill(archive)
    reparse(data_dir / "warc", tmp_path / "rebuilt.db")
    [gbk] = rows(tmp_path / "rebuilt.db", f"SELECT * FROM reports WHERE url = '{GBK_ARTICLE}'")
    assert "主动公开政府信息" in gbk["text"]  # not mojibake: the meta charset was honoured


def test_reparse_equals_running_the_stages_on_the_items_the_spider_built(
    archive: Archive, data_dir: Path, tmp_path: Path
) -> None:
    """The same items through the same stages, one as the crawl does and one from the archive."""
    fill(archive)
    crawl_db = tmp_path / "crawl.db"
    with Stages(crawl_db, ReparseStats()) as stages:
        for item in spider_items(archive.delivered):
            stages.process(item)
    reparse(data_dir / "warc", tmp_path / "rebuilt.db")
    for table in ("reports", "documents", "cells", "checks"):
        sql = f"SELECT * FROM {table}"
        assert sorted_rows(crawl_db, sql) == sorted_rows(tmp_path / "rebuilt.db", sql), table


def spider_items(delivered: list[tuple[Request, Response]]) -> Iterator[Any]:
    """What the site spiders' callbacks yield for the responses, with the capture time as fetched_at.

    A report page's callback downloads its files itself; here they are served from the archive, and a
    file the archive lacks is what reparse makes of it (the crawl's own error was never archived)."""
    from crawler.archive.responses import EMPTY_SHA256
    from crawler.items import FetchedDocument
    from crawler.platforms.attachments import download_name
    from crawler.platforms.base import captured_at, content_type, meta_of, warc_fields
    HySpider = site_spider("hy")
    WendengSpider = site_spider("wendeng")

    files = {}
    for request, response in delivered:
        ctx = request.meta.get(CONTEXT_META_KEY) or {}
        if ctx.get("role") in ("attachment", "image"):
            files.setdefault(ctx.get("url") or request.url, response)

    def from_archive(spider: Any, page: Response) -> Any:
        async def fetch(link: Any, parent_url: str) -> FetchedDocument:
            response = files.get(link.url)
            if response is not None:
                return spider.parse_attachment(response, link.role, link.name)
            return FetchedDocument(
                site=spider.profile.name, url=link.url, final_url=link.url, status=0, content_type=None,
                sha256=EMPTY_SHA256, fetched_at=captured_at(meta_of(page)), role=link.role,
                filename=download_name(link.url, None, link.name),
                error="missing: not in the archive (the download failed or was cancelled)",
            )  # fmt: skip

        return fetch

    spiders = {"wendeng": WendengSpider(), "hy": HySpider()}
    for request, response in delivered:
        ctx = request.meta.get(CONTEXT_META_KEY)
        if ctx is None or ctx["role"] in ("attachment", "image"):
            continue  # files come with the report that links them
        spider = spiders[ctx["site"]]
        if ctx["role"] in ("page", "alias"):
            keys = ("list_title", "list_date", "column", "column_url")
            kwargs = {key: ctx.get(key) for key in keys}
            found = asyncio.run(report_with_files(spider, response, kwargs, from_archive(spider, response)))
            for item in found:
                item.role = ctx["role"]
                yield item
        else:
            warc = request.meta["xxgk_warc"]
            yield FetchedDocument(
                role=ctx["role"], size=len(response.body), site=ctx["site"], url=request.url, final_url=response.url,
                status=response.status, content_type=content_type(response), sha256=warc["payload_sha256"],
                fetched_at=warc["date"], **warc_fields(request.meta),
            )  # fmt: skip


async def report_with_files(spider: Any, response: Response, kwargs: dict[str, Any], fetch: Any) -> list[Any]:
    """``parse_report`` with its file downloads answered by ``fetch``."""
    spider.files.fetch = fetch
    return [item async for item in spider.parse_report(response, **kwargs)]


def sorted_rows(db_file: Path, sql: str) -> list[tuple[Any, ...]]:
    return sorted((tuple(row.values()) for row in rows(db_file, sql)), key=repr)


def test_worker_processes_give_the_same_database(archive: Archive, data_dir: Path, tmp_path: Path) -> None:
    fill(archive)
    reparse(data_dir / "warc", tmp_path / "inline.db")
    reparse(data_dir / "warc", tmp_path / "pool.db", workers=2)
    for table in ("reports", "documents", "cells", "checks", "report_versions"):
        sql = f"SELECT * FROM {table}"
        assert sorted_rows(tmp_path / "inline.db", sql) == sorted_rows(tmp_path / "pool.db", sql), table


def test_redirects_are_followed_not_delivered(archive: Archive, data_dir: Path, tmp_path: Path) -> None:
    ctx = page_context("wendeng", "威海市文登区财政局2025年政府信息公开工作年度报告")
    archive.fetch(f"{WENDENG}/old.html", b"", ctx, status=302, headers={"Location": ARTICLE})
    archive.fetch(f"{WENDENG}/refresh.html", b'<meta http-equiv="refresh" content="0;url=/art/x.html">', ctx)
    archive.fetch(ARTICLE, (PAGES / "hanweb_article.html").read_bytes(), ctx)
    archive.close()
    summary = reparse(data_dir / "warc", tmp_path / "rebuilt.db")
    assert (summary.report_pages, summary.skipped, summary.reports) == (1, 2, 1)


def test_a_retried_failure_is_dropped_and_a_final_one_kept(
    archive: Archive, data_dir: Path, tmp_path: Path
) -> None:
    ctx = context("wendeng", "list")
    archive.fetch(COLUMN, b"busy", ctx, status=503)
    archive.fetch(COLUMN, b"<html>list</html>", ctx, meta={"retry_times": 1})
    gone = f"{WENDENG}/col/col2/index.html"
    for attempt in range(4):  # RETRY_TIMES = 3: the fourth answer is the one the errback gets
        archive.fetch(gone, b"busy", ctx, status=503, meta={"retry_times": attempt} if attempt else None)
    archive.fetch(f"{WENDENG}/missing.html", b"not found", ctx, status=404)
    archive.close()
    reparse(data_dir / "warc", tmp_path / "rebuilt.db")
    documents = rows(tmp_path / "rebuilt.db", "SELECT url, status, role, error FROM documents ORDER BY id")
    assert [(doc["url"], doc["status"], doc["role"]) for doc in documents] == [
        (COLUMN, 200, "list"),
        (gone, 503, "error"),
        (f"{WENDENG}/missing.html", 404, "error"),
    ]
    assert documents[1]["error"] == "HttpError('Ignoring non-200 response')"


def test_reparse_never_writes_into_an_existing_database(archive: Archive, data_dir: Path) -> None:
    fill(archive)
    existing = data_dir / "existing.db"
    existing.write_bytes(b"x")
    with pytest.raises(FileExistsError):
        reparse(data_dir / "warc", existing)


def test_in_place_swaps_the_new_database_in_and_leaves_nothing_behind(archive: Archive, data_dir: Path) -> None:
    fill(archive)
    old = open_db(data_dir / "xxgk.db")
    old["reports"].insert({"site": "stale", "url": "http://stale/"})
    old.close()
    summary = reparse_in_place(data_dir)
    assert summary.reports == 3
    assert [row["site"] for row in rows(data_dir / "xxgk.db", "SELECT site FROM reports")].count("stale") == 0
    assert sorted(path.name for path in data_dir.iterdir()) == ["warc", "xxgk.db"]


def test_in_place_refuses_a_database_another_process_is_writing(
    archive: Archive, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("crawler.reparse.swap.SWAP_TIMEOUT", 0.05)
    fill(archive)
    writer = open_db(data_dir / "xxgk.db")
    writer.execute("BEGIN IMMEDIATE")  # a crawl mid-transaction
    try:
        with pytest.raises((RuntimeError, sqlite3.OperationalError)):
            reparse_in_place(data_dir)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert sorted(path.name for path in data_dir.iterdir() if path.name.startswith(".xxgk")) == []


def test_the_command_writes_into_a_new_file_and_fails_in_one_line(
    archive: Archive, data_dir: Path, tmp_path: Path
) -> None:
    fill(archive)
    runner = CliRunner()
    new = ["--data-dir", str(data_dir), "--into", str(tmp_path / "new.db"), "--workers", "0"]
    done = runner.invoke(reparse_command, new)
    assert done.exit_code == 0, done.output
    assert "3 reports" in done.output and (tmp_path / "new.db").exists()
    again = runner.invoke(reparse_command, new)
    assert again.exit_code != 0 and len(again.output.strip().splitlines()) == 1
    empty = runner.invoke(reparse_command, ["--data-dir", str(tmp_path / "nothing")])
    assert empty.exit_code != 0 and "no WARC files" in empty.output


def test_each_spider_run_in_the_archive_keeps_its_own_attachment_bookkeeping() -> None:
    from crawler.reparse.attachments import spider_run

    assert spider_run("xxgk-wendeng-20260101000000-00000-host-12.warc.gz") == (("wendeng", "host-12"), True)
    assert spider_run("xxgk-wendeng-20260101000000-00003-host-12.warc.gz") == (("wendeng", "host-12"), False)
    assert spider_run("other.warc.gz") == (("other.warc.gz", ""), True)


def test_a_second_crawl_gives_its_pages_the_files_it_fetched_itself(data_dir: Path, tmp_path: Path) -> None:
    for worker in ("w1", "w2"):  # two crawls: each fetched the page and its files again
        archive = Archive(data_dir / "warc")
        archive.middleware = WarcArchiveMiddleware(WarcArchiveWriter(data_dir / "warc", "test", worker=worker))
        archive.fetch(ARTICLE, (PAGES / "hanweb_article.html").read_bytes(),
                      page_context("wendeng", "威海市文登区财政局2025年政府信息公开工作年度报告"))  # fmt: skip
        fetch_files(archive, ARTICLE, HANWEB_FILES)
        archive.close()
    reparse(data_dir / "warc", tmp_path / "rebuilt.db")
    files = rows(tmp_path / "rebuilt.db", "SELECT warc_file, status FROM documents WHERE role IN ('attachment', 'image')")
    assert [(f["warc_file"].endswith("-w1.warc.gz"), f["status"]) for f in files] == [
        (True, 200), (True, 200), (False, 200), (False, 200)
    ]  # fmt: skip
