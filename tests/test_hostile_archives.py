"""Issue 20, hostile archives, on constructed WARC directories: a file cut short, a record whose
bytes changed, another crawler's WARC, an index that does not match its file. Each is reported by
file (and offset); every other record is read. (A crawled archive so damaged, reparsed into the
tables of its undamaged records: tests/test_e2e_infrastructure.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crawler.archive.audit import DIGEST, FOREIGN, INDEX, TRUNCATED, ArchiveProblems
from crawler.archive.cdxj import iter_index, warc_files
from crawler.archive.reader import ArchiveReadError, iter_responses, read_record
from crawler.archive.writer import CapturedRequest, CapturedResponse, WarcArchiveWriter
from tests.support.warc_surgery import foreign_warc, rewrite_member


def archive(warc_dir: Path, pages: int, spider: str = "t") -> list[Path]:
    writer = WarcArchiveWriter(warc_dir, spider, worker="w", revisits=False)
    for n in range(pages):
        request = CapturedRequest(f"http://example.gov.cn/{spider}/{n}.html", "GET", [(b"Host", b"example.gov.cn")])
        body = f"<html><body>page {n} 政府信息公开</body></html>".encode()
        writer.write_exchange(request, CapturedResponse(200, [(b"Content-Type", b"text/html")], body))
    writer.close()
    return warc_files(warc_dir)


def read(warc_dir: Path) -> tuple[list[str], ArchiveProblems]:
    problems = ArchiveProblems()
    return [r.url for r in iter_responses(warc_dir, problems)], problems


def urls(spider: str, numbers: range) -> list[str]:
    return [f"http://example.gov.cn/{spider}/{n}.html" for n in numbers]


def test_an_intact_archive_has_no_problems(tmp_path: Path) -> None:
    archive(tmp_path, 3)
    found, problems = read(tmp_path)
    assert found == urls("t", range(3)) and problems.found == []


def test_a_file_cut_short_is_read_up_to_the_cut_and_reported_with_the_offset(tmp_path: Path) -> None:
    (path,) = archive(tmp_path, 4)
    last = list(iter_index(tmp_path))[-1]
    with path.open("r+b") as stream:
        stream.truncate(last.offset + last.length // 2)
    found, problems = read(tmp_path)
    assert found == urls("t", range(3))
    (cut,) = problems.of_kind(TRUNCATED)
    assert cut.file == path.name and cut.offset is not None and cut.offset <= last.offset
    assert "3 responses before it were read" in cut.detail
    assert "1 lines point past the end" in str(problems.of_kind(INDEX)[0])


def test_a_record_whose_bytes_changed_is_skipped_and_reported(tmp_path: Path) -> None:
    (path,) = archive(tmp_path, 3)
    last = list(iter_index(tmp_path))[-1]  # the last record: no offset after it moves
    rewrite_member(path, last.offset, last.length, b"page 2", b"page X")
    found, problems = read(tmp_path)
    assert found == urls("t", range(2))
    (damaged,) = problems.of_kind(DIGEST)
    assert damaged.file == path.name and damaged.offset == last.offset
    assert last.record_id in damaged.detail and "digest" in damaged.detail.lower()
    with pytest.raises(ArchiveReadError, match="digest"):
        read_record(tmp_path, path.name, last.offset)


def test_another_crawlers_warc_is_reported_and_not_read(tmp_path: Path) -> None:
    archive(tmp_path, 2)
    foreign_warc(tmp_path / "ARCHIVEIT-1234-20200101000000-00000.warc.gz")
    found, problems = read(tmp_path)
    assert found == urls("t", range(2))
    (foreign,) = problems.of_kind(FOREIGN)
    assert foreign.file.startswith("ARCHIVEIT-") and "Heritrix/3.4.0" in foreign.detail
    assert "1 responses" in foreign.detail
    assert problems.of_kind(INDEX) == []  # a foreign file's missing index is not a second problem


def test_an_index_that_does_not_match_its_file_is_reported_and_the_file_still_read(tmp_path: Path) -> None:
    archive(tmp_path / "a", 3, spider="a")
    archive(tmp_path / "b", 2, spider="b")
    (a,) = warc_files(tmp_path / "a")
    (b,) = warc_files(tmp_path / "b")
    for path in (a, b):
        for file in (path, path.with_name(path.name + ".cdxj")):
            shutil.move(file, tmp_path / file.name)
    a_index = tmp_path / (a.name + ".cdxj")
    b_index = tmp_path / (b.name + ".cdxj")
    # a's index replaced by b's lines, renamed as if they described a
    a_index.write_text(b_index.read_text(encoding="utf-8").replace(b.name, a.name), encoding="utf-8")
    found, problems = read(tmp_path)
    assert sorted(found) == sorted(urls("a", range(3)) + urls("b", range(2)))
    (wrong,) = problems.of_kind(INDEX)
    assert wrong.file == a_index.name and "does not match its file: 2 of 2 lines wrong" in wrong.detail


def test_a_missing_index_is_reported(tmp_path: Path) -> None:
    (path,) = archive(tmp_path, 1)
    path.with_name(path.name + ".cdxj").unlink()
    found, problems = read(tmp_path)
    assert found == urls("t", range(1))
    assert [p.kind for p in problems.found] == [INDEX] and "missing" in problems.found[0].detail
