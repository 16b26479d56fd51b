"""Re-crawl parts without the network: revalidation from the archive, paging history, run verdicts,
the report_status view and the progress line."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.archive.cdxj import iter_index
from crawler.archive.middleware import WarcArchiveMiddleware
from crawler.archive.reader import iter_responses, replay_not_modified
from crawler.archive.revalidate import (
    REVALIDATED,
    RevalidateMiddleware,
    conditional_headers,
    latest_captures,
)
from crawler.archive.writer import WarcArchiveWriter
from crawler.commands.status import format_table, status_rows
from crawler.db import open_db
from crawler.extensions.crawl_runs import errors_by_kind, report_pages, run_failure
from crawler.extensions.progress import ProgressExtension, ProgressLine, progress_text
from crawler.incremental import History, baseline_run, read_history

URL = "http://www.example.gov.cn/art/2024/1/16/art_1_1.html"
ETAG = '"5d41402abc4b2a76b971"'
MODIFIED = "Tue, 16 Jan 2024 02:00:00 GMT"
BODY = "<html><head><title>报告</title></head><body>二〇二三年度报告</body></html>".encode()


# --- revalidation --------------------------------------------------------------------------------


def archive_one(warc_dir: Path, status: int = 200, body: bytes = BODY, url: str = URL) -> dict[str, Any]:
    """Archive one exchange the way a crawl does (the archive middleware), return the request's meta."""
    archive = WarcArchiveMiddleware(WarcArchiveWriter(warc_dir, "testsite", worker="w1"))
    request = Request(url, meta={"xxgk_context": {"site": "testsite", "role": "page"}})
    headers = {"Content-Type": "text/html; charset=utf-8", "ETag": ETAG, "Last-Modified": MODIFIED}
    archive.process_request(request)
    archive.process_response(request, HtmlResponse(url, status=status, headers=headers, body=body, request=request))
    archive.close()
    return request.meta


def revalidator(warc_dir: Path) -> RevalidateMiddleware:
    return RevalidateMiddleware(warc_dir, latest_captures(iter_index(warc_dir)))


def test_conditional_headers_come_from_the_archived_validators() -> None:
    headers = [("Content-Type", "text/html"), ("ETag", ETAG), ("Last-Modified", MODIFIED)]
    assert conditional_headers(headers) == {b"If-None-Match": ETAG.encode(), b"If-Modified-Since": MODIFIED.encode()}


def test_a_page_without_validators_gets_no_conditional_headers() -> None:
    assert conditional_headers([("Content-Type", "text/html"), ("ETag", " ")]) == {}


def test_latest_captures_keep_the_last_200_get_of_each_url(tmp_path: Path) -> None:
    archive_one(tmp_path)
    archive_one(tmp_path, body=BODY + b"<!-- edited -->")
    archive_one(tmp_path, status=404, body=b"gone")
    entries = list(iter_index(tmp_path))
    assert latest_captures(entries)[URL] == entries[1]


def test_an_archived_url_is_asked_for_conditionally(tmp_path: Path) -> None:
    archive_one(tmp_path)
    request = Request(URL)
    revalidator(tmp_path).process_request(request)
    assert (request.headers.get(b"If-None-Match"), request.headers.get(b"If-Modified-Since")) == (
        ETAG.encode(), MODIFIED.encode(),
    )


def test_an_unknown_url_and_a_post_are_asked_for_in_full(tmp_path: Path) -> None:
    archive_one(tmp_path)
    middleware = revalidator(tmp_path)
    unknown, post = Request(URL + "?other"), Request(URL, method="POST", body=b"a=1")
    middleware.process_request(unknown)
    middleware.process_request(post)
    assert [b"If-None-Match" in r.headers for r in (unknown, post)] == [False, False]


def test_a_304_is_replayed_from_the_archive(tmp_path: Path) -> None:
    archive_one(tmp_path)
    middleware = revalidator(tmp_path)
    request = Request(URL)
    middleware.process_request(request)
    replayed = middleware.process_response(request, Response(URL, status=304, request=request))
    assert (replayed.status, replayed.body, REVALIDATED in replayed.flags) == (200, BODY, True)
    assert replayed.headers.get(b"Content-Type") == b"text/html; charset=utf-8"


def test_a_replayed_page_points_at_the_capture_that_holds_its_bytes(tmp_path: Path) -> None:
    first = archive_one(tmp_path)["xxgk_warc"]
    middleware = revalidator(tmp_path)
    request = Request(URL, meta={"xxgk_warc": {"file": "other.warc.gz", "offset": 9, "date": "2026-04-01T09:00:00Z"}})
    middleware.process_request(request)
    middleware.process_response(request, Response(URL, status=304, request=request))
    pointer = request.meta["xxgk_warc"]
    assert (pointer["file"], pointer["offset"], pointer["date"]) == (first["file"], first["offset"],
                                                                     "2026-04-01T09:00:00Z")


def test_a_changed_page_passes_through(tmp_path: Path) -> None:
    archive_one(tmp_path)
    middleware = revalidator(tmp_path)
    request = Request(URL)
    middleware.process_request(request)
    fresh = HtmlResponse(URL, status=200, body=b"<html>new</html>", request=request)
    assert middleware.process_response(request, fresh) is fresh


def test_a_redirected_request_drops_the_validators_of_its_first_url(tmp_path: Path) -> None:
    archive_one(tmp_path)
    middleware = revalidator(tmp_path)
    request = Request(URL)
    middleware.process_request(request)
    moved = request.replace(url=URL.replace("art_1_1", "art_1_2"))
    middleware.process_request(moved)
    assert (b"If-None-Match" in moved.headers, "xxgk_revalidate" in moved.meta) == (False, False)


def test_full_crawls_and_first_crawls_do_not_revalidate(tmp_path: Path) -> None:
    full = get_crawler(settings_dict={"XXGK_INCREMENTAL": False, "XXGK_DATA_DIR": str(tmp_path)})
    first = get_crawler(settings_dict={"XXGK_DATA_DIR": str(tmp_path / "empty")})
    for crawler in (full, first):
        with pytest.raises(NotConfigured):
            RevalidateMiddleware.from_crawler(crawler)


def test_reparse_reads_a_304_as_the_capture_it_confirmed(tmp_path: Path) -> None:
    archive_one(tmp_path)
    archive_one(tmp_path, status=304, body=b"")
    records = list(replay_not_modified(iter_responses(tmp_path), tmp_path))
    assert [(r.status, r.body, r.context.get("role")) for r in records] == [(200, BODY, "page")] * 2
    assert records[1].date > records[0].date and records[1].offset == records[0].offset


# --- what a re-crawl knows -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("runs", "year", "expected"),
    [
        ([], None, None),
        ([{"id": 4, "status": "ok", "year": None}], None, 4),
        ([{"id": 4, "status": "ok", "year": None}], 2023, 4),
        ([{"id": 4, "status": "ok", "year": 2023}], 2023, 4),
        ([{"id": 4, "status": "ok", "year": 2023}], None, None),  # a narrower run vouches for less
        ([{"id": 5, "status": "failed", "year": None}, {"id": 4, "status": "ok", "year": None}], None, None),
    ],
)
def test_paging_stops_early_only_after_an_ok_run_of_at_least_this_scope(
    runs: list[dict[str, Any]], year: int | None, expected: int | None
) -> None:
    assert baseline_run(runs, year) == expected


def test_a_page_listing_a_known_report_ends_the_paging() -> None:
    history = History(frozenset({URL}), baseline_run=1)
    assert (history.reached_known(["http://new", URL]), history.reached_known(["http://new"])) == (True, False)


def test_without_a_baseline_nothing_ends_the_paging() -> None:
    assert History(frozenset({URL}), baseline_run=None).reached_known([URL]) is False


def test_history_reads_known_report_urls_after_an_ok_run(tmp_path: Path) -> None:
    db = open_db(tmp_path / "xxgk.db")
    db["documents"].insert_all([
        {"site": "wendeng", "url": URL, "final_url": URL, "status": 200, "role": "page"},
        {"site": "wendeng", "url": URL + "?list", "final_url": URL + "?list", "status": 200, "role": "list"},
        {"site": "wendeng", "url": URL + "?gone", "final_url": URL + "?gone", "status": 404, "role": "error"},
        {"site": "hy", "url": URL + "?hy", "final_url": URL + "?hy", "status": 200, "role": "page"},
    ])
    db["crawl_runs"].insert({"spider": "wendeng", "status": "ok", "year": None})
    db.close()
    assert read_history(tmp_path / "xxgk.db", "wendeng", None) == History(frozenset({URL}), 1)


# --- run verdicts --------------------------------------------------------------------------------


def test_a_run_that_ends_badly_fails() -> None:
    assert run_failure("layout_changed", 5, 10) == "ended with 'layout_changed'"


def test_a_run_without_reports_on_a_site_that_had_some_fails() -> None:
    assert run_failure("finished", 0, 12) == "found no report, though the site had 12 in the database"


def test_an_incremental_run_that_sees_only_known_reports_is_ok() -> None:
    stats = {"xxgk/store/reports/same": 40, "xxgk/revalidate/not_modified": 60}
    assert run_failure("finished", report_pages(stats), 40) is None


def test_errors_by_kind_records_every_xxgk_error_stat() -> None:
    stats = {"xxgk/error/challenge": 2, "xxgk/error/timeout": 1, "log_count/ERROR": 3, "xxgk/errors": 9}
    assert json.dumps(errors_by_kind(stats)) == '{"challenge": 2, "timeout": 1}'


# --- report_status -------------------------------------------------------------------------------


@pytest.fixture
def status_db(tmp_path: Path) -> Any:
    db = open_db(tmp_path / "xxgk.db")
    rows = [
        ("财政局", "department", 2022, "2023-01-20"),
        ("财政局", "department", 2023, "2024-02-01"),  # a day late for a department
        ("某镇人民政府", "township", 2022, "2023-03-01"),
        ("某镇人民政府", "township", 2023, "2024-03-31"),  # on the day: in time
        ("人民政府", "government", 2022, "2023-03-20"),  # nothing on 2023: missing
        ("事业中心", None, 2023, None),  # published date unknown: present
    ]
    db["reports"].insert_all(
        {"site": "s", "url": f"http://s/{i}", "agency": agency, "agency_key": agency, "level": level, "year": year,
         "published": published}
        for i, (agency, level, year, published) in enumerate(rows)
    )
    yield db
    db.close()


def test_status_tells_present_late_and_missing_by_the_deadline_of_each_level(status_db: Any) -> None:
    rows = status_rows(status_db, 2023)
    assert {(r["agency"], r["status"], r["deadline"]) for r in rows} == {
        ("财政局", "late", "2024-01-31"),
        ("某镇人民政府", "present", "2024-03-31"),
        ("人民政府", "missing", "2024-03-31"),
        ("事业中心", "present", "2024-01-31"),
    }


def test_status_table_counts_every_body_and_lists_missing_first(status_db: Any) -> None:
    text = format_table(status_rows(status_db, 2023), 2023, problems_only=True)
    lines = text.splitlines()
    assert lines[0] == "s 2023: 2 present, 1 late, 1 missing"
    assert [line.split()[0] for line in lines[1:]] == ["missing", "late"]


# --- progress ------------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_text_shows_pages_reports_errors_and_rate() -> None:
    stats = {"response_received_count": 50, "xxgk/store/reports/new": 7, "log_count/ERROR": 1,
             "xxgk/error/timeout": 2}
    assert progress_text("hy", stats, 10.0) == "hy: 50 pages, 7 reports, 3 errors, 5.0 pages/s"


def test_the_progress_line_is_rewritten_in_place_on_a_terminal() -> None:
    terminal = FakeTerminal()
    crawler = get_crawler(settings_dict={})
    extension = ProgressExtension.from_crawler(crawler, stream=terminal)
    spider = type("S", (), {"name": "hy"})()
    extension.line.open += 1
    extension.update(spider)
    extension.update(spider)
    extension.line.finish("hy", "hy: done")
    output = terminal.getvalue()
    assert output.count("\r\x1b[K") == 3 and output.count("\n") == 1 and output.endswith("hy: done\n")


def test_no_progress_line_when_stdout_is_not_a_terminal() -> None:
    with pytest.raises(NotConfigured):
        ProgressExtension.from_crawler(get_crawler(settings_dict={}), stream=io.StringIO())


def test_two_spiders_share_one_line() -> None:
    terminal = FakeTerminal()
    line = ProgressLine.for_stream(terminal)
    line.open = 2
    line.show("wendeng", "wendeng: 1 pages")
    line.show("hy", "hy: 2 pages")
    line.finish("wendeng", "wendeng: 3 pages")
    assert terminal.getvalue().rsplit("\r\x1b[K", 1)[1] == "wendeng: 3 pages | hy: 2 pages"
    line.finish("hy", "hy: 4 pages")
    assert terminal.getvalue().endswith("wendeng: 3 pages | hy: 4 pages\n")


def test_a_resumed_run_that_found_every_page_already_stored_is_no_failure() -> None:
    """Killed after storing everything (say in the final index refresh), the resumed run stores
    nothing new: the pages it found committed are the run's report pages."""
    stats = {"xxgk/resume/already_stored": 140}
    assert report_pages(stats) == 140
    assert run_failure("finished", report_pages(stats), 139) is None
