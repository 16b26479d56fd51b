"""normalise_text: whitespace, markup debris, docx artifacts, safe NFKC, traditional script."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.extract.normalise import is_traditional, normalise_text

SEEDS = sorted((Path(__file__).parent / "fixtures" / "seeds").glob("*.txt"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  根据《条例》  要求  \n", "根据《条例》 要求"),
        ("第一段\n\n\n\n第二段", "第一段\n\n第二段"),
        ("第一段\r\n第二段", "第一段\n第二段"),
        ("\u3000\u3000本年度\u00a0\u00a0共\u200b计", "本年度 共计"),
        ("                            2022年1月18日", "2022年1月18日"),
    ],
)
def test_whitespace(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_tabs_in_table_rows_are_kept_including_leading_empty_cells() -> None:
    row = "\t\t\t\t\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0"
    assert normalise_text(f"表\n{row}\n") == f"表\n{row}"


def test_tab_only_line_is_an_empty_cell_and_stays() -> None:
    assert normalise_text("\t（一）予以公开\n\t\n\t0") == "\t(一)予以公开\n\t\n\t0"


def test_spaces_around_tabs_go() -> None:
    assert normalise_text("结果 维持 \t 0 ") == "结果 维持\t0"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('<style type="text/css">.TRS_Editor P{margin:0;font-family:宋体;}</style>正文', "正文"),
        (".TRS_Editor P{margin-top:0px;}.TRS_Editor DIV{margin:0}\n正文", "正文"),
        (".TRS_Editor P{margin:0}正文第一段", "正文第一段"),
        ("<script>var a = 1;</script>正文", "正文"),
        ("[bookmark: _GoBack]2022年，综合行政执法局", "2022年，综合行政执法局"),
        ("**一是**加强组织领导", "一是加强组织领导"),
        ("海原县人民政府网(<http://www.hy.gov.cn/>)公布", "海原县人民政府网(http://www.hy.gov.cn/)公布"),
        (
            "二、主动公开政府信息情况\n该部分以表格形式报告。表格如下:\n第二十条第（一）项",
            "二、主动公开政府信息情况\n\n第二十条第(一)项",
        ),
    ],
)
def test_markup_and_docx_artifacts_are_removed(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("第二十条第（一）项", "第二十条第(一)项"),
        ("２０２２年１２４条", "2022年124条"),
        ("ＡＢＣ／－", "ABC/-"),
        ("⼀、总体情况", "一、总体情况"),  # U+2F00 KANGXI RADICAL ONE, from PDFs
        ("一、总体情况。“三安全一稳定”、二〇二二年", "一、总体情况。“三安全一稳定”、二〇二二年"),
        ("收费，未收取；注：无！？", "收费，未收取；注：无！？"),
    ],
)
def test_safe_nfkc(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    ("text", "traditional"),
    [
        ("本年度政府信息公開工作報告，規範性檔案", True),
        ("本年度政府信息公开工作报告，规范性文件", False),
        ("本报告提到台湾的「報告」一词", False),
        ("", False),
    ],
)
def test_is_traditional(text: str, traditional: bool) -> None:
    assert is_traditional(text) is traditional


def test_traditional_mirror_is_converted_and_pinyin_removed() -> None:
    raw = "威海市文登區政府信息公開工作年度報(bào)告，本年制發規範性檔案3件，文(wen)章(zhang)。"
    assert normalise_text(raw) == "威海市文登区政府信息公开工作年度报告，本年制发规范性文件3件，文章。"


def test_plain_latin_in_simplified_text_is_kept() -> None:
    assert normalise_text("政府网站(www)与公众号(wx)") == "政府网站(www)与公众号(wx)"


def test_toned_pinyin_is_removed_from_simplified_text_too() -> None:
    assert normalise_text("年度报(bào)告") == "年度报告"


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_seeds_are_stable_under_a_second_pass(path: Path) -> None:
    once = normalise_text(path.read_text(encoding="utf-8"))
    assert normalise_text(once) == once


def test_seed_002_loses_its_bookmark() -> None:
    text = normalise_text(SEEDS[2].read_text(encoding="utf-8"))
    assert "[bookmark" not in text


def test_seed_001_table_row_keeps_its_empty_cells() -> None:
    text = normalise_text(SEEDS[1].read_text(encoding="utf-8"))
    assert "\n\t\t\t\t\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n" in text


_ALPHABET = st.sampled_from(
    list("政府信息公开年度报告一二三〇、。，“”（）()０１２3 \t\n\u3000\u00a0-/*[]<>:")
)


@given(st.text(_ALPHABET, max_size=80))
def test_normalising_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
