"""The agency / year / publication-date traps of report-format.md §9.2–§9.3, one case each."""

from __future__ import annotations

import pytest

from crawler.extract.metadata import agency_level, extract_metadata, normalise_agency, parse_date
from crawler.extract.model import Page

OPENING = "根据《中华人民共和国政府信息公开条例》要求，编制本报告。"
PERIOD_2022 = "本报告中所列数据的统计时限自2022年1月1日起至2022年12月31日止。"


def _text(*lines: str) -> str:
    return "\n".join(lines)


def test_name_on_its_own_line_above_the_title() -> None:
    text = _text("威海市文登区财政局", "2025年政府信息公开工作年度报告", OPENING)
    metadata = extract_metadata(None, text)
    assert (metadata.agency, metadata.year) == ("威海市文登区财政局", 2025)


def test_year_first_title() -> None:
    page = Page(title="2022年度威海市文登区财政局政府信息公开工作年度报告")
    metadata = extract_metadata(page, OPENING)
    assert (metadata.agency, metadata.year) == ("威海市文登区财政局", 2022)


def test_no_body_name_in_title_falls_back_to_content_source() -> None:
    page = Page(title="2023年政府信息公开工作年度报告", source="威海市文登区宋村镇人民政府")
    metadata = extract_metadata(page, _text(OPENING, "2023年，我镇认真贯彻落实《条例》。"))
    assert (metadata.agency, metadata.level) == ("威海市文登区宋村镇人民政府", "township")


def test_signature_only() -> None:
    text = _text(OPENING, PERIOD_2022, "一、总体情况", "……", "威海市文登区财政局", "2023年1月10日")
    metadata = extract_metadata(None, text)
    assert (metadata.agency, metadata.year, metadata.published) == ("威海市文登区财政局", 2022, "2023-01-10")


def test_first_sentence_names_the_report() -> None:
    text = "根据《条例》规定，现公布威海市文登区财政局2022年政府信息公开工作年度报告。"
    assert extract_metadata(None, text).agency == "威海市文登区财政局"


def test_township_title_without_county_is_completed_from_the_signature() -> None:
    page = Page(title="侯家镇人民政府2022年政府信息公开工作年度报告")
    metadata = extract_metadata(page, _text(OPENING, "威海市文登区侯家镇人民政府", "2023年1月16日"))
    assert (metadata.agency, metadata.agency_as_printed) == ("威海市文登区侯家镇人民政府", "侯家镇人民政府")


def test_township_title_is_not_completed_when_sources_disagree() -> None:
    page = Page(title="侯家镇人民政府2022年政府信息公开工作年度报告", source="乳山市侯家镇人民政府")
    metadata = extract_metadata(page, _text(OPENING, "威海市文登区侯家镇人民政府"))
    assert metadata.agency == "侯家镇人民政府"


def test_short_township_form_gets_its_government() -> None:
    metadata = extract_metadata(Page(title="泾源县黄花乡2022年政府信息公开工作年度报告"), OPENING)
    assert (metadata.agency, metadata.level) == ("泾源县黄花乡人民政府", "township")


def test_title_and_signature_disagree_prefers_the_well_formed_name() -> None:
    page = Page(title="威海市文登人民政府办公室2022年政府信息公开工作年度报告")
    metadata = extract_metadata(page, _text(OPENING, "威海市文登区人民政府办公室", "2023年1月16日"))
    assert metadata.agency == "威海市文登区人民政府办公室"
    assert metadata.agency_as_printed == "威海市文登人民政府办公室"
    assert any("malformed" in warning for warning in metadata.warnings)


def test_publisher_in_metadata_does_not_override_the_title() -> None:
    page = Page(title="威海市文登区财政局2022年政府信息公开工作年度报告", source="威海市文登区人民政府办公室")
    assert extract_metadata(page, OPENING).agency == "威海市文登区财政局"


def test_region_wide_report_is_the_governments() -> None:
    page = Page(title="上海市2022年政府信息公开工作年度报告", source="上海市人民政府办公厅")
    metadata = extract_metadata(page, OPENING)
    assert (metadata.agency, metadata.level) == ("上海市人民政府", "government")


def test_list_title_is_used_when_the_page_has_none() -> None:
    metadata = extract_metadata(
        None, OPENING, list_title="威海市文登区教育和体育局2024年政府信息公开工作年度报告"
    )
    assert (metadata.agency, metadata.year) == ("威海市文登区教育和体育局", 2024)


def test_year_from_the_statistics_period_when_the_title_has_none() -> None:
    text = _text("威海市文登区财政局政府信息公开工作年度报告", "统计期限从2023年1月1日到12月31日止。")
    assert extract_metadata(None, text).year == 2023


def test_other_years_in_sections_five_and_six_are_ignored() -> None:
    text = _text(
        "某镇人民政府",
        "2023年政府信息公开工作年度报告",
        "五、存在的主要问题及改进情况",
        "2024年，我镇将继续……",
    )
    assert extract_metadata(None, text).year == 2023


def test_damaged_year_in_the_title_is_flagged_not_guessed() -> None:
    page = Page(title="某县人民政府202020年政府信息公开工作年度报告")
    metadata = extract_metadata(page, OPENING)
    assert metadata.year is None
    assert any("202020" in warning for warning in metadata.warnings)


def test_damaged_period_is_flagged() -> None:
    text = _text(
        "某县人民政府", "2020年政府信息公开工作年度报告", "统计时限自2020年1月1日起至202020年12月31日止。"
    )
    metadata = extract_metadata(None, text)
    assert metadata.year == 2020
    assert any("damaged" in warning for warning in metadata.warnings)


def test_damaged_period_without_a_title_year_gives_no_year() -> None:
    text = _text("某县人民政府政府信息公开工作年度报告", "本报告统计时间自202111日起至20211230日止。")
    metadata = extract_metadata(None, text)
    assert metadata.year is None
    assert any("damaged" in warning for warning in metadata.warnings)


@pytest.mark.parametrize(
    "url",
    [
        "http://www.wendeng.gov.cn/art/2024/3/26/art_140376_3400001.html",
        "http://www.hy.gov.cn/xxgk/zfxxgknb/202303/t20230316_3912345.html",
        "https://www.bypc.gov.cn/zfxxgk/zfxxgknb/2024n/bmdw/art/2026/art_4a25005ad4da4e0bbca9a04b98caea18.html",
    ],
)
def test_url_dates_are_never_used(url: str) -> None:
    text = _text("某镇人民政府", "2022年政府信息公开工作年度报告", OPENING)
    metadata = extract_metadata(None, text, url=url)
    assert (metadata.year, metadata.published) == (2022, None)


def test_date_line_beats_the_url_month() -> None:
    page = Page(title="海原县人民政府办公室2022年政府信息公开工作年度报告", date_line="发布日期：2023-01-16")
    url = "http://www.hy.gov.cn/xxgk/zfxxgknb/202303/t20230316_3912345.html"
    assert extract_metadata(page, OPENING, url=url).published == "2023-01-16"


def test_meta_pubdate_beats_the_date_line_and_the_signature() -> None:
    page = Page(meta={"PubDate": "2026-01-19 09:49"}, date_line="发布日期：2026-01-20 10:00:00")
    text = _text(OPENING, "威海市文登区财政局", "2026年1月18日")
    assert extract_metadata(page, text).published == "2026-01-19"


def test_chinese_numeral_signature_date_and_title_year() -> None:
    text = _text(
        "威海市文登区财政局",
        "二〇二二年政府信息公开工作年度报告",
        OPENING,
        "威海市文登区财政局",
        "二〇二三年一月十六日",
    )
    metadata = extract_metadata(None, text)
    assert (metadata.year, metadata.published) == (2022, "2023-01-16")


def test_image_names_are_not_dates() -> None:
    text = _text(
        "某镇人民政府", "2023年政府信息公开工作年度报告", "[image: 微信图片_20240123153403]", "某镇人民政府"
    )
    assert extract_metadata(None, text).published is None


def test_signature_followed_by_chart_captions() -> None:
    text = _text(
        OPENING,
        "威海市文登区综合行政执法局",
        "2023年1月16日",
        "2022年度政府网站信息发布示意图",
        "2021年度\t150\t2022年度\t231",
    )
    assert extract_metadata(None, text).published == "2023-01-16"


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("威海市文登区人民政府", "government"),
        ("威海市文登区人民政府办公室", "government"),
        ("上海市人民政府办公厅", "government"),
        ("威海市文登区侯家镇人民政府", "township"),
        ("乳山市城区街道办事处", "township"),
        ("镇江市人民政府", "government"),
        ("威海市文登区财政局", "department"),
        ("威海市文登区卫生健康委员会", "department"),
        ("威海市文登区政务服务中心", "department"),
        (None, None),
    ],
)
def test_agency_level(name: str | None, level: str | None) -> None:
    assert agency_level(name) == level


@pytest.mark.parametrize(
    ("printed", "normalised"),
    [
        ("威海市文登区 财政局", "威海市文登区财政局"),
        ("泾源县黄花乡", "泾源县黄花乡人民政府"),
        ("乳山市城区街道", "乳山市城区街道办事处"),
        ("海原县政府办公室", "海原县人民政府办公室"),
        ("西咸新区", "西咸新区"),
        ("浙江省puroview.com溪下乡", "浙江省溪下乡人民政府"),
        ("威海市文登区财政局（更正）", "威海市文登区财政局"),
    ],
)
def test_normalise_agency(printed: str, normalised: str) -> None:
    assert normalise_agency(printed) == normalised


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("2026-01-19 09:49", "2026-01-19"),
        ("发布时间：2020年01月15日", "2020-01-15"),
        ("2023 年 1 月 16 日", "2023-01-16"),
        ("2019/1/5", "2019-01-05"),
        ("二〇二三年一月十六日", "2023-01-16"),
        ("二〇二三年十二月三十一日", "2023-12-31"),
        ("2023-02-30", None),
        ("202020年12月31日", None),
        ("微信图片_20240123153403", None),
    ],
)
def test_parse_date(printed: str, iso: str | None) -> None:
    assert parse_date(printed) == iso


def test_chinese_numeral_statistics_period() -> None:
    text = _text(
        "某县人民政府政府信息公开工作年度报告",
        "本报告统计期限为二〇二二年一月一日至二〇二二年十二月三十一日。",
    )
    assert extract_metadata(None, text).year == 2022


def test_title_with_guanyu() -> None:
    page = Page(title="威海市文登区财政局关于2022年政府信息公开工作年度报告的公告")
    assert extract_metadata(page, OPENING).agency == "威海市文登区财政局"
