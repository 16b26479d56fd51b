"""Browsing in Datasette, in-process: search box, facets, canned queries, report card, charts.

The helpers, reusable for a crawled database (``browse``, ``check_browsing``, ``build_archive``), are
in tests/support/datasette.py.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crawler.datasette import DATABASE, load_metadata
from tests.support.datasette import (
    CAIZHENG,
    GOV,
    WEIJIAN,
    ZHUJIAN,
    Get,
    browse,
    build_archive,
    check_browsing,
    get_json,
    search_ids,
)

# --- the fixture archive --------------------------------------------------------------------------


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
