"""Ruled tables in a page image: the rules, the grid they draw, and the merged cells.

The rules are the ink of long horizontal and vertical runs (morphological openings). A vertical run
counts as a rule only when both its ends meet a horizontal rule, as every column line of a ruled
table does: the strokes of large characters (a 2× screenshot's 十 is 30 px tall) never do. The cells
are the regions the rules enclose, so a missing rule segment between two elementary cells is a
merged cell (rowspan/colspan).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

_MIN_TABLE_SIDE = 60  # px: smaller line structures are underlines or boxes, not tables
_THIN = 11  # px: a rule is thinner than this (a blurred 2-px border is ~6)
_STROKE_BAND = 4  # px above and below a horizontal run where crossing ink shows it is print
_FAINT = 22  # grey levels a thin line must be darker than both its sides to be a rule


@dataclass(slots=True)
class _Region:
    """A merged cell: elementary rows r0..r1 and columns c0..c1 (inclusive) of one table's grid."""

    r0: int
    c0: int
    r1: int
    c1: int


@dataclass(slots=True)
class GridCell:
    """One cell of a ruled table: grid position, spans, and its rectangle in pixels."""

    row: int
    column: int
    rowspan: int
    colspan: int
    box: tuple[int, int, int, int]  # left, top, right, bottom



def rule_masks(gray: np.ndarray, ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ink that belongs to long horizontal / vertical runs: the table rules.

    Besides the ink, a thin line only a little darker than what lies around it (a black top-hat
    wider than any rule) counts: a sheet's light-grey gridlines, a blurred grey border. A shaded
    band is wider than the top-hat, so shading is no rule."""
    import cv2

    height, width = ink.shape
    h_len = max(40, width // 35)
    v_len = max(25, height // 70)
    # a square top-hat: every thin dark structure, crossings of two faint lines included
    thin = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (_THIN, _THIN)))
    source = ink | (thin > _FAINT)
    h_kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1))
    v_kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len))
    h_source = (source | _dark_runs(gray, thin, h_kernel)).astype(np.uint8)
    v_source = (source | _dark_runs(gray, thin, v_kernel)).astype(np.uint8)
    horizontal = cv2.morphologyEx(h_source, cv2.MORPH_OPEN, h_kernel)
    vertical = cv2.morphologyEx(v_source, cv2.MORPH_OPEN, v_kernel)
    horizontal = _without_text_strokes(horizontal.astype(bool), ink)
    vertical = _anchored(vertical, horizontal, v_len // 2)
    # and each horizontal run cut to the stretch between the vertical rules it meets: JPEG block
    # edges and gridline fragments beyond the table meet none
    return _anchored(horizontal.T.astype(np.uint8), vertical.T, h_len // 2).T, vertical


def _without_text_strokes(horizontal: np.ndarray, ink: np.ndarray, crossed: float = 0.3) -> np.ndarray:
    """Horizontal runs without those that ink crosses: a line of blurred 1× print whose level strokes
    (一, the tops of 行政规范性文件) join into one long run has ink just above and just below along
    most of it; a rule, even with wrapped text sitting on it, has paper on at least one side."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(horizontal.astype(np.uint8), connectivity=8)
    height = ink.shape[0]
    for index in range(1, count):
        x, y, w, h, _ = stats[index]
        if y < _STROKE_BAND or y + h + _STROKE_BAND > height:
            continue
        above = ink[y - _STROKE_BAND : y, x : x + w].any(axis=0)
        below = ink[y + h : y + h + _STROKE_BAND, x : x + w].any(axis=0)
        both = above & below
        if both.mean() > crossed:
            horizontal[labels == index] = False
    return horizontal


def _dark_runs(gray: np.ndarray, thin: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Pixels of a faint line as long as ``kernel``, darker than the paper all along it.

    Beside blurred text the square top-hat loses a rule (the text darkens the rule's surroundings):
    a grey closing along the rule keeps what is dark over the whole kernel length, which text, with
    gaps between its characters, never is. Still a thin line (some top-hat): shading is no rule."""
    import cv2

    paper = int(np.median(gray))
    along = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, kernel)
    return (along.astype(np.int16) < paper - _FAINT) & (thin > _FAINT // 3)


def _anchored(vertical: np.ndarray, horizontal: np.ndarray, min_span: int, reach: int = 3) -> np.ndarray:
    """Each vertical run cut to the stretch between the first and the last horizontal rule it meets
    (within ``reach`` px); runs meeting rules over less than ``min_span`` px are dropped. A sheet's
    column line goes on as a faint gridline beyond the table: only its part inside the table stays."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(vertical.astype(np.uint8), connectivity=8)
    height, width = horizontal.shape
    kept = np.zeros(horizontal.shape, dtype=bool)
    for index in range(1, count):
        x, y, w, h, _ = stats[index]
        left, right = max(0, x - reach), min(width, x + w + reach)
        top, bottom = max(0, y - reach), min(height, y + h + reach)
        hits = np.flatnonzero(horizontal[top:bottom, left:right].any(axis=1))
        if hits.size == 0 or hits[-1] - hits[0] < min_span:
            continue
        first, last = max(y, top + hits[0]), min(y + h - 1, top + hits[-1])
        kept[first : last + 1, x : x + w] |= labels[first : last + 1, x : x + w] == index
    return kept


def table_boxes(rules: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x0, y0, x1, y1) of connected rule structures big enough to be tables."""
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(rules.astype(np.uint8), connectivity=8)
    boxes = []
    for index in range(1, count):
        x, y, w, h, _ = stats[index]
        if w >= _MIN_TABLE_SIDE and h >= _MIN_TABLE_SIDE // 2:
            boxes.append((int(x), int(y), int(x + w - 1), int(y + h - 1)))
    return sorted(boxes, key=lambda box: (box[1], box[0]))


def _line_positions(profile: np.ndarray, minimum: int) -> list[int]:
    """Centres of the runs of positions whose rule length reaches ``minimum``."""
    positions, start = [], None
    for index, value in enumerate([*profile.tolist(), 0]):
        if value >= minimum and start is None:
            start = index
        elif value < minimum and start is not None:
            positions.append((start + index - 1) // 2)
            start = None
    return positions


def table_cells(
    horizontal: np.ndarray, vertical: np.ndarray, box: tuple[int, int, int, int]
) -> list[GridCell]:
    """The cells of the ruled table in ``box`` (none when its rules make no grid)."""
    x0, y0, x1, y1 = box
    h_part = horizontal[y0 : y1 + 1, x0 : x1 + 1]
    v_part = vertical[y0 : y1 + 1, x0 : x1 + 1]
    ys = _line_positions(h_part.sum(axis=1), max(20, (x1 - x0) // 40))
    xs = _line_positions(v_part.sum(axis=0), max(12, (y1 - y0) // 80))
    if len(ys) < 2 or len(xs) < 2:
        return []
    regions = _merge_regions(h_part, v_part, ys, xs)
    # a line no cell starts or ends at (a rule fragment beside the table) divides nothing: drop it
    row_at = _compact({edge for region in regions for edge in (region.r0, region.r1 + 1)})
    col_at = _compact({edge for region in regions for edge in (region.c0, region.c1 + 1)})
    return [
        GridCell(
            row_at[region.r0],
            col_at[region.c0],
            row_at[region.r1 + 1] - row_at[region.r0],
            col_at[region.c1 + 1] - col_at[region.c0],
            (x0 + xs[region.c0], y0 + ys[region.r0], x0 + xs[region.c1 + 1], y0 + ys[region.r1 + 1]),
        )
        for region in regions
    ]


def _compact(edges: set[int]) -> dict[int, int]:
    return {edge: index for index, edge in enumerate(sorted(edges))}


def _merge_regions(h_part: np.ndarray, v_part: np.ndarray, ys: list[int], xs: list[int]) -> list[_Region]:
    """Elementary cells joined wherever the rule between them is missing (a merged cell)."""
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not _has_rule(v_part[ys[r] : ys[r + 1], xs[c + 1] - 3 : xs[c + 1] + 4], axis=0):
                union(r * cols + c, r * cols + c + 1)
            if r + 1 < rows and not _has_rule(h_part[ys[r + 1] - 3 : ys[r + 1] + 4, xs[c] : xs[c + 1]], axis=1):
                union(r * cols + c, (r + 1) * cols + c)
    groups: dict[int, _Region] = {}
    for r in range(rows):
        for c in range(cols):
            root = find(r * cols + c)
            region = groups.get(root)
            if region is None:
                groups[root] = _Region(r, c, r, c)
            else:
                region.r1, region.c1 = max(region.r1, r), max(region.c1, c)
    return sorted(groups.values(), key=lambda g: (g.r0, g.c0))


def _has_rule(band: np.ndarray, axis: int) -> bool:
    """Is a rule drawn along most of this band? (axis=0: a vertical band, rows along it)."""
    if band.size == 0:
        return False
    covered = np.asarray(band.any(axis=1 - axis))
    length = covered.shape[0]
    inner = covered[length // 6 : length - length // 6] if length > 12 else covered
    return bool(inner.mean() > 0.6)


# -- what lies around a table in a sheet --------------------------------------------------------------

_COLUMN_LETTERS = re.compile(r"[A-Z]{1,2}")


def trim_table(cells: list[GridCell], texts: list[str]) -> list[tuple[GridCell, str]]:
    """The cells without what a spreadsheet shows around the table: the empty sheet cells the
    gridlines draw beyond it (empty rows and columns at its edges) and the sheet's own headings (a
    first row of column letters A, B, C…, a first column of row numbers counting up by one)."""
    pairs = list(zip(cells, texts, strict=True))
    for _ in range(2):  # headings first, then the empty edges they leave; twice for both corners
        pairs = _drop_headings(pairs)
        pairs = _keep_rows(pairs, *_text_range(pairs, rows=True), rows=True)
        pairs = _keep_rows(pairs, *_text_range(pairs, rows=False), rows=False)
    return pairs


def _text_range(pairs: list[tuple[GridCell, str]], *, rows: bool) -> tuple[int, int]:
    spans = [_span(cell, rows) for cell, text in pairs if text.strip()]
    if not spans:
        return 0, -1
    return min(a for a, _ in spans), max(b for _, b in spans)


def _span(cell: GridCell, rows: bool) -> tuple[int, int]:
    return (cell.row, cell.row + cell.rowspan - 1) if rows else (cell.column, cell.column + cell.colspan - 1)


def _keep_rows(pairs: list[tuple[GridCell, str]], first: int, last: int, *, rows: bool) -> list[tuple[GridCell, str]]:
    """Only the grid rows (or columns) first..last, renumbered from 0; cells are clipped to them."""
    kept = []
    for cell, text in pairs:
        a, b = _span(cell, rows)
        a, b = max(a, first), min(b, last)
        if a > b:
            continue
        if rows:
            cell = GridCell(a - first, cell.column, b - a + 1, cell.colspan, cell.box)
        else:
            cell = GridCell(cell.row, a - first, cell.rowspan, b - a + 1, cell.box)
        kept.append((cell, text))
    return kept


def _drop_headings(pairs: list[tuple[GridCell, str]]) -> list[tuple[GridCell, str]]:
    top = [text.strip() for cell, text in pairs if cell.row == 0 and text.strip()]
    if len(top) >= 3 and all(_COLUMN_LETTERS.fullmatch(text) for text in top):
        pairs = _keep_rows(pairs, 1, 1 << 30, rows=True)
    left = [(cell.row, text.strip()) for cell, text in pairs if cell.column == 0 and text.strip()]
    numbers = [int(text) for _, text in sorted(left) if text.isdigit()]
    if len(left) >= 3 and len(numbers) == len(left) and all(b == a + 1 for a, b in itertools.pairwise(numbers)):
        pairs = _keep_rows(pairs, 1, 1 << 30, rows=False)
    return pairs
