"""Table layouts and fragments the wider real-world set (tests/realworld/d*) showed: a whole table
in one paragraph with the bar on its own line after every cell, section 四 after a sentence and a
header printed one character per line, a flip-book page label, an unfilled template.
Constructed examples only."""

from __future__ import annotations

from crawler.extract.grid import detect_layout, text_rows
from crawler.extract.normalise import normalise_text
from crawler.extract.report import extract_report
from crawler.extract.tables import extract_statistics

#: table 二's first block, header and two rows, as the cells read left to right
SEC2_BLOCK_ONE = ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数",
                  "规章", "0", "0", "6", "行政规范性文件", "1", "0", "2")


def _bar_lines(*cells: str) -> list[str]:
    """Every cell on its own line, a bare "|" line after it, no blank line anywhere."""
    return [line for cell in cells for line in (cell, "|")]


def test_bar_lines_without_blank_lines_split_into_rows_at_each_label() -> None:
    lines = _bar_lines(*SEC2_BLOCK_ONE)
    rows = text_rows(lines, detect_layout(lines))
    assert len(rows) == 2  # before the fix: one row holding the whole table
    assert rows[0][-4:] == ["规章", "0", "0", "6"] and rows[1][:4] == ["行政规范性文件", "1", "0", "2"]


def test_a_table_of_bar_lines_reads_every_row() -> None:
    lines = [
        "二、主动公开政府信息情况",
        *_bar_lines("第二十条第(一)项", *SEC2_BLOCK_ONE),
        *_bar_lines("第二十条第(五)项", "信息内容", "本年处理决定数量", "行政许可", "7"),
        *_bar_lines("第二十条第(六)项", "信息内容", "本年处理决定数量", "行政处罚", "3", "行政强制", "4"),
    ]
    stats = extract_statistics(normalise_text("\n".join(lines)))
    sec2 = stats.sec2
    assert sec2["art20_1"]["regulations"]["in_force"].value == 6
    assert sec2["art20_1"]["normative_documents"]["made"].value == 1
    assert sec2["art20_5"]["licensing"]["decisions"].value == 7
    assert (
        sec2["art20_6"]["penalty"]["decisions"].value,
        sec2["art20_6"]["coercion"]["decisions"].value,
    ) == (3, 4)


SEC4_PAGE = "\n".join(
    [
        "Page 9 - 2020年报_某某局",
        "四、政府信息公开行政复议、行政诉讼情况",
        "2020 年,我单位未出现申请行政复议、提起行政诉讼的情况。",
        "行政复议 行政诉讼",
        "未经复议直接起诉 复议后起诉",
        "结 结 其 尚",
        "总计 果 果 他 未 总 果 果 他 未 总",
        "持 正 果 结 持 正 果 结",
        "1 0 0 0 1 0 2 0 0 2 0 0 0 3 3",
        "五、存在的主要问题及改进情况",
        "2021 年,我局将进一步提高认识。",
    ]
)


def test_a_flip_book_page_label_is_no_part_of_the_title() -> None:
    report = extract_report(SEC4_PAGE, kind="text")
    assert (report.year, report.agency_as_printed) == (2020, "某某局")


def test_a_sentence_before_the_section_four_header_does_not_hide_its_values() -> None:
    text = "\n".join(SEC4_PAGE.splitlines()[1:])
    stats = extract_statistics(normalise_text(text), generation_hint="G2")
    assert stats.sec4["litigation_after_review"]["total"].value == 3


def test_an_unfilled_template_reads_blank_never_zero() -> None:
    lines = [
        "二、主动公开政府信息情况",
        "第二十条第(一)项",
        "",
        "信息内容",
        "",
        "本年制发件数",
        "",
        "本年废止件数",
        "",
        "现行有效件数",
        "",
        "规章",
        "",
        "行政规范性文件",
        "",
        "第二十条第(五)项",
        "",
        "信息内容",
        "",
        "本年处理决定数量",
        "",
        "行政许可",
    ]
    stats = extract_statistics(normalise_text("\n".join(lines)))
    assert stats.sec2["art20_1"]["regulations"]["made"].value is None
    assert stats.sec2["art20_5"]["licensing"]["decisions"].value is None
