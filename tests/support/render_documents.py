"""Render a :class:`StatTables` as the attachments and pictures portals post: PDF, Word, WPS, Excel,
and PNG/JPG screenshots of the tables.

Every format starts from the same table layout as the replica's HTML (``render_html.render_sections``
parsed back into cells with their row and column spans), so the merged header cells, group labels and
G1 colspan=2 value cells are the ones the HTML tests already know. Extraction must read the same values
back from each format.

* ``pdf``: a text PDF (fpdf2, a Noto CJK subset with its ToUnicode map) with ruled tables.
* ``pdf-garbled``: the same PDF with every ToUnicode map removed (pikepdf), as some office exports
  are: text extraction gives ``(cid:…)`` and the reader must fall back to another engine or to OCR.
* ``docx`` (python-docx, merged cells), ``xlsx`` (openpyxl, merged ranges).
* ``doc`` / ``wps`` / ``xls`` / ``et``: converted from docx / xlsx by LibreOffice headless (WPS Office
  saves .wps and .et in the same binary formats as .doc and .xls); ``soffice_available()`` tells
  whether that is possible here.
* ``png`` / ``jpg``: all three tables in one picture; ``render_table_images``: one PNG per table.
  Fonts, sizes, line colours and scan noise vary with ``seed``.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import lxml.html
import numpy
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from tests.support.render_html import render_sections
from tests.support.values import StatTables

KINDS = ("pdf", "pdf-garbled", "docx", "doc", "wps", "xlsx", "xls", "et", "png", "jpg")
SECTIONS = ("sec2", "sec3", "sec4")
HEADINGS = {
    "sec2": "二、主动公开政府信息情况",
    "sec3": "三、收到和处理政府信息公开申请情况",
    "sec4": "四、政府信息公开行政复议、行政诉讼情况",
}

CLOSING = "五、存在的主要问题及改进情况"

# Noto CJK (Debian fonts-noto-cjk, installed by `make system`): (file, face index of the SC face)
_FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_FACES = (
    ("NotoSansCJK-Regular.ttc", 2),
    ("NotoSansCJK-Bold.ttc", 2),
    ("NotoSerifCJK-Regular.ttc", 2),
    ("NotoSerifCJK-Bold.ttc", 2),
)


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1


Table = list[list[Cell]]  # rows of the cells that start in that row (like <tr>/<td>)


def font_path(face: int = 0) -> Path:
    """A CJK font file installed by the setup (``fonts-noto-cjk``)."""
    path = _FONT_DIR / FONT_FACES[face % len(FONT_FACES)][0]
    if not path.exists():
        found = shutil.which("fc-match") and subprocess.run(
            ["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True, text=True, check=False
        ).stdout
        if not found:
            raise FileNotFoundError("no CJK font: install fonts-noto-cjk (make system)")
        return Path(found)
    return path


def soffice_available() -> bool:
    return shutil.which("soffice") is not None or shutil.which("libreoffice") is not None


# -- the layout every format shares ---------------------------------------------------------------


def section_tables(tables: StatTables) -> dict[str, Table]:
    """{"sec2": rows, "sec3": rows, "sec4": rows}: the replica's HTML tables, as cells with spans."""
    return {section: _parse_table(markup) for section, markup in render_sections(tables).items()}


def _parse_table(markup: str) -> Table:
    root = lxml.html.fromstring(markup)
    rows: Table = []
    for tr in root.iter("tr"):
        rows.append(
            [
                Cell(
                    " ".join("".join(td.itertext()).split()),
                    int(td.get("rowspan", 1)),
                    int(td.get("colspan", 1)),
                )
                for td in tr
                if td.tag in ("td", "th")
            ]
        )
    return rows


def grid_positions(table: Table) -> tuple[list[tuple[int, int, Cell]], int, int]:
    """[(row, column, cell)] of every cell's origin, and the grid's (rows, columns)."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(table):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            taken.update((r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan))
            c += cell.colspan
    width = 1 + max(c for _, c in taken)
    return placed, len(table), width


# -- entry points ---------------------------------------------------------------------------------


def render_document(
    kind: str, tables: StatTables, *, title: str, seed: int = 0, only: tuple[str, ...] = SECTIONS
) -> bytes:
    """The report's tables (under their headings, after ``title``) as a ``kind`` file.

    ``only``: the sections to include (all three by default)."""
    sections = {name: table for name, table in section_tables(tables).items() if name in only}
    if kind == "pdf":
        return _render_pdf(sections, title, seed)
    if kind == "pdf-garbled":
        return strip_to_unicode(_render_pdf(sections, title, seed))
    if kind == "docx":
        return _render_docx(sections, title)
    if kind in ("doc", "wps"):
        return convert_with_soffice(_render_docx(sections, title), "docx", "doc:MS Word 97")
    if kind == "xlsx":
        return _render_xlsx(sections, title)
    if kind in ("xls", "et"):
        return convert_with_soffice(_render_xlsx(sections, title), "xlsx", "xls:MS Excel 97")
    if kind in ("png", "jpg"):
        style = ImageStyle.pick(seed)
        image = _stack([_draw_table(table, style) for table in sections.values()], style)
        return _encode(_add_noise(image, style), "JPEG" if kind == "jpg" else "PNG", style)
    raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")


def render_table_images(tables: StatTables, *, seed: int = 0) -> list[bytes]:
    """One PNG per section table (二, 三, 四), each like a screenshot of a spreadsheet."""
    sections = section_tables(tables)
    images = []
    for offset, section in enumerate(SECTIONS):
        style = ImageStyle.pick(seed * 3 + offset)
        image = _add_noise(_draw_table(sections[section], style), style)
        images.append(_encode(image, "PNG", style))
    return images


# -- images ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageStyle:
    face: int = 0
    size: int = 18
    line: int = 0  # grid line grey level
    line_width: int = 1
    header_fill: int = 255  # grey level of the header rows' fill
    noise: float = 0.0  # sigma of the gaussian scan noise
    blur: float = 0.0
    jpeg_quality: int = 90
    seed: int = 0  # of the scan noise: the same style draws the same noise on every machine

    @classmethod
    def pick(cls, seed: int) -> ImageStyle:
        rng = random.Random(seed)
        return cls(
            seed=seed,
            face=rng.randrange(len(FONT_FACES)),
            size=rng.choice((15, 16, 17, 18, 20, 22, 24)),
            line=rng.choice((0, 40, 90, 128)),
            line_width=rng.choice((1, 1, 2)),
            header_fill=rng.choice((255, 255, 235, 220)),
            noise=rng.choice((0.0, 4.0, 8.0, 12.0)),
            blur=rng.choice((0.0, 0.0, 0.4, 0.7)),
            jpeg_quality=rng.choice((70, 80, 90)),
        )


#: the creation date stamped into built files, so that a build is reproducible
FIXED_DATE = datetime(2020, 1, 1, tzinfo=UTC)


@cache
def _font(face: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(face)), size, index=FONT_FACES[face % len(FONT_FACES)][1])


def _wrap(text: str, measure: Callable[[str], float], width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` as ``measure`` (a font's or a PDF's) sees it."""
    lines, current = [], ""
    for char in text:
        if current and measure(current + char) > width:
            lines.append(current)
            current = char
        else:
            current += char
    return [*lines, current] if current or not lines else lines


def _draw_table(table: Table, style: ImageStyle) -> Image.Image:
    font = _font(style.face, style.size)
    pad = max(6, style.size // 2)
    line_height = int(style.size * 1.45)
    placed, n_rows, n_cols = grid_positions(table)
    max_text = style.size * 9  # a label column wraps beyond ~9 characters
    widths = [style.size * 3] * n_cols
    for _, c, cell in placed:
        if cell.colspan == 1:
            widths[c] = max(widths[c], min(int(font.getlength(cell.text)), max_text) + 2 * pad)
    heights = [line_height + 2 * pad] * n_rows
    wrapped = {}
    for r, c, cell in placed:
        span_width = sum(widths[c : c + cell.colspan]) - 2 * pad
        wrapped[(r, c)] = _wrap(cell.text, font.getlength, span_width)
        need = len(wrapped[(r, c)]) * line_height + 2 * pad
        have = sum(heights[r : r + cell.rowspan])
        if need > have:
            heights[r + cell.rowspan - 1] += need - have
    xs = [20]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [20]
    for h in heights:
        ys.append(ys[-1] + h)
    image = Image.new("L", (xs[-1] + 20, ys[-1] + 20), 255)
    draw = ImageDraw.Draw(image)
    header_rows = _header_rows(placed)
    for r, c, cell in placed:
        x0, y0 = xs[c], ys[r]
        x1, y1 = xs[c + cell.colspan], ys[r + cell.rowspan]
        fill = style.header_fill if r < header_rows else 255
        draw.rectangle((x0, y0, x1, y1), fill=fill, outline=style.line, width=style.line_width)
        lines = wrapped[(r, c)]
        top = (y0 + y1) / 2 - len(lines) * line_height / 2
        for n, line in enumerate(lines):
            text_width = font.getlength(line)
            left = (x0 + x1) / 2 - text_width / 2 if len(lines) == 1 else x0 + pad
            draw.text((left, top + n * line_height + (line_height - style.size) / 2 - style.size * 0.1),
                      line, fill=0, font=font)
    return image


def _header_rows(placed: list[tuple[int, int, Cell]]) -> int:
    """Rows before the first row holding a number: the header, shaded in some styles."""
    for r, _, cell in placed:
        if cell.text.replace(".", "").isdigit():
            return r
    return 0


def _stack(images: list[Image.Image], style: ImageStyle) -> Image.Image:
    width = max(image.width for image in images)
    out = Image.new("L", (width, sum(image.height for image in images)), 255)
    y = 0
    for image in images:
        out.paste(image, (0, y))
        y += image.height
    return out


def _add_noise(image: Image.Image, style: ImageStyle) -> Image.Image:
    if style.blur:
        image = image.filter(ImageFilter.GaussianBlur(style.blur))
    if style.noise:
        # not Image.effect_noise: it draws from C's unseeded rand(), so every machine built other files
        sigma = numpy.random.default_rng(style.seed).normal(128, style.noise, (image.height, image.width))
        noise = Image.fromarray(sigma.clip(0, 255).astype(numpy.uint8), "L")
        image = Image.blend(image, noise, 0.15).point(lambda v: min(255, int(v * 1.12)))
    return image.convert("RGB")


def _encode(image: Image.Image, fmt: str, style: ImageStyle) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, fmt, quality=style.jpeg_quality)
    else:
        image.save(out, fmt, optimize=False)
    return out.getvalue()


# -- spreadsheets ---------------------------------------------------------------------------------


def _render_xlsx(sections: dict[str, Table], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "统计表"
    sheet.cell(row=1, column=1, value=title)
    top = 3
    for section in sections:
        sheet.cell(row=top, column=1, value=HEADINGS[section])
        top += 1
        placed, n_rows, _ = grid_positions(sections[section])
        for r, c, cell in placed:
            target = sheet.cell(row=top + r, column=1 + c, value=_spreadsheet_value(cell.text))
            target.alignment = Alignment(wrap_text=True, vertical="center")
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=top + r,
                    start_column=1 + c,
                    end_row=top + r + cell.rowspan - 1,
                    end_column=c + cell.colspan,
                )
        top += n_rows + 2
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _spreadsheet_value(text: str) -> str | int | float:
    """Numbers as numbers (as a clerk types them), the rest as text."""
    if text.isdigit() or (text.startswith("-") and text[1:].isdigit()):
        return int(text)
    try:
        return float(text) if "." in text and text.replace(".", "", 1).isdigit() else text
    except ValueError:
        return text


# -- Word -----------------------------------------------------------------------------------------


def _render_docx(sections: dict[str, Table], title: str) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    for section in sections:
        document.add_paragraph(HEADINGS[section])
        placed, n_rows, n_cols = grid_positions(sections[section])
        table = document.add_table(rows=n_rows, cols=n_cols)
        table.style = "Table Grid"
        for r, c, cell in placed:
            origin = table.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                origin = origin.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            origin.text = cell.text
    # Word needs a paragraph after the last table (LibreOffice drops a trailing table otherwise)
    document.add_paragraph(CLOSING)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def convert_with_soffice(data: bytes, suffix: str, target: str) -> bytes:
    """Convert with LibreOffice headless (own profile dir, so parallel runs never collide)."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: run `make system`")
    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-") as work:
        source = Path(work) / f"in.{suffix}"
        source.write_bytes(data)
        out_dir = Path(work) / "out"
        subprocess.run(
            [binary, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
             "--convert-to", target, "--outdir", str(out_dir), str(source)],
            capture_output=True, check=True, timeout=120, env={**os.environ, "HOME": work},
        )
        produced = list(out_dir.iterdir())
        if not produced:
            raise RuntimeError(f"LibreOffice produced nothing converting {suffix} to {target}")
        return produced[0].read_bytes()


# -- PDF ------------------------------------------------------------------------------------------


def _render_pdf(sections: dict[str, Table], title: str, seed: int) -> bytes:
    from fpdf import FPDF

    rng = random.Random(seed)
    face = rng.choice((0, 2))
    pdf = FPDF(orientation="P", unit="pt", format="A4")
    pdf.set_creation_date(FIXED_DATE)  # else "now": the same report would be other bytes on each build
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", "", str(font_path(face)), collection_font_number=FONT_FACES[face][1])
    pdf.add_page()
    size = rng.choice((7.5, 8.0, 8.5))
    pdf.set_font("cjk", size=14)
    pdf.text(40, 50, title)
    y = 80.0
    for section in sections:
        pdf.set_font("cjk", size=size)
        layout = _pdf_layout(pdf, sections[section], 40.0, size)
        height = layout[2][-1] + 30
        if y + height > pdf.h - 30:
            # a table too long for the rest of the page starts a new page, tall enough to hold it
            pdf.add_page(format=(595.28, max(841.89, height + 80)))
            y = 40.0
        pdf.set_font("cjk", size=11)
        pdf.text(40, y + 11, HEADINGS[section])
        pdf.set_font("cjk", size=size)
        _pdf_draw(pdf, layout, y + 24, size)
        y += height + 24
    pdf.set_font("cjk", size=11)
    if y > pdf.h - 40:
        pdf.add_page()
        y = 40.0
    pdf.text(40, y + 11, CLOSING)
    return bytes(pdf.output())


def _pdf_layout(pdf, table: Table, left: float, size: float):
    """(placed cells, column x positions, row y offsets from the table top, wrapped lines)."""
    placed, n_rows, n_cols = grid_positions(table)
    usable = pdf.w - 2 * left
    label_cols = _label_columns(placed, n_cols)
    label_share = 0.42 if label_cols else 0.0
    widths = [
        usable * label_share / label_cols if c < label_cols else usable * (1 - label_share) / (n_cols - label_cols)
        for c in range(n_cols)
    ]
    line_height = size * 1.35
    wrapped = {}
    heights = [line_height + 6] * n_rows
    for r, c, cell in placed:
        span_width = sum(widths[c : c + cell.colspan]) - 6
        wrapped[(r, c)] = _wrap(cell.text, pdf.get_string_width, span_width)
        need = len(wrapped[(r, c)]) * line_height + 6
        have = sum(heights[r : r + cell.rowspan])
        if need > have:
            heights[r + cell.rowspan - 1] += need - have
    xs = [left]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [0.0]
    for h in heights:
        ys.append(ys[-1] + h)
    return placed, xs, ys, wrapped


def _pdf_draw(pdf, layout, top: float, size: float) -> None:
    placed, xs, ys, wrapped = layout
    line_height = size * 1.35
    pdf.set_line_width(0.6)
    for r, c, cell in placed:
        x0, y0, x1, y1 = xs[c], top + ys[r], xs[c + cell.colspan], top + ys[r + cell.rowspan]
        pdf.rect(x0, y0, x1 - x0, y1 - y0)
        lines = wrapped[(r, c)]
        text_top = (y0 + y1) / 2 - len(lines) * line_height / 2
        for n, line in enumerate(lines):
            if not line:
                continue
            text_width = pdf.get_string_width(line)
            pdf.text((x0 + x1) / 2 - text_width / 2, text_top + (n + 0.78) * line_height, line)


def _label_columns(placed: list[tuple[int, int, Cell]], n_cols: int) -> int:
    """Columns left of the first value column (3 in 三, 1 in 二, 0 in 四)."""
    first_value = min(
        (c for _, c, cell in placed if cell.text.replace(".", "").replace("-", "").isdigit()), default=0
    )
    return min(first_value, n_cols - 1)


def strip_to_unicode(pdf_bytes: bytes) -> bytes:
    """The PDF with every font's /ToUnicode map removed (text extraction then gives (cid:…))."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            for name in list(fonts.keys()):
                font = fonts[name]
                if "/ToUnicode" in font:
                    del font["/ToUnicode"]
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)  # else a random /ID: other bytes on each build
        return out.getvalue()


# -- committed fixtures ---------------------------------------------------------------------------

#: the committed fixtures: file name → (kind, generation, table seed, style seed, sections shown: None
#: for all three, a section, or a tuple of sections). The garbled PDF holds two tables: OCR is slow.
FIXTURES = {
    "report-g2.pdf": ("pdf", "G2", 11, 1, None),
    "report-g2-garbled.pdf": ("pdf-garbled", "G2", 11, 1, ("sec2", "sec4")),
    "report-g1.docx": ("docx", "G1", 12, 0, None),
    "report-g2.doc": ("doc", "G2", 13, 0, None),
    "report-g1.wps": ("wps", "G1", 14, 0, None),
    "report-g2.xlsx": ("xlsx", "G2", 15, 0, None),
    "report-g1.xls": ("xls", "G1", 16, 0, None),
    "report-g2.et": ("et", "G2", 17, 0, None),
    "table-sec2-g2.jpg": ("jpg-sec2", "G2", 18, 3, "sec2"),
    "table-sec4-g1.png": ("png-sec4", "G1", 19, 4, "sec4"),
}
FIXTURE_TITLE = "某某县人民政府2023年政府信息公开工作年度报告"


def fixture_tables(name: str) -> StatTables:
    from tests.support.values import random_tables

    _, gen, table_seed, _, _ = FIXTURES[name]
    return random_tables(random.Random(table_seed), gen, busy=True)


def render_fixture(name: str) -> bytes:
    kind, _, _, style_seed, section = FIXTURES[name]
    tables = fixture_tables(name)
    if section is None or isinstance(section, tuple):
        return render_document(kind, tables, title=FIXTURE_TITLE, seed=style_seed, only=section or SECTIONS)
    style = ImageStyle.pick(style_seed)
    image = _add_noise(_draw_table(section_tables(tables)[section], style), style)
    return _encode(image, "JPEG" if kind.startswith("jpg") else "PNG", style)


def fixture_sections(name: str) -> tuple[str, ...]:
    section = FIXTURES[name][4]
    if section is None:
        return SECTIONS
    return section if isinstance(section, tuple) else (section,)


def expected_cells(tables: StatTables, sections: tuple[str, ...] = SECTIONS) -> dict[str, object]:
    """The golden answer: every printed cell of ``sections``, from the tables (never from extraction)."""
    from tests.support.values import iter_cells

    return {
        f"{table}.{'.'.join(path)}": None if value is None else str(value)
        for table, path, value in iter_cells(tables)
        if table in sections
    }


def golden_answer(name: str) -> dict[str, object]:
    """What a fixture's golden file holds: its generation, the format it reads as, its printed cells."""
    gen = FIXTURES[name][1]
    return {
        "generation": gen,
        # a lone section-四 table cannot tell G1 from G2 (same codes): it is read as G2
        "format": gen if set(fixture_sections(name)) & {"sec2", "sec3"} else "G2",
        "cells": expected_cells(fixture_tables(name), fixture_sections(name)),
    }


def golden_text(name: str) -> str:
    import json

    return json.dumps(golden_answer(name), ensure_ascii=False, indent=1) + "\n"


def build_fixtures(directory: Path, golden: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    golden.mkdir(parents=True, exist_ok=True)
    for name in FIXTURES:
        (directory / name).write_bytes(render_fixture(name))
        (golden / f"{name}.json").write_text(golden_text(name))


if __name__ == "__main__":  # python -m tests.support.render_documents: rebuild the committed fixtures
    root = Path(__file__).resolve().parent.parent
    build_fixtures(root / "fixtures" / "documents", root / "golden" / "documents")
