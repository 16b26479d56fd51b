"""Pictures of real tables drawn by someone else's renderer (Chromium, the pages' own markup).

The mechanisms on constructed images (paper cleaned of JPEG specks, a lone round letter read as a
zero), then an accuracy gate on committed Chromium screenshots (``render_foreign``; the full
evaluation over every page × table × variant is ``python -m tests.eval_ocr_foreign``).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from crawler.extract.documents.images import RuledTable, _text_line_crops, ink_mask, paper_cleaned, span_table
from crawler.extract.documents.rules import GridCell
from tests.eval_ocr_foreign import score_picture
from tests.support.render_documents import _font
from tests.support.render_foreign import FIXTURES, GATE, committed

REQUIRED_RATE = 0.99


def _jpeg_digit(quality: int = 40) -> np.ndarray:
    image = Image.new("L", (90, 60), 255)
    ImageDraw.Draw(image).text((30, 10), "0", fill=0, font=_font(0, 32))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("L"))


def test_paper_cleaned_whitens_the_jpeg_specks_and_keeps_the_strokes() -> None:
    page = _jpeg_digit()
    near_paper = (page > 225) & (page < 255)
    assert near_paper.sum() > 20  # the quality-40 copy has light specks around the stroke
    cleaned = paper_cleaned(page, 255)
    assert not ((cleaned > 230) & (cleaned < 255)).any()
    strokes = page < 128
    assert (cleaned[strokes] == page[strokes]).all()  # ink is untouched


def test_paper_cleaned_follows_the_paper_and_the_contrast_of_the_crop() -> None:
    page = np.full((40, 40), 200, dtype=np.uint8)
    page[10:30, 18:22] = 40
    page[5, 5] = 185  # a speck a little darker than a grey paper
    cleaned = paper_cleaned(page, 200)
    assert cleaned[5, 5] == 255 and cleaned[0, 0] == 255 and cleaned[15, 20] == 40
    faint = np.full((40, 40), 250, dtype=np.uint8)
    faint[10:30, 18:22] = 170  # a low-contrast photo's stroke, its blurred edge at 236
    faint[10:30, 17] = 236
    assert paper_cleaned(faint, 250)[15, 17] == 236  # a fixed cut at paper - 30 would whiten it


def test_a_crop_of_text_touching_the_rule_takes_no_rule_along() -> None:
    # a Word-exported cell without padding: the 0 starts right after the column line at x = 20
    image = Image.new("L", (120, 60), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((19, 5, 21, 55), fill=0)  # a 3-px column line (1 pt at 1.5×)
    draw.text((25, 12), "0", fill=0, font=_font(0, 28))
    gray = np.asarray(image)
    crops = _text_line_crops(gray, ink_mask(gray), (20, 5, 110, 55))
    assert len(crops) == 1
    crop = crops[0]
    dark_columns = np.flatnonzero((crop < 128).any(axis=0))
    assert dark_columns[0] >= 3  # a white margin before the digit: the rule is not in the crop
    assert crop.shape[1] > dark_columns[-1] - dark_columns[0] + 6


def _one_row_table(texts: list[str]) -> tuple[RuledTable, list[str]]:
    cells = [GridCell(0, n, 1, 1, (100 * n, 0, 100 * n + 100, 40)) for n in range(len(texts))]
    return RuledTable((0, 0, 100 * len(texts), 40), cells), texts


def test_a_lone_round_letter_in_a_cell_is_a_zero_but_words_keep_their_letters() -> None:
    table, texts = _one_row_table(["行政复议", "O", "o", "〇", "10", "OA系统"])
    assert [cell.text for cell in span_table(table, texts)[0]] == ["行政复议", "0", "0", "0", "10", "OA系统"]


def test_a_sheets_column_letter_o_is_still_dropped_with_the_headings() -> None:
    # A … P: the sheet's own column letters (a 16-column sheet has an 「O」); they go before any zero
    letters = [chr(ord("A") + n) for n in range(16)]
    cells = [GridCell(0, n, 1, 1, (40 * n, 0, 40 * n + 40, 30)) for n in range(16)]
    cells += [GridCell(1, n, 1, 1, (40 * n, 30, 40 * n + 40, 60)) for n in range(16)]
    table = RuledTable((0, 0, 640, 60), cells)
    grid = span_table(table, [*letters, *(str(n) + "件" for n in range(16))])
    assert len(grid) == 1 and grid[0][0].text == "0件"


@pytest.mark.skipif(not FIXTURES.exists(), reason="no committed foreign fixtures")
def test_ocr_gate_on_chromium_screenshots_of_real_tables(capsys: pytest.CaptureFixture[str]) -> None:
    results = [score_picture(picture, committed(picture)) for picture in GATE]
    exact = sum(result.exact for result in results)
    cells = sum(len(result.scores) for result in results)
    misses = [
        f"{result.picture.name}: {score.key} wanted {score.wanted} got {score.got}"
        for result in results
        for score in result.scores
        if not score.hit
    ]
    with capsys.disabled():
        print(f"\nforeign OCR gate: {exact}/{cells} cells exact")
    assert cells > 500  # every picture scored: 三 has ~170 truth cells, 四 15
    assert exact / cells >= REQUIRED_RATE, "\n".join(misses[:20])
