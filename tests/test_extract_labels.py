"""The label grammar (crawler/extract/labels.py) on constructed labels, as the web prints them."""

from __future__ import annotations

import pytest

from crawler.extract.labels import block_code, label_key, row_code


@pytest.mark.parametrize(
    ("printed", "key"),
    [
        ("自 然 人", "自然人"),
        ("本年新 制作数量", "本年新制作数量"),
        ("第二十条第（一）项", "第二十条第(一)项"),
        ("規(guī)章", "规章"),  # traditional script with a pinyin gloss
        ("行政規範性文件", "行政规范性文件"),
        ("規範性檔案", "规范性文件"),  # zh-TW vocabulary
        ("规范性文档", "规范性文件"),  # what the zh-TW converter makes of 文件
        ("ABC 1", "ABC1"),
    ],
)
def test_label_key_folds_spacing_script_and_converter_words(printed: str, key: str) -> None:
    assert label_key(printed) == key


@pytest.mark.parametrize(
    ("label", "gen", "code"),
    [
        ("规章", "G2", "art20_1.regulations"),
        ("规章：", "G2", "art20_1.regulations"),
        ("行政规范性文件", "G2", "art20_1.normative_documents"),
        ("规范性文件", "G2", "art20_1.normative_documents"),  # G1 wording in a G2 table
        ("行政規範性檔案", "G2", "art20_1.normative_documents"),
        ("规范性文件(行政机关制定发布的决定、公告)", "G1", "art20_1.normative_documents"),
        ("其他对外管理服务", "G1", "art20_5.other_services"),  # cut short, still unambiguous
        ("行政事业", "G2", "art20_8.admin_fees"),
        ("行政", "G2", None),  # too short to tell 行政处罚 from 行政强制
        ("信息内容", "G2", None),
        ("政府集中采购", "G1", "art20_9.procurement"),
    ],
)
def test_sec2_rows(label: str, gen: str, code: str | None) -> None:
    assert row_code("sec2", label, gen) == code


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("一、本年新收政府信息公开申请数量", "new_received"),
        ("（三）1.属于国家秘密", "denied.state_secret"),
        ("1.属于 国家秘密", "denied.state_secret"),
        ("（四）2.没有現成信息需要另行製作", "unable.need_creation"),
        ("5.要求行政机关确认或重新", "not_processed.confirm"),  # wrapped: first line only
        ("3.其他", "other.other"),
        ("（六）其他", None),  # the group label cut short
        ("（七）总计", "total_processed"),
        ("四、结转下年度继续办理", "carried_forward"),
        ("自然人", None),
    ],
)
def test_sec3_rows(label: str, code: str | None) -> None:
    assert row_code("sec3", label, "G2") == code


def test_sec3_header_words_are_rows_only_after_the_header() -> None:
    assert row_code("sec3", "总计", "G2", data_started=False) is None
    assert row_code("sec3", "总计", "G2") == "total_processed"
    assert row_code("sec3", "（六）其他处理", "G1") == "other"


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("行政复议", "review"),
        ("未经复议直接起诉", "litigation_direct"),
        ("复议后 起诉", "litigation_after_review"),
    ],
)
def test_sec4_groups(label: str, code: str) -> None:
    assert row_code("sec4", label, "G1") == code


def test_unknown_section_is_an_error() -> None:
    with pytest.raises(ValueError):
        row_code("sec5", "规章", "G2")


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("第二十条第（五）项", "art20_5"),
        ("第二十条 第(八)项", "art20_8"),
        ("第二十條第(六)項(xiàng)", "art20_6"),
        ("第二十条第", None),  # the numeral lost
    ],
)
def test_block_codes(label: str, code: str | None) -> None:
    assert block_code(label, "G2") == code


def test_label_with_a_lone_surrogate_is_compared_as_printed() -> None:
    assert label_key("\ud800规章") == "\ud800规章"


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("3.危及“三安全稳定”", "denied.three_safety_one_stability"),  # a thin 一 lost
        ("7.属于行政执法案e", "denied.enforcement_file"),  # 卷 misread
        ("2.其他法律行政法观禁止公开", "denied.law_forbidden"),  # 规 misread
        ("1.信访举报投拆类申请", "not_processed.complaint"),
    ],
)
def test_sec3_keyword_survives_one_misread_character(label: str, code: str) -> None:
    assert row_code("sec3", label, "G2") == code


@pytest.mark.parametrize(
    "label",
    [
        "本年新x",  # a four-character keyword with a slip is too loose a match
        "申请人情况",
        "(三)不予公开",
        "商业企业",
        "第三方",
    ],
)
def test_sec3_near_match_needs_a_long_keyword(label: str) -> None:
    assert row_code("sec3", label, "G2", data_started=False) is None


def test_every_template_label_keeps_its_own_code() -> None:
    """The tolerant match never takes a printed label of the template to another row."""
    from crawler.extract.labels import SEC3_KEYWORDS, near_keyword_code

    for keyword, code in SEC3_KEYWORDS:
        assert near_keyword_code(keyword) in (code, None) or len(keyword) < 5
