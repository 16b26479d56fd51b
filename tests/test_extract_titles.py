"""Title grammar (crawler/extract/titles.py) on constructed titles: one simplified-script rule for
link texts, listing titles and the report's own title lines."""

from __future__ import annotations

import re

import pytest

from crawler.extract.names import region_unit
from crawler.extract.normalise import simplified_line
from crawler.extract.titles import (
    clean_text,
    is_annual_report_title,
    normalise_title,
    report_year_from_title,
    simplified,
)


@pytest.mark.parametrize("text", ["政府信息公开工作年度报告", "財政局2023年度報告", "文(wen)章", "", "abc"])
def test_simplified_is_the_title_line_rule(text: str) -> None:
    assert simplified(text) == (simplified_line(text) or text)


def test_a_mirrors_pinyin_does_not_hide_a_traditional_report_title() -> None:
    title = "某縣2023年政府資訊公開工作年度報(bào)告"
    assert normalise_title(title) == "某县2023年政府信息公开工作年度报告"
    assert is_annual_report_title(title) and report_year_from_title(title) == 2023


def test_brackets_are_unified_after_the_script() -> None:
    assert normalise_title("某县 2023年 政府信息公开工作年度报告(更正)") == "某县2023年政府信息公开工作年度报告（更正）"


def test_clean_text_collapses_whitespace() -> None:
    assert clean_text("  2023年\n\t年度报告 ") == "2023年 年度报告" and clean_text(None) == ""


@pytest.mark.parametrize(
    ("name", "units"),
    [
        ("山东省威海市文登区财政局", ["山东省", "威海市", "文登区"]),
        ("宁夏回族自治区中卫市海原县", ["宁夏回族自治区", "中卫市", "海原县"]),
        ("香港特别行政区政府", ["香港特别行政区"]),
    ],
)
def test_one_unit_pattern_for_names_and_bodies(name: str, units: list[str]) -> None:
    assert re.findall(region_unit(2, 10), name) == units
