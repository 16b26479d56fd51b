"""The one place ``crawler/extract`` runs a program: LibreOffice headless, for legacy binary formats.

Why a subprocess is still pure enough: it reads the bytes given and returns bytes, through a private
temporary directory; no network, no database, no clock. Each call gets its own LibreOffice profile
directory (``-env:UserInstallation``): concurrent conversions sharing a profile silently produce
nothing. A time limit bounds a hostile file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from crawler.extract.documents.errors import DocumentError

#: seconds one conversion may take (a normal report converts in 2–5 s)
CONVERT_TIMEOUT = 60
_FILTERS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_document(data: bytes, *, source_suffix: str, target: str) -> bytes:
    """``data`` (a .doc/.wps/.xls/.et file) converted to ``target`` ("docx" or "xlsx")."""
    binary = soffice()
    if binary is None:
        raise DocumentError("unsupported", f"reading .{source_suffix} needs LibreOffice (soffice), not installed")
    with tempfile.TemporaryDirectory(prefix="xxgk-convert-") as work:
        source = Path(work) / f"document.{source_suffix}"
        source.write_bytes(data)
        out_dir = Path(work) / "out"
        command = [
            binary,
            f"-env:UserInstallation=file://{work}/profile",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            _FILTERS[target],
            "--outdir",
            str(out_dir),
            str(source),
        ]
        try:
            subprocess.run(
                command,
                capture_output=True,
                timeout=CONVERT_TIMEOUT,
                check=False,
                env={**os.environ, "HOME": work},
            )
        except subprocess.TimeoutExpired as exc:
            raise DocumentError("timeout", f"LibreOffice took over {CONVERT_TIMEOUT} s") from exc
        produced = out_dir / f"document.{target}"
        if not produced.exists() or produced.stat().st_size == 0:
            raise DocumentError("unreadable", f"LibreOffice could not convert this .{source_suffix} file")
        return produced.read_bytes()
