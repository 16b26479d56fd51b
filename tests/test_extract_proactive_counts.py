"""Headline 主动公开 counts the real-world batch f showed (tests/realworld/INDEX-f.md), on constructed
texts: a count straight after 主动公开 that names no 信息, one field's word before 政府信息, and two
channels' 主动公开 counts side by side (neither is the total)."""

from __future__ import annotations

import pytest

from crawler.extract.narrative import extract_narrative


def _total(text: str) -> object:
    return extract_narrative(text).proactive_total


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("全年共通过门户网站及政务新媒体方式主动公开907条,其中通过政府网站公开86条,微信公众号公开821条。", 907),
        ("本年度主动公开120件。", 120),
        ("2025年主动公开了共计35条\n(二)依申请公开", 35),
    ],
)
def test_a_count_straight_after_proactive_names_no_information(text: str, total: int) -> None:
    assert _total(text) == total


def test_a_count_after_proactive_that_goes_on_is_not_read_bare() -> None:
    # 「主动公开12条规定」: the count qualifies a noun, not the year's items
    assert _total("我局按要求主动公开12条规定的内容。") is None


def test_a_count_that_names_its_information_outranks_the_bare_one() -> None:
    text = "主动公开30条,涉及多个方面。全年主动公开政府信息45条。"
    assert _total(text) == 45


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("向社会各界公布自然资源政府信息累计131条。", 131),
        ("全年发布卫生健康政务信息56条。", 56),
    ],
)
def test_one_fields_word_may_stand_before_government_information(text: str, total: int) -> None:
    assert _total(text) == total


def test_a_field_word_is_not_read_past_a_clause() -> None:
    # the word before 政府信息 must belong to the verb's phrase: a comma ends it
    assert _total("公布了方案,政府信息10条另行统计。") is None


def test_two_channels_proactive_counts_side_by_side_give_no_total() -> None:
    text = "2012年,通过门户网站主动公开政府信息23300条,通过省政府网站主动公开政府信息137条。开通了官方微博。"
    assert _total(text) is None


def test_a_channel_that_only_posts_before_the_proactive_count_leaves_it_the_headline() -> None:
    text = "通过微信公众号推送信息1351条,通过门户网站主动公开政府信息4150条。"
    assert _total(text) == 4150


def test_a_total_after_two_channels_is_the_headline() -> None:
    text = "通过门户网站主动公开政府信息100条,通过政务服务网主动公开政府信息50条,共计主动公开政府信息150条。"
    assert _total(text) == 150


def test_a_channels_count_broken_down_after_a_gap_is_the_headline() -> None:
    # the counts after 其中 break the portal's count down: they are no other channel's beside it
    text = "我局通过区政务网主动公开政府信息686条,涵盖办事指南、行政执法信息等,其中在目录公开信息440条、在专栏公开信息246条。"
    assert _total(text) == 686


def test_a_second_channel_with_its_own_breakdown_still_makes_the_first_a_channels_count() -> None:
    text = "网站发布信息120条,微博发布信息30条,其中原创20条。"
    assert _total(text) is None


def test_a_long_list_of_kinds_closed_by_deng_may_name_its_information_by_kind() -> None:
    kinds = "、".join(["学习宣传贯彻上级会议精神", "创建国家食品安全示范城市", "食品药品领域专项整治", "综合监管执法"] * 2)
    text = f"以局门户网站、微信公众号为载体,及时公开{kinds}等工作信息1261条(其中:网站390条、微信公众号871条)。"
    assert _total(text) == 1261


def test_a_list_of_kinds_is_not_read_across_a_comma() -> None:
    # the kinds run in one clause: a comma before 等 ends the verb's phrase
    assert _total("及时公开有关情况,综合监管执法等工作信息12条另行统计。") is None


def test_a_channel_clause_that_goes_on_past_a_comma_is_not_a_cut_one() -> None:
    # the text does not end inside that clause: it names a channel with no count, and the count stands
    assert _total("通过门户网站主动公开政府信息120条,通过政务网站回应关切,效果良好。") == 120


@pytest.mark.parametrize(
    "text",
    [
        # requests and their handling, counted after 政府信息: not the 主动公开 total
        "本年度共受理并公开答复政府信息公开申请10件。",
        "全年依法公开处理政府信息公开申请5件。",
        # tasks (项), not items of information, straight after 主动公开
        "年内主动公开2项，均已完成。",
    ],
)
def test_a_request_count_or_a_task_count_is_no_proactive_total(text: str) -> None:
    assert _total(text) is None


def test_a_fields_word_before_government_information_still_counts() -> None:
    assert _total("公布自然资源政府信息累计131条。") == 131
