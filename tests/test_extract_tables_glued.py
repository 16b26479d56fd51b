"""Tables whose cells are glued with no separator (``crawler/extract/glued.py``): constructed texts.

The rule: the template's words open new cells; a row's digits are cut into its columns only when
one cut alone has no number but 0 starting with 0 and keeps the row's totals (三, 四); otherwise the
row is a cell-count mismatch, never a guess.
"""

from __future__ import annotations

from crawler.extract.glued import GluedNumbers, glued_rows, has_glued_tables
from crawler.extract.tables import extract_statistics

SEC3_LABELS = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "三、本年度办理结果（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（三）不予公开1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "（四）无法提供1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "（五）不予处理1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
    "（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
    "（七）总计",
    "四、结转下年度继续办理",
]
SEC4_HEADER = (
    "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
    "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"
)


def glued_report(
    *,
    regulations: str = "000",
    normative: str = "002",
    penalty: str = "141",
    sec3: dict[str, str] | None = None,
    sec4: str = "0" * 15,
    prose: str = "",
) -> str:
    """A G2 report whose whole body is one line, every cell glued to the next."""
    rows = {label: "0000000" for label in SEC3_LABELS} | (sec3 or {})
    return (
        "标题: 某县某局2021年政府信息公开工作年度报告\n"
        f"一、总体情况全年主动公开信息12条。{prose}"
        "二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数"
        f"规章{regulations}行政规范性文件{normative}"
        "第二十条第（五）项信息内容本年处理决定数量行政许可0"
        f"第二十条第（六）项信息内容本年处理决定数量行政处罚{penalty}行政强制0"
        "第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费0"
        "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
        + "".join(label + digits for label, digits in rows.items())
        + f"四、政府信息公开行政复议、行政诉讼情况{SEC4_HEADER}{sec4}"
        "五、存在的主要问题及改进情况2021年，我局还有不足。六、其他需要报告的事项无。"
    )


def values(row: dict) -> list:
    return [cell.value for cell in row.values()]


def test_one_digit_per_cell_is_read_in_every_table() -> None:
    stats = extract_statistics(glued_report(sec3={SEC3_LABELS[0]: "1000001", "3.其他": "1000001"}))
    assert stats.format == "G2" and stats.table_render == "flattened"
    assert values(stats.sec2["art20_1"]["normative_documents"]) == [0, 0, 2]
    assert values(stats.sec2["art20_6"]["penalty"]) == [141]  # one column: the whole number
    assert values(stats.sec3["new_received"]) == [1, 0, 0, 0, 0, 0, 1]
    assert values(stats.sec3["carried_over"]) == [0] * 7
    assert values(stats.sec4["review"]) == [0] * 5


def test_enumerator_digits_open_the_next_label() -> None:
    # 「…事项0000000（四）无法提供1.本机关…」, 「…申请00000002.重复申请」: the 2 is the label's
    stats = extract_statistics(glued_report(sec3={"2.重复申请": "3000003"}))
    assert values(stats.sec3["not_processed.repeat"]) == [3, 0, 0, 0, 0, 0, 3]
    assert values(stats.sec3["not_processed.complaint"]) == [0] * 7


def test_several_digit_numbers_are_cut_where_the_row_total_holds() -> None:
    # 20 0 0 0 0 1 21 is the one cut of 「200000121」 into seven numbers that adds up
    stats = extract_statistics(glued_report(sec3={SEC3_LABELS[0]: "200000121"}))
    assert values(stats.sec3["new_received"]) == [20, 0, 0, 0, 0, 1, 21]


def test_sec4_groups_must_each_add_up() -> None:
    # 12 0 0 0 12 | 0 0 0 0 0 | 2 0 0 1 3
    stats = extract_statistics(glued_report(sec4="1200012" + "00000" + "20013"))
    assert values(stats.sec4["review"]) == [12, 0, 0, 0, 12]
    assert values(stats.sec4["litigation_direct"]) == [0] * 5
    assert values(stats.sec4["litigation_after_review"]) == [2, 0, 0, 1, 3]
    # 「1201013」 is 12 0 1 0 13 and also 1 2 0 10 13: both add up, so neither is taken
    stats = extract_statistics(glued_report(sec4="1201013" + "00000" + "20013"))
    assert values(stats.sec4["review"]) == [None] * 5


def test_a_row_with_more_than_one_cut_is_not_guessed() -> None:
    # 「7777166」 in three columns: 77 77 166? 7 777 166? no total to choose by
    stats = extract_statistics(glued_report(normative="7777166"))
    row = stats.sec2["art20_1"]["normative_documents"]
    assert values(row) == [None, None, None]
    assert {cell.flag for cell in row.values()} == {"cell_count_mismatch"}
    # a row whose digits add up no way at all is not read either
    stats = extract_statistics(glued_report(sec3={SEC3_LABELS[0]: "1000002"}))
    assert values(stats.sec3["new_received"]) == [None] * 7


def test_prose_before_the_tables_is_not_cut_into_labels() -> None:
    # 「…申请行政复议或行政诉讼的事项」 would open section 四 as a header 「行政复议或」
    stats = extract_statistics(glued_report(prose="没有因政府信息公开申请行政复议或行政诉讼的事项。"))
    assert values(stats.sec3["new_received"]) == [0] * 7
    assert values(stats.sec4["review"]) == [0] * 5


def test_a_sentence_between_a_heading_and_its_table_keeps_its_numbers() -> None:
    # 「…行政诉讼情况2024年，没有…。行政复议…」: 2024年 and 3条 are words of the sentence, not cells
    text = glued_report().replace(
        "四、政府信息公开行政复议、行政诉讼情况", "四、政府信息公开行政复议与行政诉讼情况2024年，共2件，办结1个。"
    )
    stats = extract_statistics(text)
    assert values(stats.sec4["review"]) == [0] * 5
    assert values(stats.sec3["carried_forward"]) == [0] * 7


def test_only_long_lines_holding_table_anchors_are_glued_tables() -> None:
    assert has_glued_tables(glued_report().splitlines())
    spaced = ["第二十条第（一）项", "规章 0 0 0", "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1"]
    assert not has_glued_tables(spaced)  # short lines: the other text layouts read them
    rows = glued_rows(["第二十条第（一）项信息内容规章000" + "本列数据的勾稽关系" * 30])
    assert ["规章", "000"] in rows and isinstance(rows[2][1], GluedNumbers)


def test_a_run_too_long_to_cut_is_left_as_read() -> None:
    # 40 digits for 15 cells: past the digits the search tries, the row is a mismatch at once
    stats = extract_statistics(glued_report(sec4="1234567890" * 4))
    assert values(stats.sec4["review"]) == [None] * 5
    assert any(w.startswith("sec4:") for w in stats.warnings)


def test_a_sec2_row_with_more_digits_than_columns_is_not_cut() -> None:
    # 「1000」 in three columns: 10 0 0, 1 0 00? or 100, a blank, 0 — 二 has no total to tell
    stats = extract_statistics(glued_report(normative="1000"))
    row = stats.sec2["art20_1"]["normative_documents"]
    assert values(row) == [None, None, None]
    assert {cell.flag for cell in row.values()} == {"cell_count_mismatch"}
    # one digit a cell is the only reading when the digits are as many as the columns
    assert values(extract_statistics(glued_report(normative="102")).sec2["art20_1"]["normative_documents"]) == [1, 0, 2]
