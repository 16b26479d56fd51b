"""Rows read by position where their labels are broken (report-format.md §9.1).

The label grammar anchors each row by its label. Some sources lose a label — printed blank
(「第二十条第」's first row with no 规章), broken over lines into fragments no keyword survives,
or headers printed one character per line so that the label column is scattered. The template
fixes the order and the width of every row, so a run of rows whose labels were not found can
still be read when the text between the two rows that were found holds exactly as many runs of
values as rows are missing, each as wide as its row; or, when cells were not kept apart (PDF
text, no blank cells), exactly as many values as the missing rows have cells together.

Anything else — one value too many or too few — leaves the rows missing: values are never
shifted into place by guesswork.
"""

from __future__ import annotations

from collections.abc import Sequence

from crawler.extract.cells import EMPTY, TEXT, VALUE
from crawler.extract.labels import row_code
from crawler.extract.sections import heading_of
from crawler.extract.tokens import Token, is_prose, trim

Order = Sequence[tuple[str, int]]  # (row code, width) in template order


def fill_gaps(
    tokens: list[Token],
    span: tuple[int, int],
    order: Order,
    labels: list[tuple[int, str | None]],
    read: dict[str, list[Token]],
) -> dict[str, list[Token]]:
    """Value tokens by position for the rows of ``order`` that no label anchored.

    ``span``: the table's tokens [start, end). ``labels``: (token index, code) of every label
    found (``read`` holds what was read after each). A gap is bounded by the previous row read
    in full (or the table's start) and the next label found (or the table's end).
    """
    start, end = span
    found = {code for _, code in labels if code is not None}
    label_starts = sorted(index for index, _ in labels)
    filled: dict[str, list[Token]] = {}
    position = 0
    while position < len(order):
        if order[position][0] in found:
            position += 1
            continue
        stop = position
        while stop < len(order) and order[stop][0] not in found:
            stop += 1
        gap_start = _gap_start(order, position, read, start)
        if gap_start is not None:
            gap_end = next((index for index in label_starts if index >= gap_start), end)
            missing = order[position:stop]
            runs = value_runs(tokens, gap_start, min(gap_end, end))
            rows = assign(runs, [width for _, width in missing])
            if rows is not None:
                filled.update(zip((code for code, _ in missing), rows, strict=True))
        position = stop
    return filled


def _gap_start(order: Order, position: int, read: dict[str, list[Token]], start: int) -> int | None:
    """Where a gap's values may begin: after the previous row's values, when it was read in full."""
    if position == 0:
        return start
    code, width = order[position - 1]
    values = read.get(code, [])
    if len(values) != width or not values or values[-1].at < 0:
        return None  # the previous row is unreadable: where it ends is unknown
    return values[-1].at + 1


def value_runs(tokens: list[Token], start: int, end: int) -> list[list[Token]]:
    """Maximal runs of value and empty cells between text cells, up to the first prose."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for token in tokens[start:end]:
        if token.kind == TEXT:
            if is_prose(token):
                break
            runs.append(current)
            current = []
        else:
            current.append(token)
    runs.append(current)
    return [run for run in runs if any(token.kind == VALUE for token in run)]


def _after_label_cell(run: list[Token]) -> list[Token]:
    """Leading empty cells are the blank label's column (and spacers), never a row's values."""
    first = next((n for n, token in enumerate(run) if token.kind != EMPTY), len(run))
    return run[first:]


def assign(runs: list[list[Token]], widths: list[int]) -> list[list[Token]] | None:
    """One run per row, each as wide as its row; else every value in order when no cell is
    empty and the count is exact; else None."""
    if len(runs) == len(widths):
        fitted = [trim(_after_label_cell(run), width) for run, width in zip(runs, widths, strict=True)]
        if all(len(run) == width for run, width in zip(fitted, widths, strict=True)):
            return fitted
    values = [token for run in runs for token in run]
    if any(token.kind == EMPTY for token in values) or len(values) != sum(widths):
        return None
    rows, offset = [], 0
    for width in widths:
        rows.append(values[offset : offset + width])
        offset += width
    return rows


# -- section 四 --------------------------------------------------------------------------------------


def sec4_fallback(tokens: list[Token], start: int, end: int, groups: Sequence[str]) -> list[Token] | None:
    """The 15 cells of section 四 when they do not follow its header directly.

    Either each group printed as a labelled row of its own (「行政复议 | 0 | 0 | 0 | 0 | 0」, a
    transposed table), or — after the heading, past a header whose layout is broken — the first
    run of exactly 15 values, or 15 values in all before the next heading in runs of whole groups
    (PDF text, the numbers of a group kept together).
    """
    width = 5 * len(groups)
    end = _section_end(tokens, start, end)
    by_group = _labelled_groups(tokens, start, end, groups)
    if by_group is not None:
        return by_group
    runs = value_runs(tokens, start + 1, end)
    # the anchor is the heading and a sentence follows it (「未出现申请行政复议…的情况。」): the values
    # come after the table's own header row, past that prose
    header = _header_after_prose(tokens, start, end)
    if header is not None:
        runs = runs + value_runs(tokens, header + 1, end)
    for run in runs:
        fitted = trim(_after_label_cell(run), width)
        if len(fitted) == width:
            return fitted
    if any(len(run) % 5 for run in runs):
        return None  # a run that is not whole groups: a cell lost or a stray number, never shifted
    rows = assign(runs, [width]) if runs else None
    return rows[0] if rows else None


def _header_after_prose(tokens: list[Token], start: int, end: int) -> int | None:
    """The first 行政复议 header cell after the prose that follows the anchor, if prose does."""
    prose = next((i for i in range(start + 1, end) if tokens[i].kind == TEXT and is_prose(tokens[i])), None)
    if prose is None:
        return None
    return next(
        (
            i
            for i in range(prose + 1, end)
            if tokens[i].kind == TEXT and not is_prose(tokens[i]) and "行政复议" in tokens[i].key
        ),
        None,
    )


def _section_end(tokens: list[Token], start: int, end: int) -> int:
    for index in range(start + 1, end):
        token = tokens[index]
        if token.kind == TEXT and heading_of(token.raw) not in (None, "review_litigation"):
            return index
    return end


def _labelled_groups(tokens: list[Token], start: int, end: int, groups: Sequence[str]) -> list[Token] | None:
    """Each group's label with its five values on the same row, all three groups found."""
    found: dict[str, list[Token]] = {}
    for index in range(start, end):
        token = tokens[index]
        if token.kind != TEXT or is_prose(token):
            continue
        code = row_code("sec4", token.raw, "G2")
        if code is None or code in found:
            continue
        row = [t for t in tokens[index + 1 : end] if t.row == token.row]
        if any(t.kind == TEXT for t in row):
            continue
        values = trim(row, 5)
        if len(values) == 5 and any(t.kind == VALUE for t in values):
            found[code] = values
    if set(found) != set(groups):
        return None
    return [token for group in groups for token in found[group]]
