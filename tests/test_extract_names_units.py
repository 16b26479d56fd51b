"""A region's name needs a stem that is not itself a unit (batch f, tests/realworld/INDEX-f.md):
「市市场监督管理局」 (the city's 市场监管局, the city unnamed) names no place, 「市中区…」 does; a title broken over two lines is read whole."""

from __future__ import annotations

import pytest

from crawler.extract.metadata import extract_metadata
from crawler.extract.names import names_a_place


@pytest.mark.parametrize("name", ["市市场监督管理局", "县市场监督管理局", "区市场监督管理局", "市区统计局"])
def test_a_unit_without_a_stem_names_no_place(name: str) -> None:
    assert not names_a_place(name)


@pytest.mark.parametrize("name", ["市中区市场监督管理局", "沛县市场监督管理局", "甲乙市市场监督管理局", "郑州市档案馆"])
def test_a_unit_with_a_stem_names_its_place(name: str) -> None:
    assert names_a_place(name)


def test_a_body_named_by_its_unnamed_city_is_no_full_name() -> None:
    text = "一、总体情况\n2024年,市市场监管局坚持依法公开。\n(一)主动公开政府信息情况。全年主动公开政府信息20条。"
    metadata = extract_metadata(None, text)
    assert metadata.agency is None
    assert metadata.agency_as_printed == "市市场监管局"


@pytest.mark.parametrize(
    ("first", "second"),
    [("甲乙市丙丁区档案馆2025年政府", "信息公开工作年度报告"), ("甲乙县统计局", "2024年政府信息公开工作年度报告")],
)
def test_a_title_broken_over_two_lines_is_read_whole(first: str, second: str) -> None:
    text = "\n".join([first, second, "如有疑问,请与甲乙市丙丁区档案馆办公室联系。", "一、总体情况"])
    assert extract_metadata(None, text).agency == (first + second).split("20")[0]


def test_a_title_on_the_next_line_is_not_joined_to_the_line_above() -> None:
    text = "\n".join(["首页 > 政务公开", "甲乙县统计局2024年政府信息公开工作年度报告", "一、总体情况"])
    assert extract_metadata(None, text).agency == "甲乙县统计局"
