"""The real-world evaluation: ``python -m tests.realworld.evaluate`` (``make eval``).

Runs the extraction on every file of tests/realworld/ as ``xxgk extract FILE`` would (no URL, no
crawl context) and prints, per field, hits / total and %, then every miss (file, field, wanted,
got). ``--json`` prints the per-field figures as JSON (the form of baseline.json).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.extract.documents.sniff import source_kind
from crawler.extract.report import extract_report
from tests.realworld.scoring import score_cells

HERE = Path(__file__).resolve().parent
FIELDS = ("agency", "agency_printed_or_full", "year", "published", "format", "proactive_total", "cells")
_FORMAT_CODES = {"G0", "G1", "G2"}


@dataclass(slots=True)
class Tally:
    hits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    misses: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    #: per file: [hits, total] over every field and cell
    files: dict[str, list[int]] = field(default_factory=dict)
    #: per batch (a file id's letter: a, b, … g) and kind (fields, cells): [hits, total], so that a
    #: batch of one kind of source (g: one archive's text rendering) is read apart from the rest
    batches: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def add(self, file: str, name: str, wanted: Any, got: Any, hit: bool, label: str = "") -> None:
        self.totals[name] += 1
        counts = self.files.setdefault(file, [0, 0])
        batch = self.batches.setdefault((file[:1], "cells" if name == "cells" else "fields"), [0, 0])
        counts[1] += 1
        batch[1] += 1
        if hit:
            self.hits[name] += 1
            counts[0] += 1
            batch[0] += 1
        else:
            self.misses.append((file, label or name, wanted, got))

    def figures(self) -> dict[str, dict[str, float | int]]:
        return {
            name: {
                "hits": self.hits[name],
                "total": self.totals[name],
                "percent": round(100 * self.hits[name] / self.totals[name], 1)
                if self.totals[name]
                else 100.0,
            }
            for name in FIELDS
        }


def source_files(root: Path = HERE) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(report file, its truth) for every truth file under ``root``."""
    for truth_path in sorted(root.glob("*.json")):
        if truth_path.name == "baseline.json":
            continue
        for suffix in (".txt", ".html"):
            source = truth_path.with_suffix(suffix)
            if source.exists():
                yield source, json.loads(truth_path.read_text(encoding="utf-8"))
                break


def wanted_format(truth: dict[str, Any]) -> str:
    return {"2021": "G2", "2019": "G1", "pre-2019": "G0"}.get(str(truth.get("format_version")), "unknown")


def score_file(tally: Tally, path: Path, truth: dict[str, Any]) -> None:
    report = extract_report(path.read_bytes(), url=None, kind=source_kind(path))
    name = path.name
    wanted_agency = truth.get("agency")
    names = {truth.get("agency"), truth.get("agency_as_printed")} - {None}
    got_names = {report.agency, report.agency_as_printed} - {None}
    tally.add(name, "agency", wanted_agency, report.agency, report.agency == wanted_agency)
    either = bool(names & got_names) if names else report.agency is None
    tally.add(name, "agency_printed_or_full", sorted(names), report.agency, either)
    tally.add(name, "year", truth.get("report_year"), report.year, report.year == truth.get("report_year"))
    wanted_date = truth.get("publication_date")
    tally.add(name, "published", wanted_date, report.published, report.published == wanted_date)
    fmt = wanted_format(truth)
    got_fmt = report.format
    tally.add(name, "format", fmt, got_fmt, got_fmt == fmt and fmt in _FORMAT_CODES)
    ground = truth.get("ground_truth") or {}
    total = report.narrative.proactive_total
    wanted_total = ground.get("proactive_items_total")
    hit = (total is None and wanted_total is None) or (
        total is not None and wanted_total is not None and float(total) == float(wanted_total)
    )
    tally.add(name, "proactive_total", wanted_total, total, hit)
    report_json = report.to_json()
    for cell in score_cells(report_json, truth):
        tally.add(name, "cells", cell.wanted, cell.got, cell.hit, label=cell.key)


def evaluate(root: Path = HERE) -> Tally:
    tally = Tally()
    for path, truth in source_files(root):
        score_file(tally, path, truth)
    return tally


def render(tally: Tally) -> str:
    lines = [f"{'field':<24}{'hits':>6}{'total':>7}{'%':>8}"]
    for name, figure in tally.figures().items():
        lines.append(f"{name:<24}{figure['hits']:>6}{figure['total']:>7}{figure['percent']:>8.1f}")
    lines.append("")
    lines.append("per batch (hits/total: the fields, then the table cells):")
    for letter in sorted({batch for batch, _kind in tally.batches}):
        fields, cells = (tally.batches.get((letter, kind), [0, 0]) for kind in ("fields", "cells"))
        lines.append(f"  {letter}: fields {fields[0]}/{fields[1]}  cells {cells[0]}/{cells[1]}")
    lines.append("")
    lines.append("per file (hits/total over all fields and cells):")
    per_file = [f"{file} {hits}/{total}" for file, (hits, total) in tally.files.items()]
    lines.extend("  ".join(per_file[i : i + 6]) for i in range(0, len(per_file), 6))
    lines.append("")
    lines.append(f"misses ({len(tally.misses)}):")
    for file, name, wanted, got in tally.misses:
        lines.append(f"{file}\t{name}\twanted={wanted!r}\tgot={got!r}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="per-field figures as JSON")
    parser.add_argument("--root", type=Path, default=HERE, help="a directory of ID.txt/ID.html + ID.json")
    args = parser.parse_args(argv)
    tally = evaluate(args.root)
    print(json.dumps(tally.figures(), indent=1) if args.json else render(tally))
    return 0


if __name__ == "__main__":
    sys.exit(main())
