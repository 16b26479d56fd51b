"""Tables as the web flattens them: constructed cases of each class of damage (issue 14, item 2).

Each case is a small table printed the way real pages print it — cells closed by a bar or slash
one per line, labels broken by spaces or cut short, labels lost, headers one character per line,
traditional script — and the cells it must give.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from crawler.extract.cells import parse_cell
from crawler.extract.grid import detect_layout, text_rows
from crawler.extract.model import Statistics
from crawler.extract.normalise import normalise_text
from crawler.extract.tables import extract_statistics

SEC2_G2 = [
    ("第二十条第(一)项", []),
    ("信息内容", ["本年制发件数", "本年废止件数", "现行有效件数"]),
    ("规章", ["1", "2", "3"]),
    ("行政规范性文件", ["4", "5", "6"]),
    ("第二十条第(五)项", []),
    ("信息内容", ["本年处理决定数量"]),
    ("行政许可", ["7"]),
    ("第二十条第(六)项", []),
    ("信息内容", ["本年处理决定数量"]),
    ("行政处罚", ["8"]),
    ("行政强制", ["9"]),
    ("第二十条第(八)项", []),
    ("信息内容", ["本年收费金额(单位:万元)"]),
    ("行政事业性收费", ["12.6"]),
]
SEC2_VALUES = {
    ("art20_1", "regulations"): [1, 2, 3],
    ("art20_1", "normative_documents"): [4, 5, 6],
    ("art20_5", "licensing"): [7],
    ("art20_6", "penalty"): [8],
    ("art20_6", "coercion"): [9],
    ("art20_8", "admin_fees"): [Decimal("12.6")],
}


def sec2_values(stats: Statistics) -> dict[tuple[str, str], list]:
    return {
        (block, row): [cell.value for cell in cols.values()]
        for block, rows in stats.sec2.items()
        for row, cols in rows.items()
    }


def read_text(text: str) -> Statistics:
    return extract_statistics(normalise_text(text))


def closed_lines(rows: list[tuple[str, list[str]]], closer: str, *, bar_opens: bool = False) -> str:
    """One cell per line, each closed by ``closer``; block titles padded with spacer bars."""
    lines = ["二、主动公开政府信息情况"]
    for label, values in rows:
        if bar_opens:
            lines.append("|")
        spacers = " |||" if not values and closer == "|" else ""
        lines.append(f"{label} {closer}{spacers}")
        lines += [f"{value} {closer}" for value in values]
    return "\n".join([*lines, "三、收到和处理政府信息公开申请情况", "本年未收到申请。"])


# -- one cell per line, closed by a bar or a slash ---------------------------------------------------


@pytest.mark.parametrize(("closer", "bar_opens"), [("|", False), ("|", True), ("/", False)])
def test_cells_closed_one_per_line(closer: str, bar_opens: bool) -> None:
    stats = read_text(closed_lines(SEC2_G2, closer, bar_opens=bar_opens))
    assert stats.format == "G2" and stats.table_render == "cell_per_line"
    assert sec2_values(stats) == SEC2_VALUES


def test_bare_bar_before_the_row_opener_is_a_blank_cell() -> None:
    rows = [(label, ["1", "2"] if label == "规章" else values) for label, values in SEC2_G2]
    text = closed_lines(rows, "|", bar_opens=True).replace("2 |\n|\n行政规范", "2 |\n|\n|\n行政规范")
    stats = read_text(text)
    regulations = stats.sec2["art20_1"]["regulations"]
    assert [cell.value for cell in regulations.values()] == [1, 2, None]
    assert regulations["in_force"].flag == "blank"  # never 0
    assert [c.value for c in stats.sec2["art20_1"]["normative_documents"].values()] == [4, 5, 6]


def test_a_lone_slash_is_a_placeholder_in_slash_closed_lines() -> None:
    rows = [(label, ["/" if v == "8" else v for v in values]) for label, values in SEC2_G2]
    text = closed_lines(rows, "/").replace("/ /\n", "/\n")
    penalty = read_text(text).sec2["art20_6"]["penalty"]["decisions"]
    assert penalty.value is None and penalty.flag == "marker"


def test_pipe_rows_with_padded_block_titles_stay_pipe_rows() -> None:
    lines = []
    for label, values in SEC2_G2:
        lines.append(f"{label} | |||" if not values else " | ".join([label, *values]) + " |")
    assert detect_layout(lines) == "pipe"
    assert sec2_values(read_text("\n".join(lines))) == SEC2_VALUES


def test_closed_rows_group_a_label_with_the_values_after_it() -> None:
    lines = ["规章 |", "0 |", "0 | ||", "行政许可 |", "5 |"]
    assert text_rows(lines, detect_layout(lines)) == [["规章", "0", "0", "", ""], ["行政许可", "5"]]


# -- labels broken, cut, lost -------------------------------------------------------------------------


def test_labels_broken_by_spaces() -> None:
    rows = [(" ".join(label) if label == "行政规范性文件" else label, values) for label, values in SEC2_G2]
    text = "\n".join("\t".join([label, *values]) for label, values in rows)
    assert sec2_values(read_text(text)) == SEC2_VALUES


def test_block_labels_without_their_item_number() -> None:
    rows = [("第二十条第" if label.startswith("第二十条") else label, values) for label, values in SEC2_G2]
    text = "\n".join("\t".join([label, *values]) for label, values in rows)
    assert sec2_values(read_text(text)) == SEC2_VALUES


def test_blank_row_label_is_read_by_position() -> None:
    rows = [("" if label == "规章" else label, values) for label, values in SEC2_G2]
    text = "\n".join("\t".join([label, *values]) for label, values in rows)
    stats = read_text(text)
    assert sec2_values(stats) == SEC2_VALUES
    assert "sec2.art20_1.regulations: label not found, read by position" in stats.warnings


def test_a_lost_label_with_the_wrong_number_of_values_stays_missing() -> None:
    rows = [("", ["1", "2"]) if label == "规章" else (label, values) for label, values in SEC2_G2]
    text = "\n".join("\t".join([label, *values]) for label, values in rows)
    regulations = read_text(text).sec2["art20_1"]["regulations"]
    assert {cell.flag for cell in regulations.values()} == {"missing"}  # never shifted


def test_traditional_script_labels() -> None:
    rows = [
        (
            label.replace("规章", "規(guī)章")
            .replace("行政规范性文件", "行政規範性檔案")
            .replace("处罚", "處罰"),
            v,
        )
        for label, v in SEC2_G2
    ]
    text = "\n".join("\t".join([label, *values]) for label, values in rows)
    assert sec2_values(read_text(text)) == SEC2_VALUES


# -- section 三 and 四 in PDF text ---------------------------------------------------------------------

SEC3_LABELS = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "(一)予以公开",
    "(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
    "(七)总计",
    "四、结转下年度继续办理",
]


def vertical(text: str) -> list[str]:
    return [ch for ch in text if not ch.isspace()]


def pdf_report(sec3_rows: list[str], sec4_lines: list[str]) -> str:
    header = vertical(
        "申请人情况 自然人 法人或其他组织 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计"
    )
    return "\n".join(
        [
            "三、收到和处理政府信息公开申请情况",
            "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
            *header,
            *sec3_rows,
            "四、政府信息公开行政复议、行政诉讼情况",
            *sec4_lines,
            "五、存在的主要问题及改进情况",
        ]
    )


def sec3_row(n: int) -> list[str]:
    return [str(n), "0", "0", "0", "0", "0", str(n)]


def test_pdf_sec4_header_one_character_per_line_then_fifteen_numbers() -> None:
    header = vertical(
        "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉"
    )
    numbers = " ".join(str(n) for n in range(1, 16))
    stats = read_text(
        pdf_report([f"{label} {' '.join(sec3_row(3))}" for label in SEC3_LABELS], [*header, numbers])
    )
    assert stats.format == "G2"
    assert [cell.value for cell in stats.sec4["review"].values()] == [1, 2, 3, 4, 5]
    assert [cell.value for cell in stats.sec4["litigation_after_review"].values()] == [11, 12, 13, 14, 15]


def test_carried_forward_row_is_a_sec3_row_not_the_sec4_heading() -> None:
    rows = [f"{label} {' '.join(sec3_row(i))}" for i, label in enumerate(SEC3_LABELS)]
    stats = read_text(pdf_report(rows, ["行政复议", " ".join(["0"] * 15)]))
    assert [cell.value for cell in stats.sec3["carried_forward"].values()] == sec3_row_values(24)
    assert stats.sec4["review"]["total"].value == 0


def sec3_row_values(n: int) -> list[int]:
    return [int(v) for v in sec3_row(n)]


def test_pdf_sec3_rows_whose_labels_are_scattered_are_read_by_position() -> None:
    # labels printed one character per line: no keyword survives, the numbers keep their order
    rows: list[str] = []
    for i, label in enumerate(SEC3_LABELS):
        if 4 <= i <= 11:
            rows += [*vertical(label[2:]), " ".join(sec3_row(i))]
        else:
            rows.append(f"{label} {' '.join(sec3_row(i))}")
    stats = read_text(pdf_report(rows, ["行政复议", " ".join(["0"] * 15)]))
    for i, code in enumerate(["denied.state_secret", "denied.law_forbidden", "denied.admin_query"]):
        want = sec3_row_values([4, 5, 11][i])
        assert [cell.value for cell in stats.sec3[code].values()] == want


# -- cell values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "value", "flag"),
    [
        ("+2", "signed_count", 2, None),
        ("−417", "signed_count", -417, None),  # U+2212 MINUS SIGN
        ("﹣3", "signed_count", -3, None),
        ("–5", "signed_count", -5, None),  # an en dash before the digits
        ("增加2", "signed_count", 2, None),
        ("减少417", "signed_count", -417, None),
        ("减1", "signed_count", -1, None),
        ("减少417", "count", None, "unparsed"),  # a count column has no sign
        ("251000元", "amount_raw", 251000, "raw_amount"),
        ("12.6万元", "amount_raw", Decimal("12.6"), "raw_amount"),
        ("12.6万元", "decimal", Decimal("12.6"), None),
        ("/", "count", None, "marker"),
        ("-", "count", None, "marker"),
        ("", "count", None, "blank"),
    ],
)
def test_signed_unit_and_placeholder_cells(raw: str, kind: str, value, flag: str | None) -> None:
    cell = parse_cell(raw, kind)
    assert (cell.value, cell.flag) == (value, flag)
    if raw:
        assert cell.raw == raw  # the printed text, unit included


def sec4_lines_after(rows: list[str]) -> Statistics:
    sec3 = [f"{label} {' '.join(sec3_row(1))}" for label in SEC3_LABELS]
    return read_text(pdf_report(sec3, rows))


def test_sec4_groups_printed_as_labelled_rows() -> None:
    stats = sec4_lines_after(
        [
            "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计",
            "行政复议 1 2 3 4 10",
            "未经复议直接起诉 0 0 0 0 0",
            "复议后起诉 5 0 0 0 5",
        ]
    )
    assert [cell.value for cell in stats.sec4["review"].values()] == [1, 2, 3, 4, 10]
    assert [cell.value for cell in stats.sec4["litigation_after_review"].values()] == [5, 0, 0, 0, 5]


def test_sec4_groups_split_by_a_header_printed_one_character_per_line() -> None:
    rows = [
        "行政复议",
        "1 2 3 4 10",
        *vertical("行政诉讼 未经复议直接起诉"),
        "0 0 0 0 0",
        *vertical("复议后起诉"),
        "5 0 0 0 5",
    ]
    stats = sec4_lines_after(rows)
    assert [cell.value for cell in stats.sec4["review"].values()] == [1, 2, 3, 4, 10]
    assert [cell.value for cell in stats.sec4["litigation_direct"].values()] == [0, 0, 0, 0, 0]
    assert [cell.value for cell in stats.sec4["litigation_after_review"].values()] == [5, 0, 0, 0, 5]


def test_sec4_with_a_cell_lost_is_a_mismatch_not_shifted() -> None:
    rows = ["行政复议", "1 2 3 4", *vertical("行政诉讼"), "0 0 0 0 0", *vertical("复议后起诉"), "5 0 0 0 5 7"]
    stats = sec4_lines_after(rows)
    assert {cell.flag for group in stats.sec4.values() for cell in group.values()} == {"cell_count_mismatch"}


def test_traditional_table_labels_inside_a_simplified_text() -> None:
    rows = [(label.replace("条", "條").replace("项", "項").replace("内", "內"), v) for label, v in SEC2_G2]
    prose = "本报告由本机关编制。全年主动公开政府信息100条。"
    text = "\n".join([prose, *("\t".join([label, *values]) for label, values in rows)])
    assert sec2_values(read_text(text)) == SEC2_VALUES


def test_pdf_lines_ending_in_a_placeholder_are_not_slash_closed_cells() -> None:
    rows = [(label, ["/"] * len(values) if label != "信息内容" else values) for label, values in SEC2_G2]
    lines = [" ".join([label, *values]) for label, values in rows]
    assert detect_layout(lines) == "flattened"
    stats = read_text("\n".join(lines))
    flags = {cell.flag for rows in stats.sec2.values() for cols in rows.values() for cell in cols.values()}
    assert flags == {"marker"}


def test_pdf_label_glued_to_its_first_number() -> None:
    rows = [
        f"{label}{' '.join(sec3_row(i))}" if i in (4, 6) else f"{label} {' '.join(sec3_row(i))}"
        for i, label in enumerate(SEC3_LABELS)
    ]
    stats = read_text(pdf_report(rows, ["行政复议", " ".join(["0"] * 15)]))
    assert [cell.value for cell in stats.sec3["denied.state_secret"].values()] == sec3_row_values(4)
    assert [c.value for c in stats.sec3["denied.three_safety_one_stability"].values()] == sec3_row_values(6)


def test_a_number_ending_a_word_alone_stays_in_the_word() -> None:
    from crawler.extract.grid import _flat_cells

    assert _flat_cells("详见附件1") == ["详见附件1"]
    assert _flat_cells("行政许可5 0 5") == ["行政许可", "5", "0", "5"]
