"""CDXJ order: a closed WARC file's index is sorted (pywb and WACZ readers binary-search it), while
the archive's own readers still see captures in capture order and revisits still find their originals."""

from __future__ import annotations

import errno
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.archive.cdxj import INDEX_SUFFIX, iter_index, lookup, sort_index, sorted_lines
from crawler.archive.reader import iter_responses
from crawler.archive.writer import CapturedRequest, CapturedResponse, WarcArchiveWriter

SITE = "http://xxgk.example.gov.cn"
# capture order deliberately not key order: z, a, m
PATHS = ["/z/last.html", "/a/first.html", "/m/middle.html"]
START = datetime(2025, 1, 1, tzinfo=UTC)


def capture(writer: WarcArchiveWriter, path: str, body: bytes, minutes: int) -> None:
    request = CapturedRequest(SITE + path, "GET", [(b"Host", b"xxgk.example.gov.cn")])
    response = CapturedResponse(200, [(b"Content-Type", b"text/html; charset=utf-8")], body)
    writer.write_exchange(request, response, START + timedelta(minutes=minutes))


def indexes(warc_dir: Path) -> list[Path]:
    return sorted(warc_dir.glob(f"*{INDEX_SUFFIX}"))


def lines(index: Path) -> list[str]:
    return index.read_text(encoding="utf-8").splitlines(keepends=True)


def test_a_closed_file_has_a_sorted_index_read_back_in_capture_order(tmp_path: Path) -> None:
    writer = WarcArchiveWriter(tmp_path, "test", worker="w1")
    for minutes, path in enumerate(PATHS):
        capture(writer, path, path.encode(), minutes)
    [index] = indexes(tmp_path)
    assert lines(index) != sorted(lines(index))  # while open: appended as captured
    writer.close()
    assert lines(index) == sorted(lines(index)) and len(lines(index)) == 3
    assert [entry.url for entry in iter_index(tmp_path)] == [SITE + path for path in PATHS]
    assert [response.url for response in iter_responses(tmp_path)] == [SITE + path for path in PATHS]
    assert [entry.url for entry in lookup(tmp_path, SITE + "/m/middle.html")] == [SITE + "/m/middle.html"]


def test_a_later_run_still_writes_revisits_against_the_earliest_capture(tmp_path: Path) -> None:
    first = WarcArchiveWriter(tmp_path, "test", worker="w1")
    capture(first, "/z/page.html", b"same", 0)
    capture(first, "/a/copy.html", b"same", 1)  # same payload, later: already a revisit of /z
    first.close()
    second = WarcArchiveWriter(tmp_path, "test", worker="w2")
    capture(second, "/b/again.html", b"same", 2)
    second.close()
    entries = list(iter_index(tmp_path))
    assert [entry.is_revisit for entry in entries] == [False, True, True]
    [response] = [r for r in iter_responses(tmp_path) if r.url.endswith("/b/again.html")]
    assert response.body == b"same" and response.revisit_of == entries[0].record_id


def test_sorted_lines_merge_every_file_and_sort_an_index_left_unsorted(tmp_path: Path) -> None:
    closed = WarcArchiveWriter(tmp_path, "test", worker="w1")
    capture(closed, "/y/one.html", b"1", 0)
    capture(closed, "/b/two.html", b"2", 1)
    closed.close()
    live = WarcArchiveWriter(tmp_path, "test", worker="w2")  # never closed: a live or killed writer
    capture(live, "/x/three.html", b"3", 2)
    capture(live, "/c/four.html", b"4", 3)
    merged = list(sorted_lines(tmp_path))
    assert merged == sorted(merged) and len(merged) == 4
    live.close()


def test_sort_index_is_idempotent_and_drops_a_torn_tail(tmp_path: Path) -> None:
    index = tmp_path / ("x.warc.gz" + INDEX_SUFFIX)
    index.write_text("b 2 {}\na 1 {}\nc 3 {", encoding="utf-8")  # a writer died mid-line
    sort_index(index)
    assert index.read_text(encoding="utf-8") == "a 1 {}\nb 2 {}\n"
    before = index.stat().st_mtime_ns
    sort_index(index)
    assert index.stat().st_mtime_ns == before  # already sorted: not rewritten


def test_out_of_space_the_index_stays_whole_in_capture_order(tmp_path: Path, monkeypatch) -> None:
    index = tmp_path / ("x.warc.gz" + INDEX_SUFFIX)
    index.write_text("b 2 {}\na 1 {}\n", encoding="utf-8")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    sort_index(index)  # no exception: closing a WARC file on a full disk must not fail the crawl's close
    assert index.read_text(encoding="utf-8") == "b 2 {}\na 1 {}\n"
    assert [p.name for p in tmp_path.iterdir()] == [index.name]  # no half-written .sorting copy left
