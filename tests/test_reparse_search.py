"""The search index written while a reparse streams (crawler/reparse/searching.py): the same index as
the closing refresh builds, the same writes with or without a pool, a report changed after its row
was written re-tokenised at close."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.db import open_db
from crawler.reparse.searching import StreamedSearchIndex
from crawler.search import fts_query, refresh_search_index
from pipelines.offload import WorkerPool


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    pool = WorkerPool(2, timeout=30, memory_mb=None)
    yield pool
    pool.close()


def _insert(db: Any, n: int) -> None:
    db["reports"].insert({"site": "s", "url": f"http://s/{n}", "agency": f"第{n}镇人民政府", "agency_key": str(n),
                          "year": 2020, "title": f"第{n}镇2020年政府信息公开工作年度报告",
                          "text": f"第{n}镇全年受理行政复议申请{n}件。"})  # fmt: skip


def _streamed(path: Path, pool: WorkerPool | None, lag: int) -> list[tuple[Any, ...]]:
    """Reports stored over four transactions, one changed after its row was written, the index
    streamed, then the closing refresh; the shadow rows as stored."""
    db = open_db(path)
    index = StreamedSearchIndex(db, pool, lag=lag)
    for transaction in range(4):
        with db.atomic():
            for n in range(3 * transaction, 3 * transaction + 3):
                _insert(db, n)
            if transaction == 3:  # a newer version of an early report: its row is stale now
                db.table("reports").update(1, {"text": "第1镇全年受理政府信息公开申请99件。"})
            index.stored()
    with db.atomic():
        index.finish()
    refresh_search_index(db)
    try:
        assert db.execute("select rowid from reports_search_fts where reports_search_fts match ?",
                          [fts_query("公开申请")]).fetchall() == [(1,)]  # fmt: skip
        return db.execute("select * from reports_search order by id").fetchall()
    finally:
        db.close()


def _at_close(path: Path) -> list[tuple[Any, ...]]:
    db = open_db(path)
    with db.atomic():
        for n in range(12):
            _insert(db, n)
        db.table("reports").update(1, {"text": "第1镇全年受理政府信息公开申请99件。"})
    refresh_search_index(db)
    try:
        return db.execute("select * from reports_search order by id").fetchall()
    finally:
        db.close()


@pytest.mark.parametrize("lag", [0, 2, 9])
def test_the_streamed_index_is_the_one_the_closing_refresh_builds(tmp_path: Path, lag: int) -> None:
    streamed = _streamed(tmp_path / "streamed.db", None, lag)
    assert len(streamed) == 12
    assert streamed == _at_close(tmp_path / "close.db")


def test_the_same_rows_with_the_tokens_from_a_pool(tmp_path: Path, pool: WorkerPool) -> None:
    assert _streamed(tmp_path / "pooled.db", pool, 2) == _streamed(tmp_path / "inline.db", None, 2)


def test_rows_wait_lag_transactions(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    index = StreamedSearchIndex(db, None, lag=1)
    try:
        counts = []
        for transaction in range(3):
            with db.atomic():
                _insert(db, transaction)
                index.stored()
            counts.append(db["reports_search"].count)
        with db.atomic():
            index.finish()
        assert counts == [0, 1, 2] and db["reports_search"].count == 3
    finally:
        db.close()
