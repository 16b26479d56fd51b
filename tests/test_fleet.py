"""Many sites in one run (crawler/fleet.py): a bounded number of crawlers alive at once, the next site
started as one ends, one summary per site in the order named; one extraction pool and one database
connection for the whole process. Constructed crawlers (no network) here; the crawl itself against
the replica in tests/test_fleet_e2e.py."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.settings import Settings
from twisted.internet.defer import Deferred

from crawler.fleet import DOWNLOADER, Fleet, default_sites_at_once, fleet_settings
from pipelines import database, offload


class FakeProcess:
    """Stands in for the CrawlerProcess: each crawl is a Deferred the test fires by hand."""

    stopping = False

    def __init__(self) -> None:
        self.running: dict[str, Deferred[None]] = {}
        self.started: list[str] = []
        self.prepared: list[str] = []

    def create_crawler(self, site: str) -> Any:
        stats = SimpleNamespace(get_stats=lambda: {"finish_reason": "finished", "response_received_count": 3})
        return SimpleNamespace(site=site, spider=SimpleNamespace(name=site), stats=stats)

    def crawl(self, crawler: Any, **arguments: Any) -> Deferred[None]:
        self.started.append(crawler.site)
        done: Deferred[None] = Deferred()
        self.running[crawler.site] = done
        return done

    def end(self, site: str, error: Exception | None = None) -> None:
        done = self.running.pop(site)
        if error is None:
            done.callback(None)
        else:
            done.errback(error)


def fleet_of(sites: list[str], at_once: int) -> tuple[Fleet, FakeProcess]:
    process = FakeProcess()
    fleet = Fleet(Settings(), sites, lambda site: {}, lambda crawler, site: process.prepared.append(site), at_once)
    fleet.process = process  # type: ignore[assignment]
    return fleet, process


def test_at_most_the_bound_alive_and_the_next_site_starts_as_one_ends() -> None:
    fleet, process = fleet_of(["a", "b", "c", "d", "e"], at_once=2)
    fleet.launch()
    assert process.started == ["a", "b"]
    process.end("b")
    assert process.started == ["a", "b", "c"] and len(process.running) == 2
    for site in ("a", "c", "d"):
        process.end(site)
        assert len(process.running) <= 2
    process.end("e")
    assert process.prepared == ["a", "b", "c", "d", "e"]  # each crawler prepared (its JOBDIR) before it runs
    assert fleet.run.most_alive == 2
    assert [summary["spider"] for summary in fleet.summaries if summary] == ["a", "b", "c", "d", "e"]


def test_a_site_that_fails_to_run_is_reported_and_the_others_go_on() -> None:
    fleet, process = fleet_of(["a", "b", "c"], at_once=1)
    fleet.launch()
    process.running["a"].addErrback(lambda failure: None)
    process.end("a", RuntimeError("spider would not start"))
    assert process.started == ["a", "b"]
    process.end("b")
    process.end("c")
    assert [summary["spider"] for summary in fleet.summaries if summary] == ["a", "b", "c"]


def test_a_stopping_run_starts_no_more_sites() -> None:
    fleet, process = fleet_of(["a", "b", "c"], at_once=1)
    fleet.launch()
    process.stopping = True
    process.end("a")
    assert process.started == ["a"]


def test_the_bound_defaults_to_the_setting_then_the_machine() -> None:
    assert Fleet(Settings({"XXGK_SITES_AT_ONCE": 7}), ["a"], dict, print).run.sites_at_once == 7
    assert Fleet(Settings(), ["a"], dict, print).run.sites_at_once == default_sites_at_once() >= 16


def test_fleet_settings_gate_hosts_and_bound_each_site() -> None:
    settings = fleet_settings(Settings({"XXGK_SITE_DEADLINE": 600}))
    assert settings["DOWNLOADER"] == DOWNLOADER
    assert settings.getfloat("CLOSESPIDER_TIMEOUT") == 600
    chosen = Settings()
    chosen.set("DOWNLOADER", "my.Downloader", priority="cmdline")
    assert fleet_settings(chosen)["DOWNLOADER"] == "my.Downloader"  # -s DOWNLOADER= still wins


def test_one_pool_for_every_crawler_while_shared() -> None:
    settings = Settings({"XXGK_WORKERS": 0})
    one, two = SimpleNamespace(settings=settings), SimpleNamespace(settings=settings)
    with offload.shared_pool(settings) as pool:
        assert offload.pool_for(one) is pool and offload.pool_for(two) is pool  # type: ignore[arg-type]
    assert offload._shared is None


def test_one_database_connection_for_every_stage_while_shared(tmp_path: Path) -> None:
    path = tmp_path / "xxgk.db"
    stages = [database.DatabaseStage(path, stats=None) for _ in range(3)]  # type: ignore[arg-type]
    with database.shared_database(path) as db:
        for stage in stages:
            stage.open_spider()
            assert stage.db is db
        stages[0].close_spider()
        assert db.execute("SELECT 1").fetchone() == (1,)  # a stage closing leaves the shared one open
    alone = database.DatabaseStage(path, stats=None)  # type: ignore[arg-type]
    alone.open_spider()
    assert alone.owns_db and alone.db is not None
    alone.close_spider()


@pytest.mark.parametrize("count", [1, 3])
def test_summaries_keep_the_order_the_sites_were_named(count: int) -> None:
    sites = [f"s{n}" for n in range(count)]
    fleet, process = fleet_of(sites, at_once=count)
    fleet.launch()
    for site in reversed(sites):
        process.end(site)
    assert [summary["spider"] for summary in fleet.summaries if summary] == sites


def test_whole_database_passes_wait_for_the_end_of_a_shared_run(tmp_path: Path) -> None:
    path = tmp_path / "xxgk.db"
    ran: list[str] = []
    with database.shared_database(path) as db:
        for _site in range(3):  # three sites closing: each asks for both passes
            database.whole_database_pass(db, "search", lambda db: ran.append("search"))
            database.whole_database_pass(db, "similarity", lambda db: ran.append("similarity"))
        assert ran == []
    assert ran == ["search", "similarity"]  # once each, in the order first asked, after the last site
    alone = database.open_db(path)
    database.whole_database_pass(alone, "search", lambda db: ran.append("now"))
    assert ran[-1] == "now"  # an unshared connection (one site, reparse) runs it at once
    alone.close()


@pytest.mark.parametrize(("name", "spider"), [
    ("xxgk-wendeng-20261202003809-00000-vm-27976.warc.gz", "wendeng"),
    ("xxgk-www.foo-bar.gov.cn-20261202003809-00012-host-a-1.warc.gz", "www.foo-bar.gov.cn"),
    ("other.warc.gz", None),
])
def test_a_warc_files_spider_is_read_from_its_name(name: str, spider: str | None) -> None:
    from crawler.archive.cdxj import spider_of

    assert spider_of(Path(name)) == spider


def test_what_start_up_froze_is_the_collectors_again_when_the_fleet_ends() -> None:
    import gc

    assert gc.get_freeze_count() == 0  # the test process froze nothing itself
    process = FakeProcess()
    fleet = Fleet(Settings({"XXGK_WORKERS": 0}), ["a", "b"], lambda site: {}, lambda crawler, site: None, 1)
    fleet.process = process  # type: ignore[assignment]
    frozen_during: list[int] = []

    def run() -> None:  # the reactor's run: the sites end one after the other
        frozen_during.append(gc.get_freeze_count())
        for site in ("a", "b"):
            process.end(site)

    process.start = run  # type: ignore[attr-defined]
    assert [summary["spider"] for summary in fleet.start()] == ["a", "b"]
    assert frozen_during[0] > 0  # start-up was out of the collector's reach while the sites ran
    assert gc.get_freeze_count() == 0


def test_a_freeze_made_before_the_fleet_is_left_as_it_was() -> None:
    import gc

    from crawler.fleet import startup_objects_frozen

    gc.freeze()
    try:
        with startup_objects_frozen():
            gc.freeze()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"XXGK_WORKERS": 1}, True),  # the project's chain: its CPU stages run on the pool
        ({"XXGK_WORKERS": 0}, False),  # inline: no worker process at all
        ({"XXGK_WORKERS": 1, "ITEM_PIPELINES": {}}, False),  # the bench's spiders alone
        ({"XXGK_WORKERS": 1, "ITEM_PIPELINES": {"pipelines.push.RedisPushPipeline": 100}}, False),
        # pages only, light pages run in the crawl process (pipelines/offload.py WorkerPool.run_job)
        ({"XXGK_WORKERS": 1, "XXGK_ATTACHMENTS": False, "XXGK_INLINE_BYTES": 1024}, False),
        ({"XXGK_WORKERS": 1, "XXGK_ATTACHMENTS": False, "XXGK_INLINE_BYTES": 0}, True),
        ({"XXGK_WORKERS": 1, "XXGK_ATTACHMENTS": True, "XXGK_INLINE_BYTES": 1024}, True),
    ],
)
def test_the_fork_server_starts_with_the_run_only_when_the_pool_will_run(
    settings: dict[str, Any], expected: bool
) -> None:
    from crawler import settings as project_settings
    from crawler.fleet import uses_worker_pool

    run = Settings({"ITEM_PIPELINES": project_settings.ITEM_PIPELINES})
    run.setdict(settings, priority="cmdline")
    assert uses_worker_pool(run) is expected


def test_a_run_that_will_use_the_pool_starts_the_fork_server_before_its_first_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # started by the first report page's job instead, the server's imports held the reactor
    from crawler import fleet

    started: list[bool] = []
    monkeypatch.setattr(fleet.forkserver, "ensure_running", lambda: started.append(True))
    fleet.preload_stages(Settings({"XXGK_WORKERS": 0}))
    assert started == []
    uses_the_pool = {"XXGK_WORKERS": 1, "ITEM_PIPELINES": {"pipelines.extract.ExtractPipeline": 200}}
    fleet.preload_stages(Settings(uses_the_pool))
    assert started == [True]
