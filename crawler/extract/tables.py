"""Sections 二, 三 and 四 → the stable codes of schema.json (report-format.md §4–§9).

The grammar, whatever the layout (``grid.py`` turns every layout into rows of cell texts):

1. Tokens: every cell is EMPTY, VALUE (number or null marker) or TEXT.
2. Each table is found by its own labels (never by section number): 第二十条第… / 信息内容 for
   section 二, the header note / 申请人情况 / 本年新收 for 三, a short 行政复议 header cell for 四.
3. Rows are anchored by their label (``labels.py``, the label grammar shared with OCR);
   the values of a row are the cells after its label, continued on following rows that hold only
   values (a label on one line and its numbers on the next; a page break inside a row).
4. The count must equal the number of columns (7 in 三, 15 in 四, per block in 二). Otherwise the
   row is null with ``cell_count_mismatch`` and its raw cells kept: values are never shifted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from crawler.extract import formats
from crawler.extract import labels as label_grammar
from crawler.extract.cells import EMPTY, TEXT, VALUE, parse_cell
from crawler.extract.glued import glued_rows, has_glued_tables
from crawler.extract.grid import detect_layout, html_rows, text_rows
from crawler.extract.labels import core_key, label_key
from crawler.extract.layout import (
    required_sec2_rows,
    sec2_layout,
    sec3_columns,
    sec3_rows,
    sec4_columns,
    sec4_groups,
)
from crawler.extract.model import Cell, Sec2, Sec3, Sec4, Statistics
from crawler.extract.positions import fill_gaps, sec4_fallback
from crawler.extract.schema import match_key
from crawler.extract.sections import heading_of, heading_spans, image_sections, is_template_era
from crawler.extract.tokens import MAX_LABEL, Token, is_prose, read_values, tokenize

_SEC4_WIDTH = 15

# The row grammar is pure per label: cached, since every report prints the same template labels
# (and the keyword search tries each one-character slip of every keyword).
_sec2_row_code = lru_cache(maxsize=4096)(label_grammar.sec2_row_code)
_sec3_keyword_code = lru_cache(maxsize=4096)(label_grammar.sec3_keyword_code)
_sec3_exact_code = lru_cache(maxsize=4096)(label_grammar.sec3_exact_code)
# a cell's reading is pure per (text, column type), and a Cell is frozen: one object may serve every
# report printing the same 0 or 无
_parse_cell = lru_cache(maxsize=8192)(parse_cell)
# 「"<table" in body_html.lower()」 without lowering the whole page (no other character lowers to these)
_TABLE_TAG = re.compile("<table", re.IGNORECASE)
_TRADITIONAL_ANCHOR = frozenset("條項內議")  # traditional forms of the anchor labels' characters


# -- entry point ------------------------------------------------------------------------------------


def extract_statistics(
    text: str, body_html: str | None = None, *, generation_hint: str | None = None
) -> Statistics:
    """The statistics tables of one report: format, rendering, sec2/sec3/sec4 cells, warnings.

    ``generation_hint``: the generation to read a lone section-四 table with. Section 四 has no
    G1/G2 markers of its own (its codes are the same in both), so an attachment or image holding
    only that table would otherwise be read as G0 and give nothing.
    """
    lines = text.splitlines()
    spans = heading_spans(lines)
    tokens, render = (
        _tokens_from_html(body_html) if body_html and _TABLE_TAG.search(body_html) else ([], None)
    )
    anchors = _find_anchors(tokens)
    if not anchors.any():
        render = _text_layout(lines, spans)
        tokens = tokenize(text_rows(lines, render), keep_empty=render != "flattened") if render else []
        anchors = _find_anchors(tokens)
    if not anchors.any() and has_glued_tables(lines):
        # cells glued with no separator (「…申请数量1000001二、…」): reported as flattened text
        render, tokens = "flattened", tokenize(glued_rows(lines), keep_empty=False)
        anchors = _find_anchors(tokens)
    cells_key = "".join(t.key for t in tokens if t.kind == TEXT and len(t.key) <= MAX_LABEL)
    fmt, warnings = formats.decide(
        formats.find_markers(cells_key),
        g1_other_row=_g1_other_row(tokens, anchors),
        template_era=is_template_era(text, spans),
    )
    if fmt not in ("G1", "G2") and generation_hint and _lone_sec4(anchors):
        fmt = generation_hint
    images = image_sections(lines, spans)
    stats = Statistics(format=fmt, warnings=warnings)
    if fmt in ("G1", "G2") and anchors.any():
        _read_tables(stats, tokens, anchors, images)
        stats.table_render = render or "none"
    elif fmt in ("G1", "G2", "unknown") and images:
        # Image-only tables cannot tell G1 from G2; unknown reports get G2's codes (the current
        # template) so that every image-only report has the same shape.
        _fill_unread(stats, "G2" if fmt == "unknown" else fmt, images, sections=("sec2", "sec3", "sec4"))
        stats.table_render = "image_only"
    elif fmt in ("G1", "G2"):
        _fill_unread(stats, fmt, images, sections=("sec2", "sec3", "sec4"))
    return stats


# -- tokens and anchors -----------------------------------------------------------------------------


def _tokens_from_html(body_html: str) -> tuple[list[Token], str | None]:
    return tokenize(html_rows(body_html), keep_empty=True), "html"


def _text_layout(lines: list[str], spans: dict[str, tuple[int, int]]) -> str | None:
    """The layout of the table zone: from the first table label to the 五 heading."""
    start = next((i for i, line in enumerate(lines) if _is_anchor_line(line)), None)
    if start is None:
        return None
    end = spans.get("problems", (len(lines), 0))[0]
    if end <= start:
        end = min(len(lines), start + 400)
    return detect_layout(lines[start:end])


def _is_anchor_line(line: str) -> bool:
    if len(line) > 200:
        return False
    if _anchor_key(match_key(line)):
        return True
    # table labels in traditional script inside a simplified text (the text was not converted)
    return not _TRADITIONAL_ANCHOR.isdisjoint(line) and _anchor_key(label_key(line))


def _anchor_key(key: str) -> bool:
    if key.startswith(("信息内容", "行政复议")) and len(key) <= 40:
        return True
    return "第二十条第" in key or "本列数据的勾稽关系" in key or "本年新收" in key


@dataclass(slots=True)
class Anchors:
    sec2: int | None = None
    sec3: int | None = None
    sec4: int | None = None

    def any(self) -> bool:
        return self.sec2 is not None or self.sec3 is not None or self.sec4 is not None


def _find_anchors(tokens: list[Token]) -> Anchors:
    anchors = Anchors()
    for index, token in enumerate(tokens):
        if token.kind != TEXT or is_prose(token):  # (is_label, inline: run on every cell)
            continue
        before_sec3 = anchors.sec3 is None and anchors.sec4 is None
        if before_sec3 and anchors.sec2 is None and _opens_sec2(token.key):
            anchors.sec2 = index
        elif before_sec3 and _opens_sec3(token.key):
            anchors.sec3 = index
        elif "行政复议" in token.key and _opens_sec4(token):
            anchors.sec4 = index
            break
    return anchors


def _lone_sec4(anchors: Anchors) -> bool:
    return anchors.sec4 is not None and anchors.sec2 is None and anchors.sec3 is None


def _opens_sec2(key: str) -> bool:
    return (key.startswith("第二十条第") and len(key) <= 16) or key == "信息内容"


def _opens_sec4(token: Token) -> bool:
    """The 行政复议 header cell, or the section-四 heading when PDF text split the header."""
    return (token.core.startswith("行政复议") and len(token.key) <= 12) or heading_of(
        token.raw
    ) == "review_litigation"


def _opens_sec3(key: str) -> bool:
    return "本列数据的勾稽关系" in key or key == "申请人情况" or "本年新收" in key


def _g1_other_row(tokens: list[Token], anchors: Anchors) -> bool:
    """A （六）其他处理 cell followed directly by a number: G1's single 其他处理 row."""
    if anchors.sec3 is None:
        return False
    end = anchors.sec4 if anchors.sec4 is not None else len(tokens)
    for index in range(anchors.sec3, end):
        if tokens[index].kind == TEXT and tokens[index].core == "其他处理":
            following = next((t for t in tokens[index + 1 : end] if t.kind != EMPTY), None)
            return following is not None and following.kind == VALUE
    return False


# -- reading rows -----------------------------------------------------------------------------------


def _cells(
    values: list[Token], columns: list[tuple[str, str]], where: str, warnings: list[str]
) -> dict[str, Cell]:
    if len(values) == len(columns):
        return {
            code: _parse_cell(token.raw, kind) for token, (code, kind) in zip(values, columns, strict=True)
        }
    printed = "\t".join(token.raw for token in values)
    warnings.append(f"{where}: {len(values)} cells for {len(columns)} columns")
    return {code: Cell(None, printed, "cell_count_mismatch") for code, _ in columns}


def _labelled_rows(
    tokens: list[Token],
    start: int,
    end: int,
    match: Callable[[Token], str | None],
    warnings: list[str],
    where: str,
) -> list[tuple[int, str | None]]:
    """(token index, row code) of every row label in [start, end); repeats get code None."""
    found: list[tuple[int, str | None]] = []
    seen: set[str] = set()
    previous: Token | None = None  # an unmatched text cell just before: the first half of a wrapped label
    for index in range(start, end):
        token = tokens[index]
        if token.kind != TEXT or is_prose(token):  # (is_label, inline: run on every cell)
            previous = None
            continue
        code = match(token)
        if code is None and previous is not None and min(len(previous.key), len(token.key)) > 1:
            # (single characters are a label or header printed one character per line, never the
            # halves of a wrapped label: joined, they would make words such as 其他 by accident)
            key = previous.key + token.key
            code = match(Token(TEXT, previous.raw + token.raw, token.row, key, core_key(key)))
        if code is None:
            previous = token
            continue
        previous = None
        if code in seen:
            warnings.append(f"{where}.{code}: label repeated; the first one is kept")
            found.append((index, None))
        else:
            seen.add(code)
            found.append((index, code))
    return found


def _read_labelled(
    tokens: list[Token], labels: list[tuple[int, str | None]], end: int, widths: dict[str, int]
) -> dict[str, list[Token]]:
    read = {}
    for position, (index, code) in enumerate(labels):
        if code is None:
            continue
        stop = labels[position + 1][0] if position + 1 < len(labels) else end
        read[code] = read_values(tokens, index, stop, widths[code])
    return read


def _by_position(
    tokens: list[Token],
    span: tuple[int, int],
    order: list[tuple[str, int]],
    labels: list[tuple[int, str | None]],
    read: dict[str, list[Token]],
    where: str,
    warnings: list[str],
) -> None:
    """Rows whose label was not found, read by their place in the template (``positions.py``)."""
    for code, values in fill_gaps(tokens, span, order, labels, read).items():
        read[code] = values
        warnings.append(f"{where}.{code}: label not found, read by position")


# -- the three tables -------------------------------------------------------------------------------


def _read_tables(stats: Statistics, tokens: list[Token], anchors: Anchors, images: set[str]) -> None:
    gen = stats.format
    n = len(tokens)
    sec3_end = anchors.sec4 if anchors.sec4 is not None else n
    sec2_end = anchors.sec3 if anchors.sec3 is not None else sec3_end
    unread = []
    if anchors.sec2 is not None or (anchors.sec3 is None and anchors.sec4 is None):
        stats.sec2 = _read_sec2(tokens, anchors.sec2 or 0, sec2_end, gen, stats.warnings)
    else:
        unread.append("sec2")
    if anchors.sec3 is not None:
        stats.sec3 = _read_sec3(tokens, anchors.sec3, sec3_end, gen, stats.warnings)
    else:
        unread.append("sec3")
    if anchors.sec4 is not None:
        stats.sec4 = _read_sec4(tokens, anchors.sec4, n, gen, stats.warnings)
    else:
        unread.append("sec4")
    _fill_unread(stats, gen, images, sections=unread)


def null_tables(gen: str, flags: dict[str, str]) -> Statistics:
    """Tables of generation ``gen`` whose every cell is None, flagged per section:
    ``{"sec2": "image_only", "sec3": "missing", …}`` (sections not named stay empty)."""
    stats = Statistics(format=gen)
    for section, flag in flags.items():
        _fill_unread(stats, gen, {section} if flag == "image_only" else set(), sections=(section,))
    return stats


def _fill_unread(
    stats: Statistics, gen: str, images: set[str], *, sections: tuple[str, ...] | list[str]
) -> None:
    """Tables not found in the text: image_only when their section holds an image, else missing."""
    for section in sections:
        flag = "image_only" if section in images else "missing"
        if section == "sec2":
            stats.sec2 = {
                block: {row: _null_row([c for c, _ in cols], flag) for row in rows}
                for block, rows, cols in sec2_layout(gen)
            }
        elif section == "sec3":
            stats.sec3 = {row: _null_row(sec3_columns(gen), flag) for row in sec3_rows(gen)}
        else:
            stats.sec4 = {group: _null_row(sec4_columns(gen), flag) for group in sec4_groups(gen)}


def _null_row(columns: Iterable[str], flag: str) -> dict[str, Cell]:
    return {code: Cell(None, None, flag) for code in columns}


def _read_sec2(tokens: list[Token], start: int, end: int, gen: str, warnings: list[str]) -> Sec2:
    def match(token: Token) -> str | None:
        return _sec2_row_code(token.core, gen)

    labels = _labelled_rows(tokens, start, end, match, warnings, "sec2")
    columns = {
        f"{block}.{row}": cols for block, rows, cols in sec2_layout(gen, variants=True) for row in rows
    }
    read = _read_labelled(tokens, labels, end, {path: len(cols) for path, cols in columns.items()})
    order = [(f"{block}.{row}", len(cols)) for block, rows, cols in sec2_layout(gen) for row in rows]
    _by_position(tokens, (start, end), order, labels, read, "sec2", warnings)
    sec2: Sec2 = {}
    for block, rows, cols in sec2_layout(gen, variants=True):
        sec2[block] = {}
        for row in rows:
            path = f"{block}.{row}"
            if path in read:
                sec2[block][row] = _cells(read[path], cols, f"sec2.{path}", warnings)
            elif row in required_sec2_rows(gen, block):
                sec2[block][row] = _null_row([c for c, _ in cols], "missing")
    return sec2


def _read_sec3(tokens: list[Token], start: int, end: int, gen: str, warnings: list[str]) -> Sec3:
    started = False

    def match(token: Token) -> str | None:
        nonlocal started
        code = _sec3_keyword_code(token.key)
        if code is not None:
            started = True
            return code
        return _sec3_exact_code(token.key, gen) if started else None

    labels = _labelled_rows(tokens, start, end, match, warnings, "sec3")
    columns = [(code, "count") for code in sec3_columns(gen)]
    rows = sec3_rows(gen)
    read = _read_labelled(tokens, labels, end, dict.fromkeys(rows, len(columns)))
    _by_position(tokens, (start, end), [(row, len(columns)) for row in rows], labels, read, "sec3", warnings)
    sec3: Sec3 = {}
    for row in rows:
        if row in read:
            sec3[row] = _cells(read[row], columns, f"sec3.{row}", warnings)
        else:
            sec3[row] = _null_row(sec3_columns(gen), "missing")
    return sec3


def _read_sec4(tokens: list[Token], start: int, end: int, gen: str, warnings: list[str]) -> Sec4:
    groups, columns = sec4_groups(gen), sec4_columns(gen)
    values = read_values(tokens, start, end, _SEC4_WIDTH)
    if len(values) != _SEC4_WIDTH:
        fallback = sec4_fallback(tokens, start, end, groups)
        if fallback is not None:
            warnings.append("sec4: cells not after the header, read by position")
            values = fallback
    if len(values) != _SEC4_WIDTH:
        printed = "\t".join(token.raw for token in values)
        warnings.append(f"sec4: {len(values)} cells for {_SEC4_WIDTH} columns")
        return {group: {c: Cell(None, printed, "cell_count_mismatch") for c in columns} for group in groups}
    cells = iter(values)
    return {group: {c: _parse_cell(next(cells).raw) for c in columns} for group in groups}
