"""Several pool calls per task (crawler/reparse/batches.py), and the closing passes' mappers: results in
order, each call's failure its own, and the same rows whatever maps the per-report work."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from crawler.db import open_db
from crawler.reparse.batches import Batcher, Failed, pool_map, run_batch
from crawler.reparse.cores import close_behind
from crawler.search import refresh_search_index
from crawler.similarity import run_similarity
from pipelines.offload import ExtractTimeout, WorkerPool
from tests.support.similarity import constructed_db


def double(value: int) -> int:
    if value < 0:
        raise ValueError(f"negative: {value}")
    return 2 * value


def slow_when_seven(value: int) -> int:
    if value == 7:
        time.sleep(30)  # past the pool's deadline: the worker is killed
    return value


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    pool = WorkerPool(2, timeout=3, memory_mb=None)
    yield pool
    pool.close()


def test_run_batch_keeps_each_calls_exception_its_own() -> None:
    results = run_batch(double, [(1,), (-1,), (3,)])
    assert results[0] == 2 and results[2] == 6
    assert isinstance(results[1], Failed) and isinstance(results[1].exc, ValueError)


def test_results_come_back_in_order_and_a_failing_call_raises_alone(pool: WorkerPool) -> None:
    batcher = Batcher(pool, double, size=3)
    getters = [batcher.call(value) for value in [1, 2, -3, 4, 5]]  # one full batch, one still filling
    assert batcher.calls == [(4,), (5,)]
    assert [getters[i]() for i in (0, 1, 3, 4)] == [2, 4, 8, 10]  # asking for 4 sent the unfull batch
    assert batcher.calls == []
    with pytest.raises(ValueError, match="negative: -3"):
        getters[2]()


def test_a_batch_the_pool_failed_is_rerun_call_by_call(pool: WorkerPool) -> None:
    batcher = Batcher(pool, slow_when_seven, size=4)
    getters = [batcher.call(value) for value in [5, 6, 7, 8]]
    with pytest.raises(ExtractTimeout):
        getters[2]()
    assert [getters[i]() for i in (0, 1, 3)] == [5, 6, 8]  # the batch's deadline passed; theirs did not


def test_pool_map_is_map(pool: WorkerPool) -> None:
    assert list(pool_map(pool, size=4)(double, range(11))) == list(map(double, range(11)))


def test_pool_map_sends_every_input_at_the_call_and_waits_only_as_results_are_read() -> None:
    held = HeldPool()
    results = pool_map(held, size=4)(double, range(10))  # type: ignore[arg-type]
    # all three batches (4 + 4 + 2) went out at the call, while none has answered yet
    assert len(held.tasks) == 3 and not any(future.done() for future, _, _ in held.tasks)
    held.release()
    assert list(results) == [2 * n for n in range(10)]


def test_a_chunk_is_handed_to_the_mapper_before_the_previous_chunks_results_are_read() -> None:
    from crawler.similarity import CHUNK, _Report, mapped_in_chunks

    handed: list[int] = []

    def recording_map(func: Callable[[Any], Any], chunk: Iterable[Any]) -> Iterator[Any]:
        given = list(chunk)
        handed.append(given[0].id)
        return map(func, given)

    reports = (_Report(n, f"body{n}", (), "text") for n in range(2 * CHUNK + 5))
    pairs = mapped_in_chunks(recording_map, lambda report: report.id * 2, reports)
    first = next(pairs)
    assert first[1] == 0 and handed == [0, CHUNK]  # the second chunk went out before the first was read
    rest = list(pairs)
    assert handed == [0, CHUNK, 2 * CHUNK]
    assert [report.id for report, _ in [first, *rest]] == list(range(2 * CHUNK + 5))
    assert all(value == report.id * 2 for report, value in [first, *rest])


def reversed_map(func: Callable[[Any], Any], inputs: Iterable[Any]) -> list[Any]:
    """A mapper that computes in another order than ``map``, as a pool's workers may."""
    given = list(inputs)
    return list(reversed([func(one) for one in reversed(given)]))


def table(db_file: Path, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in open_db(db_file).execute(sql).fetchall()]


def test_the_closing_passes_write_the_same_rows_whatever_maps_them(tmp_path: Path) -> None:
    files = {name: constructed_db(tmp_path / f"{name}.db") for name in ("map", "reversed")}
    for name, mapper in (("map", map), ("reversed", reversed_map)):
        db = open_db(files[name])
        refresh_search_index(db, map_rows=mapper)
        run_similarity(db, map_reports=mapper)
        db.close()
    for sql in ("select * from reports_search order by id", "select * from similar_reports order by 1, 2",
                "select * from report_sections order by 1, 2", "select id, templated from reports order by id"):  # fmt: skip
        assert table(files["map"], sql) == table(files["reversed"], sql), sql
    assert table(files["map"], "select count(*) from similar_reports")[0][0] > 0


def test_a_pool_closed_behind_is_stopped_when_its_thread_ends() -> None:
    own = WorkerPool(1, timeout=5, memory_mb=None)
    assert own.result(own.submit(double, 2)) == 4
    closing = close_behind(own)
    assert not closing.daemon  # the interpreter waits for the workers before it exits
    closing.join(timeout=30)
    assert not closing.is_alive() and own.pool is None


class HeldPool:
    """A pool whose tasks finish only once the test releases it (its workers still starting)."""

    def __init__(self) -> None:
        self.tasks: list[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = []
        self.released = False

    def submit(self, func: Callable[..., Any], *args: Any, units: int = 1) -> Future[Any]:
        future: Future[Any] = Future()
        self.tasks.append((future, func, args))
        if self.released:
            self.release()
        return future

    def result(self, future: Future[Any]) -> Any:
        return future.result(timeout=5)

    def release(self) -> None:
        self.released = True
        for future, func, args in self.tasks:
            if not future.done():
                future.set_result(func(*args))


def test_the_reader_reads_ahead_while_the_pool_has_not_answered_bounded_and_in_order() -> None:
    from crawler.archive.reader import ArchivedResponse
    from crawler.reparse.attachments import AttachmentsFromArchive
    from crawler.reparse.cores import READ_AHEAD_WHILE_WAITING, links_ahead

    page = b'<html><body><a href="/f.pdf">f</a></body></html>'
    context = {"site": "x", "role": "page"}
    fields = ("text/html", "", "x.warc.gz", 0, "", "", "")
    records = [(ArchivedResponse(f"http://x/{n}.html", 200, [], page, *fields, context=context), None) for n in range(300)]
    read = 0

    def source() -> Iterator[Any]:
        nonlocal read
        for record in records:
            read += 1
            yield record

    pool = HeldPool()
    ahead = links_ahead(pool, source(), AttachmentsFromArchive(), in_flight=4)  # type: ignore[arg-type]
    first = next(ahead)
    # nothing answered: the reader went on to its bound, then handed on the oldest all the same
    assert read == 4 * READ_AHEAD_WHILE_WAITING
    pool.release()
    assert first[2] is not None and [link.url for link in first[2]()] == ["http://x/f.pdf"]
    rest = list(ahead)
    assert [archived.url for archived, _, _ in [first, *rest]] == [archived.url for archived, _ in records]
    assert all(found is not None and len(found()) == 1 for _, _, found in rest)


def test_an_answering_pool_gets_no_read_ahead_even_with_its_batch_unfilled() -> None:
    # the oldest record's batch still filling (fewer report pages than a batch): it is sent when the
    # window is full, rather than the reader running on to its bound waiting for a batch nobody sent
    from crawler.archive.reader import ArchivedResponse
    from crawler.reparse.attachments import AttachmentsFromArchive
    from crawler.reparse.cores import links_ahead

    fields = ("text/html", "", "x.warc.gz", 0, "", "", "")
    context = {"site": "x", "role": "page"}
    records = iter([(ArchivedResponse(f"http://x/{n}.html", 200, [], b"<html></html>", *fields, context=context), None)
                    for n in range(100)])
    answering = HeldPool()
    answering.release()
    ahead = links_ahead(answering, records, AttachmentsFromArchive(), in_flight=4)  # type: ignore[arg-type]
    next(ahead)
    assert len(list(records)) == 100 - 4  # the window's four, no more


def test_the_read_ahead_is_bounded_in_bytes_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.archive.reader import ArchivedResponse
    from crawler.reparse import cores
    from crawler.reparse.attachments import AttachmentsFromArchive

    monkeypatch.setattr(cores, "READ_AHEAD_BYTES", 10 * 1000)
    body = b"<html>" + b" " * 994  # 1,000 bytes a record
    fields = ("text/html", "", "x.warc.gz", 0, "", "", "")
    context = {"site": "x", "role": "page"}
    records = iter([(ArchivedResponse(f"http://x/{n}.html", 200, [], body, *fields, context=context), None)
                    for n in range(100)])
    ahead = cores.links_ahead(HeldPool(), records, AttachmentsFromArchive(), in_flight=4)  # type: ignore[arg-type]
    next(ahead)
    assert len(list(records)) == 100 - 10  # ten records read, held, then the oldest went on
