"""Which printed dates date the report and which the page (batch f, tests/realworld/INDEX-f.md), on
constructed texts: the document-date labels 成文日期 / 发文日期 / 印发日期 / 生成日期 count only as a
field of their own or after a word naming the document (公文, 文件), never after one naming the page
(页面, 网页, 本页) or inside prose; a bracketed date alone under the title is the report's own date;
a top-of-page date may carry its time in words (00时00分)."""

from __future__ import annotations

import pytest

from crawler.extract.metadata import extract_metadata

TITLE = "甲乙县丙丁乡人民政府2012年政府信息公开工作年度报告"
BODY = "一、概述"


def _published(*lines: str) -> str | None:
    return extract_metadata(None, "\n".join(lines)).published


@pytest.mark.parametrize("label", ["成文日期", "发文日期", "印发日期", "生成日期"])
@pytest.mark.parametrize("lead", ["", "| ", "- ", "文件", "公文"])
def test_a_document_date_label_as_its_own_field_dates_the_report(label: str, lead: str) -> None:
    assert _published(f"{lead}{label}:2013-03-01", TITLE, BODY) == "2013-03-01"


@pytest.mark.parametrize("label", ["成文日期", "发文日期", "印发日期", "生成日期"])
@pytest.mark.parametrize("lead", ["页面", "网页", "本页", "本页面"])
def test_a_document_date_label_naming_the_page_dates_no_report(label: str, lead: str) -> None:
    assert _published(f"{lead}{label}:2024-05-06", TITLE, BODY) is None


def test_a_document_date_label_inside_prose_dates_nothing() -> None:
    prose = "本制度按印发日期2008年5月1日起执行,各股室遵照。"
    assert _published(TITLE, BODY, prose) is None


def test_a_posting_date_still_wins_over_a_document_date() -> None:
    assert _published("发文日期: 2011-03-09", "发布日期: 2011-03-20", TITLE, BODY) == "2011-03-20"


@pytest.mark.parametrize("line", ["(2026年1月23日)", "(2026年1 月23日)", "( 2026-01-23 )"])
def test_a_bracketed_date_under_the_title_is_the_reports_date(line: str) -> None:
    metadata = extract_metadata(None, "\n".join([TITLE, line, BODY]))
    assert metadata.published == "2026-01-23"


def test_a_bracketed_date_inside_a_sentence_is_no_report_date() -> None:
    assert _published(TITLE, "本报告数据截至(2026年1月23日)为止。", BODY) is None


@pytest.mark.parametrize(
    "line", ["• 2012年03月12日 00时00分", "2012年03月12日 9时05分30秒", "2012-03-12 00:00"]
)
def test_a_top_date_line_may_print_its_time_in_words(line: str) -> None:
    assert _published(TITLE, line, "• 来源: 县气象局", BODY) == "2012-03-12"


def test_a_time_in_words_with_prose_after_it_is_no_date_line() -> None:
    assert _published(TITLE, "2012年03月12日 00时00分召开会议,部署工作。", BODY) is None


@pytest.mark.parametrize("label", ["成文日期", "发文日期", "印发日期", "生成日期"])
@pytest.mark.parametrize("field", ["发文机关：甲乙县人民政府", "主题分类：综合政务", "索引号：000-2024-01"])
def test_a_document_date_label_glued_after_another_fields_value_dates_the_report(label: str, field: str) -> None:
    # a meta block rendered without separators: the label starts where the other field's value ends
    assert _published(f"{field}{label}：2024年01月20日", TITLE, BODY) == "2024-01-20"


@pytest.mark.parametrize("lead", ["页面", "网页", "本页"])
def test_a_glued_label_naming_the_page_still_dates_no_report(lead: str) -> None:
    assert _published(f"发文机关：甲乙县人民政府{lead}生成日期：2024-05-06", TITLE, BODY) is None


def test_a_glued_meta_field_does_not_make_prose_a_date_field() -> None:
    prose = "主题分类：制度本制度按印发日期2008年5月1日起执行,各股室遵照。"
    assert _published(TITLE, BODY, prose) is None
