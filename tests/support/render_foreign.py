"""Pictures of real report tables drawn by someone else: headless Chromium screenshots of the
archived pages' own table markup and CSS (tests/realworld/c01.html …), the way a site posts a 截图.

Every OCR fixture of ``render_screenshots`` is drawn by our own Pillow code; these are drawn by a
browser from markup we did not write (Word-exported ``MsoNormalTable`` borders in pt, 1-px CSS
borders, cell padding, wrapped labels, the browser's CJK font and antialiasing), so they show how the
OCR reader does on pictures it was not tuned to.

A page's statistics tables (二, 三, 四: the tables whose text names 第二十条 / 自然人 / 行政复议) are
laid out in one document, one below the other, on the page's background, and screenshotted in one
Chromium run per (width, zoom, background); the screenshot is cut into one picture per table at
the wide background gaps between them, each cropped to its table. The "tall" variant is the three
tables close together in one picture. JPEG copies are encoded with Pillow (quality 70).

Pictures are cached under $TMPDIR/xxgk-foreign (deterministic: the same page, Chromium and fonts give
the same pixels); a few are committed under tests/fixtures/ocr_foreign/ so the gate needs no browser.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import numpy as np
from PIL import Image

REALWORLD = Path(__file__).resolve().parent.parent / "realworld"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ocr_foreign"
PAGES = tuple(f"c{n:02d}" for n in range(1, 8))  # c08–c10 are pre-2019 pages without 二/三/四
SECTIONS = ("sec2", "sec3", "sec4")
_GAP = 400  # CSS px of background between the tables when they are to be cut apart
_MARGIN = 10  # px of background kept around a cropped table
_WINDOW_HEIGHT = 5200  # CSS px: taller than the three tables of any page with their gaps


@dataclass(frozen=True)
class Variant:
    """How one picture was taken: the layout width (CSS px), zoom (devicePixelRatio), format,
    page background and whether the three tables are in one tall picture."""

    name: str
    width: int = 1000
    zoom: float = 1.0
    jpeg: bool = False
    background: str = "#ffffff"
    tall: bool = False
    css: str = ""  # a site's own style over the table's (thin grey rules, zebra rows)

    @property
    def suffix(self) -> str:
        return "jpg" if self.jpeg else "png"


VARIANTS = (
    Variant("own"),
    Variant("own-jpeg", jpeg=True),
    Variant("narrow", width=640),
    Variant("wide", width=1280),
    Variant("zoom1.25", zoom=1.25),
    Variant("zoom1.5-jpeg", zoom=1.5, jpeg=True),
    Variant("grey", background="#e6e6e6"),
    Variant("tall", tall=True),
    # what sites' stylesheets do to a table: 1-px light-grey rules, zebra rows with bold labels
    Variant("grey-rules", css="td,th{border:1px solid #b4b4b4 !important}"),
    Variant("zebra", css="tr:nth-child(even) td{background:#ececec !important}td:first-child{font-weight:bold}"),
)
VARIANT_BY_NAME = {variant.name: variant for variant in VARIANTS}


@dataclass(frozen=True)
class Picture:
    page: str  # c01 …
    section: str  # sec2 / sec3 / sec4, or "all" for a tall picture
    variant: Variant

    @property
    def name(self) -> str:
        return f"{self.page}-{self.section}-{self.variant.name}.{self.variant.suffix}"


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def statistics_tables(page_html: bytes) -> dict[str, str]:
    """The page's 二/三/四 tables as their own markup (innermost tables only)."""
    doc = lxml.html.fromstring(page_html)
    found: dict[str, str] = {}
    for table in doc.xpath("//table[not(.//table)]"):
        text = table.text_content()
        section = (
            "sec2" if "第二十条" in text
            else "sec3" if "自然人" in text
            else "sec4" if "行政复议" in text and "维持" in text
            else None
        )  # fmt: skip
        if section and section not in found:
            found[section] = lxml.html.tostring(table, encoding="unicode")
    return found


def _document(tables: dict[str, str], variant: Variant) -> str:
    gap = 28 if variant.tall else _GAP
    blocks = "".join(f'<div style="margin-bottom:{gap}px">{tables[s]}</div>' for s in SECTIONS if s in tables)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
        f"html,body{{margin:0;background:{html.escape(variant.background)};}}"
        f"body{{width:{variant.width}px;padding:{_MARGIN}px;font-size:14px;"
        "font-family:'Noto Sans CJK SC','Noto Serif CJK SC',sans-serif;}"
        f"{variant.css}</style></head><body>{blocks}</body></html>"
    )


def _screenshot(document: str, variant: Variant, target: Path) -> None:
    browser = chromium()
    if browser is None:
        raise RuntimeError("chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    with tempfile.TemporaryDirectory() as work:
        page = Path(work) / "page.html"
        page.write_text(document, encoding="utf-8")
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={work}/profile",
             "--hide-scrollbars", f"--force-device-scale-factor={variant.zoom}",
             f"--window-size={variant.width + 2 * _MARGIN + 40},{_WINDOW_HEIGHT}",
             f"--screenshot={target}", page.as_uri()],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip


def cut_tables(image: Image.Image, *, min_gap: int) -> list[Image.Image]:
    """The screenshot cut at bands of at least ``min_gap`` background rows, each piece cropped to
    its content plus a margin of background."""
    rgb = np.asarray(image.convert("RGB")).astype(np.int16)
    background = rgb[0, 0]
    content = (np.abs(rgb - background).max(axis=2) > 8)
    rows = np.flatnonzero(content.any(axis=1))
    if rows.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(rows) > min_gap)
    starts = [rows[0], *rows[breaks + 1]]
    ends = [*rows[breaks], rows[-1]]
    pieces = []
    margin = _MARGIN
    for top, bottom in zip(starts, ends, strict=True):
        columns = np.flatnonzero(content[top : bottom + 1].any(axis=0))
        box = (
            max(0, int(columns[0]) - margin), max(0, int(top) - margin),
            min(image.width, int(columns[-1]) + margin + 1), min(image.height, int(bottom) + margin + 1),
        )  # fmt: skip
        pieces.append(image.crop(box))
    return pieces


def _encode(image: Image.Image, variant: Variant) -> bytes:
    out = io.BytesIO()
    if variant.jpeg:
        image.convert("RGB").save(out, "JPEG", quality=70)
    else:  # grey: the reader sees grey only (``decode_image``), and a grey PNG is a third the bytes
        image.convert("L").save(out, "PNG", optimize=True)
    return out.getvalue()


def cache_dir() -> Path:
    return Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / "xxgk-foreign"


def render_page(page: str, variant: Variant) -> dict[str, bytes]:
    """{section: picture bytes} of one page in one variant (section "all" for a tall picture)."""
    source = (REALWORLD / f"{page}.html").read_bytes()
    tables = statistics_tables(source)
    document = _document(tables, variant)
    shot_variant = Variant("shot", variant.width, variant.zoom, False, variant.background, variant.tall, variant.css)
    key = hashlib.sha256(repr((document, shot_variant)).encode()).hexdigest()[:16]
    shot = cache_dir() / f"{page}-{key}.png"
    if not shot.exists():
        shot.parent.mkdir(parents=True, exist_ok=True)
        partial = shot.with_suffix(".part.png")
        _screenshot(document, shot_variant, partial)
        partial.rename(shot)
    with Image.open(shot) as image:
        image.load()
        pieces = cut_tables(image, min_gap=int(_GAP * variant.zoom * 0.6))
    if variant.tall:
        return {"all": _encode(pieces[0], variant)} if pieces else {}
    present = [s for s in SECTIONS if s in tables]
    if len(pieces) != len(present):
        raise RuntimeError(f"{page} {variant.name}: {len(pieces)} pieces for tables {present}")
    return {section: _encode(piece, variant) for section, piece in zip(present, pieces, strict=True)}


def pictures(pages: tuple[str, ...] = PAGES, variants: tuple[Variant, ...] = VARIANTS) -> list[tuple[Picture, bytes]]:
    found = []
    for page in pages:
        for variant in variants:
            for section, data in render_page(page, variant).items():
                found.append((Picture(page, section, variant), data))
    return found


#: the gate of tests/test_ocr_foreign.py, committed under FIXTURES: each table, every kind of variant, the pictures the baseline missed most (≈ 1–3 s each)
GATE = (
    Picture("c03", "sec3", VARIANT_BY_NAME["own-jpeg"]),
    Picture("c05", "sec3", VARIANT_BY_NAME["narrow"]),
    Picture("c02", "sec4", VARIANT_BY_NAME["own-jpeg"]),
    Picture("c06", "sec4", VARIANT_BY_NAME["own-jpeg"]),
    Picture("c07", "sec4", VARIANT_BY_NAME["zoom1.5-jpeg"]),
    Picture("c06", "sec2", VARIANT_BY_NAME["grey"]),
    Picture("c02", "sec2", VARIANT_BY_NAME["wide"]),
    Picture("c01", "all", VARIANT_BY_NAME["tall"]),
)


def committed(picture: Picture) -> bytes:
    """A committed fixture's bytes (the gate's pictures, read without a browser)."""
    return (FIXTURES / picture.name).read_bytes()


def main() -> None:
    """Write the gate's pictures (GATE) into the fixtures directory."""
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for picture in GATE:
        data = render_page(picture.page, picture.variant)[picture.section]
        (FIXTURES / picture.name).write_bytes(data)
        print(picture.name, len(data))


if __name__ == "__main__":
    main()
