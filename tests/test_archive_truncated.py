"""A WARC file cut mid-record (the crawl was killed while writing) still reads: every complete
record comes back intact, the torn tail is dropped, and nothing is returned half-read."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from crawler.archive.cdxj import iter_index
from crawler.archive.reader import iter_responses, read_record
from crawler.archive.writer import CapturedRequest, CapturedResponse, WarcArchiveWriter
from crawler.reparse import reparse

SITE = "http://www.hy.gov.cn"


def write_archive(warc_dir: Path, pages: int = 12) -> None:
    writer = WarcArchiveWriter(warc_dir, "hy", worker="w1", revisits=True)
    rng = random.Random(3)
    for n in range(pages):
        body = ("<html><body>" + "政府信息公开" * rng.randint(50, 400) + f"{n}</body></html>").encode()
        if n % 4 == 3:
            body = b"<html>same page again</html>"  # repeats become revisit records
        writer.write_exchange(
            CapturedRequest(f"{SITE}/p{n}.html", "GET", [(b"Host", b"www.hy.gov.cn")]),
            CapturedResponse(200, [(b"Content-Type", b"text/html; charset=utf-8")], body),
            extra_headers={"XXGK-Context": '{"role":"list","site":"hy"}'},
        )
    writer.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warc_dir = tmp_path_factory.mktemp("whole") / "warc"
    write_archive(warc_dir)
    return warc_dir


def cut_copy(archive: Path, target: Path, keep: int) -> Path:
    """A copy of ``archive`` whose WARC file ends after ``keep`` bytes (the index left whole: it may
    then point past the end, as when the kill came between the data and the index line)."""
    shutil.copytree(archive, target)
    warc = next(target.glob("*.warc.gz"))
    warc.write_bytes(warc.read_bytes()[:keep])
    return target


def test_every_cut_point_reads_a_prefix_of_intact_records(archive: Path, tmp_path: Path) -> None:
    whole = {r.record_id: r for r in iter_responses(archive)}
    size = next(archive.glob("*.warc.gz")).stat().st_size
    cuts = sorted(random.Random(8).sample(range(1, size), 40))
    counts = []
    for n, keep in enumerate(cuts):
        cut = cut_copy(archive, tmp_path / f"cut{n}", keep)
        read = list(iter_responses(cut))  # never raises
        assert [r.record_id for r in read] == list(whole)[: len(read)]
        for record in read:
            original = whole[record.record_id]
            assert (record.body, record.status, record.decode_error) == (original.body, original.status, None)
        counts.append(len(read))
    assert counts == sorted(counts) and counts[0] < counts[-1] and counts[-1] >= len(whole) - 1


def test_a_record_the_index_points_to_past_the_cut_is_an_error_not_garbage(archive: Path, tmp_path: Path) -> None:
    last = list(iter_index(archive))[-1]
    cut = cut_copy(archive, tmp_path / "cut", last.offset + 40)
    with pytest.raises(LookupError):
        read_record(cut, last.filename, last.offset)


def test_reparse_of_a_cut_archive_works(archive: Path, tmp_path: Path) -> None:
    size = next(archive.glob("*.warc.gz")).stat().st_size
    cut = cut_copy(archive, tmp_path / "cut", size * 2 // 3)
    summary = reparse(cut, tmp_path / "re.db")
    assert 0 < summary.responses < 12
