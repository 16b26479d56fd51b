"""The OCR section of the evaluation: cell accuracy on pictures of tables as they are posted.

``python -m tests.eval_ocr`` reads every fixture of ``render_screenshots.fixture_set`` (spreadsheet
screenshots of the 二, 三 and 四 tables, clean, scanned and photographed, at 1× and 2×) through
``read_document`` — the path a crawled picture takes — and prints, per table × scale × condition,
the cells read exactly (all cells, then the numeric ones), then every miss. A blank cell is read
exactly when it comes back null with the ``blank`` flag; a printed value when its text is the same.

``--seeds N`` sets its size (default 4 table sets × 3 tables × 2 scales × 3 conditions = 72
pictures), ``--first S`` another set of seeds; ``--quiet`` leaves the misses out.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from crawler.extract.documents import read_document
from crawler.extract.model import Statistics
from tests.support.render_screenshots import Fixture, fixture_set, numeric
from tests.support.values import iter_cells

_GOOD_FLAGS = (None, "approx", "raw_amount")


@dataclass
class Tally:
    cells: int = 0
    exact: int = 0
    numeric: int = 0
    numeric_exact: int = 0

    def add(self, other: Tally) -> None:
        self.cells += other.cells
        self.exact += other.exact
        self.numeric += other.numeric
        self.numeric_exact += other.numeric_exact

    @property
    def rate(self) -> float:
        return self.exact / self.cells if self.cells else 1.0

    @property
    def numeric_rate(self) -> float:
        return self.numeric_exact / self.numeric if self.numeric else 1.0


@dataclass
class FixtureResult:
    fixture: Fixture
    tally: Tally
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (cell, wanted, got)


def expected(fixture: Fixture) -> dict[str, object]:
    """Every printed cell of the fixture's table, from the tables it was drawn from."""
    return {
        ".".join((table, *path)): value
        for table, path, value in iter_cells(fixture.tables())
        if table == fixture.section
    }


def _cell(stats: Statistics, key: str):
    table, *path = key.split(".")
    node = getattr(stats, table)
    if table == "sec2":
        return node.get(path[0], {}).get(".".join(path[1:-1]), {}).get(path[-1])
    return node.get(".".join(path[:-1]), {}).get(path[-1])


def read_exactly(cell, printed: object) -> bool:
    if cell is None:
        return False
    if printed is None:
        return cell.value is None and cell.flag == "blank"
    return cell.raw == str(printed) and cell.flag in _GOOD_FLAGS


def evaluate_fixture(fixture: Fixture) -> FixtureResult:
    suffix = "png" if fixture.condition == "clean" else "jpg"
    extraction = read_document(fixture.image(), filename=f"{fixture.name}.{suffix}")
    result = FixtureResult(fixture, Tally())
    for key, printed in expected(fixture).items():
        cell = _cell(extraction.statistics, key) if extraction.statistics is not None else None
        good = read_exactly(cell, printed)
        result.tally.cells += 1
        result.tally.exact += good
        if numeric(printed):
            result.tally.numeric += 1
            result.tally.numeric_exact += good
        if not good:
            got = "no table" if cell is None else f"{cell.raw!r} ({cell.flag})"
            result.misses.append((key, "blank" if printed is None else str(printed), got))
    return result


def evaluate(fixtures: Iterable[Fixture]) -> list[FixtureResult]:
    return [evaluate_fixture(fixture) for fixture in fixtures]


def summary(results: list[FixtureResult]) -> dict[tuple[str, int, str], Tally]:
    """Tallies per (table, scale, condition), plus ("all", 0, "all")."""
    groups: dict[tuple[str, int, str], Tally] = defaultdict(Tally)
    for result in results:
        fixture = result.fixture
        groups[(fixture.section, fixture.scale, fixture.condition)].add(result.tally)
        groups[("all", 0, "all")].add(result.tally)
    return dict(groups)


def report(results: list[FixtureResult], *, misses: bool = True) -> str:
    lines = ["OCR of table pictures (cells read exactly)", f"{'table':6} {'scale':5} {'condition':9} "
             f"{'all cells':>18} {'numeric cells':>18}"]
    for (section, scale, condition), tally in sorted(summary(results).items()):
        label = f"{section:6} {str(scale) + '×' if scale else 'all':5} {condition:9}"
        lines.append(f"{label} {tally.exact:>6}/{tally.cells:<5} {tally.rate:6.1%} "
                     f"{tally.numeric_exact:>6}/{tally.numeric:<5} {tally.numeric_rate:6.1%}")
    if misses:
        for result in results:
            for key, wanted, got in result.misses:
                lines.append(f"  miss {result.fixture.name}: {key} wanted {wanted} got {got}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=4, help="table sets (even: G2, odd: G1)")
    parser.add_argument("--first", type=int, default=0, help="the first table set's seed")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    results = evaluate(fixture_set(range(args.first, args.first + args.seeds)))
    print(report(results, misses=not args.quiet))
    return 0


if __name__ == "__main__":
    sys.exit(main())
