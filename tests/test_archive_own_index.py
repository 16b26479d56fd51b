"""A writer's revisit map comes from its own site's indexes only: its start-up cost does not grow
with the other sites archived in the same directory (a 1,000-site run), and a revisit never points
into another site's files."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.archive import cdxj
from crawler.archive.cdxj import iter_index, load_digest_map, spider_of, warc_files
from crawler.archive.records import CapturedRequest, CapturedResponse
from crawler.archive.writer import WarcArchiveWriter

BODY = "<html><body>2023年政府信息公开工作年度报告</body></html>".encode()


def archive(warc_dir: Path, spider: str, url: str, body: bytes = BODY) -> bool:
    """One exchange by a fresh writer for ``spider`` (a new crawl); True if it became a revisit."""
    writer = WarcArchiveWriter(warc_dir, spider, worker="w1")
    request = CapturedRequest(url, "GET", [(b"Host", b"example.gov.cn")])
    response = CapturedResponse(200, [(b"Content-Type", b"text/html; charset=utf-8")], body)
    pointer = writer.write_exchange(request, response)
    writer.close()
    return bool(pointer["revisit"])


def test_the_same_payload_on_another_site_is_archived_in_full(tmp_path: Path) -> None:
    assert not archive(tmp_path, "alpha", "http://alpha.gov.cn/report.html")
    assert not archive(tmp_path, "beta", "http://beta.gov.cn/report.html")  # alpha's copy is not its own
    assert archive(tmp_path, "alpha", "http://alpha.gov.cn/report.html")  # its own earlier capture is
    [revisit] = [entry for entry in iter_index(tmp_path) if entry.is_revisit]
    assert spider_of(tmp_path / revisit.filename) == "alpha"
    assert spider_of(tmp_path / load_digest_map(tmp_path, "alpha")[revisit.digest].filename) == "alpha"


def test_a_writer_reads_only_its_own_sites_indexes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(5):
        archive(tmp_path, f"site{n}", f"http://site{n}.gov.cn/report.html", BODY + bytes(n))
    archive(tmp_path, "site1-annex", "http://annex.gov.cn/report.html")  # a name that site1 prefixes
    opened: list[str] = []
    real = cdxj._read_index
    monkeypatch.setattr(cdxj, "_read_index", lambda path: (opened.append(path.name), real(path))[1])

    assert archive(tmp_path, "site1", "http://site1.gov.cn/report.html", BODY + bytes(1))
    assert opened and all(name.startswith("xxgk-site1-2") for name in opened)
    assert {spider_of(path) for path in warc_files(tmp_path, "site1")} == {"site1"}
    assert len(warc_files(tmp_path)) == 7  # the other sites' files are all still there


def test_a_spider_name_with_glob_characters_finds_its_own_files(tmp_path: Path) -> None:
    archive(tmp_path, "odd[1]", "http://odd.gov.cn/a.html")
    assert archive(tmp_path, "odd[1]", "http://odd.gov.cn/b.html")
    assert [spider_of(path) for path in warc_files(tmp_path, "odd[1]")] == ["odd[1]", "odd[1]"]
