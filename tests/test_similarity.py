"""Templated reports (issue 19): the comparable text, the LSH pass, the threshold, and the replica's
copied reports found with precision and recall printed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from crawler.db import open_db
from crawler.extract.shingles import name_variants, narrative_sections, sentence_key, shingles
from crawler.similarity import CANDIDATE, DEFAULT_THRESHOLD, choose_threshold, run_similarity
from tests.replica.world import World
from tests.support.similarity import constructed_db, precision_recall, replica_database, report_text

# --- the comparable text ----------------------------------------------------------------------


def test_the_templates_own_lines_and_the_preamble_are_not_compared() -> None:
    text = report_text("某县某镇人民政府", "围绕乡村振兴战略编印政策明白纸。", "公开栏更新滞后。")
    sections = narrative_sections(text, ["某县某镇人民政府"])
    assert set(sections) == {"overview", "problems", "other_matters"}
    joined = "".join(sections.values())
    for gone in ("条例", "本年制发件数", "规章", "行政复议", "总体情况", "某县某镇", "我镇"):
        assert gone not in joined
    assert sections["overview"].startswith("围绕乡村振兴战略编印政策明白纸")


def test_numbers_dates_and_the_bodys_names_do_not_count() -> None:
    one = sentence_key("2022年，威海市文登区宋村镇人民政府共公开信息35条。", name_variants(["威海市文登区宋村镇人民政府"]))
    two = sentence_key("2023年，文登区泽库镇人民政府共公开信息120条。", name_variants(["威海市文登区泽库镇人民政府"]))
    assert one == two == "共公开信息"


def test_name_variants_cut_after_the_region_longest_first() -> None:
    assert name_variants(["威海市文登区人力资源和社会保障局"]) == [
        "威海市文登区人力资源和社会保障局", "文登区人力资源和社会保障局", "人力资源和社会保障局",
    ]  # fmt: skip


def test_sentences_the_corpus_shares_are_dropped_and_a_text_without_headings_is_one_section() -> None:
    text = "我局坚持依法公开。今年新建了三个公开查阅点并延长开放时间。"
    common = frozenset({sentence_key("我局坚持依法公开。")})
    assert narrative_sections(text, common=common) == {"body": "今年新建了三个公开查阅点并延长开放时间"}


def test_shingles_are_overlapping_pieces() -> None:
    assert shingles("一二三四五六") == {"一二三四五", "二三四五六"}
    assert shingles("一二") == {"一二"} and shingles("") == set()


# --- the threshold -----------------------------------------------------------------------------


def test_the_threshold_falls_in_the_widest_gap() -> None:
    assert choose_threshold([0.52, 0.55, 0.58, 0.97, 1.0]) == pytest.approx((0.58 + 0.97) / 2, abs=1e-3)
    assert choose_threshold([0.52, 0.55]) == pytest.approx((0.55 + 1.0) / 2, abs=1e-3)  # nothing copied
    assert CANDIDATE < choose_threshold([0.99]) < 0.99


# --- the pass over a database ----------------------------------------------------------------------


def test_copied_texts_are_flagged_and_honest_ones_are_not(tmp_path: Path) -> None:
    db = open_db(constructed_db(tmp_path / "xxgk.db"))
    result = run_similarity(db)
    flagged = {row["id"] for row in db.query("select id from reports where templated = 1")}
    assert flagged == {1, 7, 2, 8}
    assert db.execute("select templated from reports where id = 9").fetchone()[0] is None  # too short
    assert result.comparable == 8 and result.flagged == 4 and result.method == "gap"
    pairs = {(r["report_id"], r["other_id"]): r for r in db.query("select * from similar_reports")}
    assert {(1, 7), (7, 1), (2, 8), (8, 2)} <= set(pairs)
    assert pairs[(2, 8)]["same_body"] == 1 and pairs[(1, 7)]["same_body"] == 0
    assert {"overview", "problems"} <= set(json.loads(pairs[(1, 7)]["sections"]))
    sections = [r["section"] for r in db.query("select section from report_sections where report_id = 1")]
    assert len(sections) == 6
    run = db.execute("select threshold, method, flagged from similarity_runs").fetchone()
    assert run == (result.threshold, "gap", 4)


def test_a_given_threshold_and_an_empty_database(tmp_path: Path) -> None:
    db = open_db(constructed_db(tmp_path / "xxgk.db"))
    assert run_similarity(db, threshold=1.01).flagged == 0
    empty = open_db(tmp_path / "empty.db")
    result = run_similarity(empty)
    assert (result.reports, result.pairs, result.threshold, result.method) == (0, 0, DEFAULT_THRESHOLD, "default")


def test_xxgk_similar_prints_the_distribution(tmp_path: Path) -> None:
    constructed_db(tmp_path / "xxgk.db")
    result = CliRunner().invoke(cli, ["similar", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "4 flagged templated" in result.output and "← threshold" in result.output
    print(result.output)


# --- the replica ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replica_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    return replica_database(tmp_path_factory.mktemp("similar") / "data")


def test_the_replicas_copied_reports_are_flagged_and_no_independent_one(replica_db: tuple[Path, World]) -> None:
    db_file, world = replica_db
    manifest = world.manifest()
    precision, recall, flagged, templated = precision_recall(db_file, manifest)
    kinds = sorted(r["templated"]["kind"] for r in manifest["reports"] if r.get("templated"))
    print(f"\ntemplated-report flag on the replica: precision {precision:.2f}, recall {recall:.2f} "
          f"({len(flagged)} flagged, {len(templated)} templated: {', '.join(kinds)})")  # fmt: skip
    assert kinds == ["last_year", "last_year", "shared_text", "shared_text"]
    assert flagged == templated, (sorted(flagged - templated), sorted(templated - flagged))


def test_the_replicas_independent_towns_with_prose_of_their_own_are_compared(replica_db: tuple[Path, World]) -> None:
    db_file, world = replica_db
    controls = {
        r.url for r in world.current_reports() if not r.templated and any("（六）特色工作" in text for _, text in r.blocks)
    }
    db = open_db(db_file)
    try:
        compared = {row["url"] for row in db.query("select url from reports where templated = 0")}
    finally:
        db.close()
    assert len(controls) == 4
    assert controls <= compared  # compared with everything, and not flagged


def test_the_index_proposes_a_handful_of_candidates_not_all_pairs(tmp_path: Path) -> None:
    from tests.bench_similarity import build

    copies = build(tmp_path / "xxgk.db", 1000)  # one report in twenty copies another's paragraph
    db = open_db(tmp_path / "xxgk.db")
    result = run_similarity(db)
    flagged = {row[0] for row in db.execute("select id from reports where templated = 1")}
    assert flagged == copies
    assert result.candidates < 2 * len(copies)  # all pairs would be 499,500


def test_xxgk_similar_has_help_and_fails_in_one_line_without_a_database(tmp_path: Path) -> None:
    assert "Example" in CliRunner().invoke(cli, ["similar", "--help"]).output
    missing = CliRunner().invoke(cli, ["similar", "--data-dir", str(tmp_path / "none")])
    assert missing.exit_code != 0 and len(missing.output.strip().splitlines()) == 1


def test_the_pass_loads_no_scientific_stack() -> None:
    # every crawl process that stores a text runs the pass: datasketch's import of scipy.integrate
    # cost about 0.7 s of CPU there, more than extracting a hundred reports
    probe = "import sys, crawler.similarity, pipelines.store; print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'datasketch'}))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).resolve().parent.parent,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
