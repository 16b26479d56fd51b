"""Extraction CPU per report page: ``python -m tests.bench_extract [--rounds N] [--profile STAGE] [--dump FILE]``.

The two CPU stages of the crawl's item chain, called as the pool worker calls them —
``pipelines.normalise.normalise_page`` (decode, parse, body, text) and
``pipelines.extract.extract_with_documents`` (metadata, tables, narrative, checks) — over the
report pages of the replica world (all six sites; bodies from ``World.handle``, no server) and the
real-world HTML files (tests/realworld/*.html). Each stage is timed in CPU time of this process
(``time.process_time``), best of ``--rounds`` passes, printed as ms per report.

``--profile normalise|extract``: cProfile of that stage over one pass, the top functions by
cumulative and by own time. ``--dump FILE``: the repr of every page's results, to compare the
answers of two versions of the code (``cmp`` the files). Never a timed assertion: machines differ.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.extract.normalise import normalise_text
from pipelines.extract import extract_with_documents
from pipelines.normalise import normalise_page

REALWORLD = Path(__file__).resolve().parent / "realworld"


@dataclass(frozen=True, slots=True)
class Sample:
    """One report page as the normalise stage receives it."""

    url: str
    body: bytes
    encoding: str | None
    list_title: str | None


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip().strip('"')
    return None


def replica_samples(limit: int) -> list[Sample]:
    """Up to ``limit`` report pages (canonical and duplicate URLs), as many from each of the six
    replica sites (their renderers differ: tables, text layouts, chrome)."""
    from tests.replica.world import ALL_SITES, build_world

    world = build_world(seed=0, scale="large", sites=ALL_SITES)
    per_site = max(1, limit // len(ALL_SITES))
    taken: dict[str, int] = {}
    samples: list[Sample] = []
    for report in world.current_reports():
        for url in [report.url, *(d["url"] for d in report.duplicates if d["kind"] != "alias")]:
            if taken.get(report.site, 0) >= per_site:
                break
            parts = urlsplit(url)
            served = world.handle("GET", parts.hostname or "", parts.path)
            if served.status != 200:
                continue
            samples.append(
                Sample(url, served.body, _charset(served.header("Content-Type") or ""), report.title)
            )
            taken[report.site] = taken.get(report.site, 0) + 1
    return samples


def realworld_samples() -> list[Sample]:
    return [
        Sample(f"file:///{path.name}", path.read_bytes(), None, None)
        for path in sorted(REALWORLD.glob("*.html"))
    ]


def realworld_texts() -> list[tuple[str, str]]:
    """(name, text) of the real-world plain-text reports (tests/realworld/*.txt)."""
    return [(path.name, path.read_text(encoding="utf-8")) for path in sorted(REALWORLD.glob("*.txt"))]


def run_texts(texts: list[tuple[str, str]]) -> list[Any]:
    """A text report goes through the extract stage with no page (as ``extract_report`` reads it)."""
    return [extract_with_documents(None, normalise_text(text), ()) for _name, text in texts]


def run_normalise(samples: list[Sample]) -> list[Any]:
    return [normalise_page(s.body, s.url, s.encoding) for s in samples]


def run_extract(samples: list[Sample], normalised: list[Any]) -> list[Any]:
    return [
        extract_with_documents(page, text, (), url=s.url, list_title=s.list_title)
        for s, (page, text) in zip(samples, normalised, strict=True)
    ]


def best_cpu(work: Callable[[], Any], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def profile(work: Callable[[], Any], top: int) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(work)
    for order in ("cumulative", "tottime"):
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(order).print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400, help="replica report pages (default 400)")
    parser.add_argument("--rounds", type=int, default=3, help="passes per stage; the best is printed")
    parser.add_argument("--profile", choices=("normalise", "extract"), help="cProfile one stage")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--dump", type=Path, help="write the repr of every result here")
    args = parser.parse_args(argv)
    sets = {"replica": replica_samples(args.pages), "realworld": realworld_samples()}
    everything = [s for samples in sets.values() for s in samples]
    if args.dump:
        normalised = run_normalise(everything)
        results = run_extract(everything, normalised)
        with args.dump.open("w", encoding="utf-8") as out:
            for sample, pair, result in zip(everything, normalised, results, strict=True):
                out.write(f"{sample.url}\n{pair!r}\n{result!r}\n")
            texts = realworld_texts()
            for (name, _text), result in zip(texts, run_texts(texts), strict=True):
                out.write(f"{name}\n{result!r}\n")
        print(f"{len(everything)} pages and the real-world texts dumped to {args.dump}")
    if args.profile:
        normalised = run_normalise(everything)
        if args.profile == "normalise":
            profile(lambda: run_normalise(everything), args.top)
        else:
            profile(lambda: run_extract(everything, normalised), args.top)
        return 0
    for name, samples in sets.items():
        normalised = run_normalise(samples)
        seconds_normalise = best_cpu(lambda s=samples: run_normalise(s), args.rounds)  # type: ignore[misc]
        seconds_extract = best_cpu(lambda s=samples, n=normalised: run_extract(s, n), args.rounds)  # type: ignore[misc]
        per = 1000 / max(1, len(samples))
        print(
            f"{name:9} {len(samples):4} pages  normalise {seconds_normalise * per:6.2f} ms/report  "
            f"extract {seconds_extract * per:6.2f} ms/report  "
            f"total {(seconds_normalise + seconds_extract) * per:6.2f} ms/report"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
