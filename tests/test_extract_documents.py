"""Attachments: PDF, Word, WPS and Excel files read to the same cells as the HTML tables.

Golden tests read the committed fixtures (tests/fixtures/documents, built by
``python -m tests.support.render_documents`` from known StatTables); the answer files
(tests/golden/documents) hold the printed values of those tables, never extraction output.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from crawler.extract.documents import DocumentExtraction, read_document, sniff_kind
from crawler.extract.report import extract_report, report_with_documents
from tests.support.cells import wrong_cells
from tests.support.render_documents import FIXTURES, render_document, soffice_available
from tests.support.values import random_tables

FIXTURE_DIR = Path(__file__).parent / "fixtures" / "documents"
GOLDEN_DIR = Path(__file__).parent / "golden" / "documents"
NEEDS_SOFFICE = {"doc", "wps"}  # reading legacy Word goes through LibreOffice
METHODS = {
    "pdf": "pdf-text",
    "pdf-garbled": "pdf-ocr",
    "docx": "docx",
    "doc": "doc",
    "wps": "wps",
    "xlsx": "xlsx",
    "xls": "xls",
    "et": "et",
    "jpg-sec2": "ocr",
    "png-sec4": "ocr",
}
KIND_OF = {"pdf-garbled": "pdf", "jpg-sec2": "image", "png-sec4": "image"}
SOFFICE = pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) not installed: make system")


# -- golden files: one per format ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIXTURES), ids=str)
def test_golden_fixture_reads_every_cell_exactly(name: str) -> None:
    kind = FIXTURES[name][0]
    if kind in NEEDS_SOFFICE and not soffice_available():
        pytest.skip("LibreOffice (soffice) not installed: make system")
    golden = json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))
    extraction = read_document((FIXTURE_DIR / name).read_bytes(), filename=name)
    assert extraction.error is None
    assert extraction.kind == KIND_OF.get(kind, kind)
    assert extraction.method == METHODS[kind]
    assert extraction.statistics is not None
    assert extraction.statistics.format == golden["format"]
    assert wrong_cells(extraction.statistics, golden["cells"]) == {}


# -- fresh fixtures from the builder ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx", pytest.param("xls", marks=SOFFICE)])
@pytest.mark.parametrize("gen", ["G1", "G2"])
def test_builder_round_trip(kind: str, gen: str) -> None:
    from tests.support.render_documents import expected_cells

    tables = random_tables(random.Random(hash((kind, gen)) % 1000), gen)
    data = render_document(kind, tables, title="某某镇2022年政府信息公开工作年度报告", seed=3)
    extraction = read_document(data, filename=f"附件.{kind.upper()}")
    assert extraction.statistics is not None
    assert extraction.statistics.format == gen
    assert wrong_cells(extraction.statistics, expected_cells(tables)) == {}


def test_docx_merged_cells_become_spans() -> None:
    from docx import Document

    from crawler.extract.documents.word import span_table

    tables = random_tables(random.Random(4), "G2")
    document = Document(io.BytesIO(render_document("docx", tables, title="t", only=("sec3",))))
    rows = span_table(document.tables[0]._tbl)
    header = rows[0]
    assert (header[0].rowspan, header[0].colspan) == (3, 3)  # the 勾稽关系 note cell
    assert header[1].colspan == 7  # 申请人情况
    outcome = rows[5][0]
    assert outcome.text.endswith("本年度办理结果") and outcome.rowspan > 10


# -- sniffing -----------------------------------------------------------------------------------------


def test_sniff_by_magic_bytes_over_the_name() -> None:
    docx = (FIXTURE_DIR / "report-g1.docx").read_bytes()
    assert sniff_kind(docx, filename="附件1.PDF") == "docx"
    assert sniff_kind((FIXTURE_DIR / "report-g2.xlsx").read_bytes(), filename="download") == "xlsx"
    assert sniff_kind((FIXTURE_DIR / "report-g2.pdf").read_bytes(), filename="downfile.jsp") == "pdf"
    assert sniff_kind((FIXTURE_DIR / "table-sec4-g1.png").read_bytes(), filename="a.doc") == "image"


def test_sniff_tells_ole_word_from_ole_excel_and_keeps_wps_and_et_names() -> None:
    xls = (FIXTURE_DIR / "report-g1.xls").read_bytes()
    wps = (FIXTURE_DIR / "report-g1.wps").read_bytes()
    assert sniff_kind(xls) == "xls"
    assert sniff_kind(xls, filename="表.ET") == "et"
    assert sniff_kind(wps) == "doc"
    assert sniff_kind(wps, filename="报告.wps") == "wps"
    assert sniff_kind(wps, content_type="application/kswps") == "wps"


def test_an_error_page_under_an_attachment_name_is_reported() -> None:
    extraction = read_document(b"<html><body>404 Not Found</body></html>", filename="P020240116.pdf")
    assert extraction.kind == "html"
    assert extraction.error == "unsupported: named as pdf but the bytes are html"


# -- hostile files: a clear error, quickly ------------------------------------------------------------


def _zip_bomb_docx() -> bytes:
    source = (FIXTURE_DIR / "report-g1.docx").read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        with dst.open("word/media/image1.png", "w") as member:  # 256 MiB of zeros, ~250 kB compressed
            for _ in range(256):
                member.write(bytes(1 << 20))
    return out.getvalue()


def _huge_image() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (20_000, 20_000), 1).save(out, "PNG")  # 400 M pixels, 90 kB on disk
    return out.getvalue()


def _many_page_pdf() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(5000):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _truncated(name: str) -> bytes:
    data = (FIXTURE_DIR / name).read_bytes()
    return data[: len(data) // 2]


HOSTILE = {
    "truncated-pdf": (lambda: _truncated("report-g2.pdf"), "x.pdf", "truncated: "),
    "truncated-docx": (lambda: _truncated("report-g1.docx"), "x.docx", "truncated: "),
    "truncated-xlsx": (lambda: _truncated("report-g2.xlsx"), "x.xlsx", "truncated: "),
    "truncated-png": (lambda: _truncated("table-sec4-g1.png"), "x.png", "truncated: "),
    "zip-bomb-docx": (_zip_bomb_docx, "x.docx", "zip-bomb: "),
    "image-20000x20000": (_huge_image, "x.png", "too-large: "),
    "pdf-5000-pages": (_many_page_pdf, "x.pdf", "too-large: "),
    "empty-file": (lambda: b"", "x.pdf", "unsupported: "),
    "random-bytes": (lambda: random.Random(1).randbytes(5000), "x.doc", "unsupported: "),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file_ends_with_a_clear_error(case: str) -> None:
    make, filename, prefix = HOSTILE[case]
    extraction = read_document(make(), filename=filename)
    assert extraction.error is not None and extraction.error.startswith(prefix), extraction.error
    assert extraction.statistics is None


def test_wrong_extension_is_read_by_its_bytes() -> None:
    data = (FIXTURE_DIR / "report-g1.docx").read_bytes()
    extraction = read_document(data, filename="附件1.pdf")
    assert (extraction.kind, extraction.method, extraction.error) == ("docx", "docx", None)


# -- a page and its documents -------------------------------------------------------------------------

IMAGE_ONLY_PAGE = """<html><head><title>某某县2023年政府信息公开工作年度报告</title></head><body>
<div class="article"><h1>某某县2023年政府信息公开工作年度报告</h1>
<p>二、主动公开政府信息情况</p><p><img src="t1.png"></p>
<p>三、收到和处理政府信息公开申请情况</p><p><img src="t2.png"></p>
<p>四、政府信息公开行政复议、行政诉讼情况</p><p><img src="t3.png"></p>
<p>五、存在的主要问题及改进情况</p><p>详见附件。</p></div></body></html>"""


def test_image_only_tables_take_their_numbers_from_the_attachment() -> None:
    tables = random_tables(random.Random(8), "G2")
    page = extract_report(IMAGE_ONLY_PAGE.encode(), url="http://www.example.gov.cn/art/1.html", kind="html")
    assert page.table_render == "image_only"
    attachment = read_document(render_document("xlsx", tables, title="t"), filename="附件.xlsx")
    url = "http://www.example.gov.cn/attach/附件.xlsx"
    combined = report_with_documents(page, [(url, attachment)])
    assert combined.sec3["new_received"]["total"].value == tables.sec3["new_received"]["total"]
    assert {section: (s.method, s.document_url) for section, s in combined.cell_sources.items()} == {
        "sec2": ("xlsx", url),
        "sec3": ("xlsx", url),
        "sec4": ("xlsx", url),
    }
    assert combined.format == "G2"
    assert combined.checks["sec3.identity"].status == "pass"
    assert list(combined.to_json()) == list(page.to_json())


def test_tables_read_on_the_page_stay_the_pages() -> None:
    from tests.support.render_html import render_html

    tables = random_tables(random.Random(9), "G1")
    html = f"<html><body><div>{render_html(tables)}</div></body></html>".encode()
    page = extract_report(html, kind="html")
    other = read_document(render_document("xlsx", random_tables(random.Random(10), "G1"), title="t"))
    combined = report_with_documents(page, [("http://x/a.xlsx", other)])
    assert combined.sec3 == page.sec3
    assert {s.document_url for s in combined.cell_sources.values()} == {None}
    assert {s.method for s in combined.cell_sources.values()} == {"html"}


def test_a_lone_section_four_image_fills_only_section_four() -> None:
    tables = random_tables(random.Random(11), "G2")
    page = extract_report(IMAGE_ONLY_PAGE.encode(), kind="html")
    sec4_only = read_document(render_document("docx", tables, title="t", only=("sec4",)), filename="a.docx")
    combined = report_with_documents(page, [("http://x/t3.docx", sec4_only)])
    assert combined.sec4["review"]["total"].value == tables.sec4["review"]["total"]
    assert set(combined.cell_sources) == {"sec4"}
    assert combined.sec3["new_received"]["total"].flag == "image_only"


def test_unreadable_documents_change_nothing() -> None:
    page = extract_report(IMAGE_ONLY_PAGE.encode(), kind="html")
    broken = DocumentExtraction("pdf", None, "", None, "truncated: the PDF ends early")
    assert report_with_documents(page, [("http://x/a.pdf", broken)]) is page


# -- the CLI ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report-g2.pdf", "report-g1.docx", "report-g2.xlsx", "report-g2.et"])
def test_cli_extract_json_reads_documents(name: str) -> None:
    result = CliRunner().invoke(cli, ["extract", str(FIXTURE_DIR / name), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["format"] == json.loads((GOLDEN_DIR / f"{name}.json").read_text())["generation"]
    assert report["sec3"]["new_received"]["total"]["value"] is not None


def test_cli_extract_reports_a_broken_document_and_fails(tmp_path: Path) -> None:
    broken = tmp_path / "附件.docx"
    broken.write_bytes(_truncated("report-g1.docx"))
    result = CliRunner().invoke(cli, ["extract", str(broken), "--json"])
    assert result.exit_code == 1
    assert "truncated: " in result.output
