"""Fixtures shared across the tests, defined once here instead of copied into each module.

* ``data_dir``: an empty data directory (``DIR`` of ``--data-dir``) inside the test's tmp_path.
* ``fresh_db``: a freshly migrated database (``open_db``), closed after the test.
* ``small_archive``: per module, a data directory with a small archive and the database reparsed from
  it (tests/support/small_archive.py).
* ``reparsed_replica``: per module, five replica report pages with HTML tables played through the
  archive middleware and reparsed (the replica server never runs).
* ``stages``: the dedupe and store stages over a fresh database (tests/test_store.py and others).
* ``replica``: per module, the replica of both seed portals running on loopback (seed 0).

A module that needs another variant (a replica per test, more sites) defines its own fixture of the
same name, which pytest prefers to these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlite_utils import Database

from crawler.db import open_db
from pipelines.dedupe import DedupePipeline
from pipelines.store import StorePipeline
from tests.replica.fixture import Replica, running_replica
from tests.support.small_archive import build_small_archive
from tests.support.store_items import Stats


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[Database]:
    db = open_db(tmp_path / "xxgk.db")
    yield db
    db.close()


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("small") / "data"
    build_small_archive(data_dir)
    return data_dir


@pytest.fixture(scope="module")
def reparsed_replica(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from crawler.reparse import reparse_in_place
    from tests.replica.world import build_world
    from tests.support.played_archive import Archive, page_context

    data_dir = tmp_path_factory.mktemp("export") / "data"
    archive = Archive(data_dir / "warc")
    world = build_world(0)
    for report in [r for r in world.current_reports() if r.table_render == "html"][:5]:
        parts = urlsplit(report.url)
        served = world.handle("GET", parts.hostname or "", parts.path)
        archive.fetch(
            report.url, served.body, page_context(report.site, report.title), headers=dict(served.headers)
        )
    archive.close()
    reparse_in_place(data_dir)
    return data_dir


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    with running_replica(seed=0) as running:
        yield running


@pytest.fixture
def stages(tmp_path: Path) -> Iterator[tuple[Callable[[Any], Any], Path]]:
    """The dedupe and store stages over a fresh database: ``run(item)`` and the database's path."""
    path = tmp_path / "xxgk.db"
    stats = Stats()
    dedupe, store = DedupePipeline(path, stats), StorePipeline(path, stats)
    dedupe.open_spider()
    store.open_spider()

    def run(item: Any) -> Any:
        return store.process_item(dedupe.process_item(item))

    yield run, path
    dedupe.close_spider()
    store.close_spider()
