"""The table and format traps of report-format.md §2, §4 and §9.1, one small case each."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

import pytest

from crawler.extract.model import Statistics
from crawler.extract.normalise import normalise_text
from crawler.extract.tables import extract_statistics
from tests.support.render_html import render_html
from tests.support.render_text import (
    render_cell_per_line,
    render_closed,
    render_flattened,
    render_pipe,
    render_tsv,
)
from tests.support.values import StatTables, random_tables, sec4_columns, zero_tables

Renderer = Callable[[StatTables], tuple[str, str | None]]

# layouts that keep empty cells visible (PDF text loses them, so blank cells cannot be placed there)
GRID_LAYOUTS: dict[str, Renderer] = {
    "tsv": lambda t: (render_tsv(t, random.Random(1)), None),
    "cell_per_line": lambda t: (render_cell_per_line(t, random.Random(2)), None),
    "cell_per_line_bars": lambda t: (render_cell_per_line(t, random.Random(3), bars=True), None),
    "pipe": lambda t: (render_pipe(t, random.Random(4)), None),
    "closed_bars": lambda t: (render_closed(t, random.Random(0)), None),
    "closed_bars_opened": lambda t: (render_closed(t, random.Random(8)), None),  # rows opened by "|"
    "html": lambda t: ("", render_html(t, random.Random(5))),
}
ALL_LAYOUTS: dict[str, Renderer] = {
    **GRID_LAYOUTS,
    "flattened": lambda t: (render_flattened(t, random.Random(6)), None),
}
EXPECTED_RENDER = {
    "cell_per_line_bars": "cell_per_line",
    "closed_bars": "cell_per_line",
    "closed_bars_opened": "cell_per_line",
}


def read(tables: StatTables, layout: str) -> Statistics:
    text, html = ALL_LAYOUTS[layout](tables)
    return extract_statistics(normalise_text(text), html)


# -- layouts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", sorted(ALL_LAYOUTS))
def test_layout_is_recognised(layout: str) -> None:
    assert read(zero_tables("G2"), layout).table_render == EXPECTED_RENDER.get(layout, layout)


@pytest.mark.parametrize("layout", sorted(GRID_LAYOUTS))
def test_short_row_is_null_not_shifted(layout: str) -> None:
    tables = random_tables(random.Random(7), "G2", busy=True)
    tables.defects["sec3.unable.no_info"] = ["1", "2", "3", "4", "5", "6"]
    cells = read(tables, layout).sec3["unable.no_info"]
    assert {cell.flag for cell in cells.values()} == {"cell_count_mismatch"}
    assert all(cell.value is None for cell in cells.values())
    assert cells["total"].raw.split("\t") == ["1", "2", "3", "4", "5", "6"]


@pytest.mark.parametrize("layout", sorted(GRID_LAYOUTS))
def test_blank_review_group_is_blank_not_zero(layout: str) -> None:
    tables = zero_tables("G2")
    for column in sec4_columns("G2"):
        tables.sec4["review"][column] = None
    stats = read(tables, layout)
    assert {(c.value, c.flag) for c in stats.sec4["review"].values()} == {(None, "blank")}
    assert {c.value for c in stats.sec4["litigation_direct"].values()} == {0}


def test_blank_cells_vanish_in_pdf_text_so_the_row_is_a_mismatch() -> None:
    tables = zero_tables("G2")
    tables.sec3["granted"]["research"] = None
    cells = read(tables, "flattened").sec3["granted"]
    assert {cell.flag for cell in cells.values()} == {"cell_count_mismatch"}


@pytest.mark.parametrize("layout", sorted(GRID_LAYOUTS))
@pytest.mark.parametrize("marker", ["-", "/", "无", "—"])
def test_marker_cell_is_null_with_its_raw(layout: str, marker: str) -> None:
    tables = zero_tables("G2")
    tables.sec3["denied.third_party"]["commercial"] = marker
    cell = read(tables, layout).sec3["denied.third_party"]["commercial"]
    assert (cell.value, cell.flag) == (None, "marker")


@pytest.mark.parametrize("layout", sorted(GRID_LAYOUTS))
def test_only_the_total_column_filled(layout: str) -> None:
    tables = zero_tables("G2")
    for column in tables.sec3["granted"]:
        tables.sec3["granted"][column] = None
    tables.sec3["granted"]["total"] = 4
    cells = read(tables, layout).sec3["granted"]
    assert cells["total"].value == 4
    assert cells["natural_person"].flag == "blank"


# -- labels ------------------------------------------------------------------------------------------

G2_TSV = """二、主动公开政府信息情况
第二十条第(一)项\t\t\t
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t0\t0\t0
行政规范性文件\t3\t1\t40
第二十条第（五）项\t
信息内容\t本年处理决定数量
行政许可\t12
第二十条第（六）项\t
信息内容\t本年处理决定数量
行政处罚\t5
行政强制\t-
第二十条第（八）项\t
信息内容\t本年收费金额（单位：万元）
行政事业性收费\t1.25
"""


def test_brackets_of_both_widths_in_one_table() -> None:
    stats = extract_statistics(G2_TSV)
    assert stats.sec2["art20_1"]["normative_documents"]["in_force"].value == 40
    assert stats.sec2["art20_5"]["licensing"]["decisions"].value == 12


def test_fee_amount_is_decimal_wan_yuan() -> None:
    assert extract_statistics(G2_TSV).sec2["art20_8"]["admin_fees"]["fee_amount"].value == Decimal("1.25")


def test_sec2_marker_cell() -> None:
    cell = extract_statistics(G2_TSV).sec2["art20_6"]["coercion"]["decisions"]
    assert (cell.value, cell.flag, cell.raw) == (None, "marker", "-")


def test_missing_sections_are_flagged_missing() -> None:
    stats = extract_statistics(G2_TSV)
    assert {c.flag for row in stats.sec3.values() for c in row.values()} == {"missing"}
    assert len(stats.sec3) == 25


def test_group_label_and_sub_label_share_a_cell() -> None:
    text = render_tsv(zero_tables("G2")).replace("\t1.属于国家秘密", " 1.属于国家秘密")
    assert "（三）不予公开 1.属于国家秘密" in text
    assert extract_statistics(text).sec3["denied.state_secret"]["total"].value == 0


def test_label_tail_leaking_into_the_next_row() -> None:
    tables = zero_tables("G2")
    tables.sec3["denied.law_forbidden"]["total"] = 9
    text = (
        render_tsv(tables)
        .replace("（三）不予公开\t", "（三）不予\t")
        .replace("\n\t2.其他法律", "\n公开\t2.其他法律")
    )
    assert "\n公开\t2.其他法律" in text
    assert extract_statistics(text).sec3["denied.law_forbidden"]["total"].value == 9


def test_label_wrapping_over_two_lines_in_pdf_text() -> None:
    tables = zero_tables("G2")
    tables.sec3["partially_granted"]["total"] = 3
    text = render_flattened(tables).replace("（二）部分公开（区分", "（二）部分公\n开（区分")
    assert extract_statistics(text).sec3["partially_granted"]["total"].value == 3


def test_page_break_inside_a_pdf_row() -> None:
    tables = zero_tables("G2")
    tables.sec3["granted"]["total"] = 8
    text = render_flattened(tables).replace("（一）予以公开 0 0 0 ", "（一）予以公开 0 0 0\n\n- 3 -\n\n")
    assert extract_statistics(text).sec3["granted"]["total"].value == 8


def test_hubei_other_documents_row_with_a_note() -> None:
    tables = random_tables(random.Random(11), "G1")
    text = render_tsv(tables).replace(
        "\n规范性文件\t", "\n其他主动公开文件（含通知公告）\t7\t6\t50\n规范性文件\t", 1
    )
    stats = extract_statistics(text)
    assert stats.sec2["art20_1"]["other_documents"]["total_published"].value == 50


def test_g1_amount_keeps_its_unit() -> None:
    tables = random_tables(random.Random(12), "G1")
    tables.sec2["art20_9"]["procurement"]["amount"] = "251000元"
    cell = read(tables, "html").sec2["art20_9"]["procurement"]["amount"]
    assert (cell.value, cell.raw, cell.flag) == (251000, "251000元", "raw_amount")


def test_g1_signed_delta() -> None:
    tables = random_tables(random.Random(13), "G1")
    tables.sec2["art20_5"]["licensing"]["delta"] = -4
    assert read(tables, "pipe").sec2["art20_5"]["licensing"]["delta"].value == -4


# -- format generations (§2) ---------------------------------------------------------------------------


@pytest.mark.parametrize("gen", ["G1", "G2"])
@pytest.mark.parametrize("layout", sorted(ALL_LAYOUTS))
def test_generation_from_labels(gen: str, layout: str) -> None:
    assert read(random_tables(random.Random(14), gen), layout).format == gen


def test_g1_from_its_single_other_row_alone() -> None:
    """No G1 header survives, but （六）其他处理 carries numbers and is followed by （七）总计."""
    text = render_tsv(zero_tables("G1"))
    text = "\n".join(line for line in text.splitlines() if "信息内容" not in line and "第二十条" not in line)
    text = text.replace("其他对外管理服务事项", "其他事项").replace("政府集中采购", "采购")
    assert extract_statistics(text).format == "G1"


def test_both_markers_section_two_headers_decide() -> None:
    text = render_tsv(zero_tables("G2")).replace("规章\t", "政府集中采购\t0\t0\n规章\t", 1)
    stats = extract_statistics(text)
    assert stats.format == "G2"
    assert any("both G1 and G2" in warning for warning in stats.warnings)


def test_year_does_not_decide_a_g1_table_in_a_2023_report() -> None:
    text = "2023年政府信息公开工作年度报告\n" + render_tsv(zero_tables("G1"))
    assert extract_statistics(text).format == "G1"


G0_TEXT = """一、概述
二、主动公开政府信息情况
本年度主动公开政府信息1200条，其中政府集中采购信息30条。
三、依申请公开政府信息情况
本年度收到申请5件。
四、政府信息公开的收费及减免情况
未收取任何费用。
"""


def test_g0_report_has_no_template_tables() -> None:
    stats = extract_statistics(G0_TEXT)
    assert (stats.format, stats.table_render, stats.sec2, stats.sec3, stats.sec4) == (
        "G0",
        "none",
        {},
        {},
        {},
    )


def test_template_era_without_tables_or_images_is_unknown_and_empty() -> None:
    text = "二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n"
    stats = extract_statistics(text)
    assert (stats.format, stats.table_render, stats.sec3) == ("unknown", "none", {})


def test_old_wording_in_a_preamble_decides_nothing() -> None:
    text = "本报告由……举报投诉情况……等部分组成。\n" + render_cell_per_line(zero_tables("G2"))
    assert extract_statistics(text).format == "G2"


# -- sections ------------------------------------------------------------------------------------------


def test_renumbered_sections_are_found_by_their_labels() -> None:
    text = render_tsv(random_tables(random.Random(15), "G2"))
    text = text.replace("二、主动公开", "三、主动公开").replace("三、收到和处理", "五、收到和处理")
    text = "一、总体情况\n二、工作要点落实情况\n" + text.replace(
        "四、政府信息公开行政复议", "七、政府信息公开行政复议"
    )
    stats = extract_statistics(text)
    assert stats.format == "G2"
    assert not [c for row in stats.sec3.values() for c in row.values() if c.value is None]


def test_image_in_one_section_and_text_tables_in_the_others() -> None:
    tables = zero_tables("G2")
    text = render_tsv(tables)
    start, end = text.index("三、收到和处理"), text.index("四、政府信息公开行政复议")
    text = text[:start] + "三、收到和处理政府信息公开申请情况\n[image: 表二]\n" + text[end:]
    stats = extract_statistics(text)
    assert {c.flag for row in stats.sec3.values() for c in row.values()} == {"image_only"}
    assert stats.sec4["review"]["total"].value == 0


def test_non_template_table_is_ignored() -> None:
    text = seed_like_images() + "2022年度政府网站信息发布示意图\n2021年度\t150\t2022年度\t231\t\n"
    stats = extract_statistics(text)
    assert stats.table_render == "image_only"


def seed_like_images() -> str:
    return (
        "二、主动公开政府信息情况\n[image: 1]\n三、收到和处理政府信息公开申请情况\n[image: 2]\n"
        "四、政府信息公开行政复议、行政诉讼情况\n[image: 3]\n五、存在的主要问题及改进情况\n问题。\n"
    )


def test_sec4_values_in_one_row_after_split_headers() -> None:
    values = ["1", "0", "0", "0", "1", "0", "2", "0", "0", "2", "0", "0", "0", "3", "3"]
    text = (
        "（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\n"  # a G2 marker
        "四、政府信息公开行政复议、行政诉讼情况\n行政复议\t\t\t\t\t行政诉讼\n"
        "结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总计\t未经复议直接起诉\t复议后起诉\n"
        + "\t".join(values)
        + "\n五、存在的主要问题及改进情况\n"
    )
    stats = extract_statistics(text)
    totals = [
        stats.sec4[group]["total"].value
        for group in ("review", "litigation_direct", "litigation_after_review")
    ]
    assert totals == [1, 2, 3]
