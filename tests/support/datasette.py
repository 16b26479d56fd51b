"""The Datasette archive as ``xxgk serve`` configures it, in process: ``browse(db)`` gives a ``get``, ``check_browsing(get, …)``
the checks that hold for any archive, ``build_archive`` a small database with the real schema
(tests/test_datasette*.py, tests/test_e2e_crawl.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from crawler.bodies import backfill_bodies
from crawler.datasette import DATABASE, make_datasette
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


def browse(db_path: str | Path) -> Get:
    """A synchronous ``get`` against the archive as ``xxgk serve`` configures it."""
    ds = make_datasette(db_path)

    def get(path: str) -> httpx.Response:
        return asyncio.run(ds.client.get(path))

    return get


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


def get_json(get: Get, path: str) -> Any:
    response = get(path)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
    return response.json()


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
