"""OCR of table images, and the garbled-PDF fallback to OCR.

The accuracy test renders 21 table images (7 table sets × sections 二/三/四, G1 and G2) with varied
fonts, sizes, line greys, shading, blur and scan noise, reads them back through the same path as a
crawled picture (``read_document``), and counts the cells read exactly. It prints the rate and fails
below 99%.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from crawler.extract.documents import read_document
from crawler.extract.documents.pdf import is_garbled
from tests.support.cells import wrong_cells
from tests.support.render_documents import SECTIONS, expected_cells, render_table_images
from tests.support.values import random_tables

FIXTURE_DIR = Path(__file__).parent / "fixtures" / "documents"
TABLE_SETS = 7  # × 3 sections = 21 images
REQUIRED_RATE = 0.99


def test_ocr_reads_at_least_99_percent_of_cells_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    total = exact = images = 0
    misses: list[str] = []
    for seed in range(TABLE_SETS):
        gen = ("G1", "G2")[seed % 2]
        tables = random_tables(random.Random(100 + seed), gen)
        for section, image in zip(SECTIONS, render_table_images(tables, seed=seed), strict=True):
            images += 1
            extraction = read_document(image, filename=f"table-{seed}-{section}.png")
            expected = expected_cells(tables, (section,))
            total += len(expected)
            if extraction.statistics is None:
                misses.append(f"seed {seed} {section}: {extraction.error}")
                continue
            wrong = wrong_cells(extraction.statistics, expected)
            exact += len(expected) - len(wrong)
            misses.extend(f"seed {seed} {key}: {detail}" for key, detail in list(wrong.items())[:3])
    rate = exact / total
    with capsys.disabled():
        print(f"\nOCR exact cells: {exact}/{total} = {rate:.2%} over {images} images")
    assert images >= 20
    assert rate >= REQUIRED_RATE, "\n".join(misses[:20])


def test_garbled_pdf_has_no_to_unicode_and_falls_back_to_ocr() -> None:
    import pikepdf
    import pypdfium2 as pdfium

    data = (FIXTURE_DIR / "report-g2-garbled.pdf").read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = [font for page in pdf.pages for font in page.obj.Resources.Font.values()]
        assert fonts and not any("/ToUnicode" in font for font in fonts)
    document = pdfium.PdfDocument(data)
    text_layer = "".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    assert is_garbled(text_layer)  # what a plain text dump of this PDF gives
    extraction = read_document(data, filename="附件1.pdf")
    assert (extraction.kind, extraction.method, extraction.error) == ("pdf", "pdf-ocr", None)
    assert "主动公开政府信息情况" in extraction.text


def test_the_same_pdf_with_its_maps_reads_the_text_layer() -> None:
    extraction = read_document((FIXTURE_DIR / "report-g2.pdf").read_bytes(), filename="附件1.pdf")
    assert (extraction.method, extraction.error) == ("pdf-text", None)
    assert not is_garbled(extraction.text)


@pytest.mark.parametrize(
    ("text", "garbled"),
    [
        ("二、主动公开政府信息情况 第二十条第（一）项 信息内容 本年制发件数", False),
        ("(cid:12)(cid:15)(cid:33)(cid:40)" * 10, True),
        ("\x01\x02\x04\x05\x06\x07\x08 \x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19", True),
        ("¹Õ*·Ö y|× Ø y|Ù ¯ efy | ÚÊÛ y ij ÊÜ¹ÕÝÞß· ¹Õ°ß·", True),
        ("\ue001\ue002\ue003" * 10 + "政府信息公开", True),
        ("", True),
    ],
)
def test_is_garbled(text: str, garbled: bool) -> None:
    assert is_garbled(text) is garbled


def test_ocr_models_ship_inside_the_wheel() -> None:
    """Nothing is downloaded at run time: the ONNX models are files of the installed package."""
    import rapidocr

    models = Path(rapidocr.__file__).parent / "models"
    assert list(models.glob("*det*.onnx")) and list(models.glob("*rec*.onnx"))


def test_an_unruled_table_image_is_read_by_rows_and_column_gaps() -> None:
    """No grid lines: lines of text by their vertical extent, cells at wide gaps (the TSV layout)."""
    from PIL import Image, ImageDraw

    from tests.support.render_documents import _font

    tables = random_tables(random.Random(3), "G2")
    tables.sec4["review"]["upheld"] = 7
    tables.sec4["litigation_direct"]["total"] = 12
    font = _font(0, 20)
    image = Image.new("L", (1400, 170), 255)
    draw = ImageDraw.Draw(image)
    draw.text((20, 20), "四、政府信息公开行政复议、行政诉讼情况", font=font, fill=0)
    draw.text((20, 70), "行政复议", font=font, fill=0)
    values = [str(value) for group in tables.sec4.values() for value in group.values()]
    for index, value in enumerate(values):
        draw.text((200 + index * 75, 120), value, font=font, fill=0)
    out = io.BytesIO()
    image.save(out, "PNG")
    extraction = read_document(out.getvalue(), filename="table.png")
    assert extraction.statistics is not None
    assert wrong_cells(extraction.statistics, expected_cells(tables, ("sec4",))) == {}
