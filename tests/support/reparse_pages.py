"""Saved report pages of the seed portals and their URLs (tests/test_reparse.py, tests/test_chain.py)."""

from __future__ import annotations

from pathlib import Path

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


WENDENG = "http://www.wendeng.gov.cn"


ARTICLE = f"{WENDENG}/art/2026/1/19/art_182996_6093007.html"
