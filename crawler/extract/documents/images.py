"""Pictures of tables (a screenshot of a spreadsheet, a scanned or rendered page) → text and tables.

OCR is rapidocr on onnxruntime with the models shipped inside the wheel (nothing is downloaded).
The table grid is rebuilt so that the one section 二/三/四 mapping applies:

* Ruled tables (the usual case): the grid lines are found with morphology (long horizontal and
  vertical runs of ink); the cells are the regions they enclose, so a missing line segment between
  two elementary cells is a merged cell (rowspan/colspan). Each cell's text lines are cut out by their
  ink profile and recognised in one batch; no text detection is needed inside tables, which is both
  faster and exact about which cell a number belongs to.
* Text outside tables (headings, a page's prose) and tables without rules: text detection +
  recognition, then rows by vertical overlap of the boxes and columns by their x intervals.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from crawler.extract.documents import DocumentExtraction
from crawler.extract.documents.errors import DocumentError
from crawler.extract.documents.guards import MAX_IMAGE_PIXELS
from crawler.extract.documents.prepare import prepare_page
from crawler.extract.documents.rules import GridCell, rule_masks, table_boxes, table_cells, trim_table
from crawler.extract.documents.tablegrid import SpanCell, SpanTable, statistics_from, table_text
from crawler.extract.normalise import normalise_text

if TYPE_CHECKING:  # imported when the first image is read: loading it takes a while
    from rapidocr import RapidOCR

_ENGINE_LOCK = threading.Lock()
_INK_BELOW_BACKGROUND = 60  # grey levels below the page's background that count as ink
# ... and that still belong to a character when its text line is cut out: the thin strokes of
# small, blurred print in a low-contrast photo are lighter, and a crop cut to the darker strokes
# alone reads 「2」 as 「)」 and 「卷」 as 「e」
_FAINT_INK_BELOW_BACKGROUND = 45
# ... and what is within this share of the crop's contrast (paper to its darkest stroke) is paper in
# a cell's text crop: JPEG's ringing leaves light specks around every stroke that the recogniser
# takes for part of the glyph (a lone 0 of a quality-70 screenshot reads as 「O」). A share, not a
# fixed grey: the strokes of a blurred, low-contrast photo are all light, and a fixed cut eats them
_PAPER_SHARE = 0.12
#: a cell that reads as a lone round letter is a zero: statistics tables hold numbers and labels,
#: never a single Latin O (a sheet's column letters are gone by then: ``rules.trim_table``)
_LONE_ZERO = frozenset({"O", "o", "〇"})
_DIGIT_FIXES = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1", "，": ",", "。": "."})


def read_image(data: bytes, kind: str) -> DocumentExtraction:
    gray = decode_image(data)
    page = ocr_page(gray)
    text = normalise_text(page.text)
    return DocumentExtraction(kind, "ocr", text, statistics_from(text, page.tables))


# -- decoding, with the size checked from the header first -------------------------------------------


def decode_image(data: bytes) -> np.ndarray:
    """The image as a 2-D uint8 grey array; its pixel count is checked before any decoding."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))  # lazy: reads the header only
    except UnidentifiedImageError as exc:
        raise DocumentError("unsupported", "not a readable image") from exc
    except Image.DecompressionBombError as exc:  # Pillow's own header check, far above ours
        raise DocumentError("too-large", str(exc).split(",")[0]) from exc
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise DocumentError("too-large", f"image of {width}×{height} pixels (limit {MAX_IMAGE_PIXELS})")
    try:
        image.load()
    except OSError as exc:
        raise DocumentError("truncated", f"image data ends early ({exc})") from exc
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    return np.asarray(image.convert("L"))


# -- the page -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class OcrPage:
    text: str
    tables: list[SpanTable]


@dataclass(slots=True)
class RuledTable:
    box: tuple[int, int, int, int]
    cells: list[GridCell]


def ink_mask(gray: np.ndarray, below: int = _INK_BELOW_BACKGROUND) -> np.ndarray:
    background = int(np.median(gray))
    return gray < max(1, background - below)


def find_tables(gray: np.ndarray, ink: np.ndarray | None = None) -> list[RuledTable]:
    """Every ruled table of a page image, top to bottom, as cells with spans and pixel boxes."""
    ink = ink_mask(gray) if ink is None else ink
    horizontal, vertical = rule_masks(gray, ink)
    tables = []
    for box in table_boxes(horizontal | vertical):
        cells = table_cells(horizontal, vertical, box)
        if cells:
            tables.append(RuledTable(box, cells))
    return tables


def span_table(table: RuledTable, texts: list[str]) -> SpanTable:
    """The table's cells (in ``table.cells`` order, with ``texts``) as span rows, without the
    sheet around it (``rules.trim_table``)."""
    pairs = trim_table(table.cells, texts)
    by_row: dict[int, list[SpanCell]] = {}
    for cell, text in sorted(pairs, key=lambda pair: (pair[0].row, pair[0].column)):
        text = "0" if text.strip() in _LONE_ZERO else text
        by_row.setdefault(cell.row, []).append(SpanCell(text, cell.rowspan, cell.colspan))
    n_rows = 1 + max((cell.row + cell.rowspan - 1 for cell, _ in pairs), default=-1)
    return [by_row.get(r, []) for r in range(n_rows)]


def ocr_page(gray: np.ndarray) -> OcrPage:
    """Tables and text of one page image, in reading order (top to bottom)."""
    gray = prepare_page(gray)  # even light, level rules: a photo or a scan read as a screenshot
    ink = ink_mask(gray)
    tables = find_tables(gray, ink)
    text_ink = ink_mask(gray, _FAINT_INK_BELOW_BACKGROUND)
    paper = int(np.median(gray))
    crops: list[np.ndarray] = []
    spans: list[list[tuple[int, int]]] = []  # per table, per cell: (first crop, crop count)
    for table in tables:
        cell_spans = []
        for cell in table.cells:
            line_crops = [paper_cleaned(crop, paper) for crop in _text_line_crops(gray, text_ink, cell.box)]
            cell_spans.append((len(crops), len(line_crops)))
            crops.extend(line_crops)
        spans.append(cell_spans)
    # text outside the tables (headings, prose): lines by the ink profile of what is left
    rest = ink.copy()
    for table in tables:
        x0, y0, x1, y1 = table.box
        rest[max(0, y0 - 2) : y1 + 3, max(0, x0 - 2) : x1 + 3] = False
    free_lines = _free_text_lines(gray, rest)
    first_free = len(crops)
    for _, segments in free_lines:
        crops.extend(segments)
    texts = recognise(crops)
    blocks: list[tuple[int, str, SpanTable | None]] = []  # (top, text, table)
    for table, cell_spans in zip(tables, spans, strict=True):
        cell_texts = [_ocr_punctuation(_join_lines(texts[first : first + count])) for first, count in cell_spans]
        grid = span_table(table, cell_texts)
        blocks.append((table.box[1], table_text(grid), grid))
    for top, segments in free_lines:
        # segments of one line far apart are cells of an unruled table: tab-separated, the TSV layout
        blocks.append((top, "\t".join(texts[first_free : first_free + len(segments)]), None))
        first_free += len(segments)
    blocks.sort(key=lambda block: block[0])
    return OcrPage(
        "\n".join(text for _, text, _ in blocks),
        [table for _, _, table in blocks if table is not None],
    )


def paper_cleaned(crop: np.ndarray, paper: int) -> np.ndarray:
    """The crop with every pixel close to the ``paper`` grey (within ``_PAPER_SHARE`` of the way to
    its darkest pixel) made white: JPEG specks and halos gone, the strokes as they were."""
    if crop.size == 0:
        return crop
    level = paper - _PAPER_SHARE * (paper - int(crop.min()))
    return np.where(crop > level, np.uint8(255), crop)


def _text_line_crops(gray: np.ndarray, ink: np.ndarray, cell: tuple[int, int, int, int]) -> list[np.ndarray]:
    """The cell's text lines, cut out by the rows and columns that hold ink."""
    left, top, right, bottom = cell
    inset = 4
    inner = ink[top + inset : bottom - inset + 1, left + inset : right - inset + 1]
    if inner.size == 0 or inner.sum() < 6:
        return []
    # two blank rows end a line: a blurred scan leaves no more between two lines of a cell
    rows_with_ink = inner.sum(axis=1) > 0
    lines, start, gap = [], None, 0
    for index, has in enumerate([*rows_with_ink.tolist(), False, False, False]):
        if has:
            if start is None:
                start = index
            gap = 0
        elif start is not None:
            gap += 1
            if gap > 1:
                lines.append((start, index - gap))
                start, gap = None, 0
    lines = [(a, b) for a, b in lines if b - a >= 3]  # shorter: a speck, not a line of text
    crops = []
    for n, (a, b) in enumerate(lines):
        columns = np.flatnonzero(inner[a : b + 1].any(axis=0))
        ya, yb = top + inset + a, top + inset + b
        xa, xb = left + inset + int(columns[0]), left + inset + int(columns[-1])
        pad = max(3, (yb - ya) // 4)
        # never into the next line: its strokes in the margin turn a lone 卷 into 光存
        above = pad if n == 0 else min(pad, (a - lines[n - 1][1]) // 2)
        below = pad if n + 1 == len(lines) else min(pad, (lines[n + 1][0] - b) // 2)
        crop = gray[max(0, ya - above) : yb + below + 1, max(0, xa - pad) : xb + pad + 1]
        crops.append(_without_rule_edges(crop, xa - max(0, xa - pad), xb - max(0, xa - pad)))
    return crops


def _without_rule_edges(crop: np.ndarray, text_left: int, text_right: int, *, below: int = 128) -> np.ndarray:
    """The crop with the columns of its margins (left of ``text_left``, right of ``text_right``)
    that are dark along nearly all its height made white: text set with no cell padding touches the
    column line, and the margin cut from the page takes the line along (a lone 0 reads 「10」). A
    glyph's stroke in the margin is never dark over the whole height with its padding."""
    dark = (crop < below).mean(axis=0) >= 0.9
    margin = np.zeros(crop.shape[1], dtype=bool)
    margin[: max(0, text_left)] = True
    margin[text_right + 1 :] = True
    rule_columns = dark & margin
    if not rule_columns.any():
        return crop
    cleaned = crop.copy()
    cleaned[:, rule_columns] = 255
    return cleaned


def _free_text_lines(gray: np.ndarray, ink: np.ndarray) -> list[tuple[int, list[np.ndarray]]]:
    """(top, segment crops) of each line of text outside the tables: rows of ink (rows by vertical
    extent), cut into segments at gaps wider than two characters (columns of an unruled table)."""
    height, width = ink.shape
    found = []
    for top, bottom in _runs(ink.sum(axis=1) > 0, max_gap=2, min_length=6):
        band = ink[top : bottom + 1]
        gap = max(12, 2 * (bottom - top + 1))
        pad = max(3, (bottom - top) // 4)
        segments = [
            gray[max(0, top - pad) : min(height, bottom + pad + 1), max(0, left - pad) : min(width, right + pad + 1)]
            for left, right in _runs(np.asarray(band.any(axis=0)), max_gap=gap, min_length=3)
        ]
        if segments:
            found.append((top, segments))
    return found


def _runs(flags: np.ndarray, *, max_gap: int, min_length: int) -> list[tuple[int, int]]:
    """(first, last) of the runs of True, bridging gaps up to ``max_gap``; short runs dropped."""
    positions = np.flatnonzero(flags)
    if positions.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(positions) > max_gap + 1)
    starts = np.concatenate(([positions[0]], positions[breaks + 1]))
    ends = np.concatenate((positions[breaks], [positions[-1]]))
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b - a + 1 >= min_length]


def _join_lines(lines: list[str]) -> str:
    text = ""
    for line in (line.strip() for line in lines):
        if text and line and text[-1].isascii() and text[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            text += " "
        text += line
    return clean_number(text)


def _ocr_punctuation(text: str) -> str:
    """A full stop inside a table cell is a misread comma: labels are phrases, never two sentences
    (「只计这一情形。不计其他情形」 is 「只计这一情形，不计其他情形」)."""
    return text[:-1].replace("。", "，") + text[-1:] if "。" in text[:-1] else text


def clean_number(text: str) -> str:
    """OCR's usual slips inside a number: O for 0, l for 1, a comma for a decimal point."""
    compact = text.replace(" ", "")
    if compact and any(ch.isdigit() for ch in compact) and all(ch in "0123456789.-OoDIl|，。," for ch in compact):
        return compact.translate(_DIGIT_FIXES).replace(",", ".") if "." not in compact else compact.translate(_DIGIT_FIXES)
    return text


# -- the OCR engine -----------------------------------------------------------------------------------


@cache
def _engine() -> RapidOCR:
    """One rapidocr engine per process (loading the ONNX models takes a while); models from the wheel."""
    from rapidocr import RapidOCR

    return RapidOCR(
        params={
            "Global.log_level": "error",
            "Global.use_cls": False,  # tables are upright; the angle classifier only costs time
            "Rec.rec_img_shape": [3, 48, 48],  # no padding of short crops (most cells hold one number)
            "Rec.rec_batch_num": 16,
        }
    )


def recognise(crops: list[np.ndarray]) -> list[str]:
    """Text of each crop (a single line), in one batched recognition pass."""
    if not crops:
        return []
    rgb = [np.ascontiguousarray(np.stack([crop] * 3, axis=-1)) for crop in crops]
    with _ENGINE_LOCK:
        result = _engine().recognize_txt(rgb)
    # txts is None when the engine recognised nothing at all: every crop read blank
    texts = result.txts if result.txts is not None else ("",) * len(crops)
    return [text or "" for text in texts]
