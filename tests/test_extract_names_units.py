"""A region's name needs a stem that is not itself a unit (batch f, tests/realworld/INDEX-f.md):
「市市场监督管理局」 (the city's 市场监管局, the city unnamed) names no place, 「市中区…」 does; a title broken over two lines is read whole."""

from __future__ import annotations

import pytest

from crawler.extract.metadata import extract_metadata
from crawler.extract.names import names_a_place
from crawler.extract.places import complete_from_text


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


@pytest.mark.parametrize(
    ("text", "completed"),
    [
        # the short form printed elsewhere tells where the stem starts
        (
            "按照甲乙县人民政府办公室通知要求。在甲乙苗族瑶族傣族自治县人民政府门户网站主动公开政府信息8条。",
            "甲乙苗族瑶族傣族自治县丙丁乡人民政府",
        ),
        ("依托甲乙丙回族自治县政府网公开信息。甲乙丙县委、县政府高度重视。", "甲乙丙回族自治县丙丁乡人民政府"),
        # no short form printed: the stem's start is not told, no completion
        ("在甲乙苗族瑶族傣族自治县人民政府门户网站主动公开政府信息8条。", None),
        # no people's name before 自治县: not an autonomous county's name
        ("在甲乙自治县人民政府门户网站公开信息。甲乙县", None),
    ],
)
def test_an_autonomous_countys_website_completes_a_township(text: str, completed: str | None) -> None:
    assert complete_from_text("丙丁乡人民政府", text) == completed
