"""Tables whose cells were glued together: a page's text rendering with no separator at all.

Some archives and copy-paste tools render a table as the concatenation of its cell texts:
「一、本年新收政府信息公开申请数量1000001二、上年结转政府信息公开申请数量0000000…」. Two things are
lost: where a label ends (the next cell is another label or a header), and where one number ends
and the next begins. The first is recovered from the template's own words (a table anchor, a
header, a row label starts a new cell); the second only where it is certain: the digits of a row
are cut into exactly as many numbers as the row has columns, with no number but 0 starting with
0 (no report prints 07), and the row's own totals holding (三: the six applicant columns add up to
总计; 四: each group's four results add up to its 总计). A row without totals (二) is cut only where
its digits are as many as its columns, one digit a cell. A row that can be cut in more than one way
(「7777166」 or 「1000」 in three columns) is left uncut, so the table reader reports its cell count
mismatch: values are never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

Rows = list[list[str]]

_SEC3_WIDTH = 7
_SEC4_WIDTH = 15
_SEC4_GROUP = 5
_MAX_EXTRA_DIGITS = 12  # digits beyond one per cell: past this the cuts are too many to try
_MAX_STEPS = 20_000  # a bound on the search: a few milliseconds a row at worst

# A table zone glued into one long line holds these anchors (the first ones of 二 and 三).
_ANCHORS = ("第二十条第", "本列数据的勾稽关系", "本年新收")
_LONG_LINE = 200
# A number glued between labels; a digit followed by 「.」「、」 and a non-digit is the next
# label's enumerator (「00000002.重复申请」: the row's zeros, then 「2.重复申请」).
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?![.．、]\D)|\d+(?=\d[.．、]\D)")
# A number followed by a unit or a date word belongs to a sentence, not to a cell: 「2024年，共收到
# 申请3条。」 between a heading and its table.
_PROSE_UNIT = re.compile(r"[年月日号条件个次份余多家场期名人%％]")
# Where a new cell begins inside glued text: the template's anchors, headers and sec2 row labels.
_CELL_STARTS = re.compile(
    "(?="
    + "|".join(
        [
            r"第二十条第",
            r"信息内容",
            r"[（(]本列数据",
            r"申请人情况",
            r"[一二三四]、(?:本年新收|上年结转|本年度办理结果|结转下年度)",
            r"(?<![、])行政复议(?![、])",
            r"(?<![、])行政诉讼(?!情况)",
            r"结果维持",  # 四's header runs past a label's length unless cut at each group
            r"未经复议直接起诉",
            r"复议后起诉",
            r"(?<!行政)规范性文件",
            r"行政规范性文件",
            r"规章",
            r"(?<!本年)(?<!其他对外)行政许可",
            r"其他对外管理服务事项",
            r"行政处罚",
            r"行政强制",
            r"行政事业性收费",
            r"政府集中采购",
            r"[四五]、(?:政府信息公开行政复议|存在的主要问题|政府信息公开工作存在)",
        ]
    )
    + ")"
)


class GluedNumbers(str):
    """The digits between two labels of a glued table: one or several cells, cut by ``glued_cuts``."""

    __slots__ = ()


def has_glued_tables(lines: list[str]) -> bool:
    """Whether some long line holds a table zone: its anchors followed by glued digits."""
    return any(
        len(line) > _LONG_LINE and sum(anchor in line for anchor in _ANCHORS) >= 2 for line in lines
    )


def glued_rows(lines: list[str]) -> Rows:
    """Rows of a glued text: each text cell opens a row, the numbers after it are that row's."""
    rows: Rows = []
    for line in lines:
        for cell in _glued_cells(line):
            if isinstance(cell, GluedNumbers) and rows:
                rows[-1].append(cell)
            else:
                rows.append([cell])
    return rows


def _glued_cells(line: str) -> Iterator[str]:
    # prose before the tables is left whole: cut at the template's words it would yield
    # label-like pieces (「…申请行政复议或行政诉讼的事项」 → 「行政复议或」, a section-四 header)
    zone = min((line.find(anchor) for anchor in _ANCHORS if anchor in line), default=len(line))
    at = 0
    for number in _NUMBER.finditer(line):
        if _PROSE_UNIT.match(line, number.end()):
            continue  # part of the text around it
        yield from _text_cells(line, at, number.start(), zone)
        yield GluedNumbers(number.group())
        at = number.end()
    yield from _text_cells(line, at, len(line), zone)


def _text_cells(line: str, start: int, stop: int, zone: int) -> Iterator[str]:
    """The text cells of ``line[start:stop]``: cut at the template's words from ``zone`` on."""
    split = min(max(start, zone), stop)
    yield from line[start:split].split()
    for part in line[split:stop].split():
        cuts = [0, *(m.start() for m in _CELL_STARTS.finditer(part) if m.start() > 0), len(part)]
        for begin, end in pairwise(cuts):
            if end > begin:
                yield part[begin:end]


# -- cutting a row's digits ---------------------------------------------------------------------------


def glued_cuts(runs: list[str], width: int) -> list[str] | None:
    """A row's glued number runs (its values' texts) cut into ``width`` cells when exactly one cut is
    possible; None to keep the row as read (the caller, crawler/extract/tokens.py, holds the tokens)."""
    if len(runs) >= width or not runs or not all(isinstance(run, GluedNumbers) for run in runs):
        return None
    digits = sum(len(run) for run in runs)
    if digits - width > _MAX_EXTRA_DIGITS or any("." in run for run in runs):
        return None
    if not _has_totals(width):
        # no total to choose a cut by (二's columns): only one digit a cell is certain — 「1000」
        # in three columns may be 10 0 0 as well as 100 (blank) 0
        return list("".join(runs)) if digits == width else None
    return _unique_cut(runs, width)


def _unique_cut(runs: list[str], width: int) -> list[str] | None:
    found: list[list[str]] = []
    steps = 0

    def walk(run: int, at: int, numbers: list[str]) -> bool:
        """False to stop the search (two cuts found, or too many steps)."""
        nonlocal steps
        steps += 1
        if steps > _MAX_STEPS or len(found) > 1:
            return False
        if run == len(runs):
            if len(numbers) == width and _totals_hold([int(n) for n in numbers], width):
                found.append(list(numbers))
            return len(found) <= 1
        digits = runs[run]
        if at == len(digits):
            return walk(run + 1, 0, numbers)
        left = sum(len(r) for r in runs[run:]) - at  # digits still to place, one cell at least each
        if len(numbers) >= width or width - len(numbers) > left:
            return True
        longest = 1 if digits[at] == "0" else len(digits) - at
        for stop in range(at + 1, at + longest + 1):
            numbers.append(digits[at:stop])
            go_on = walk(run, stop, numbers)
            numbers.pop()
            if not go_on:
                return False
        return True

    completed = walk(0, 0, [])
    return found[0] if completed and len(found) == 1 else None


def _has_totals(width: int) -> bool:
    """Whether a row of ``width`` cells carries totals that tell one cut from another (三, 四)."""
    return width in (_SEC3_WIDTH, _SEC4_WIDTH)


def _totals_hold(numbers: list[int], width: int) -> bool:
    """The row's totals, for a width that has them (``_has_totals``: 三's or 四's)."""
    if width == _SEC3_WIDTH:
        return sum(numbers[:-1]) == numbers[-1]
    groups = [numbers[g : g + _SEC4_GROUP] for g in range(0, width, _SEC4_GROUP)]
    return all(sum(group[:-1]) == group[-1] for group in groups)
