"""A small real archive for the hand-on tests (WACZ, replay, data packages): replica report pages
played through the real archive middleware, in two WARC files — the second one re-fetches the
first page unchanged, so it holds a revisit record pointing into the first file — then reparsed.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from crawler.reparse import reparse_in_place
from tests.replica.world import build_world
from tests.support.played_archive import Archive, page_context


def build_small_archive(data_dir: Path, reports: int = 5) -> list[str]:
    """Archive and reparse ``reports`` replica report pages with HTML tables; return their URLs."""
    world = build_world(0)
    chosen = [r for r in world.current_reports() if r.table_render == "html"][:reports]
    served = {}
    first = Archive(data_dir / "warc")
    for report in chosen:
        parts = urlsplit(report.url)
        served[report.url] = world.handle("GET", parts.hostname or "", parts.path)
        page = served[report.url]
        first.fetch(report.url, page.body, page_context(report.site, report.title), headers=dict(page.headers))
    first.close()
    again = Archive(data_dir / "warc")  # a later run: a new file, and a revisit of an unchanged page
    report = chosen[0]
    page = served[report.url]
    again.fetch(report.url, page.body, page_context(report.site, report.title), headers=dict(page.headers))
    again.close()
    reparse_in_place(data_dir)
    return [r.url for r in chosen]
