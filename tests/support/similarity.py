"""Databases for the templated-report pass: constructed texts, or the replica's world reparsed, and the
pass's precision and recall against the world's manifest (tests/test_similarity.py, tests/test_reparse_batches.py, tests/bench_similarity.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from crawler.db import open_db
from crawler.reparse import reparse_in_place
from tests.replica.templated import own_prose
from tests.replica.world import World, build_world
from tests.support.played_archive import Archive, page_context

TOWNS = ["甲县东镇人民政府", "甲县西镇人民政府", "甲县南镇人民政府", "甲县北镇人民政府", "甲县中镇人民政府", "乙县河镇人民政府"]
OPENING = "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，现公布{name}2023年政府信息公开工作年度报告。"


def constructed_db(path: Path) -> Path:
    """Six towns' own prose (the phrase bank of the replica), two copies, one with too little text."""
    import random

    db = open_db(path)
    prose = {town: own_prose(random.Random(town)) for town in TOWNS}
    rows = [(i + 1, town, 2023, report_text(town, *prose[town])) for i, town in enumerate(TOWNS)]
    # a copy of 东镇 by 丙县山镇 (name changed, numbers changed); 西镇 2022 = its 2023 text with the year
    rows.append((7, "丙县山镇人民政府", 2023, report_text("丙县山镇人民政府", *prose[TOWNS[0]], requests=9)))
    rows.append((8, TOWNS[1], 2022, report_text(TOWNS[1], *prose[TOWNS[1]], requests=1).replace("2023", "2022")))
    rows.append((9, "丁县短镇人民政府", 2023, report_text("丁县短镇人民政府", "依法公开。", "无。")))
    for report_id, agency, year, text in rows:
        db["reports"].insert({"id": report_id, "site": "t", "url": f"http://t.test/{report_id}", "agency": agency,
                              "agency_key": agency, "agency_as_printed": agency, "year": year, "text": text})  # fmt: skip
    db.close()
    return path


def replica_database(data_dir: Path) -> tuple[Path, World]:
    """Every current replica report page archived and reparsed (the pass runs at the store's close)."""
    world = build_world(0)
    archive = Archive(data_dir / "warc")
    for report in world.current_reports():
        parts = urlsplit(report.url)
        served = world.handle("GET", parts.hostname or "", parts.path)
        archive.fetch(report.url, served.body, page_context(report.site, report.title), headers=dict(served.headers))
    archive.close()
    reparse_in_place(data_dir)
    return data_dir / "xxgk.db", world


def precision_recall(db_file: Path, manifest: dict) -> tuple[float, float, set[str], set[str]]:
    templated = {r["url"] for r in manifest["reports"] if r.get("templated")}
    db = open_db(db_file)
    try:
        flagged = {row["url"] for row in db.query("select url from reports where templated = 1")}
    finally:
        db.close()
    hits = flagged & templated
    precision = len(hits) / len(flagged) if flagged else 1.0
    recall = len(hits) / len(templated) if templated else 1.0
    return precision, recall, flagged, templated


def report_text(name: str, overview: str, problems: str, *, requests: int = 3) -> str:
    """A template-shaped report: preamble, six headings, a flattened table, the body's own prose."""
    return "\n".join([
        name, "2023年政府信息公开工作年度报告", OPENING.format(name=name),
        "一、总体情况", f"2023年，我镇{overview}", f"我镇共收到政府信息公开申请{requests}件。",
        "二、主动公开政府信息情况", "第二十条第（一）项", "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "规章\t0\t0\t0",
        "三、收到和处理政府信息公开申请情况", f"一、本年新收政府信息公开申请数量\t{requests}\t0\t{requests}",
        "四、政府信息公开行政复议、行政诉讼情况", "行政复议\t行政诉讼",
        "五、存在的主要问题及改进情况", problems,
        "六、其他需要报告的事项", "本年度未收取信息处理费。", name, "2024年1月15日",
    ])  # fmt: skip
