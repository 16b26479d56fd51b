"""The real-world evaluation gate: no field of ``make eval`` may fall below tests/realworld/baseline.json.

The baseline is raised in the commit that earns it (``python -m tests.realworld.evaluate --json``)
and never lowered silently.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.realworld.evaluate import evaluate
from tests.realworld.scoring import same_number, score_cells, truth_cells

BASELINE = Path(__file__).parent / "realworld" / "baseline.json"


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, float]]:
    return evaluate().figures()


@pytest.mark.parametrize("name", sorted(json.loads(BASELINE.read_text(encoding="utf-8"))))
def test_no_field_falls_below_its_baseline(figures: dict[str, dict[str, float]], name: str) -> None:
    stored = json.loads(BASELINE.read_text(encoding="utf-8"))[name]
    now = figures[name]
    assert now["total"] == stored["total"], f"{name}: the number of scored items changed"
    assert now["hits"] >= stored["hits"], f"{name}: {now['hits']}/{now['total']} < baseline {stored['hits']}"


def test_truth_labels_map_onto_schema_codes() -> None:
    truth = {
        "format_version": "2019",
        "ground_truth": {
            "sec2": {
                "第二十条第(一)项": {
                    "规范性文件": {"本年新制作数量": 1, "本年新公开数量": 2, "对外公开总数量": 3}
                },
                "第二十条第(五)项": {"行政许可": {"上一年项目数量": 7, "本年增/减": -4, "处理决定数量": 2}},
            },
            "sec3": {
                "rows": {
                    "（六）其他处理": [0, 0, 0, 0, 0, 0, 0],
                    "四、结转下年度继续办理": [1, 0, 0, 0, 0, None, 1],
                }
            },
            "sec4": {"行政复议": [0, 1, 0, 0, 1]},
        },
    }
    cells = truth_cells(truth)
    assert cells["sec2.art20_1.normative_documents.new_published"] == 2
    assert cells["sec2.art20_5.licensing.delta"] == -4
    assert cells["sec3.other.total"] == 0 and cells["sec3.carried_forward.other_org"] is None
    assert cells["sec4.review.corrected"] == 1 and len(cells) == 6 + 14 + 5


def test_g2_single_value_rows_and_units_map_onto_the_block_column() -> None:
    truth = {
        "format_version": "2021",
        "ground_truth": {
            "sec2": {
                "第二十条第（八）项": {"行政事业性收费_万元": 75.9},
                "第二十条第（五）项": {"行政许可": 12},
            }
        },
    }
    assert truth_cells(truth) == {
        "sec2.art20_8.admin_fees.fee_amount": 75.9,
        "sec2.art20_5.licensing.decisions": 12,
    }


def test_cells_compare_as_numbers_and_null_wants_null() -> None:
    assert same_number(75.9, 75.90) and same_number(3, 3.0)
    assert not same_number(None, 0) and not same_number(0, None) and same_number(None, None)
    report = {"sec4": {"review": {"upheld": {"value": 0}}}, "sec2": {}, "sec3": {}}
    scores = score_cells(report, {"ground_truth": {"sec4": {"行政复议": [0, None, 0, 0, 0]}}})
    assert [s.hit for s in scores] == [True, True, False, False, False]
