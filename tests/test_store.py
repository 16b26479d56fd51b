"""The store stage over a fresh database: rows, cells, checks, aliases and versions."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from crawler.db import open_db
from crawler.items import FetchedDocument, ReportPage
from pipelines.dedupe import DedupePipeline
from pipelines.store import StorePipeline
from tests.support.store_items import AGENCY, URL_A, Stats, extracted, page

URL_B = "http://www.wendeng.gov.cn/art/2023/1/16/art_122236_12.html"


def test_a_report_becomes_one_row_with_its_headline_columns(stages) -> None:
    run, path = stages
    run(page(URL_A, extracted()))
    row = next(open_db(path)["reports"].rows)
    assert (row["agency"], row["year"], row["published"], row["sec3_new_received_total"], row["checks_failed"]) == (
        AGENCY, 2022, "2023-01-16", 3, 1,
    )


def test_cells_keep_value_raw_and_flag_in_long_format(stages) -> None:
    run, path = stages
    run(page(URL_A, extracted()))
    cells = {(c["table"], c["row"], c["column"]): (c["value"], c["raw"], c["flag"]) for c in open_db(path)["cells"].rows}
    assert cells[("sec2", "art20_8.admin_fees", "fee_amount")] == (None, "-", "marker")


def test_a_double_posting_is_one_row_recording_both_urls(stages) -> None:
    run, path = stages
    run(page(URL_A, extracted()))
    run(page(URL_B, extracted()))
    rows = list(open_db(path)["reports"].rows)
    assert [json.loads(r["urls"]) for r in rows] == [sorted([URL_A, URL_B])]


@pytest.mark.parametrize("order", ["original first", "re-post first"])
def test_a_same_text_repost_leaves_the_row_to_its_canonical_posting(stages, order: str) -> None:
    """The canonical URL is the smaller one whatever the fetch order; so are its title and date."""
    run, path = stages
    original = replace(extracted(), published="2023-01-16")
    repost = replace(extracted(), published="2023-01-19", title=f"{AGENCY}2022年政府信息公开工作年度报告（更正）")
    postings = [page(URL_B, original), page(URL_A.replace("_11", "_99"), repost)]  # URL_B < the re-post's URL
    for item in postings if order == "original first" else postings[::-1]:
        run(item)
    [row] = list(open_db(path)["reports"].rows)
    assert (row["url"], row["published"], row["title"]) == (URL_B, "2023-01-16", original.title)


def test_a_changed_report_keeps_its_earlier_version(stages) -> None:
    run, path = stages
    run(page(URL_A, extracted(received=3, text="旧")))
    run(page(URL_A, extracted(received=5, text="新"), fetched_at="2026-12-01T00:00:00Z"))
    db = open_db(path)
    assert (db["reports"].count, db["report_versions"].count, next(db["reports"].rows)["sec3_new_received_total"]) == (
        1, 1, 5,
    )


def test_every_fetched_copy_is_a_document(stages) -> None:
    run, path = stages
    run(page(URL_A, extracted()))
    run(FetchedDocument(site="wendeng", url="http://www.wendeng.gov.cn/col/col1/index.html",
                        final_url="http://www.wendeng.gov.cn/col/col1/index.html", status=200,
                        content_type="text/html", sha256="1" * 64, fetched_at="2026-11-21T00:00:00Z", role="list"))
    assert sorted(d["role"] for d in open_db(path)["documents"].rows) == ["list", "page"]


def test_a_page_that_failed_upstream_is_kept_as_a_document_with_its_error(stages) -> None:
    run, path = stages
    broken = page(URL_A, extracted())
    broken.extracted, broken.error = None, "extract: ValueError: bad table"
    run(broken)
    db = open_db(path)
    assert (db["reports"].count, next(db["documents"].rows)["error"]) == (0, "extract: ValueError: bad table")


def test_a_report_carries_the_region_of_its_site(stages) -> None:
    run, path = stages
    run(page(URL_A, extracted()))
    assert next(open_db(path)["reports"].rows)["region"] == "山东省威海市文登区"


def _one_run(path: Path, *items: ReportPage) -> None:
    stats = Stats()
    dedupe, store = DedupePipeline(path, stats), StorePipeline(path, stats)
    dedupe.open_spider()
    store.open_spider()
    for item in items:
        store.process_item(dedupe.process_item(item))
    dedupe.close_spider()
    store.close_spider()


def test_the_templated_pass_runs_only_after_a_run_that_stored_a_text(tmp_path: Path) -> None:
    path = tmp_path / "xxgk.db"
    _one_run(path, page(URL_A, extracted()))
    assert open_db(path)["similarity_runs"].count == 1
    _one_run(path, page(URL_A, extracted()))  # the same text again: nothing new to compare
    assert open_db(path)["similarity_runs"].count == 1
    _one_run(path, page(URL_A, extracted(text="正文，改过")))  # a new version is compared again
    assert open_db(path)["similarity_runs"].count == 2


def test_the_search_pass_runs_after_every_run_even_one_that_wrote_nothing(tmp_path: Path, monkeypatch) -> None:
    # a run killed during its refresh left reports unindexed: the next run, writing nothing, indexes them
    import pipelines.store

    passes: list[str] = []
    monkeypatch.setattr(pipelines.store, "refresh_search_index", lambda db, map_rows=map: passes.append("search"))
    path = tmp_path / "xxgk.db"
    _one_run(path, page(URL_A, extracted()))
    _one_run(path)
    assert passes == ["search", "search"]


def test_the_platform_probe_runs_no_search_pass() -> None:
    from crawler.distributed.resolve import PROBE_SETTINGS
    from crawler.settings import XXGK_SEARCH_PASS

    assert XXGK_SEARCH_PASS is True and PROBE_SETTINGS["XXGK_SEARCH_PASS"] is False
