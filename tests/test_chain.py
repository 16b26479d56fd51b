"""Every path an item takes runs the same stages in the same order (pipelines/chain.py).

The paths: a crawl (Scrapy's ITEM_PIPELINES), a distributed worker (its ITEM_PIPELINES) followed by
the drainer, and ``xxgk reparse``. Each is observed as it runs, or as Scrapy reads its settings —
never from the chain's own lists — so a stage dropped from any one path makes the paths disagree,
and a stage module that no path runs fails the last check.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from scrapy.pipelines import ItemPipelineManager
from scrapy.settings import Settings

import pipelines
from crawler import settings as crawl_settings
from crawler.distributed.drain import Drainer
from crawler.distributed.settings import worker_settings
from crawler.distributed.state import Keys
from crawler.items import FetchedDocument, ReportPage
from crawler.reparse import reparse
from pipelines.chain import ChainStats, SyncChain
from tests.support.played_archive import Archive, page_context
from tests.support.reparse_pages import ARTICLE, PAGES

STAGE_BASES = {"PooledStage", "DatabaseStage"}  # what stages are built on, not stages


def stage_classes() -> dict[str, type]:
    """Every item pipeline class under pipelines/, by its module's name (one stage per file)."""
    found = {}
    for module_info in pkgutil.iter_modules(pipelines.__path__):
        module = importlib.import_module(f"pipelines.{module_info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and name not in STAGE_BASES and hasattr(cls, "process_item"):
                found[module_info.name] = cls
    return found


def scrapy_stages(overrides: dict[str, Any] | None = None) -> list[str]:
    """The stages Scrapy's item pipeline manager builds from the project settings (and overrides)."""
    settings = Settings()
    settings.setmodule(crawl_settings, priority="project")
    settings.setdict(overrides or {}, priority="cmdline")
    classes = ItemPipelineManager._get_mwlist_from_settings(settings)
    return [path.split(".")[1] for path in classes]


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The stages that touched an item, in order: each stage's entry point wrapped to log itself."""
    log: list[str] = []
    for name, cls in stage_classes().items():
        module = importlib.import_module(f"pipelines.{name}")
        pure = getattr(module, f"{name}_item", None)
        if pure is not None:  # a CPU stage: the sync driver calls its pure function
            monkeypatch.setattr(module, f"{name}_item", _logged(log, name, pure))
        monkeypatch.setattr(cls, "process_item", _logged(log, name, cls.process_item))
    yield log


def _logged(log: list[str], name: str, func: Any) -> Any:
    def run(*args: Any, **kwargs: Any) -> Any:
        log.append(name)
        return func(*args, **kwargs)

    return run


def report_page() -> ReportPage:
    body = (PAGES / "hanweb_article.html").read_bytes()
    return ReportPage(site="wendeng", url=ARTICLE, final_url=ARTICLE, status=200, content_type="text/html",
                      body=body, encoding="utf-8", sha256=hashlib.sha256(body).hexdigest(),
                      fetched_at="2026-01-19T00:00:00Z")  # fmt: skip


def reparse_stages(tmp_path: Path, log: list[str]) -> list[str]:
    archive = Archive(tmp_path / "warc")
    archive.fetch(ARTICLE, (PAGES / "hanweb_article.html").read_bytes(), page_context("wendeng", "年度报告"))
    archive.close()
    del log[:]
    reparse(tmp_path / "warc", tmp_path / "rebuilt.db", workers=0)
    return list(log)


def drain_stages(tmp_path: Path, log: list[str]) -> list[str]:
    # the drainer's store needs no Redis command: the client never connects
    with Drainer(Redis(), Keys("chain"), tmp_path / "drain") as drainer:
        del log[:]
        drainer.store_once("id-1", "w0", report_page())
    return list(log)


def test_every_path_runs_the_same_stages_in_the_same_order(tmp_path: Path, ran: list[str]) -> None:
    crawl = scrapy_stages()
    worker = scrapy_stages(worker_settings("redis://127.0.0.1:1/0"))
    drain = drain_stages(tmp_path, ran)
    rebuilt = reparse_stages(tmp_path, ran)
    assert rebuilt == crawl, "xxgk reparse"
    assert worker[-1] == "push" and worker[:-1] + drain == crawl, "xxgk worker + xxgk drain"
    assert set(crawl) | set(worker) == set(stage_classes()), "a stage under pipelines/ that no path runs"


def test_the_sync_driver_runs_the_chain_on_one_stats_collector(tmp_path: Path, ran: list[str]) -> None:
    stats = ChainStats()
    document = FetchedDocument(site="wendeng", url="http://a/1.html", final_url="http://a/1.html", status=200,
                               content_type="text/html", sha256="0" * 64, fetched_at="2026-01-19T00:00:00Z",
                               role="list")  # fmt: skip
    with SyncChain(tmp_path / "x.db", stats) as chain:
        page = chain.process(report_page())
        chain.process(document)
        assert chain.db["documents"].count == 2
    assert page.extracted is not None
    # a document is no report: only the database stages take it
    assert ran == [*scrapy_stages(), "dedupe", "store"]
    assert stats.get_value("xxgk/store/documents/list") == 1
    assert stats.get_stats()["xxgk/dedupe/new"] == 1
