"""OCR of table pictures the project did not draw: real report tables screenshotted by Chromium.

``python -m tests.eval_ocr_foreign`` renders (or takes from its cache) every picture of
``render_foreign.pictures`` — the 二/三/四 tables of the archived pages c01–c07, per variant (width,
zoom, JPEG, grey background, one tall picture of all three) — reads each through ``read_document``
(the path a crawled picture takes) and scores its cells against the page's hand-read truth
(tests/realworld/cNN.json, ``scoring.score_cells``), printing the cells read exactly per table ×
variant, then every miss. ``--pages c01,c03`` and ``--variants own,tall`` narrow it; ``--quiet``
leaves the misses out.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from crawler.extract.documents import read_document
from crawler.extract.model import Statistics
from tests.realworld.scoring import CellScore, score_cells
from tests.support.render_foreign import PAGES, REALWORLD, VARIANT_BY_NAME, VARIANTS, Picture, pictures


@dataclass
class Result:
    picture: Picture
    scores: list[CellScore] = field(default_factory=list)

    @property
    def exact(self) -> int:
        return sum(score.hit for score in self.scores)


def truth(page: str) -> dict[str, Any]:
    return json.loads((REALWORLD / f"{page}.json").read_text(encoding="utf-8"))


def statistics_json(stats: Statistics | None) -> dict[str, Any]:
    """The statistics in the JSON form of ``ExtractedReport`` that ``score_cells`` reads."""
    if stats is None:
        return {}
    return {
        "sec2": {block: {row: {c: cell.to_json() for c, cell in cols.items()} for row, cols in rows.items()}
                 for block, rows in stats.sec2.items()},
        "sec3": {row: {c: cell.to_json() for c, cell in cols.items()} for row, cols in stats.sec3.items()},
        "sec4": {group: {c: cell.to_json() for c, cell in cols.items()} for group, cols in stats.sec4.items()},
    }  # fmt: skip


def score_picture(picture: Picture, data: bytes) -> Result:
    extraction = read_document(data, filename=picture.name)
    got = statistics_json(extraction.statistics)
    wanted = truth(picture.page)
    scores = score_cells(got, wanted)
    if picture.section != "all":
        scores = [score for score in scores if score.key.startswith(picture.section + ".")]
    return Result(picture, scores)


def summary(results: list[Result]) -> dict[tuple[str, str], tuple[int, int]]:
    """(exact, cells) per (section, variant), per variant over all tables, and overall."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for result in results:
        for key in ((result.picture.section, result.picture.variant.name), ("all", result.picture.variant.name),
                    ("all", "all")):
            groups[key][0] += result.exact
            groups[key][1] += len(result.scores)
    return {key: (exact, cells) for key, (exact, cells) in groups.items()}


def report(results: list[Result], *, misses: bool = True) -> str:
    lines = ["OCR of foreign-rendered real tables (cells read exactly)", f"{'table':6} {'variant':14} {'cells':>16}"]
    order = {variant.name: n for n, variant in enumerate(VARIANTS)} | {"all": len(VARIANTS)}
    for (section, variant), (exact, cells) in sorted(summary(results).items(), key=lambda i: (order[i[0][1]], i[0][0])):
        rate = exact / cells if cells else 1.0
        lines.append(f"{section:6} {variant:14} {exact:>6}/{cells:<5} {rate:6.1%}")
    if misses:
        for result in results:
            for score in result.scores:
                if not score.hit:
                    lines.append(f"  miss {result.picture.name}: {score.key} wanted {score.wanted} got {score.got}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--variants", default=",".join(v.name for v in VARIANTS))
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    variants = tuple(VARIANT_BY_NAME[name] for name in args.variants.split(","))
    rendered = pictures(tuple(args.pages.split(",")), variants)
    results = [score_picture(picture, data) for picture, data in rendered]
    print(report(results, misses=not args.quiet))
    return 0


if __name__ == "__main__":
    sys.exit(main())
