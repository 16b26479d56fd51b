"""A zone's abbreviated name expanded to the full name the same text prints (crawler/extract/zones.py)."""

from __future__ import annotations

import pytest

from crawler.extract.metadata import extract_metadata
from crawler.extract.zones import expand_zone


@pytest.mark.parametrize(
    ("name", "text", "expanded"),
    [
        # 高新区 is 高新技术产业开发区 abbreviated, printed inside a website's name
        (
            "甲乙高新区管理委员会",
            "可从甲乙高新技术产业开发区管委会网站上下载。",
            "甲乙高新技术产业开发区管理委员会",
        ),
        ("甲乙开发区管理委员会", "甲乙经济开发区管委会入口网站设立园区概况。", "甲乙经济开发区管理委员会"),
        # an abbreviation the zone list does not hold (经开区) is not read as a zone: left as printed
        ("甲乙经开区管理委员会", "我委(甲乙经济技术开发区)认真开展工作。", "甲乙经开区管理委员会"),
        # two different full forms printed: which one is not told
        ("甲乙开发区管理委员会", "甲乙经济开发区、甲乙高新技术产业开发区", "甲乙开发区管理委员会"),
        # a longer zone of another kind after the same place is no expansion (高新区 is not in 综合保税区)
        ("甲乙高新区管理委员会", "甲乙综合保税区管委会", "甲乙高新区管理委员会"),
        # only the short form printed
        ("甲乙高新区管理委员会", "甲乙高新区管委会累计主动公开信息272条。", "甲乙高新区管理委员会"),
        # not a zone's committee
        ("甲乙县人民政府", "甲乙县经济开发区", "甲乙县人民政府"),
        # another zone after the same place (a district's 经济开发区): not this zone's full name
        ("湖州开发区管理委员会", "本委与湖州南浔经济开发区合作。", "湖州开发区管理委员会"),
        # prose or another body between the place and the zone: no full name
        ("甲乙市高新区管理委员会", "甲乙市和高新区管委会联合发文。", "甲乙市高新区管理委员会"),
        ("甲乙市高新区管理委员会", "甲乙市人民政府高新区办公室", "甲乙市高新区管理委员会"),
        ("甲乙市开发区管理委员会", "甲乙市经济技术开发区", "甲乙市经济技术开发区管理委员会"),
    ],
)
def test_expand_zone(name: str, text: str, expanded: str) -> None:
    assert expand_zone(name, text) == expanded


def test_a_reports_short_zone_name_takes_the_full_form_its_text_prints() -> None:
    text = "\n".join(
        [
            "甲乙开发区管委会2010年度政府信息公开年度报告",
            "一、概述",
            "2010年度,我委共主动公开政府信息180条。",
            "我委已建立甲乙经济开发区管委会门户网站。",
        ]
    )
    assert extract_metadata(None, text).agency == "甲乙经济开发区管理委员会"


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        # the committee's whole name at a line start
        (
            "甲乙高新区管委会2010年年报根据《条例》编制。\n2010年,高新区管委会认真开展工作。",
            "甲乙高新区管理委员会",
        ),
        # after a punctuation mark
        ("本报告由委办公室编制,甲乙高新区管理委员会负责解释。", "甲乙高新区管理委员会"),
        # two places printed so: which one is not told
        ("甲乙高新区管委会、丙丁高新区管委会联合发文。", None),
        # the zone inside prose, not the committee's name: no place read from the words before it
        ("依托市政府入口网站和高新区入口网站公开信息。", None),
        ("本年度,配合乐山高新区管委会开展工作。", None),
        ("2012年，在乐山高新区管委会的领导下", None),
        ("甲乙市和高新区管委会联合发文。", None),
        # a place printed with its unit
        ("甲乙市高新区管委会负责解释。", "甲乙市高新区管理委员会"),
    ],
)
def test_a_bare_zone_committee_takes_the_place_printed_with_its_whole_name(
    text: str, expanded: str | None
) -> None:
    assert expand_zone("高新区管理委员会", text) == (expanded or "高新区管理委员会")


@pytest.mark.parametrize("pointer", ["全市", "本区", "我县", "该市", "各区", "今年", "市区"])
def test_a_word_pointing_at_a_place_is_no_zones_place(pointer: str) -> None:
    # a word that only points at a place (全市, 本区), or two characters that are no name, printed
    # before the zone: neither expanded nor taken as a bare committee's place
    assert expand_zone(f"{pointer}高新区管理委员会", f"{pointer}高新技术产业开发区建设加快。") == (
        f"{pointer}高新区管理委员会"
    )
    assert expand_zone("高新区管理委员会", f"。{pointer}高新区管委会负责解释。") == "高新区管理委员会"


@pytest.mark.parametrize(("place", "full"), [("沛县", "沛县高新技术产业开发区"), ("乐山", "乐山高新技术产业开发区")])
def test_a_one_character_county_or_a_short_name_is_a_zones_place(place: str, full: str) -> None:
    assert expand_zone(f"{place}高新区管理委员会", f"可从{full}管委会网站下载。") == f"{full}管理委员会"


@pytest.mark.parametrize(
    "place", ["日照", "本溪", "全椒县", "共青城市", "将乐县", "日喀则市", "全州县", "月湖区", "可克达拉市"]
)
def test_a_real_place_starting_with_a_pointers_character_is_a_zones_place(place: str) -> None:
    # 日, 本, 全, 共, 将, 可 start real names: only a whole pointer stem (全市, 本区) is refused
    full = f"{place}高新技术产业开发区"
    assert expand_zone(f"{place}高新区管理委员会", f"可从{full}管委会网站下载。") == f"{full}管理委员会"
    assert expand_zone("高新区管理委员会", f"。{place}高新区管委会负责解释。") == f"{place}高新区管理委员会"
