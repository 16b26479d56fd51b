"""Pictures of the statistics tables as they are posted in the wild: spreadsheet screenshots, scans
and phone photos, at 1× and 2× scale — deterministic by seed, drawn at test time (no binaries).

A screenshot imitates Excel / WPS: the sheet's light-grey gridlines at default column widths and row
heights continue beyond the table (and stop inside merged cells and under filled cells, as Excel
draws them), the table has thin dark borders (or, in some styles, only the gridlines), the header
rows are shaded, numbers are right-aligned and labels wrap inside their cells; some styles show the
sheet's row numbers and column letters. The layout is the replica's (``section_tables``: the
three-row 三 header, the three-level row labels with their rowspans, the two-level 四 header).

Drawn with Pillow rather than by LibreOffice Calc's PNG export: headless ``soffice --convert-to png``
of an .xlsx produced no file with libreoffice-calc-nogui, and Pillow draws the same pixels on
every machine.

Degraded copies (``degrade``): a scan (skew, blur, grey paper, noise, JPEG) and a phone photo
(skew, uneven light, low contrast, blur, strong JPEG), every parameter drawn from the seed. Only
sheets with borders are degraded: printed, a borderless sheet shows no gridlines at all.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy
from PIL import Image, ImageDraw, ImageFilter

from tests.support.render_documents import SECTIONS, Table, _font, _wrap, grid_positions, section_tables
from tests.support.values import StatTables, iter_cells, random_tables

CONDITIONS = ("clean", "scan", "photo")
SCALES = (1, 2)


@dataclass(frozen=True)
class SheetStyle:
    face: int = 0  # 0 sans (等线-like), 2 serif (宋体-like)
    font_px: int = 15  # 11 pt at 96 dpi
    grid: tuple[int, int, int] = (212, 212, 212)  # Excel's gridline colour
    border: tuple[int, int, int] | None = (0, 0, 0)  # None: the clerk drew no borders
    header_fill: tuple[int, int, int] | None = (217, 217, 217)
    headings: bool = False  # the sheet's row numbers and column letters
    offset: tuple[int, int] = (1, 2)  # sheet columns / rows before the table
    bottom_align: bool = False  # Excel's default vertical alignment

    @classmethod
    def pick(cls, seed: int) -> SheetStyle:
        rng = random.Random(seed)
        return cls(
            face=rng.choice((0, 0, 2)),
            font_px=rng.choice((14, 15, 15, 16)),
            grid=rng.choice(((212, 212, 212), (218, 220, 224), (225, 225, 225), (200, 200, 200))),
            border=rng.choice(((0, 0, 0), (0, 0, 0), (64, 64, 64), (128, 128, 128), None)),
            header_fill=rng.choice((None, (217, 217, 217), (221, 235, 247), (242, 242, 242), (255, 242, 204))),
            headings=rng.random() < 0.4,
            offset=(rng.randint(0, 2), rng.randint(0, 3)),
            bottom_align=rng.random() < 0.3,
        )


# -- the tables, with blank cells -------------------------------------------------------------------


def screenshot_tables(seed: int, gen: str = "G2", blank_share: float = 0.06) -> StatTables:
    """Random valid tables (busy or quiet, zeros throughout) with some value cells left blank."""
    rng = random.Random(seed)
    tables = random_tables(rng, gen, busy=seed % 2 == 0)
    for table, path, _ in list(iter_cells(tables)):
        if rng.random() < blank_share:
            node = getattr(tables, table)
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = None
    return tables


def numeric(value: object) -> bool:
    return isinstance(value, int | Decimal) or (isinstance(value, str) and value.lstrip("-").isdigit())


# -- the screenshot ---------------------------------------------------------------------------------


def render_screenshot(table: Table, style: SheetStyle, scale: int = 1) -> Image.Image:
    """One table as a spreadsheet screenshot at ``scale`` (2: a HiDPI screen)."""
    font = _font(style.face, style.font_px * scale)
    pad = 3 * scale
    line_height = int(style.font_px * scale * 1.3)
    placed, n_rows, n_cols = grid_positions(table)
    default_w, default_h = 72 * scale, 20 * scale
    widths = _column_widths(placed, n_cols, font, pad, style.font_px * scale)
    wrapped, heights = {}, [max(default_h, line_height + 2 * pad)] * n_rows
    for r, c, cell in placed:
        wrapped[(r, c)] = _wrap(cell.text, font.getlength, sum(widths[c : c + cell.colspan]) - 2 * pad)
        need = len(wrapped[(r, c)]) * line_height + 2 * pad
        have = sum(heights[r : r + cell.rowspan])
        if need > have:
            heights[r + cell.rowspan - 1] += need - have
    left_band = 32 * scale if style.headings else 0
    top_band = 20 * scale if style.headings else 0
    col_x = _edges(left_band, [default_w] * style.offset[0] + widths + [default_w] * 3)
    row_y = _edges(top_band, [default_h] * style.offset[1] + heights + [default_h] * 3)
    image = Image.new("RGB", (col_x[-1] + default_w // 2, row_y[-1] + default_h // 2), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    c0, r0 = style.offset
    merged, filled = _covered(placed, n_rows, style)
    width_px, height_px = image.size
    # the sheet's gridlines: skipped inside a merged range and beside filled cells
    for i, x in enumerate(col_x):
        for j in range(len(row_y) - 1):
            a, b = (j - r0, i - c0 - 1), (j - r0, i - c0)
            if (a in merged and merged.get(a) == merged.get(b)) or a in filled or b in filled:
                continue
            draw.line((x, row_y[j], x, row_y[j + 1]), fill=style.grid, width=scale)
    for j, y in enumerate(row_y):
        for i in range(len(col_x) - 1):
            a, b = (j - r0 - 1, i - c0), (j - r0, i - c0)
            if (a in merged and merged.get(a) == merged.get(b)) or a in filled or b in filled:
                continue
            draw.line((col_x[i], y, col_x[i + 1], y), fill=style.grid, width=scale)
    for r, c, cell in placed:
        x0, y0 = col_x[c0 + c], row_y[r0 + r]
        x1, y1 = col_x[c0 + c + cell.colspan], row_y[r0 + r + cell.rowspan]
        if (r, c) in filled:
            draw.rectangle((x0, y0, x1, y1), fill=style.header_fill)
        if style.border is not None:
            draw.rectangle((x0, y0, x1, y1), outline=style.border, width=scale)
        _draw_text(draw, wrapped[(r, c)], (x0, y0, x1, y1), cell.text, font, style, pad, line_height)
    if style.headings:
        _draw_headings(draw, col_x, row_y, (width_px, height_px), scale)
    return image


def _column_widths(placed, n_cols: int, font, pad: int, size: int) -> list[int]:
    """Label columns fit their text up to ~8 characters (then wrap); value columns ~4 characters."""
    widths = [int(size * 4.2)] * n_cols
    for _, c, cell in placed:
        if cell.colspan == 1 and not numeric(cell.text):
            widths[c] = max(widths[c], min(int(font.getlength(cell.text)), size * 8) + 2 * pad)
    return widths


def _edges(start: int, sizes: list[int]) -> list[int]:
    edges = [start]
    for size in sizes:
        edges.append(edges[-1] + size)
    return edges


def _covered(placed, n_rows: int, style: SheetStyle) -> tuple[dict, set]:
    """{(row, col): merge id} of every elementary cell of a merged range; the filled header cells."""
    merged: dict[tuple[int, int], int] = {}
    filled: set[tuple[int, int]] = set()
    header_rows = next((r for r, _, cell in placed if numeric(cell.text) or not cell.text), n_rows)
    header_rows = min(header_rows, 3)
    for index, (r, c, cell) in enumerate(placed):
        for dr in range(cell.rowspan):
            for dc in range(cell.colspan):
                if cell.rowspan > 1 or cell.colspan > 1:
                    merged[(r + dr, c + dc)] = index
                if style.header_fill is not None and style.border is not None and r < header_rows:
                    filled.add((r + dr, c + dc))
    return merged, filled


def _draw_text(draw, lines, box, text: str, font, style: SheetStyle, pad: int, line_height: int) -> None:
    x0, y0, x1, y1 = box
    block = len(lines) * line_height
    top = y1 - pad - block if style.bottom_align else (y0 + y1 - block) / 2
    for n, line in enumerate(lines):
        width = font.getlength(line)
        if numeric(text):
            left = x1 - pad - width  # numbers right-aligned, as a sheet shows them
        elif len(lines) == 1:
            left = (x0 + x1 - width) / 2
        else:
            left = x0 + pad
        y = top + n * line_height + (line_height - font.size) / 2 - font.size * 0.12
        draw.text((left, y), line, fill=(0, 0, 0), font=font)


def _draw_headings(draw, col_x: list[int], row_y: list[int], size: tuple[int, int], scale: int) -> None:
    """Column letters and row numbers in their grey bands, as the sheet shows them."""
    font = _font(0, 12 * scale)
    band = (238, 238, 238)
    draw.rectangle((0, 0, size[0], row_y[0] - 1), fill=band)
    draw.rectangle((0, 0, col_x[0] - 1, size[1]), fill=band)
    for i in range(len(col_x) - 1):
        letter = chr(ord("A") + i % 26)
        draw.line((col_x[i], 0, col_x[i], row_y[0] - 1), fill=(190, 190, 190), width=scale)
        draw.text(((col_x[i] + col_x[i + 1] - font.getlength(letter)) / 2, 3 * scale), letter, fill=(60, 60, 60), font=font)
    for j in range(len(row_y) - 1):
        number = str(j + 1)
        draw.line((0, row_y[j], col_x[0] - 1, row_y[j]), fill=(190, 190, 190), width=scale)
        draw.text(((col_x[0] - font.getlength(number)) / 2, (row_y[j] + row_y[j + 1]) / 2 - 7 * scale), number,
                  fill=(60, 60, 60), font=font)


# -- degraded copies --------------------------------------------------------------------------------


def degrade(image: Image.Image, condition: str, seed: int) -> Image.Image:
    """A scan or a phone photo of ``image`` (``clean``: unchanged)."""
    if condition == "clean":
        return image
    rng = random.Random(seed)
    noise = numpy.random.default_rng(seed)
    gray = image.convert("L")
    angle = rng.uniform(0.5, 2.0) * rng.choice((-1, 1))
    border = max(10, gray.width // 40)
    canvas = Image.new("L", (gray.width + 2 * border, gray.height + 2 * border), 255)
    canvas.paste(gray, (border, border))
    rotated = canvas.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    rotated = rotated.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9) if condition == "scan" else rng.uniform(0.6, 1.1)))
    pixels = numpy.asarray(rotated, dtype=numpy.float32)
    height, width = pixels.shape
    if condition == "scan":
        paper = rng.uniform(228, 245)
        pixels = pixels * (paper / 255.0)
        pixels += noise.normal(0, rng.uniform(3, 7), pixels.shape)
        quality = rng.randint(55, 80)
    else:
        # uneven light: a lamp off to one side, the far corner darker; the sensor's contrast is low
        yy, xx = numpy.mgrid[0:height, 0:width].astype(numpy.float32)
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        distance = numpy.hypot(xx - cx, yy - cy) / numpy.hypot(width, height)
        light = 1.0 - rng.uniform(0.25, 0.4) * distance
        pixels = (40 + pixels * 0.78) * light
        pixels += noise.normal(0, rng.uniform(2, 5), pixels.shape)
        quality = rng.randint(40, 65)
    out = Image.fromarray(pixels.clip(0, 255).astype(numpy.uint8), "L").convert("RGB")
    buffer = io.BytesIO()
    out.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


# -- the fixture set --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    """One picture of one table: what it shows, and how it was made."""

    seed: int
    section: str
    scale: int
    condition: str
    generation: str = "G2"

    @property
    def name(self) -> str:
        return f"{self.section}-{self.generation}-s{self.seed}-{self.scale}x-{self.condition}"

    def tables(self) -> StatTables:
        return screenshot_tables(self.seed, self.generation)

    def image(self) -> bytes:
        table = section_tables(self.tables())[self.section]
        style = SheetStyle.pick(self.seed * 7 + SECTIONS.index(self.section))
        if self.condition != "clean" and style.border is None:
            # a borderless sheet is a screenshot only: printed, it has no gridlines (Excel and WPS
            # print none) and is an unruled table; a photo of the screen leaves them below the noise
            style = replace(style, border=(64, 64, 64))
        picture = degrade(render_screenshot(table, style, self.scale), self.condition, self.seed * 31 + self.scale)
        buffer = io.BytesIO()
        picture.save(buffer, "PNG" if self.condition == "clean" else "JPEG", quality=92)
        return buffer.getvalue()


def fixture_set(seeds: range = range(2), sections: tuple[str, ...] = SECTIONS) -> list[Fixture]:
    """Every section × scale × condition for each seed (G2, and G1 for odd seeds)."""
    return [
        Fixture(seed, section, scale, condition, "G1" if seed % 2 else "G2")
        for seed in seeds
        for section in sections
        for scale in SCALES
        for condition in CONDITIONS
    ]
