"""The files the replica's reports post: attachments in every format, pictures of their tables, and
a few hostile files, built by the project's fixture builder (tests/support/render_documents.py).

Which report posts what is decided once per world by :func:`plan_site` (deterministic, in report
order, with its own random stream so the rest of the world is unchanged):

* an image-only report carries its numbers in an attachment — the formats taken in turn, each
  at least once where there are enough reports (xlsx, pdf, docx, xls, doc, wps, et), some with an
  upper-case extension, one with no extension at all (the name only in ``Content-Disposition``), one
  with the wrong extension (a spreadsheet saved as ``.pdf``);
* seed reports whose tables are pictures get pictures rendered from tables of their own, read by
  OCR (no attachment); other table pictures are small placeholders, never read (the attachment has
  the numbers);
* hostile files sit on otherwise normal reports: a truncated PDF, a zip-bomb DOCX, a very large PDF,
  a 20,000 × 20,000 PNG among a seed report's table pictures.

Bytes are built on first request (replica start-up stays fast) and cached per process and on disk
(``$TMPDIR/xxgk-replica-files``, keyed by the builder's source): LibreOffice conversions take seconds.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import struct
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.replica.world import Attachment, Report, tables_to_json
from tests.support.values import StatTables, random_tables

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "et": "application/vnd.ms-excel",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "wps": "application/vnd.ms-works",
    "jpg": "image/jpeg",
    "png": "image/png",
}
#: image-only reports take these formats in turn (first tuple once each, then the second over and
#: over); then special links at the given turns: upper-case extension, none, a wrong one
SITE_FORMATS = {
    "wendeng": (("xlsx", "docx", "xls", "doc", "wps", "et", "pdf"), ("xlsx",)),
    "hy": (("pdf", "pdf-garbled", "pdf"), ("xlsx", "pdf", "xlsx")),  # building a PDF takes ~2 s
}
SPECIAL_LINKS = {"wendeng": {7: "upper", 8: "none", 9: "wrong"}, "hy": {2: "upper"}}
#: reports with HTML tables that also post them as a spreadsheet (TRS 「…统计表.xls」)
SPREADSHEET_FORMATS = (("et",), ("xlsx",))
#: hostile files: (name, extension), each on one otherwise normal report of the site
HOSTILE = {
    "wendeng": (("truncated-pdf", "pdf"), ("zip-bomb-docx", "docx"), ("huge-pdf", "pdf")),
    "hy": (),
}
HUGE_PDF_PAGES = 3000
#: the very large PDF is padded past this, so a crawl run with a smaller DOWNLOAD_MAXSIZE refuses it
HUGE_PDF_BYTES = 3 * 1024 * 1024
ZIP_BOMB_BYTES = 256 * 1024 * 1024
PNG_BOMB_SIDE = 20000

CACHE_DIR = Path(tempfile.gettempdir()) / "xxgk-replica-files"
_locks: dict[str, threading.Lock] = {}
_locks_lock = threading.Lock()


@dataclass(frozen=True)
class FileSpec:
    """What one report posts besides its page (the plan; bytes come later)."""

    attachment: str = ""  # format of the attachment with the numbers ("" = none)
    extension: str = ""  # as linked: "XLSX", "pdf" for a spreadsheet in disguise, "" for none
    real_images: bool = False  # its table pictures are rendered from its tables (and read by OCR)
    hostile: str = ""  # a hostile extra attachment (HOSTILE names)
    png_bomb: bool = False  # a 20,000² PNG among its pictures


# --- the plan ------------------------------------------------------------------------------------------------------


def seed_file_tables(seed: str) -> StatTables:
    """Numbers for a seed report whose tables are pictures (the real ones are unknown)."""
    return random_tables(random.Random(f"seed-pictures:{seed}"), "G2")


def plan_site(site: str, reports: list[Report]) -> None:
    """Give each of ``reports`` (one site, in build order) its files (``report.files``) and say where
    its numbers are when not on its page (``report.numbers_from``)."""
    image_only = [r for r in reports if r.table_render == "image_only" and r.file_tables is not None]
    first, later = SITE_FORMATS[site]
    attached = [r for r in image_only if not r.seed]
    for index, report in enumerate(attached):
        fmt = first[index] if index < len(first) else later[index % len(later)]
        extension = extension_of(fmt)
        special = SPECIAL_LINKS[site].get(index)
        if special == "upper":
            extension = extension.upper()  # 「…统计表.XLSX」
        elif special == "none":
            extension = ""  # downfile.jsp?filename=<hex>: the name only in Content-Disposition
        elif special == "wrong":
            fmt, extension = "xlsx", "pdf"  # a spreadsheet posted as .pdf
        report.files = FileSpec(attachment=fmt, extension=extension)
        report.numbers_from = fmt
    for report in image_only:
        if report.seed == "002":  # as the real page: pictures and 「附件：…统计表.xls」
            report.files = FileSpec(attachment="xls", extension="xls", real_images=True)
            report.numbers_from = "xls"
        elif report.seed:  # pictures only: OCR or nothing
            report.files = FileSpec(real_images=True, png_bomb=report.seed == "004")
            report.numbers_from = "ocr"
    spreadsheets = [r for r in reports if r.tables is not None and any("xls attachment" in n for n in r.notes)]
    for index, report in enumerate(spreadsheets):
        fmt = SPREADSHEET_FORMATS[0][index] if index < len(SPREADSHEET_FORMATS[0]) else SPREADSHEET_FORMATS[1][0]
        report.files = FileSpec(attachment=fmt, extension=extension_of(fmt))
    hostile = HOSTILE.get(site, ())
    normal = [r for r in reports if r.table_render == "html" and r.tables is not None and not r.seed and not r.files]
    for (name, _), report in zip(hostile, random.Random(f"hostile:{site}").sample(normal, len(hostile)), strict=True):
        report.files = FileSpec(hostile=name)
        report.notes.append(f"hostile attachment: {name}")


def extension_of(fmt: str) -> str:
    return "pdf" if fmt.startswith("pdf") else fmt


def spec_of(report: Report) -> FileSpec:
    return report.files if isinstance(report.files, FileSpec) else FileSpec()


def image_sections(blocks: list[tuple[str, str]]) -> list[int | None]:
    """For each picture of a report, the table it shows (0 = 二, 1 = 三, 2 = 四) by the heading above it."""
    sections: list[int | None] = []
    current: int | None = None
    for kind, value in blocks:
        if kind in ("p", "h"):
            current = {"二、": 0, "三、": 1, "四、": 2}.get(value.strip()[:2], current)
        elif kind == "img":
            sections.append(current)
    return sections


# --- bytes ---------------------------------------------------------------------------------------------------------


def attachment(url: str, filename: str, report: Report, *, kind: str = "attachment", fmt: str = "",
               hostile: str = "", image: int | None = None, content_type: str = "") -> Attachment:
    """An :class:`Attachment` whose bytes are built on first request."""
    if hostile:
        build: Callable[[], bytes] = lambda: hostile_file(hostile)  # noqa: E731
    elif image is not None:
        tables, seed = report.file_tables, _seed(report)
        real = spec_of(report).real_images and tables is not None
        build = (lambda: table_picture(tables, seed, image)) if real else placeholder_jpeg
    else:
        tables, title, seed = report.file_tables or report.tables, report.title, _seed(report)
        build = lambda: document(fmt, tables, title, seed)  # noqa: E731
    found = Attachment(url, filename, content_type or CONTENT_TYPES.get(fmt, "application/octet-stream"), kind)
    found.render = build
    found.format = hostile or fmt
    return found


def _seed(report: Report) -> int:
    return int(hashlib.sha256(f"{report.body.name}/{report.year}".encode()).hexdigest()[:6], 16)


def document(fmt: str, tables: StatTables | None, title: str, seed: int) -> bytes:
    from tests.support.render_documents import render_document

    assert tables is not None, "a document needs tables"
    key = {"kind": fmt, "title": title, "seed": seed, "tables": tables_to_json(tables)}
    return cached(key, lambda: render_document(fmt, tables, title=title, seed=seed))


def table_picture(tables: StatTables, seed: int, section: int) -> bytes:
    """Section ``section`` (0 = 二, 1 = 三, 2 = 四) as a JPEG screenshot of a spreadsheet."""
    from PIL import Image

    from tests.support.render_documents import render_table_images

    def build() -> bytes:
        png = render_table_images(tables, seed=seed)[section]
        out = io.BytesIO()
        Image.open(io.BytesIO(png)).convert("RGB").save(out, "JPEG", quality=92)
        return out.getvalue()

    return cached({"kind": "picture", "seed": seed, "section": section, "tables": tables_to_json(tables)}, build)


@cache
def placeholder_jpeg() -> bytes:
    """A small real JPEG for pictures no one needs to read (their report's attachment has the numbers)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (96, 48), (235, 235, 235)).save(out, "JPEG", quality=80)
    return out.getvalue()


def cached(key: dict[str, object], build: Callable[[], bytes]) -> bytes:
    """``build()``, remembered in memory and on disk under the builder's source and ``key``."""
    digest = hashlib.sha256(json.dumps([_builder_version(), key], sort_keys=True, default=str).encode()).hexdigest()
    with _locks_lock:
        lock = _locks.setdefault(digest, threading.Lock())
    with lock:  # one build per file; different files build side by side
        if digest in _memory:
            return _memory[digest]
        path = CACHE_DIR / f"{digest}.bin"
        if path.exists():
            data = path.read_bytes()
        else:
            data = build()
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{threading.get_ident()}.tmp")
            partial.write_bytes(data)
            partial.replace(path)
        _memory[digest] = data
        return data


_memory: dict[str, bytes] = {}


@cache
def _builder_version() -> str:
    from tests.support import render_documents

    sources = [Path(render_documents.__file__).read_bytes(), Path(__file__).read_bytes()]
    return hashlib.sha256(b"".join(sources)).hexdigest()[:16]


# --- hostile files (cheap to make, costly to read carelessly) -------------------------------------------------------


def hostile_file(name: str) -> bytes:
    builders = {
        "truncated-pdf": truncated_pdf,
        "zip-bomb-docx": zip_bomb_docx,
        "huge-pdf": huge_pdf,
        "png-bomb": png_bomb,
    }
    return cached({"hostile": name}, builders[name])


def truncated_pdf() -> bytes:
    """The first half of a real report PDF: no xref, no trailer."""
    whole = document("pdf", seed_file_tables("truncated"), "政府信息公开工作年度报告", 1)
    return whole[: len(whole) // 2]


def zip_bomb_docx() -> bytes:
    """A DOCX whose ``word/document.xml`` inflates to 256 MiB (about 250 KiB on the wire)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_TYPES)
        archive.writestr("_rels/.rels", _DOCX_RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                         b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')  # fmt: skip
            chunk = b" " * (1024 * 1024)
            for _ in range(ZIP_BOMB_BYTES // len(chunk)):
                member.write(chunk)
            member.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def huge_pdf() -> bytes:
    """A valid PDF of 3,000 pages (one shared content stream) padded past 3 MiB by an unused stream."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    text = b"BT /F1 12 Tf 72 720 Td (Annual report page) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
    first_page = len(objects) + 1
    kids = []
    for index in range(HUGE_PDF_PAGES):
        kids.append(b"%d 0 R" % (first_page + index))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                       b"/Resources << /Font << /F1 3 0 R >> >> >>")  # fmt: skip
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), HUGE_PDF_PAGES)
    padding = random.Random(0).randbytes(HUGE_PDF_BYTES)
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(padding), padding))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png_bomb() -> bytes:
    """A valid 20,000 × 20,000 one-bit PNG: about 60 KiB on the wire, 400 Mpx once decoded."""
    side = PNG_BOMB_SIDE
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
