"""Attachment throughput: ``python -m tests.bench_documents`` (or ``bench_documents()`` from tests/bench.py).

Two figures, each against a peer measured in the same run on the same input:

* PDF text extraction, pages/s: ``read_document`` on text PDFs (pdfium text, rule detection on a
  rendered page, text per cell, the section mapping) against pdfplumber's plain ``extract_text`` and
  pypdfium2's plain text dump of the same pages — what a reader that finds no tables costs.
* OCR, pages/s (one page = one table image): ``read_document`` on table images (rule detection, per-cell
  line crops, batched recognition, the section mapping) against one raw rapidocr call (detection +
  recognition, no table) on the same images.

Never a timed assertion: machines differ, the ratios are what we track.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable

import numpy as np

from crawler.extract.documents import read_document
from tests.support.render_documents import render_document, render_table_images
from tests.support.values import random_tables

PDF_REPORTS = 6
OCR_TABLE_SETS = 2  # × 3 images


def line(label: str, value: str) -> None:
    print(f"  {label:<44} {value}", flush=True)


def _rate(pages: int, run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return pages / (time.perf_counter() - started)


def _pdf_pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def bench_pdf() -> None:
    import pdfplumber
    import pypdfium2 as pdfium

    pdfs = [
        render_document("pdf", random_tables(random.Random(seed), ("G1", "G2")[seed % 2]), title="年度报告", seed=seed)
        for seed in range(PDF_REPORTS)
    ]
    pages = sum(_pdf_pages(data) for data in pdfs)
    read_document(pdfs[0], filename="warm.pdf")  # imports and first use out of the timing

    def ours() -> None:
        for data in pdfs:
            read_document(data, filename="a.pdf")

    def plumber() -> None:
        for data in pdfs:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                for page in pdf.pages:
                    page.extract_text()

    def pdfium_text() -> None:
        for data in pdfs:
            document = pdfium.PdfDocument(data)
            for page in document:
                page.get_textpage().get_text_range()
            document.close()

    mine, theirs, raw = _rate(pages, ours), _rate(pages, plumber), _rate(pages, pdfium_text)
    print(f"PDF text extraction ({pages} pages, {PDF_REPORTS} reports)")
    line("xxgk read_document (text + tables)", f"{mine:8.1f} pages/s")
    line("pdfplumber extract_text (text only)", f"{theirs:8.1f} pages/s")
    line("pypdfium2 text dump (text only)", f"{raw:8.1f} pages/s")
    line("ratio xxgk / pdfplumber", f"{mine / theirs:8.2f}")
    line("ratio xxgk / pypdfium2 dump", f"{mine / raw:8.2f}")


def bench_ocr() -> None:
    from PIL import Image

    from crawler.extract.documents.images import _engine

    images = [
        image
        for seed in range(OCR_TABLE_SETS)
        for image in render_table_images(random_tables(random.Random(seed), ("G1", "G2")[seed % 2]), seed=seed)
    ]
    arrays = [np.asarray(Image.open(io.BytesIO(image)).convert("RGB")) for image in images]
    read_document(images[-1], filename="warm.png")
    engine = _engine()
    engine(arrays[-1])

    def ours() -> None:
        for image in images:
            read_document(image, filename="a.png")

    def raw() -> None:
        for array in arrays:
            engine(array)

    mine, theirs = _rate(len(images), ours), _rate(len(images), raw)
    print(f"OCR of table images ({len(images)} images)")
    line("xxgk read_document (grid + cells + mapping)", f"{mine:8.2f} pages/s")
    line("rapidocr raw call (det + rec, no table)", f"{theirs:8.2f} pages/s")
    line("ratio xxgk / raw rapidocr", f"{mine / theirs:8.2f}")


def bench_documents() -> None:
    bench_pdf()
    bench_ocr()


if __name__ == "__main__":
    bench_documents()
