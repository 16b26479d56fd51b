"""Issue 20, full disks, on a real size-limited tmpfs: the archive writer and the store stage meet a
real ENOSPC (the crawl through a full disk, then --resume, is in tests/test_e2e_infrastructure.py)."""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from crawler.archive.cdxj import iter_index, warc_files
from crawler.archive.reader import iter_responses, read_record
from crawler.archive.writer import CapturedRequest, CapturedResponse, WarcArchiveWriter
from crawler.diskfull import is_disk_full
from crawler.distributed.drain import Drainer
from crawler.distributed.state import Keys
from crawler.items import FetchedDocument
from pipelines.push import envelope
from tests.support.redis_server import MISSING, redis_server_binary, running_redis
from tests.support.tmpfs import SmallFilesystem, mount_possible, small_filesystem

REASON = mount_possible(Path(tempfile.mkdtemp(prefix="xxgk-mount-probe-")))
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"cannot mount a tmpfs here: {REASON}")


@pytest.fixture
def tiny(tmp_path: Path) -> Iterator[SmallFilesystem]:
    with small_filesystem(tmp_path / "fs", "256k") as fs:
        yield fs


def exchange(n: int) -> tuple[CapturedRequest, CapturedResponse]:
    body = os.urandom(9000)  # incompressible: the disk fills after a couple of dozen
    request = CapturedRequest(f"http://example.gov.cn/{n}.html", "GET", [(b"Host", b"example.gov.cn")])
    return request, CapturedResponse(200, [(b"Content-Type", b"text/html")], body)


def fill(writer: WarcArchiveWriter) -> tuple[int, OSError]:
    for n in range(1000):
        try:
            writer.write_exchange(*exchange(n))
        except OSError as error:
            return n, error
    raise AssertionError("the disk never filled")


def test_a_full_disk_leaves_only_whole_records_and_their_index_lines(tiny: SmallFilesystem) -> None:
    writer = WarcArchiveWriter(tiny.path / "warc", "t", worker="w", revisits=False)
    written, error = fill(writer)
    assert is_disk_full(error) and error.errno == errno.ENOSPC
    entries = list(iter_index(tiny.path / "warc"))
    assert len(entries) == written > 0  # every exchange written before the failure, none after
    for entry in entries:  # each line points at a whole record
        assert len(read_record(tiny.path / "warc", entry.filename, entry.offset)) == 9000
    (path,) = warc_files(tiny.path / "warc")
    last = entries[-1]
    assert path.stat().st_size == last.offset + last.length  # no partial record after the last one
    assert len(list(iter_responses(tiny.path / "warc"))) == written


def test_after_space_is_freed_the_same_writer_carries_on(tiny: SmallFilesystem) -> None:
    writer = WarcArchiveWriter(tiny.path / "warc", "t", worker="w", revisits=False)
    written, _ = fill(writer)
    tiny.grow("2m")
    writer.write_exchange(*exchange(written))
    writer.close()
    entries = list(iter_index(tiny.path / "warc"))
    assert [e.url for e in entries] == [f"http://example.gov.cn/{n}.html" for n in range(written + 1)]
    assert len(list(iter_responses(tiny.path / "warc"))) == written + 1


def test_sqlite_out_of_space_is_recognised_and_rolled_back(tiny: SmallFilesystem) -> None:
    db = sqlite3.connect(tiny.path / "x.db")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE t (blob BLOB)")
    db.commit()
    with pytest.raises(sqlite3.Error) as failure, db:
        for _ in range(1000):
            db.execute("INSERT INTO t VALUES (?)", [os.urandom(4000)])
    assert is_disk_full(failure.value)
    assert db.execute("SELECT count(*) FROM t").fetchone() == (0,)  # the whole transaction undone
    db.close()


def test_other_errors_are_not_a_full_disk() -> None:
    assert not is_disk_full(OSError(errno.EACCES, "denied"))
    assert not is_disk_full(sqlite3.OperationalError("database is locked"))
    assert not is_disk_full(ValueError("no"))


@pytest.mark.skipif(redis_server_binary() is None, reason=MISSING)
def test_the_drainer_out_of_space_keeps_the_item_in_redis_and_stores_each_once_later(tmp_path: Path) -> None:
    with running_redis(tmp_path / "redis") as url, small_filesystem(tmp_path / "fs", "1m") as fs:
        server = Redis.from_url(url)
        keys = Keys()
        for n in range(200):  # ~20 KB rows: more than the 1 MB left after the schema
            document = FetchedDocument(site="t", url=f"http://example.gov.cn/{n}", final_url="x", status=200,
                                       content_type="text/html", sha256="0" * 64, fetched_at="2024-01-01T00:00:00Z",
                                       role="list", error=os.urandom(10_000).hex())
            server.lpush(keys.items, envelope(document, "w"))
        with pytest.raises(sqlite3.Error) as failure, Drainer(server, keys, fs.path) as drainer:
            drainer.run(until_complete=False, poll_seconds=0.1)
        assert is_disk_full(failure.value)
        assert server.llen(keys.draining) == 1  # the item being stored when space ran out
        fs.grow("16m")
        with Drainer(server, keys, fs.path) as drainer:
            drainer.run(until_complete=False, poll_seconds=0.1)
        urls = [row[0] for row in sqlite3.connect(fs.path / "xxgk.db").execute("SELECT url FROM documents")]
        assert sorted(urls) == sorted(f"http://example.gov.cn/{n}" for n in range(200))  # each once
