"""Tables as rows of cell texts, whatever the rendering (report-format.md §9.1).

Every layout is reduced to the same thing, a list of rows, each a list of cell texts, in reading
order. The table grammar (``tables.py``) then anchors rows by their labels and counts the values
that follow. What a "row" is depends on the layout:

* ``html``: a ``<tr>`` after rowspan/colspan are expanded into a grid; spanned copies are dropped so
  that a G1 value cell with colspan=2 is read once, not twice.
* ``tsv`` / ``pipe``: a line split on tabs / on "|".
* ``cell_per_line``: a paragraph (blank-line separated), one cell per line or cells between "|"
  lines; a line that lost its tab indentation continues the cell above (a wrapped label).
  Or one cell per line closed by a bar or a slash (「规章 |」, 「0 /」, spacer bars 「| |||」 after
  it): a row is a label line and the value lines after it. A bare "|" is a blank cell, except
  before a label when the source opens its rows with one.
* ``flattened``: a line of PDF text; numbers are split off on whitespace, and empty cells are
  invisible, so they are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from crawler.extract.cells import token_kind

Rows = list[list[str]]

_PAGE_NUMBER = re.compile(r"[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?")
_MARKDOWN_RULE = re.compile(r"\|?(?:\s*:?-{3,}:?\s*\|?)+")
_BAR_CELL = re.compile(r"(?P<cell>[^|]*[^|\s][^|]*?)\s*\|(?P<spacers>[\s|]*)")  # "规章 |", "0 | ||"
_SLASH_CELL = re.compile(r"(?P<cell>[^/]*[^/\s])\s*/")  # "规章/", "0 /"
_CLOSED_SHARE = 0.3  # of the zone's lines closed by a bar or slash: the one-cell-per-line layout
_GLUED_NUMBER = re.compile(r"(?P<label>.*[\u4e00-\u9fff)）”\"])(?P<number>\d+)")
_MAX_SPAN = 64  # a malformed rowspan="9999" must not allocate a huge grid

# -- HTML -------------------------------------------------------------------------------------------


def html_rows(body_html: str) -> Rows:
    """The rows of every innermost ``<table>`` in document order, an empty row between tables."""
    try:
        # Plain etree elements, not lxml.html's (whose per-element class lookup costs a third of
        # the expansion); the same libxml2 parse, so the same tables in the same order.
        root = etree.fromstring(body_html, etree.HTMLParser())
    except (etree.ParserError, ValueError):
        return []
    if root is None:  # nothing but blanks
        return []
    rows: Rows = []
    for table in root.iter("table"):
        if next(table.iterdescendants("table"), None) is not None:
            continue  # a layout table wrapping the article: its inner tables are the data
        grid, spanned = _grid(table)
        if spanned:
            rows.extend([cell for cell in row if cell is not None] for row in grid)
        else:  # a table that spans nothing has no covered slot to drop
            rows.extend(grid)  # type: ignore[arg-type]
        rows.append([])
    return rows


# a table's own rows (not those of a table inside a cell), in document order: compiled once
_TABLE_ROWS = etree.XPath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")


def expand_grid(table: etree._Element) -> list[list[str | None]]:
    """The table as a grid: each cell's text at its origin, None where a span covers it."""
    return _grid(table)[0]


def _grid(table: etree._Element) -> tuple[list[list[str | None]], bool]:
    """expand_grid's grid, and whether any cell spans more than one slot."""
    trs = _TABLE_ROWS(table)
    # per row, column → text (None: covered by a span from above or the left)
    taken: list[dict[int, str | None]] = [{} for _ in trs]
    spanned = False
    for r, tr in enumerate(trs):
        row = taken[r]
        c = 0
        for td in tr.iterchildren("td", "th"):
            while c in row:
                c += 1
            rowspan_value, colspan_value = td.get("rowspan"), td.get("colspan")
            if rowspan_value is None and colspan_value is None:  # most cells span nothing: one slot
                row[c] = _cell_text(td)
                c += 1
                continue
            rowspan, colspan = _span(rowspan_value), _span(colspan_value)
            if rowspan > 1 or colspan > 1:
                spanned = True
                for below in taken[r : r + rowspan]:  # rows past the table's end hold nothing read
                    for dc in range(colspan):
                        below[c + dc] = None
            row[c] = _cell_text(td)
            c += colspan
    if not any(taken):
        return [], spanned
    if not spanned:  # each row's columns were taken left to right: already in order
        return [list(row.values()) for row in taken], spanned
    # a short row (a source that dropped a cell) stays short: filling the hole would shift values
    return [[row[c] for c in sorted(row)] for row in taken], spanned


def _span(value: str | None) -> int:
    if value is None:
        return 1
    try:
        return max(1, min(_MAX_SPAN, int(value or 1)))
    except ValueError:
        return 1


def _cell_text(td: etree._Element) -> str:
    if len(td) == 0:  # half the cells hold bare text: nothing to walk
        text = td.text
        return _words(text) if text else ""
    if len(td) == 1:  # most others one childless <p> or <span>: its text and tail are the subtree's
        child = td[0]
        if isinstance(child.tag, str) and len(child) == 0:
            return _words((td.text or "") + (child.text or "") + (child.tail or ""))
    # the text serialisation is the itertext of the subtree (comments and PIs left out), in C
    return _words(etree.tostring(td, method="text", encoding="unicode", with_tail=False))


@lru_cache(maxsize=4096)
def _words(text: str) -> str:
    """The text's whitespace runs as one space, the ends stripped. Cached: every report's tables
    print the same cells (0, the template's labels)."""
    return " ".join(text.split())


# -- text layouts -----------------------------------------------------------------------------------


def detect_layout(lines: list[str]) -> str:
    """tsv / pipe / cell_per_line / flattened, judged on the lines of a table zone."""
    nonblank = [line for line in lines if line.strip()]
    if not nonblank:
        return "flattened"
    total = len(nonblank)
    tsv = sum(1 for line in nonblank if "\t" in line.strip())
    pipe = sum(1 for line in nonblank if line.count("|") >= 2)
    bars = sum(1 for line in nonblank if line.strip() == "|")
    indented = sum(1 for line in nonblank if line.startswith("\t"))
    multi_numbers = sum(1 for line in nonblank if _numbers_on_line(line) >= 2)
    if tsv >= 0.3 * total:
        return "tsv"
    if _closer(nonblank) is not None:
        return "cell_per_line"
    if pipe >= 0.3 * total:
        return "pipe"
    if bars >= 0.15 * total:
        return "cell_per_line"
    blank = len(lines) - total
    if multi_numbers < 0.05 * total and (indented >= 0.5 * total or blank >= 0.08 * total):
        return "cell_per_line"
    return "flattened"


def _numbers_on_line(line: str) -> int:
    return sum(1 for part in line.split() if part.isdigit())


def text_rows(lines: list[str], layout: str) -> Rows:
    if layout == "tsv":
        return [[cell.strip() for cell in line.split("\t")] for line in lines]
    if layout == "pipe":
        return [_pipe_cells(line) for line in lines]
    if layout == "cell_per_line":
        closer = _closer([line for line in lines if line.strip()])
        return _closed_rows(lines, closer) if closer else _paragraph_rows(lines)
    return [_flat_cells(line) for line in lines]


def _pipe_cells(line: str) -> list[str]:
    text = line.strip()
    if "|" not in text:
        return [text] if text else []
    if _MARKDOWN_RULE.fullmatch(text):
        return []  # a markdown |---|---| rule
    text = text.removeprefix("|").removesuffix("|")
    return [cell.strip() for cell in text.split("|")]


def _flat_cells(line: str) -> list[str]:
    """A PDF text line: numbers (and markers) become cells, the words between them one text cell."""
    if _PAGE_NUMBER.fullmatch(line.strip()):
        return []
    cells: list[str] = []
    words: list[str] = []
    for part in _unglued(line.split()):
        if token_kind(part) == 1:  # VALUE
            if words:
                cells.append(" ".join(words))
                words = []
            cells.append(part)
        else:
            words.append(part)
    if words:
        cells.append(" ".join(words))
    return cells


def _unglued(parts: list[str]) -> list[str]:
    """A label glued to its first number (「1.属于国家秘密0 0 0 0 0 0 0」) split in two, when numbers
    follow it on the line: PDF text drops the space between the label cell and the first value."""
    out: list[str] = []
    for index, part in enumerate(parts):
        glued = _GLUED_NUMBER.fullmatch(part)
        if glued and index + 1 < len(parts) and token_kind(parts[index + 1]) == 1:
            out += [glued["label"], glued["number"]]
        else:
            out.append(part)
    return out


def _paragraph_rows(lines: list[str]) -> Rows:
    """One row per paragraph. Cells are lines, or the text between "|" lines when there are any."""
    rows: Rows = []
    paragraph: list[str] = []
    for line in lines:
        if not line.strip() and "\t" not in line:
            if paragraph:
                rows.extend(_paragraph_rows_of(paragraph))
                paragraph = []
        else:
            paragraph.append(line)
    if paragraph:
        rows.extend(_paragraph_rows_of(paragraph))
    return rows


def _paragraph_rows_of(paragraph: list[str]) -> Rows:
    """A paragraph's row; cells between "|" lines with no blank line anywhere (「规章\n|\n0\n|\n0\n|」)
    are the whole table in one paragraph, so a label after values starts the next row there."""
    if not any(line.strip() == "|" for line in paragraph):
        return [_line_cells(paragraph)]
    rows: Rows = []
    current: list[str] = []
    for cell in _bar_cells(paragraph):
        if token_kind(cell) == 2 and any(token_kind(c) == 1 for c in current):  # TEXT after values
            current = _flush(rows, current)
        current.append(cell)
    _flush(rows, current)
    return rows


def _line_cells(paragraph: list[str]) -> list[str]:
    indented = any(line.startswith("\t") for line in paragraph)
    cells: list[str] = []
    for line in paragraph:
        if indented and cells and not line.startswith("\t") and cells[-1]:
            cells[-1] += line.strip()  # a wrapped label or header: "结果\n维持"
        else:
            cells.append(line.strip())
    return cells


def _bar_cells(paragraph: list[str]) -> list[str]:
    cells: list[str] = []
    current: list[str] = []
    for line in paragraph:
        if line.strip() == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(line.strip())
    cells.append("".join(current))
    return cells


# -- one cell per line, closed by a bar or a slash --------------------------------------------------


def _closer(nonblank: list[str]) -> re.Pattern[str] | None:
    """The pattern of a closed cell line when enough of the lines are closed cells, else None."""
    if not nonblank:
        return None
    # pipe rows ("规章 | 0 | 0 | 0 |") hold several cells; their block labels ("第二十条第(一)项 | |||")
    # look like closed cells, so closed lines must also outnumber them
    rows = sum(1 for line in nonblank if sum(1 for cell in _pipe_cells(line) if cell) >= 2)
    for pattern in (_BAR_CELL, _SLASH_CELL):
        cells = [match["cell"] for line in nonblank if (match := _closed(pattern, line.strip()))]
        if len(cells) < _CLOSED_SHARE * len(nonblank) or len(cells) <= rows:
            continue
        # 「行政许可 /」 is also PDF text of a label and its placeholder: slash-closed cells are
        # often numbers, each on a line of its own
        if pattern is _BAR_CELL or sum(token_kind(cell) == 1 for cell in cells) >= len(cells) / 4:
            return pattern
    return None


def _closed_rows(lines: list[str], closer: re.Pattern[str]) -> Rows:
    stripped = [line.strip() for line in lines if line.strip()]
    bare_opens = closer is _BAR_CELL and _rows_open_with_bar(stripped, closer)
    rows: Rows = []
    current: list[str] = []
    for index, line in enumerate(stripped):
        if line == "|" and closer is _BAR_CELL:
            following = stripped[index + 1] if index + 1 < len(stripped) else ""
            if bare_opens and following != "|" and _closed_kind(following, closer) == 2:
                current = _flush(rows, current)  # rows open with a label; a bar before a value is a blank cell
            else:
                current.append("")  # a blank cell: its bar with nothing before it
            continue
        match = _closed(closer, line)
        cell = match["cell"] if match else line
        if token_kind(cell) == 2 and any(token_kind(c) != 2 for c in current):  # TEXT after values
            current = _flush(rows, current)
        current.append(cell)
        if match and closer is _BAR_CELL:
            current.extend("" for _ in range(match["spacers"].count("|")))  # spacer cells
    _flush(rows, current)
    return rows


def _closed(closer: re.Pattern[str], line: str) -> re.Match[str] | None:
    """The line as one closed cell; not a line of several cells (「规章 0 0 /」: PDF text whose last
    cell is a placeholder)."""
    match = closer.fullmatch(line)
    if match is None:
        return None
    parts = match["cell"].split()
    if len(parts) > 1 and any(token_kind(part) == 1 for part in parts):  # VALUE
        return None
    return match


def _closed_kind(line: str, closer: re.Pattern[str]) -> int:
    match = _closed(closer, line)
    return token_kind(match["cell"] if match else line)


def _rows_open_with_bar(stripped: list[str], closer: re.Pattern[str]) -> bool:
    """Whether the source opens its rows with a bare "|": most label lines follow one."""
    labels = opened = 0
    for index, line in enumerate(stripped):
        match = _closed(closer, line)
        if match and token_kind(match["cell"]) == 2:
            labels += 1
            opened += index > 0 and stripped[index - 1] == "|"
    return labels > 0 and opened >= 0.5 * labels


def _flush(rows: Rows, current: list[str]) -> list[str]:
    if current:
        rows.append(current)
    return []
