"""Body names completed (or refused) from what the text says around them: the levels listed above a
township, a county the text refers to without naming it, a banner it speaks for as 「我旗」, an
autonomous region by its short name; and a misprinted headline count. Constructed examples only."""

from __future__ import annotations

import pytest

from crawler.extract.metadata import extract_metadata
from crawler.extract.narrative import extract_narrative
from crawler.extract.places import (
    autonomous_region,
    complete_from_text,
    printed_parents,
    refers_to_unnamed_county,
)


@pytest.mark.parametrize(
    ("text", "parents"),
    [
        ("按照自治区、甲乙市、丙丁区各级关于政府信息公开工作的要求", "甲乙市丙丁区"),
        ("按照省、甲乙市、丙丁县各级的要求", "丙丁县"),
        ("按照甲乙市、丙丁市两级要求", "丙丁市"),
        ("按照甲州市、伊州区各级要求", "甲州市伊州区"),  # 州 inside a place's own name
        ("按照省、市、县各级要求", None),  # levels without names tell nothing
        ("按照甲乙市、丙丁区各级要求，结合某部门实际", "甲乙市丙丁区"),
    ],
)
def test_the_levels_listed_above_a_body(text: str, parents: str | None) -> None:
    assert printed_parents(text) == parents


def test_a_township_takes_its_county_from_the_levels_listed() -> None:
    text = "2024年，某某乡政府信息公开工作在区委、区政府的领导下，按照自治区、甲乙市、丙丁区各级的要求，结合我乡实际。"
    assert extract_metadata(None, text).agency == "甲乙市丙丁区某某乡人民政府"


def test_a_city_name_with_zhou_completes_a_district_department() -> None:
    assert complete_from_text("乙丙区财政局", "甲州市乙丙区财政局高度重视") == "甲州市乙丙区财政局"


@pytest.mark.parametrize(
    ("text", "refers"),
    [
        ("在县委、县政府的正确领导下", True),
        ("对照全县政务公开要点", True),
        ("按照自治区政府信息公开工作有关规定", False),  # the region's government, not a county's
        ("全区域推进", False),
        ("某某县委宣传部", False),  # a named county
    ],
)
def test_a_county_referred_to_without_its_name(text: str, refers: bool) -> None:
    assert refers_to_unnamed_county(text) is refers


def test_a_township_under_an_unnamed_county_has_no_full_name() -> None:
    text = "本报告由某某乡人民政府编制。\n2023年，在县委、县政府的正确领导下，某某乡人民政府认真贯彻《条例》。"
    metadata = extract_metadata(None, text)
    assert (metadata.agency, metadata.agency_as_printed) == (None, "某某乡人民政府")
    assert any("without the county" in warning for warning in metadata.warnings)


def test_a_township_with_no_county_in_sight_keeps_its_name() -> None:
    text = "为此，我苏木成立某某苏木政府信息公开领导小组，按照自治区政府信息公开工作有关规定开展工作。"
    assert extract_metadata(None, text).agency == "某某苏木人民政府"


def test_the_banner_a_report_speaks_for_printed_once() -> None:
    text = "特向社会公布我旗2021年度信息公开年度报告。旗政府高度重视。截至2021年底，甲乙丙旗政府网站发布信息。"
    assert extract_metadata(None, text).agency == "甲乙丙旗人民政府"


def test_two_banners_printed_once_each_name_neither() -> None:
    text = "特向社会公布我旗2021年度报告。与甲乙丙旗交流，与丁戊旗合作。"
    assert extract_metadata(None, text).agency is None


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("贯彻视察新疆重要讲话精神，新疆政府网微信公众号推送信息", "新疆维吾尔自治区"),
        ("宁夏回族自治区各地，与新疆开展合作", "宁夏回族自治区"),
        ("与新疆、西藏开展合作", None),  # printed as often: no choice
        ("自治区人民政府办公厅", None),
    ],
)
def test_an_autonomous_region_by_its_full_or_short_name(text: str, region: str | None) -> None:
    assert autonomous_region(text) == region


def test_a_headline_count_whose_xi_was_dropped() -> None:
    narrative = extract_narrative("在县政府网上共发布各类政务信40余条，对乡政务动态进行发布。")
    assert (narrative.proactive_total, narrative.proactive_approx) == (40, True)
