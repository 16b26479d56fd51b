"""Browsing in Datasette, in-process: search box, facets, canned queries, report card, charts.

Reusable for a crawled database: ``browse(db_path)`` gives a ``get(path) -> Response`` over the
served configuration, and ``check_browsing(get, …)`` runs the checks that hold for any archive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from crawler.bodies import backfill_bodies
from crawler.datasette import DATABASE, load_metadata, make_datasette
from crawler.db import open_db
from crawler.search import refresh_search_index
from crawler.similarity import run_similarity

Get = Callable[[str], httpx.Response]
FACETS = ["year", "site", "level", "region", "format", "table_render", "checks_failed"]
CANNED = ["search", "applications", "hard_check_failures", "missing_reports", "carry_over_mismatches", "report_sec3",
          "body_series", "templated_pairs"]

CAIZHENG = "威海市文登区财政局"
ZHUJIAN = "威海市文登区住房和城乡建设局"
GOV = "威海市文登区人民政府"
WEIJIAN = "海原县卫生健康局"


# --- reusable helpers -----------------------------------------------------------------------------


def browse(db_path: str | Path) -> Get:
    """A synchronous ``get`` against the archive as ``xxgk serve`` configures it."""
    ds = make_datasette(db_path)

    def get(path: str) -> httpx.Response:
        return asyncio.run(ds.client.get(path))

    return get


def get_json(get: Get, path: str) -> Any:
    response = get(path)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
    return response.json()


def search_ids(get: Get, query: str) -> set[int]:
    rows = get_json(get, f"/{DATABASE}/reports.json?_search={query}&_col=id&_shape=array&_size=max")
    return {row["id"] for row in rows}


def check_browsing(get: Get, *, report_id: int) -> None:
    """What must hold for any archive: pages render, facets exist, every canned query runs."""
    assert get("/").status_code == 200
    tables = {t["name"]: t for t in get_json(get, f"/{DATABASE}.json")["tables"]}
    assert not {"_sqlite_migrations", "reports_search", "reports_search_fts"} & {
        name for name, t in tables.items() if not t["hidden"]
    }
    facets = get_json(get, f"/{DATABASE}/reports.json?_size=0")["facet_results"]
    assert set(FACETS) <= set(facets)
    check_facets = get_json(get, f"/{DATABASE}/checks.json?_size=0")["facet_results"]
    assert {"rule", "status", "hard"} <= set(check_facets)
    for name in CANNED:
        result = get_json(get, f"/{DATABASE}/{name}.json?q=复议&id={report_id}")
        assert result["ok"], (name, result.get("error"))
    card = get(f"/{DATABASE}/reports/{report_id}")
    assert card.status_code == 200 and "三、收到和处理政府信息公开申请情况" in card.text
    dashboard = get("/-/dashboards/xxgk")
    assert dashboard.status_code == 200 and "vega-lite" in dashboard.text


# --- the fixture archive --------------------------------------------------------------------------


def sec3(received: int, carried_over: int, carried_forward: int) -> dict[str, int]:
    return {"new_received": received, "carried_over": carried_over, "granted": received + carried_over - carried_forward,
            "total_processed": received + carried_over - carried_forward, "carried_forward": carried_forward}  # fmt: skip


REPORTS = [
    # id, agency, level, year, text, sec3 totals
    (1, CAIZHENG, "department", 2022, "本年度收到行政复议申请1件，无行政诉讼。", sec3(5, 0, 2)),
    (2, CAIZHENG, "department", 2023, "本年度未发生行政诉讼案件。", sec3(4, 1, 0)),
    (3, GOV, "government", 2022, "依申请公开情况良好，因政府信息公开被申请行政复议0件。", sec3(9, 0, 0)),
    (4, ZHUJIAN, "department", 2023, "主动公开文件12件。", sec3(3, 0, 0)),
    (5, WEIJIAN, "department", 2023, "卫生健康领域信息公开。", sec3(7, 0, 0)),
]


def build_archive(path: Path) -> Path:
    """A small database with the real schema: five reports, their sec3 totals, one failing check."""
    db = open_db(path)
    for report_id, agency, level, year, text, totals in REPORTS:
        site = "hy" if agency.startswith("海原") else "wendeng"
        db["reports"].insert(
            {"id": report_id, "site": site, "agency": agency, "agency_key": agency, "agency_as_printed": agency,
             "year": year, "title": f"{agency}{year}年政府信息公开工作年度报告", "url": f"http://{site}.test/{report_id}.html",
             "urls": "[]", "published": f"{year + 1}-01-20", "level": level, "format": "G2", "table_render": "html",
             "sec3_new_received_total": totals["new_received"], "checks_failed": int(report_id == 3),
             "warnings": "[]", "text": text, "version": 1}
        )  # fmt: skip
        db["cells"].insert_all(
            {"report_id": report_id, "table": "sec3", "row": row, "column": "total", "value": value, "raw": str(value)}
            for row, value in totals.items()
        )
        db["documents"].insert(
            {"site": site, "url": f"http://{site}.test/{report_id}.html", "report_id": report_id, "role": "page",
             "status": 200, "fetched_at": "2026-01-01T00:00:00Z", "warc_file": "x.warc.gz", "warc_offset": 0}
        )  # fmt: skip
    db["checks"].insert_all(
        [
            {"report_id": 3, "rule": "sec3.identity", "status": "fail", "hard": 1, "delta": 1, "detail": "total: 9 ≠ 8"},
            {"report_id": 1, "rule": "sec3.identity", "status": "pass", "hard": 1},
        ]
    )
    backfill_bodies(db)  # the bodies the five reports name, as the store would have made them
    refresh_search_index(db)
    run_similarity(db)  # as at the end of a crawl: report_sections, reports.templated
    db.close()
    return path


@pytest.fixture(scope="module")
def get(tmp_path_factory: pytest.TempPathFactory) -> Get:
    return browse(build_archive(tmp_path_factory.mktemp("archive") / "xxgk.db"))


# --- tests ----------------------------------------------------------------------------------------


def test_the_served_configuration_works_for_the_fixture_archive(get: Get) -> None:
    check_browsing(get, report_id=1)


def test_the_search_box_finds_two_character_terms_phrases_and_body_names(get: Get) -> None:
    assert search_ids(get, "复议") == {1, 3}
    assert search_ids(get, "诉讼") == {1, 2}
    assert search_ids(get, "行政复议申请") == {1}
    assert search_ids(get, WEIJIAN) == {5}
    assert search_ids(get, "文登区财政局") == {1, 2}
    assert search_ids(get, "复议 诉讼") == {1}
    assert search_ids(get, "仲裁") == set()


def test_the_search_page_shows_the_query_as_typed(get: Get) -> None:
    page = get(f"/{DATABASE}/reports?_search=复议")
    assert page.status_code == 200 and 'value="复议"' in page.text


def test_facets_count_years_and_levels(get: Get) -> None:
    facets = get_json(get, f"/{DATABASE}/reports.json?_size=0")["facet_results"]
    years = {r["value"]: r["count"] for r in facets["year"]["results"]}
    assert years == {2022: 2, 2023: 3}
    assert {r["value"]: r["count"] for r in facets["level"]["results"]} == {"department": 4, "government": 1}


def test_bodies_facet_by_level_and_county(get: Get) -> None:
    facets = get_json(get, f"/{DATABASE}/bodies.json?_size=0")["facet_results"]
    levels = {r["value"]: r["count"] for r in facets["level"]["results"]}
    assert levels == {"department": 3, "government": 2}  # 3 departments; the two county governments
    assert {r["value"] for r in facets["county"]["results"]} == {"文登区", "海原县"}
    assert get(f"/{DATABASE}/bodies").status_code == 200


def rows(get: Get, query: str, **params: Any) -> list[dict[str, Any]]:
    args = "&".join(f"{k}={v}" for k, v in params.items())
    return get_json(get, f"/{DATABASE}/{query}.json?_shape=array&{args}")


def test_canned_search_ranks_with_context(get: Get) -> None:
    found = rows(get, "search", q="诉讼")
    assert {r["report_id"] for r in found} == {1, 2}
    assert all("诉讼" in r["context"] for r in found)


def test_applications_is_one_wide_row_per_report(get: Get) -> None:
    found = {r["report_id"]: r for r in rows(get, "applications")}
    assert set(found) == {1, 2, 3, 4, 5}
    assert (found[1]["new_total"], found[1]["granted"], found[1]["carried_forward"]) == (5, 3, 2)
    assert [r["report_id"] for r in rows(get, "applications", agency="财政局", year=2023)] == [2]


def test_hard_check_failures(get: Get) -> None:
    assert [(r["report_id"], r["rule"]) for r in rows(get, "hard_check_failures")] == [(3, "sec3.identity")]


def test_missing_reports_compares_siblings_of_the_same_site_and_level(get: Get) -> None:
    missing = {(r["agency"], r["missing_year"]) for r in rows(get, "missing_reports")}
    # 住建局 lacks 2022, which its sibling 财政局 has; 人民政府 (another level) and 卫健局 (another site) have no siblings
    assert missing == {(ZHUJIAN, 2022)}


def test_carry_over_mismatches_compare_consecutive_years(get: Get) -> None:
    found = rows(get, "carry_over_mismatches", column="total")
    assert [(r["agency"], r["year"], r["carried_forward"], r["next_carried_over"], r["delta"]) for r in found] == [
        (CAIZHENG, 2022, 2, 1, -1)
    ]


def test_report_sec3_is_in_template_order_with_labels(get: Get) -> None:
    found = rows(get, "report_sec3", id=1)
    assert [r["row"] for r in found] == ["new_received", "carried_over", "granted", "total_processed", "carried_forward"]
    assert found[0]["项目"] == "一、本年新收政府信息公开申请数量" and found[0]["总计"] == 5


def test_the_report_card_lays_out_the_tables_and_links_the_archived_copy(get: Get) -> None:
    card = get(f"/{DATABASE}/reports/1").text
    assert f"{CAIZHENG} · 2022 年度报告" in card
    assert "（七）总计" in card and "行政复议" in card
    assert "/-/xxgk/archive/x.warc.gz/0" in card
    other_row = get(f"/{DATABASE}/documents/1")
    assert other_row.status_code == 200 and "年度报告" not in other_row.text


def test_a_missing_archived_copy_is_a_404_not_a_crash(get: Get) -> None:
    assert get("/-/xxgk/archive/x.warc.gz/0").status_code == 404
    assert get("/-/xxgk/archive/xxgk.db/0").status_code == 404  # only records under DIR/warc
    assert get("/-/xxgk/archive/..%2Fxxgk.db/0").status_code in (302, 404)


def test_every_chart_query_runs(get: Get) -> None:
    charts = load_metadata()["plugins"]["datasette-dashboards"]["xxgk"]["charts"]
    for name, chart in charts.items():
        if "query" in chart:
            sql = chart["query"].replace("[[", "/*").replace("]]", "*/")
            response = get_json(get, f"/{DATABASE}.json?" + httpx.QueryParams({"sql": sql, "_shape": "array"}).__str__())
            assert isinstance(response, list), name
    assert get("/-/dashboards/xxgk/embed").status_code == 200


def test_the_quality_view_and_the_series_are_browsable(get: Get) -> None:
    quality = {r["report_id"]: r for r in get_json(get, f"/{DATABASE}/report_quality.json?_shape=array")}
    assert set(quality) == {1, 2, 3, 4, 5}
    assert (quality[3]["hard_checks_ok"], quality[1]["hard_checks_ok"], quality[1]["on_time"]) == (0, 1, 1)
    series = rows(get, "body_series", agency="财政局")
    assert [(r["year"], r["new_requests"], r["new_requests_change"]) for r in series] == [(2022, 5, None), (2023, 4, -1)]
    assert series[1]["outliers"] == "carry_chain"  # 2023 carried over 1, 2022 carried forward 2
    bodies = get_json(get, f"/{DATABASE}/body_quality.json?_shape=array")
    assert {b["agency"] for b in bodies} == {CAIZHENG, ZHUJIAN, GOV, WEIJIAN}
    assert get("/-/dashboards/xxgk/body-series").status_code == 200
