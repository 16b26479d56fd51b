"""Table text as tokens: every cell is EMPTY, VALUE (a number or a null marker) or TEXT.

The tokens of all three tables in reading order, each knowing its row (the layout's row: a
``<tr>``, a text line, a paragraph) and its place in the list (``at``); TEXT tokens carry their
label key (``labels.label_key``) with and without leading enumerators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from crawler.extract.cells import EMPTY, TEXT, VALUE, token_kind
from crawler.extract.glued import glued_cuts
from crawler.extract.grid import Rows
from crawler.extract.labels import core_key, label_key

MAX_LABEL = 64  # longer text cells are prose, not labels
_GLOSS = re.compile(r"\([^()]*\)")


@dataclass(slots=True)
class Token:
    kind: int
    raw: str
    row: int
    key: str = ""  # label key (TEXT only)
    core: str = ""  # label key without leading enumerators (TEXT only)
    at: int = -1  # index in the token list


def tokenize(rows: Rows, *, keep_empty: bool) -> list[Token]:
    tokens: list[Token] = []
    append = tokens.append  # (bound once: a report has hundreds of cells)
    for row_index, row in enumerate(rows):
        for raw in row:
            kind, key, core = classify(raw)
            if kind != EMPTY or keep_empty:
                append(Token(kind, raw, row_index, key, core, len(tokens)))
    return tokens


@lru_cache(maxsize=8192)
def classify(raw: str) -> tuple[int, str, str]:
    """(kind, label key, core key) of one cell text; the keys are empty but for TEXT. Cached: the
    same texts (0, the template's labels and headers) fill every report's tables."""
    kind = token_kind(raw)
    if kind != TEXT:
        return kind, "", ""
    key = label_key(raw)
    return kind, key, core_key(key)


def is_label(token: Token) -> bool:
    return token.kind == TEXT and not is_prose(token)


def is_prose(token: Token) -> bool:
    """A text cell too long for a label; a bracketed gloss does not count ("规范性文件(行政机关…)")."""
    if "。" in token.key:
        return True
    if len(token.key) <= MAX_LABEL:
        return False
    return len(_GLOSS.sub("", token.key)) > MAX_LABEL


def read_values(tokens: list[Token], label: int, end: int, width: int) -> list[Token]:
    """The value cells of the row labelled by ``tokens[label]``, up to token ``end``."""
    own_row = tokens[label].row
    values: list[Token] = []
    has_value = False  # whether ``values`` holds a VALUE (kept as they grow: one pass per chunk)
    index = label + 1
    while index < end:
        row = tokens[index].row
        stop = index
        while stop < end and tokens[stop].row == row:
            stop += 1
        chunk = tokens[index:stop]
        index = stop
        last_text, prose = -1, False
        for n, token in enumerate(chunk):
            if token.kind == TEXT:
                last_text = n
                prose = prose or is_prose(token)
        if prose:
            break  # prose: the table has ended
        if row != own_row and last_text >= 0:
            if has_value:
                break  # another row begins (a label, or the tail of one: "公开\t2.其他…")
            values, has_value = [], False  # the label wraps onto this line: "5.要求行政机关确认或重新\n出具已获取信息"
        tail = chunk[last_text + 1 :]
        tail_value = any(t.kind == VALUE for t in tail)
        if row != own_row and not tail_value:
            continue  # a row of empty spacer cells
        values.extend(tail)
        has_value = has_value or tail_value
        if len(values) >= width and has_value:
            break
    # a glued table's digits (「1000001」) are cut into the row's cells only now its width is known
    return split_glued(trim(values, width), width)


def split_glued(values: list[Token], width: int) -> list[Token]:
    """The row's values, its glued digits cut into ``width`` cells where exactly one cut is possible."""
    cuts = glued_cuts([value.raw for value in values], width)
    if cuts is None:
        return values
    first = values[0]
    return [Token(first.kind, number, first.row, at=first.at) for number in cuts]


def trim(values: list[Token], width: int) -> list[Token]:
    """Empty cells beyond the row's width dropped: first leading (spacer cells of merged label
    columns), then trailing (spacer cells after the row)."""
    start, stop = 0, len(values)
    while stop - start > width and values[start].kind == EMPTY:
        start += 1
    while stop - start > width and values[stop - 1].kind == EMPTY:
        stop -= 1
    return values[start:stop]
