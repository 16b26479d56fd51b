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


def _walked_cell(cell: etree._Element) -> str:
    """body._cell_text's general form: the walk of the cell's children, its lines joined."""
    from crawler.extract import body

    out = body._Lines()
    body._walk_children(cell, out)
    out.end_line()
    return " ".join(out.lines).strip()


_ONE_CHILD_CELLS = (
    "<td><p>0</p></td>",
    "<td>\n <p> 行政 许可 </p>\n</td>",
    "<td>a<p>b</p>c</td>",
    "<td>a<span>b</span>c</td>",
    "<td> <FONT>1</FONT> </td>",
    "<td>x<br>y</td>",
    "<td><img src='t.png'></td>",
    "<td>a<script>var x;</script>b</td>",
    "<td><!-- c -->q</td>",
    "<td><td>inner</td></td>",
    "<td>\u3000<div>\xa0</div>\u3000</td>",
    "<td></td>",
)


def test_one_child_cell_fast_paths_equal_the_walk_and_itertext() -> None:
    from crawler.extract import body, grid

    html = "<table><tr>" + "".join(_ONE_CHILD_CELLS) + "</tr></table>"
    table = next(etree.fromstring(html, etree.HTMLParser()).iter("table"))
    cells = list(table.iter("td"))
    assert [body._cell_text(cell) for cell in cells] == [_walked_cell(cell) for cell in cells]
    assert [grid._cell_text(cell) for cell in cells] == _itertext_cells(table)


def test_attribute_first_xpaths_find_the_elements_of_the_element_first_forms() -> None:
    from crawler.extract import body, page

    html = (
        "<div id='zoom' class='a  art_tit'><p class='content'>x</p><span class=' art_tit\tb'>t</span>"
        "<i class='art_title'>no</i><b id='zoom2'>no</b><u class='TRS_Editor View'>y</u><p id='zoom'/></div>"
    )
    doc = etree.fromstring(html, etree.HTMLParser())
    assert body._BY_ID[0](doc) == doc.xpath('//*[@id="zoom"]')
    assert body._WITH_CLASS(doc) == doc.xpath("//*[@class]")
    art_tit = '//*[contains(concat(" ", normalize-space(@class), " "), " art_tit ")]'
    assert page._ART_TIT(doc) == doc.xpath(art_tit) and len(doc.xpath(art_tit)) == 2


def test_rewritten_text_patterns_match_as_the_old_forms() -> None:
    import random

    from crawler.extract import metadata, normalise
    from crawler.extract.dates import DATE
    from crawler.extract.markup import squash, text_length

    old_tab, old_ends = re.compile(r" +(?=\t)|(?<=\t) +"), re.compile(r"^ | $", re.MULTILINE)
    old_posted = re.compile(
        rf"(?:发布日期|发布时间|发布于|发稿时间|公开日期|(?<![\u4e00-\u9fff])(?:时间|日期))\s*[:：]?\s*\|?\s*({DATE})"
    )
    old_printed = re.compile(
        rf"(?:{metadata._AFTER_META_VALUE}|(?<=公文)|(?<=文件)|(?<![\u4e00-\u9fff]))"
        rf"(?:成文日期|发文日期|印发日期|生成日期)\s*[:：]?\s*\|?\s*({DATE})"
    )
    pieces = (" ", "\t", "\n", "\u3000", "a", "報", "成文日期", "发文日期", "日期", "时间", "发布时间", "公文",
              "文件", "本页", "按", "发文机关", "文号", "：", "|", "2023-01-02", "二〇二三年一月二日", "某县政府")
    rng = random.Random(0)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))
        assert normalise._SPACE_AROUND_TAB.sub(normalise._TAB_KEPT, text) == old_tab.sub("", text), text
        assert normalise._SPACE_AT_LINE_ENDS.sub("", text) == old_ends.sub("", text), text
        assert (normalise._TRAD_CHAR.search(text) is None) == normalise._TRAD_SET.isdisjoint(text)
        assert squash(text) == re.sub(r"\s+", " ", text).strip()
        posted = metadata._POSTED.search(text)
        assert (posted and posted.span()) == ((m := old_posted.search(text)) and m.span()), text
        printed = [m for m in (metadata._PRINTED_AFTER_FIELD.search(text), metadata._PRINTED_OWN.search(text)) if m]
        first = min(printed, key=lambda m: m.start()).group(0) if printed else None
        assert first == ((m := old_printed.search(text)) and m.group(0)), text
    cell = etree.fromstring("<p>a \u3000b\n\xa0c</p>", etree.HTMLParser())
    assert text_length(cell) == len(re.sub(r"\s+", "", "a \u3000b\n\xa0c")) == 3


def test_cached_names_headings_and_cells_answer_as_uncached() -> None:
    from crawler.extract import names, sections
    from crawler.extract.cells import parse_cell

    for name in ("威海市文登区住建局", " 转载：某县政府 ", "我局", None, ""):
        assert names.clean_name(name) == names.clean_name.__wrapped__(name)
        assert names.normalise_agency(name) == names.normalise_agency.__wrapped__(name)
    for line in ("三、收到和处理政府信息公开申请情况", "五、存在的主要问题及改进情况", "规章"):
        assert sections._heading_code(line) == sections._heading_code.__wrapped__(line)
    for raw, kind in (("0", "count"), ("无", "count"), ("12.36", "decimal"), ("减少3", "signed_count")):
        assert tables._parse_cell(raw, kind) == parse_cell(raw, kind)
