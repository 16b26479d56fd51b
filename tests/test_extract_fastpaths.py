"""The extraction fast paths give what the plain forms gave (tests/bench_extract.py measures them).

Each cut of extraction CPU kept an equivalent slower form; these cases pin the equivalence where it
is least obvious: a lookbehind moved after its word, a cell's text read without a walk, spans
expanded without a per-cell loop, cached per-text lookups.
"""

from __future__ import annotations

import re

from lxml import etree

from crawler.extract import tables
from crawler.extract.grid import expand_grid, html_rows
from crawler.extract.labels import sec3_keyword_code
from crawler.extract.page import _DATE_LINE, _date_line
from crawler.extract.tokens import classify, tokenize

# the date label alternatives as they were written before the lookbehind moved after the word
_LEADING_LOOKBEHIND = re.compile(
    r"(发布日期|(?<![\u4e00-\u9fff])日期|(?<![\u4e00-\u9fff])时间)\s*[:：]?\d{4}"
)


def test_date_label_lookbehind_after_the_word_finds_the_same_matches() -> None:
    texts = [
        "日期：2023-01-02",  # at the very start: no character before
        "截止日期：2023-01-02 更新时间：2023-02-03",  # after CJK: not a label
        "<span>日期</span>2023年1月2日",
        "x时间:2023-01-02 发布日期：2024-05-06",
        "生成日期 2023-01-02",
    ]
    moved = re.compile(r"(发布日期|日期(?<![\u4e00-\u9fff]日期)|时间(?<![\u4e00-\u9fff]时间))\s*[:：]?\d{4}")
    for text in texts:
        before = [(m.start(), m.group(0)) for m in _LEADING_LOOKBEHIND.finditer(text)]
        assert [(m.start(), m.group(0)) for m in moved.finditer(text)] == before, text
    assert _date_line("截止日期：2023-01-02 日期：2023-03-04") == "日期：2023-03-04"
    assert _DATE_LINE.search("截止日期：2023-01-02") is None


def _itertext_cells(table: etree._Element) -> list[str]:
    return [" ".join("".join(td.itertext()).split()) for td in table.iter("td", "th")]


def test_cell_text_fast_paths_equal_itertext() -> None:
    html = (
        "<table><tr><td> 0 </td><td>a<!-- c -->b<span>x&amp;<?pi z?></span>y<br/>&nbsp;q</td>"
        "<td></td><td><p>行政<b>许可</b></p>\n<p>12</p></td></tr></table>"
    )
    table = next(etree.fromstring(html, etree.HTMLParser()).iter("table"))
    assert [cell for row in expand_grid(table) for cell in row] == _itertext_cells(table)


def test_spans_cover_the_cells_below_and_right_and_past_the_end() -> None:
    html = (
        "<table><tr><td rowspan='2'>A</td><td colspan='2'>B</td><td rowspan='9'>C</td></tr>"
        "<tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>"
    )
    table = next(etree.fromstring(html, etree.HTMLParser()).iter("table"))
    assert expand_grid(table) == [["A", "B", None, "C"], [None, "1", "2", None], ["3", None]]
    assert html_rows(html) == [["A", "B", "C"], ["1", "2"], ["3"], []]
    assert html_rows("   ") == []


def test_cached_classification_and_row_grammar_answer_as_uncached() -> None:
    rows = [["信息内容", "0", "", "规章"], ["规章", "3件"]]
    assert [(t.kind, t.key, t.core) for t in tokenize(rows, keep_empty=True)] == [
        (*classify.__wrapped__(raw),) for row in rows for raw in row
    ]
    for key in ("三安全稳定", "本年新收政府信息公开申请数量", "其他"):
        assert tables._sec3_keyword_code(key) == sec3_keyword_code(key)


def test_pinyin_patterns_with_the_lookbehind_after_the_bracket_remove_the_same() -> None:
    from crawler.extract.normalise import _PINYIN_PLAIN, _PINYIN_TONED, _TONED

    leading_toned = re.compile(rf"(?<=[\u4e00-\u9fff])\((?=[a-z{_TONED}]*[{_TONED}])[a-z{_TONED}]{{1,7}}\)")
    leading_plain = re.compile(rf"(?<=[\u4e00-\u9fff])\([a-z{_TONED}]{{1,7}}\)")
    text = "(bào)開(kāi)放(fang)x(ā)中(zhōng)(ab) 报(KAI)告(baogaoxx)"
    assert (
        _PINYIN_TONED.sub("", text)
        == leading_toned.sub("", text)
        == "(bào)開放(fang)x(ā)中(ab) 报(KAI)告(baogaoxx)"
    )
    assert (
        _PINYIN_PLAIN.sub("", text)
        == leading_plain.sub("", text)
        == "(bào)開放x(ā)中(ab) 报(KAI)告(baogaoxx)"
    )
