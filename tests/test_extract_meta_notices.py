"""Metadata and headline grammars the real-world batch e showed (tests/realworld/INDEX-e.md), on
constructed texts: a title printed as a meta-table field, a report inside its 印发 notice, the
公文生成日期 of Fujian CMS pages, a cumulative count followed by the year's new items, the site
holding the report, a withheld township's fullest printed name, an approximate count that lost its
unit, and channel counts under one numbered heading per channel."""

from __future__ import annotations

import pytest

from crawler.extract.metadata import extract_metadata
from crawler.extract.narrative import extract_narrative

PERIOD_2025 = "本报告所列数据的统计期限自2025年1月1日起至2025年12月31日止。"


@pytest.mark.parametrize("label", ["标 题", "标题", "标 题:", "题名"])
def test_a_meta_tables_title_field_label_is_no_part_of_the_name(label: str) -> None:
    text = "\n".join(
        [
            "索 引 号 000/2026-00001 分 类 报告",
            "发布机构 农业局 发文日期 2026-01-15",
            f"{label} 甲乙区农业农村局政府信息公开工作2025年度报告",
            PERIOD_2025,
        ]
    )
    metadata = extract_metadata(None, text)
    assert metadata.agency == "甲乙区农业农村局"
    assert metadata.published == "2026-01-15"


@pytest.mark.parametrize("verb", ["关于印发", "关于公布", "关于印发《"])
def test_the_issuer_of_a_notice_wrapping_the_report_is_the_body(verb: str) -> None:
    closing = "》的通知" if verb.endswith("《") else "的通知"
    text = "\n".join([f"甲乙市丙丁区教育局{verb}2025年政府信息公开工作年度报告{closing}", PERIOD_2025])
    assert extract_metadata(None, text).agency == "甲乙市丙丁区教育局"


def test_a_body_whose_name_holds_no_notice_verb_is_kept_whole() -> None:
    # 「关于」 only at the end of the name part is the notice's verb; a name is never cut inside
    text = "\n".join(["甲乙县人民政府2025年政府信息公开工作年度报告", PERIOD_2025])
    assert extract_metadata(None, text).agency == "甲乙县人民政府"


@pytest.mark.parametrize(
    ("line", "published"),
    [
        ("- 公文生成日期:2013-03-28", "2013-03-28"),
        ("生成日期: 2013-03-28", "2013-03-28"),
        # a posting date wins over the document's own date
        ("公文生成日期:2013-03-28\n发布日期:2013-04-02", "2013-04-02"),
    ],
)
def test_a_generated_documents_date_is_its_printed_date(line: str, published: str) -> None:
    text = "\n".join(
        [line, "- 发布机构:甲乙乡", "甲乙县丙丁乡人民政府2012年政府信息公开工作年度报告", "一、概述"]
    )
    assert extract_metadata(None, text).published == published


@pytest.mark.parametrize(
    "line",
    ["页面生成日期：2024-05-06", "网页生成日期:2024-05-06", "本页生成日期: 2024-05-06", "- 本页面生成日期:2024-05-06"],
)
def test_a_pages_generation_date_is_no_printed_date(line: str) -> None:
    text = "\n".join([line, "- 发布机构:甲乙乡", "甲乙县丙丁乡人民政府2012年政府信息公开工作年度报告", "一、概述"])
    assert extract_metadata(None, text).published is None


@pytest.mark.parametrize(
    ("text", "total"),
    [
        # a running total, then the year's new items in the next sentence
        ("管委会累计主动公开政府信息272条。2010年新增主动公开政府信息57条,其中新闻类10条。", 57),
        # the total and the year's new items in one sentence
        ("截至2012年12月30日,我乡在县政府网站共主动公开政府信息615条,今年新增94条。", 94),
        ("我局历年主动公开信息1200条,本年度新增信息130条。", 130),
        ("截至2022年底,累计主动公开政府信息356条,新增12条。", 12),
        ("自2008年以来累计主动公开政府信息356条,新增12条。", 12),
        # 累计 after a year word sums that year: the year's total, not a running one
        ("2022年，我局累计主动公开政府信息356条，新增12条。", 356),
        ("全年累计主动公开政府信息356条,新增12条。", 356),
        # a comparison with the year before is a difference, not the year's count
        ("全年主动公开政府信息315条,比去年新增40条。", 315),
        # a 新增 clause about something else, after a plain (non-cumulative) total: the total stands
        ("全年共主动公开政府信息200条。新增政务新媒体账号2个。", 200),
        # a plain total followed by a 新增 count without a year word: not read as the year's
        ("全年主动公开政府信息88条,新增栏目信息12条。", 88),
    ],
)
def test_a_cumulative_count_gives_way_to_the_years_new_items(text: str, total: int) -> None:
    assert extract_narrative(text).proactive_total == total


def _site_sentence(site: str, speaker: str) -> str:
    return "\n".join(
        [
            f"本报告的电子版可从{site}网站政府信息公开栏目下载。如有疑问,请与{speaker}联系。",
            "一、总体情况",
            f"2024年{speaker}主动公开政府信息635条。",
        ]
    )


@pytest.mark.parametrize(
    ("site", "speaker", "agency"),
    [
        # the report's own site names a body of the kind the text speaks as
        ("甲乙市公安局", "我局", "甲乙市公安局"),
        ("甲乙市发展和改革委员会", "我委", "甲乙市发展和改革委员会"),
        # a portal of another kind is the higher government's, not the body's
        ("甲乙市人民政府", "我局", None),
        ("甲乙市公安局", "我街道", None),
    ],
)
def test_the_site_holding_the_report_names_a_body_speaking_as_its_kind(
    site: str, speaker: str, agency: str | None
) -> None:
    assert extract_metadata(None, _site_sentence(site, speaker)).agency == agency


@pytest.mark.parametrize(
    ("text", "total", "approx"),
    [
        # the unit lost at the end of the line after an approximate count
        ("在门户网站通过工作动态等栏目主动公开政府信息260余\n政府信息公开平台及时更新。", 260, True),
        ("全年主动公开政府信息1.2万多,涵盖各领域。", 12000, True),
        # a bare number there is no count (a year, an index): nothing read
        ("主动公开政府信息2022\n年度报告如下。", None, False),
        # with its unit the ordinary grammar reads it
        ("主动公开政府信息300余条。", 300, True),
    ],
)
def test_an_approximate_count_that_lost_its_unit(text: str, total: int | None, approx: bool) -> None:
    narrative = extract_narrative(text)
    assert (narrative.proactive_total, narrative.proactive_approx) == (total, approx)


@pytest.mark.parametrize(
    ("line", "printed"),
    [
        # the title's short form, the full kind printed under it: the fullest printed form is kept
        ("某某街道办事处", "某某街道办事处"),
        # the full kind never printed: the title's form, not a name the text does not hold
        ("", "某某街道"),
    ],
)
def test_a_township_withheld_for_its_unnamed_county_keeps_its_fullest_printed_name(
    line: str, printed: str
) -> None:
    text = "\n".join(
        ["2021年某某街道政府信息公开工作年度报告", line, "一年以来,某某街道认真落实省、市、区有关文件精神。"]
    )
    metadata = extract_metadata(None, text)
    assert (metadata.agency, metadata.agency_as_printed) == (None, printed)


@pytest.mark.parametrize(
    ("second_heading", "total"),
    [
        # one numbered sub-heading per channel: each count is its channel's, no headline
        ("2.官方微信主动公开政府信息情况。全年共推送信息1039条。", None),
        ("2.政务微博公开情况。全年发布信息300条。", None),
        # the next sub-heading is about something else: the portal's count is the headline
        ("2.依申请公开情况。全年未收到申请。", 89),
    ],
)
def test_counts_under_one_numbered_heading_per_channel_are_the_channels(
    second_heading: str, total: int | None
) -> None:
    text = "\n".join(
        [
            "(一)主动公开",
            "1.门户网站主动公开政府信息情况。2022年我街道在某某市人民政府网共发布信息89条,其中部门动态64条。",
            second_heading,
        ]
    )
    assert extract_narrative(text).proactive_total == total


def test_a_numbered_heading_that_names_no_channel_keeps_its_count() -> None:
    text = "1.主动公开情况。全年共主动公开政府信息120条。\n2.微信公众号。推送信息40条。"
    assert extract_narrative(text).proactive_total == 120


@pytest.mark.parametrize(
    "text",
    [
        # a total that says 主动公开 under a channel heading is the body's, not the channel's
        "1.门户网站建设。全年共主动公开政府信息1200条。\n2.微信公众号建设。推送信息40条。",
        "1.政府网站公开情况。全年通过政府网站主动公开政府信息1200条。\n2.政务微博公开情况。发布信息40条。",
    ],
)
def test_a_proactive_total_under_a_channel_heading_stays_the_headline(text: str) -> None:
    assert extract_narrative(text).proactive_total == 1200
