"""extract_narrative: proactive totals and channel counts, zero statements, requests, fees, G0 facts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crawler.extract.narrative import extract_narrative, parse_count


@pytest.mark.parametrize(
    ("text", "total", "approx"),
    [
        ("2022年度通过各类渠道公开政府信息472条，其中……", 472, False),
        ("2022 年度主动公开政府信息 124 条", 124, False),
        ("全年主动公开政府信息260余条。", 260, True),
        ("全年主动公开政府信息近300条。", 300, True),
        ("全年共主动公开政务信息约1600条。", 1600, True),
        ("全年主动公开信息1600多份。", 1600, True),
        ("全年主动公开政府信息15.8万条。", 158000, False),
        ("全年主动公开政府信息1,256条。", 1256, False),
        ("我局通过政务网站发布各类政务信息共计113条。", 113, False),
        ("主动公开政府信息。一是加强领导，二是完善制度。", None, False),
    ],
)
def test_proactive_total(text: str, total: int | None, approx: bool) -> None:
    narrative = extract_narrative(text)
    assert (narrative.proactive_total, narrative.proactive_approx) == (total, approx)


def test_proactive_raw_is_the_clause() -> None:
    narrative = extract_narrative("（一）主动公开。2022 年度主动公开政府信息 124 条，其中网站24条。")
    assert narrative.proactive_raw == "2022 年度主动公开政府信息 124 条"


def test_plans_in_section_five_are_not_this_years_total() -> None:
    text = "一、总体情况\n本年度工作平稳。\n五、存在的主要问题及改进情况\n下一步计划主动公开政府信息500条。"
    assert extract_narrative(text).proactive_total is None


@pytest.mark.parametrize(
    ("text", "counts", "exhaustive"),
    [
        (
            "公开政府信息472条，其中通过微信公众号发布消息369条，在新媒体发表报道39篇，通过网站发布动态政务信息64篇，"
            "从内容分类看，机构职能4条，工作动态36条。",
            [369, 39, 64],
            True,
        ),
        (
            "主动公开政府信息 124 条，其中通过政府门户网站公开 24 条，主要涉及政策宣传、\n\n重点工作等领域;"
            "通过微信公众号公开政府信息 41 条,主要涉及时政要闻等;通过线下公示栏公开政府信息 52 条,主要涉及人事等。",
            [24, 41, 52],
            True,
        ),
        ("主动公开政府信息100条，其中网站60条、微信公众号30条等。", [60, 30], False),
        ("主动公开政府信息100条。", [], False),
    ],
)
def test_channel_counts(text: str, counts: list[int], exhaustive: bool) -> None:
    narrative = extract_narrative(text)
    assert (narrative.proactive_subcounts, narrative.proactive_subcounts_exhaustive) == (counts, exhaustive)


@pytest.mark.parametrize(
    ("text", "code", "raw"),
    [
        ("2022年没有收到政府信息公开申请。", "no_requests", "2022年没有收到政府信息公开申请"),
        ("2022年，我局未收到政府信息公开申请。", "no_requests", "我局未收到政府信息公开申请"),
        (
            "2023年，张家产镇未接收受理过依申请公开，与上年相比无变化。",
            "no_requests",
            "张家产镇未接收受理过依申请公开",
        ),
        ("本年度无依申请公开事项。", "no_requests", "本年度无依申请公开事项"),
        (
            "本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。",
            "no_review_litigation",
            "本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼",
        ),
        (
            "政府信息公开行政复议、行政诉讼均为0件。",
            "no_review_litigation",
            "政府信息公开行政复议、行政诉讼均为0",
        ),
        ("本年度未发生政府信息公开行政复议案件。", "no_review", "本年度未发生政府信息公开行政复议"),
        (
            "本年度没有因政府信息公开被提起行政诉讼。",
            "no_litigation",
            "本年度没有因政府信息公开被提起行政诉讼",
        ),
        ("2022年度本单位未收取信息处理费。", "no_fees", "2022年度本单位未收取信息处理费"),
        ("2022年度，我局无政府信息公开收费。", "no_fees", "我局无政府信息公开收费"),
        ("本机关 2022 年未收取信息处理费用。", "no_fees", "本机关 2022 年未收取信息处理费用"),
    ],
)
def test_zero_statements(text: str, code: str, raw: str) -> None:
    assert extract_narrative(text).zero_statements == {code: raw}


@pytest.mark.parametrize(
    "text",
    [
        "2022 年我镇收到政府信息公开申请件,系 2022 年 12 月 20 日申请,目前正在办理。",  # number lost (seed 001)
        "四、政府信息公开行政复议、行政诉讼情况",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "（一）政府信息公开收费情况",
    ],
)
def test_no_zero_statement(text: str) -> None:
    assert extract_narrative(text).zero_statements == {}


def test_lost_number_is_not_a_stated_count() -> None:
    assert (
        extract_narrative("2022 年我镇收到政府信息公开申请件,系 2022 年 12 月 20 日申请").requests_stated
        is None
    )


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("本年度共受理申请5件，均已办结。", 5),
        ("2022年收到政府信息公开申请 3 件。", 3),
        ("全年受理依申请公开12件。", 12),
        ("全年收到政府信息公开申请两件。", 2),
        ("2022年共收到人大代表建议6件。", None),
    ],
)
def test_requests_stated(text: str, count: int | None) -> None:
    assert extract_narrative(text).requests_stated == count


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        (
            "（一）政府信息公开收费方面：2023年张家产镇未收取政府信息公开信息处理费。",
            "2023年张家产镇未收取政府信息公开信息处理费",
        ),
        ("2022年度，我局无政府信息公开收费。", "2022年度，我局无政府信息公开收费"),
        ("本年度收取信息处理费120元。", "本年度收取信息处理费120元"),
        ("（一）政府信息公开收费情况", None),
    ],
)
def test_fee_statement(text: str, statement: str | None) -> None:
    assert extract_narrative(text).fee_statement == statement


def test_g0_prose_facts() -> None:
    text = "一、概述\n2015年，我局主动公开政府信息1234条，受理依申请公开12件，收取费用0元。一是加强领导。"
    facts = {fact.key: fact.value for fact in extract_narrative(text).facts}
    assert facts == {"主动公开政府信息(条)": 1234, "受理依申请公开(件)": 12, "收取费用(元)": 0}


def test_g0_table_facts() -> None:
    text = "附表\n主动公开政府信息数\t1234\n依申请公开信息数\t5"
    facts = {fact.key: fact.value for fact in extract_narrative(text).facts}
    assert facts == {"主动公开政府信息数": 1234, "依申请公开信息数": 5}


def test_g0_approx_fact() -> None:
    (fact,) = extract_narrative("本年度主动公开政府信息260余条。").facts
    assert fact.approx


def test_template_reports_get_no_g0_facts() -> None:
    text = "三、收到和处理政府信息公开申请情况\n主动公开政府信息124条。"
    assert extract_narrative(text).facts == []


@pytest.mark.parametrize(
    ("number", "scale", "value"),
    [("1,256", None, 1256), ("15.8", "万", 158000), ("2.5", None, Decimal("2.5")), ("x", None, None)],
)
def test_parse_count(number: str, scale: str | None, value) -> None:
    assert parse_count(number, scale) == value


@pytest.mark.parametrize(
    "text",
    ["全年受理依申请公开政府信息3件。", "不予公开信息2件。", "部分公开信息1件。"],
)
def test_request_outcomes_are_not_the_proactive_total(text: str) -> None:
    assert extract_narrative(text).proactive_total is None
