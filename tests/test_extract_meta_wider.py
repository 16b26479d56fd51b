"""Mechanisms the wider real-world set (tests/realworld/d*) showed missing: who compiled a report from
what, a contact sentence's verb kept out of a place, short forms 卫生健康委 / 管委会, a zone's 「我区」,
unnamed levels above a township, a breadcrumb that is no title, 日期 / 生效日期 / a meta line's date,
and headline counts in flattened or channel-listing prose. Constructed examples only."""

from __future__ import annotations

import pytest

from crawler.extract.metadata import extract_metadata, normalise_agency
from crawler.extract.narrative import extract_narrative
from crawler.extract.places import complete_from_text, government_of_speaker, refers_to_unnamed_county

PERIOD_2023 = "本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。"


def test_the_compiler_is_named_before_what_it_compiled_from() -> None:
    text = "本报告由甲乙区人民政府综合全区各部门和各乡镇政府信息公开工作年度报告和统计数据编制而成。"
    assert extract_metadata(None, text).agency == "甲乙区人民政府"


def test_the_contact_sentence_verb_is_no_part_of_a_place() -> None:
    text = "如对本报告有疑问,请与甲乙市丙丁区人民政府办公室联系。"
    assert complete_from_text("丙丁区人民政府办公室", text) == "甲乙市丙丁区人民政府办公室"


@pytest.mark.parametrize(
    ("printed", "full"),
    [
        ("甲乙县卫生健康委", "甲乙县卫生健康委员会"),
        ("丙丁开发区管委会", "丙丁开发区管理委员会"),
        ("甲乙县卫生健康委员会", "甲乙县卫生健康委员会"),  # already full
    ],
)
def test_committee_short_forms_are_expanded(printed: str, full: str) -> None:
    assert normalise_agency(printed) == full


def test_a_zone_speaking_as_our_district_names_no_government() -> None:
    text = "开发区政府信息公开工作在党工委、管委会直接领导下开展。我区编制了目录。\n开发区网站更新信息。我区公开了指南。"
    assert government_of_speaker(text) is None
    assert extract_metadata(None, text).agency is None


@pytest.mark.parametrize(
    ("text", "refers"),
    [
        ("认真落实省、市、县有关文件和会议精神", True),
        ("按照市、区两级的要求", True),
        ("按照区政府信息公开平台建设有关工作规范", True),
        ("按照甲乙市、丙丁区各级的要求", False),  # named levels
        ("认真落实甲乙县有关文件", False),
        # words that end or begin with a level's character are no levels
        ("推进城市、区域协调发展", False),
        ("深化城市、县域改革", False),
        ("统筹省、市、区域资源", False),
    ],
)
def test_unnamed_levels_above_a_township(text: str, refers: bool) -> None:
    assert refers_to_unnamed_county(text) is refers


def test_a_township_beside_words_with_level_characters_keeps_its_full_name() -> None:
    text = "某某乡2020年政府信息公开工作年度报告\n某某乡推进城市、区域协调发展。\n本报告由某某乡人民政府编制。"
    assert extract_metadata(None, text).agency == "某某乡人民政府"


def test_a_township_under_unnamed_levels_keeps_only_its_printed_name() -> None:
    text = "某某乡2020年政府信息公开工作年度报告\n一年以来,某某乡认真落实省、市、县有关文件和会议精神。"
    metadata = extract_metadata(None, text)
    assert (metadata.agency, metadata.agency_as_printed) == (None, "某某乡")


def test_a_breadcrumb_naming_the_years_column_is_no_title() -> None:
    text = "\n".join(
        [
            "您现在的位置: 首页 > 信息公开 > 政府信息公开年报 > 2023年信息公开年度报告 > 县级部门",
            "甲乙县卫生健康局2023年政府信息公开工作年度报告",
            PERIOD_2023,
        ]
    )
    metadata = extract_metadata(None, text)
    assert (metadata.agency, metadata.title) == (
        "甲乙县卫生健康局",
        "甲乙县卫生健康局2023年政府信息公开工作年度报告",
    )


@pytest.mark.parametrize(
    ("line", "published"),
    [
        ("日期:2023-02-02 来源:甲乙区人民政府办公室 访问次数:218", "2023-02-02"),
        ("2022年01月18日来源:1", "2022-01-18"),  # a meta line headed by the date
        ("2024-03-08 浏览次数: 12", "2024-03-08"),
        ("统计日期:2023-02-02", None),  # inside a longer word: not the posting
    ],
)
def test_posting_date_labels_and_meta_lines(line: str, published: str | None) -> None:
    text = "\n".join(["甲乙县财政局2022年政府信息公开工作年度报告", line, "一、总体情况"])
    assert extract_metadata(None, text).published == published


def test_a_meta_blocks_effective_date_is_the_date_when_no_other_is_printed() -> None:
    text = "\n".join(
        [
            "生效日期: | 2024-01-31 | 废止日期: | |",
            "甲乙县卫生健康局2023年政府信息公开工作年度报告",
            PERIOD_2023,
        ]
    )
    metadata = extract_metadata(None, text)
    assert (metadata.published, metadata.published_basis) == ("2024-01-31", "dated")
    posted = "发布日期:2024-02-05\n" + text
    assert extract_metadata(None, posted).published == "2024-02-05"


def test_an_effective_date_printed_first_gives_way_to_the_date_of_issue() -> None:
    text = "\n".join(["生效日期: | 2024-03-01 | 废止日期: | |", "成文日期: 2024-01-31",
                     "甲乙县卫生健康局2023年政府信息公开工作年度报告", PERIOD_2023])
    assert extract_metadata(None, text).published == "2024-01-31"


@pytest.mark.parametrize(
    ("text", "total"),
    [
        # a flattened docx: spaces inside words and around numbers; 更新 as the verb
        (
            "(一)主动公开方面。区政府网站、政务新媒体全年更 新各类政府信息 2000 余条,坚持把稳定经济放在突出位置。",
            2000,
        ),
        # a long list of kinds between 主动公开 and 信息
        (
            "截止到2021年12月,某某街道主动公开涉及疫情防控、社会救助、养老服务、公共文化服务、公共法律服务、"
            "保障性住房、安全生产等方面信息423条。",
            423,
        ),
        # the one count that says 主动公开, beside a channel with a verb of its own
        (
            "全年通过门户网站主动公开各类政府信息4150条,政务微信公众号推送信息1351条,制作原创政策图解40篇。",
            4150,
        ),
        # ... but not when the sentence goes on to a total of all the channels: that total is the
        # headline, even naming no 信息 (never the one channel's count)
        ("门户网站主动公开信息120条,微博发布信息30条,合计主动公开150条。", 150),
        ("通过门户网站主动公开信息300条,通过微信公众号发布信息100条,共计400条。", None),
        # one list of channels sharing the verb: no headline
        ("2020年度我局在政府网站主动公开信息22条,政务服务网23条,微信公众号185条。", None),
        # two channels, neither says 主动公开: no headline
        ("区政府网站全年更新各类政府信息789条,区政府微博发布信息319条。", None),
        ("开发区网站共及时更新各类信息317条。", 317),
        # posted and re-posted: one verb pair
        ("(一)主动公开情况。我县共发布转载信息3886条,政府规范性文件5条,政策解读20条。", 3886),
        # a kind of document under 主动公开 is no headline (the total follows elsewhere)
        ("主动公开政策文件4件,同步发布政策解读并互相关联。", None),
    ],
)
def test_headline_counts_in_real_prose(text: str, total: int | None) -> None:
    assert extract_narrative(text).proactive_total == total
