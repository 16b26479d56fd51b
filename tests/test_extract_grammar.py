"""Issue 14's metadata grammar, one constructed case per rule: names, years, format, dates, counts.

None of these texts is a copy of a tests/realworld file; each rule is shown on an invented body.
"""

from __future__ import annotations

import pytest

from crawler.extract.formats import settle
from crawler.extract.mentions import find_mentions
from crawler.extract.metadata import extract_metadata
from crawler.extract.model import Page
from crawler.extract.names import (
    body_of_office,
    clean_name,
    expand_abbreviation,
    is_first_person,
    normalise_agency,
)
from crawler.extract.narrative import extract_narrative
from crawler.extract.normalise import normalise_text
from crawler.extract.places import complete_from_text
from crawler.extract.report import extract_report
from crawler.extract.years import period_year, text_year

# -- names: debris, first person, offices, abbreviations, zones ---------------------------------------


@pytest.mark.parametrize(
    ("printed", "clean"),
    [
        ("关键字:某某区人民政府", "某某区人民政府"),
        ("发布机构：某某县统计局", "某某县统计局"),
        ("Page 3 - 某某县财政局", "某某县财政局"),
        ("某某网_某某娱乐$某某县财政局", "某某县财政局"),
        ("某某市某某区人民政府办公室(以下简称区政府办)", "某某市某某区人民政府办公室"),
        ("澳门皇冠娱乐官网", None),
        ("由某某县民政局", "某某县民政局"),
        ("某某区人民政府某某街道办事处", "某某区某某街道办事处"),
    ],
)
def test_debris_around_names_goes(printed: str, clean: str | None) -> None:
    assert clean_name(printed) == clean


@pytest.mark.parametrize("word", ["我局", "本机关", "我镇", "本局", "我办", "该局"])
def test_first_person_references_are_no_name(word: str) -> None:
    assert is_first_person(word)


def test_a_place_that_starts_like_a_pronoun_is_a_name() -> None:
    assert not is_first_person("本溪市人民政府")


@pytest.mark.parametrize(
    ("office", "keep", "body"),
    [
        ("某某镇人民政府党政办公室", True, "某某镇人民政府"),
        ("某某县民政局综合股", True, "某某县民政局"),
        ("某某县人民政府办公室", True, "某某县人民政府办公室"),
        ("某某县人民政府办公室", False, "某某县人民政府"),
        ("某某市某某区人民政府信息公开办公室", True, "某某市某某区人民政府"),
    ],
)
def test_an_office_answers_for_its_body(office: str, keep: bool, body: str) -> None:
    assert body_of_office(office, keep_government_office=keep) == body


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("某某区住建局", "某某区住房和城乡建设局"),
        ("某某县发改局", "某某县发展和改革局"),
        ("某某县发展改革局", "某某县发展和改革局"),
        ("某某市卫健委", "某某市卫生健康委员会"),
        ("某某县住房和城乡建设局", "某某县住房和城乡建设局"),
        ("科技局", "科学技术局"),
        # a short form inside a longer department's name is that department's own official name
        ("某某县教育科技局", "某某县教育科技局"),
        ("某某县农业农村和科技局", "某某县农业农村和科技局"),
    ],
)
def test_abbreviations_expand_from_the_table(short: str, full: str) -> None:
    assert expand_abbreviation(short) == full


@pytest.mark.parametrize(
    ("printed", "normalised"),
    [
        ("某某经济开发区", "某某经济开发区管理委员会"),
        ("某某综合实验区人民政府", "某某综合实验区管理委员会"),
        ("某某新区", "某某新区"),
        ("某某县住建局", "某某县住房和城乡建设局"),
    ],
)
def test_zones_are_governed_by_a_committee(printed: str, normalised: str) -> None:
    assert normalise_agency(printed) == normalised


@pytest.mark.parametrize(
    ("name", "text", "full"),
    [
        ("某乡镇人民政府", "地址：甲乙市丙丁市某乡镇幸福路1号", "丙丁市某乡镇人民政府"),
        ("某乡镇人民政府", "地址：甲乙市丙丁县某乡镇幸福路1号", "丙丁县某乡镇人民政府"),
        ("丙丁区财政局", "甲乙市丙丁区财政局高度重视", "甲乙市丙丁区财政局"),
        ("某街道办事处", "电子版可以从丙丁市人民政府信息公开网下载", "丙丁市某街道办事处"),
        # the 2010s portal name 「…人民政府公众信息网」
        ("某乡人民政府", "电子版可以在丙丁县人民政府公众信息网(www.example.cn)上下载", "丙丁县某乡人民政府"),
        # a 信息网 that is no government's portal names no county
        ("某乡人民政府", "电子版可以在丙丁报业信息网上下载", None),
        ("统计局", "本报告由丙丁县统计局负责解释", "丙丁县统计局"),
        ("丙丁市人民政府", "甲乙省丙丁市人民政府", None),
    ],
)
def test_short_names_are_completed_from_the_regions_the_text_prints(
    name: str, text: str, full: str | None
) -> None:
    assert complete_from_text(name, text) == full


# -- where names are found ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "origin"),
    [
        ("要求，结合2024年某某县审计局政府信息公开工作实际，编制本报告。", "某某县审计局", "opening"),
        ("本报告由某某县某乡人民政府党政办公室编制。", "某某县某乡人民政府", "compiled"),
        ("特编制2023年度某某县水务局政府信息公开工作年度报告。", "某某县水务局", "opening"),
        ("如对本报告有疑问，请与某某县林业局办公室联系。", "某某县林业局", "contact"),
        ("一、总体情况\n2023年，某某县司法局认真贯彻落实《条例》。", "某某县司法局", "subject"),
    ],
)
def test_mentions_in_opening_contact_and_overview(text: str, name: str, origin: str) -> None:
    assert (find_mentions(text)[0].name, find_mentions(text)[0].origin) == (name, origin)


def test_first_person_mentions_are_skipped() -> None:
    assert find_mentions("结合我局政府信息公开工作实际。2023年，我局认真贯彻落实《条例》。") == []


def test_the_office_that_compiled_a_county_report_is_not_its_body() -> None:
    text = "根据《条例》要求，由某某县人民政府办公室编制。全文包括概述。\n一、概述\n2023年，县政府加快建设。"
    assert extract_metadata(None, text).agency == "某某县人民政府"


def test_a_township_is_completed_with_the_county_in_its_address() -> None:
    text = "本报告由某乡镇人民政府编制。\n如有疑问，请与某乡镇人民政府党政办公室联系（地址：甲乙市丙丁市某乡镇幸福路1号）。"
    metadata = extract_metadata(None, text)
    assert (metadata.agency, metadata.agency_as_printed) == ("丙丁市某乡镇人民政府", "某乡镇人民政府")


def test_traditional_title_is_read_in_simplified_script() -> None:
    text = normalise_text("某某縣統計局\n政府信息公開工作2021年度報告\n根據《條例》要求，編制本報告。")
    metadata = extract_metadata(None, text)
    assert (metadata.agency, metadata.year) == ("某某县统计局", 2021)


def test_mirror_keeps_mainland_words_and_undoes_taiwan_ones() -> None:
    assert normalise_text("規範性文件和規範性檔案的程序。") == "规范性文件和规范性文件的程序。"


# -- years ----------------------------------------------------------------------------------------


def test_compact_title_gives_the_year_and_the_body() -> None:
    metadata = extract_metadata(Page(title="2020年报_某某县民政局"), "根据《条例》要求，编制本报告。")
    assert (metadata.agency, metadata.year) == ("某某县民政局", 2020)


def test_statistics_period_without_its_nian_is_read_and_flagged() -> None:
    warnings: list[str] = []
    assert period_year("本报告所列数据统计期限自20251月1日起至2025年12月31日止。", warnings) == 2025
    assert warnings and "damaged" in warnings[0]


def test_the_most_cited_year_of_the_overview_when_nothing_else_tells() -> None:
    warnings: list[str] = []
    text = "一、总体情况\n2019年，某某局共主动公开信息12条，较2018年增加。2019年度未收到申请。\n五、存在的主要问题\n2020年将……2020年……"
    assert text_year(text, warnings) == 2019 and warnings


def test_the_stated_year_disagreeing_with_the_period_is_a_warning() -> None:
    text = (
        "某某县人民政府\n2023年政府信息公开工作年度报告\n本报告统计期限自2024年1月1日起至2024年12月31日止。"
    )
    metadata = extract_metadata(None, text)
    assert metadata.year == 2023 and any("statistics period says 2024" in w for w in metadata.warnings)


# -- format ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label_format", "text", "year", "expected"),
    [
        ("G1", "国办公开办函〔2021〕30号", 2022, ("G1", "labels")),
        ("G0", "按照国办公开办函〔2021〕30号要求", None, ("G2", "citation")),
        ("unknown", "按照国办公开办函〔2019〕60号要求", 2020, ("G1", "citation")),
        ("G0", "", 2022, ("G2", "year")),
        ("G0", "", 2019, ("G1", "year")),
        ("G0", "", 2016, ("G0", "year")),
        ("G0", "", None, ("G0", None)),
    ],
)
def test_format_from_labels_then_citation_then_year(
    label_format: str, text: str, year: int | None, expected: tuple[str, str | None]
) -> None:
    assert settle(label_format, text=text, year=year) == expected


def test_a_report_on_2020_without_tables_is_never_g0() -> None:
    report = extract_report(
        "某某县人民政府\n2020年政府信息公开工作年度报告\n一、总体情况\n2020年，……", kind="text"
    )
    assert (report.format, report.format_basis) == ("G1", "year")


# -- dates ----------------------------------------------------------------------------------------


def test_posting_date_and_printed_date_are_both_kept() -> None:
    page = Page(title="某某县财政局2022年政府信息公开工作年度报告", date_line="发布时间：2023-01-20")
    metadata = extract_metadata(page, "根据《条例》要求，编制本报告。\n某某县财政局\n二○二三年一月十六日")
    assert (metadata.published, metadata.dated, metadata.published_basis) == (
        "2023-01-20",
        "2023-01-16",
        "posted",
    )


def test_published_falls_back_to_the_printed_date_and_says_so() -> None:
    text = "某某县财政局\n2012年政府信息公开工作年度报告\n成文日期：二○一二年二月二十日"
    metadata = extract_metadata(None, text)
    assert (metadata.published, metadata.dated, metadata.published_basis) == (
        "2012-02-20",
        "2012-02-20",
        "dated",
    )


# -- headline 主动公开 count -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "total", "approx"),
    [
        ("全年共主动公开各类政策文件、工作动态等政府信息1234条。", 1234, False),
        ("截至12月底，我乡主动公开56条信息，其中政策文件3条。", 56, False),
        ("通过政府网站累计发布各类信息300余条。", 300, True),
        ("全年公布政府信息2600条(其中机构职能类信息80条，其他应主动公开政府信息1000条)。", 2600, False),
        ("全县发布信息9000条，其中主动公开政府信息4321条。", 4321, False),
        ("通过门户网站公开信息200条，通过微信公众号公开信息100条。", None, False),
        ("通过“某某发布”微信公众号发布信息132条。", None, False),
    ],
)
def test_headline_count_never_a_channel_or_breakdown(text: str, total: int | None, approx: bool) -> None:
    narrative = extract_narrative(text)
    assert (narrative.proactive_total, narrative.proactive_approx) == (total, approx)


@pytest.mark.parametrize(
    ("text", "posted"),
    [
        (
            "某某县财政局2022年政府信息公开工作年度报告\n来源:县政府办 时间:2023-01-12 10:01\n正文",
            "2023-01-12",
        ),
        ("某某县财政局2022年政府信息公开工作年度报告\n• 2023-03-08\n来源：县政府办\n正文", "2023-03-08"),
        ("某某县财政局2022年政府信息公开工作年度报告\n时间: 11:27\n正文", None),
        ("某某县财政局2022年政府信息公开工作年度报告\n上传时间:2023-7-07\n正文", None),
        ("本报告统计时间:2022-01-01至2022-12-31。", None),
    ],
)
def test_posting_dates_from_the_page_header_lines(text: str, posted: str | None) -> None:
    metadata = extract_metadata(None, text)
    assert (metadata.published if metadata.published_basis == "posted" else None) == posted


def test_a_banner_line_completes_a_short_name() -> None:
    text = "站群导航\n甲乙市丙丁区(戊己县)\n政府信息公开\n2022年丙丁区(戊己县)政府信息公开工作年度报告\n一、总体情况"
    assert extract_metadata(None, text).agency == "甲乙市丙丁区(戊己县)"


def test_the_body_of_a_disclosure_group_is_a_mention() -> None:
    assert find_mentions("为此，我苏木成立某某苏木政府信息公开领导小组，专人负责。")[0].name == "某某苏木"


def test_a_bare_autonomous_region_is_named_from_the_text() -> None:
    text = "宁夏回族自治区各地\n自治区人民政府办公厅2022年政府信息公开工作年度报告"
    assert extract_metadata(None, text).agency == "宁夏回族自治区人民政府办公厅"


def test_a_department_that_names_no_place_is_no_full_name() -> None:
    metadata = extract_metadata(
        None, "一、总体情况\n2025年度，服务中心在区委区政府的领导下，认真贯彻《条例》。"
    )
    assert (metadata.agency, metadata.agency_as_printed) == (None, "服务中心")


def test_the_year_may_follow_the_name_in_the_opening() -> None:
    assert (
        find_mentions("要求，结合某某市商务局2022年政府信息公开工作实际，编制本报告。")[0].name
        == "某某市商务局"
    )


@pytest.mark.parametrize("word", ["本机关办公室", "我局办公室", "本单位综合股"])
def test_first_person_offices_are_no_name(word: str) -> None:
    assert is_first_person(word)


def test_a_government_speaking_in_the_first_person_is_named_from_its_region() -> None:
    text = "一、总体情况\n2023年，我县认真落实《甲乙市丙丁县政务公开工作要点》，丙丁县各单位共同努力，我县公开信息。"
    metadata = extract_metadata(None, text)
    assert (metadata.agency, metadata.agency_as_printed) == ("甲乙市丙丁县人民政府", None)


def test_a_department_is_completed_with_its_portals_county() -> None:
    text = "现将统计局2021年政府信息公开工作年度报告公布如下。2021年度通过丙丁县政府公众网主动公开信息42条。"
    assert extract_metadata(None, text).agency == "丙丁县统计局"


def test_a_short_reference_is_kept_as_printed_but_is_no_full_name() -> None:
    metadata = extract_metadata(
        None, "一、总体情况\n截至2018年底，县商务局依托政府信息公开平台主动公开信息。"
    )
    assert (metadata.agency, metadata.agency_as_printed) == (None, "县商务局")


def test_a_traditional_page_title_gives_a_simplified_name() -> None:
    page = Page(title="某某縣港西鎮2019年政府信息公開工作年度報告")
    assert extract_metadata(page, "根据《条例》要求，编制本报告。").agency == "某某县港西镇人民政府"


@pytest.mark.parametrize(
    "title",
    [
        "Page 3 - 某某县财政局2022年政府信息公开工作年度报告",
        "P. 9 某某县财政局2022年政府信息公开工作年度报告",
        "关键字:某某县财政局2022年政府信息公开工作年度报告",
        "某某网 | 某某县财政局2022年政府信息公开工作年度报告",
    ],
)
def test_title_debris_is_not_part_of_the_name(title: str) -> None:
    metadata = extract_metadata(Page(title=title), "根据《条例》要求，编制本报告。")
    assert (metadata.agency, metadata.year) == ("某某县财政局", 2022)
