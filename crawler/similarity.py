"""Templated reports (雷同): which reports share their narrative text with another (issue 19).

A pass over the database, run after every crawl and reparse (the store's ``close_spider``) and by
``xxgk similar``:

1. Corpus boilerplate: sentences printed by many bodies (at least ``COMMON_BODIES`` and
   ``COMMON_SHARE`` of the bodies, counted over a deterministic sample) are the template's or a province's stock
   phrases, not a copy; they are dropped with the template's own lines
   (:mod:`crawler.extract.shingles`).
2. Each report's remaining narrative becomes a MinHash of its 5-character shingles; a MinHash LSH
   index (rensa: its import costs a crawl nothing, where datasketch's pulled in scipy, about 0.7 s
   of CPU in every process that ran the pass) proposes candidate pairs — near-linear, never all pairs — whose estimated
   Jaccard similarity is kept when at least ``CANDIDATE`` (``similar_reports``, both directions,
   with the exact per-section similarity of the pair).
3. The flag threshold is read from the data: each report's nearest similarity, sorted, and the
   threshold put in the middle of the widest gap between ``CANDIDATE`` and 1 (honest reports sit
   low, copies near 1). ``reports.templated``: 1 above it, 0 below, NULL when the report has too
   little text of its own to compare (fewer than ``MIN_SHINGLES`` shingles).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import islice, pairwise
from typing import Any

from rensa import RMinHash, RMinHashLSH
from sqlite_utils import Database

from crawler.extract.shingles import (
    name_variants,
    narrative_sections,
    sentence_key,
    sentences,
    shingles,
    split_sections,
)
from crawler.plainsql import insert_rows

NUM_PERM = 64
SEED = 1  # the permutations' seed: the same sketches in every process, run after run
BANDS = 16  # LSH bands of NUM_PERM / BANDS rows: pairs from about (1 / BANDS) ** (BANDS / NUM_PERM) = 0.5 up
CANDIDATE = 0.5  # LSH threshold, and the lowest similarity stored in similar_reports
MIN_SHINGLES = 150  # about a paragraph: shorter own texts of stock phrases collide by chance
COMMON_BODIES = 3  # a sentence printed by this many bodies …
COMMON_SHARE = 0.02  # … or this share of them is boilerplate
COMMON_SAMPLE = 5000  # reports sampled (evenly by id) to find the common sentences
SECTION_SIMILAR = 0.5  # a section is named in ``similar_reports.sections`` from this similarity
DEFAULT_THRESHOLD = 0.8  # when no pair at all was found
BINS = 10  # histogram bins between CANDIDATE and 1
CHUNK = 512  # reports read and sketched at a time

_REPORTS = "select id, agency_key, agency, agency_as_printed, year, text from reports"


@dataclass(slots=True)
class SimilarityResult:
    reports: int = 0
    comparable: int = 0
    pairs: int = 0  # unordered pairs at or above CANDIDATE
    candidates: int = 0  # pairs the LSH index proposed (each compared once): near-linear, not n²
    flagged: int = 0
    threshold: float = DEFAULT_THRESHOLD
    method: str = "gap"  # gap (from the data) / given / default
    #: [(bin low edge, reports whose nearest similarity falls in it)]; low edge 0 = below CANDIDATE
    histogram: list[tuple[float, int]] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> Iterator[str]:
        """The distribution as printed by ``xxgk similar`` and shown in the README."""
        yield (
            f"{self.reports} reports, {self.comparable} with text of their own to compare, "
            f"{self.pairs} similar pairs (≥ {CANDIDATE}), {self.flagged} flagged templated"
        )
        yield f"threshold {self.threshold:.2f} ({self.method}); nearest-report similarity:"
        widest = max((count for _, count in self.histogram), default=1) or 1
        for low, count in self.histogram:
            label = f"  < {CANDIDATE:.2f}    " if low == 0 else f"  {low:.2f}–{low + (1 - CANDIDATE) / BINS:.2f} "
            mark = " ← threshold" if low < self.threshold <= low + (1 - CANDIDATE) / BINS else ""
            yield f"{label}{count:6d} {'█' * round(30 * count / widest)}{mark}"


@dataclass(slots=True)
class _Report:
    id: int
    body: str
    names: tuple[str, ...]
    text: str


def _rows(db: Database, where: str = "", params: Iterable[Any] = ()) -> Iterator[_Report]:
    for row in db.execute(f"{_REPORTS} {where}", list(params)):
        report_id, key, agency, printed, _, text = row
        names = tuple(name_variants(n for n in (agency, printed) if n))
        yield _Report(report_id, key or str(report_id), names, text or "")


def mapped_in_chunks(map_reports: ReportMapper, func: Callable[[_Report], Any],
                     reading: Iterator[_Report]) -> Iterator[tuple[_Report, Any]]:
    """(report, ``func(report)``) in order, the texts read a chunk at a time (memory stays flat at two
    chunks); each chunk is handed to ``map_reports`` before the previous one's results are read, so
    a pool computes one chunk while this process reads the next from the database."""
    handed: tuple[list[_Report], Iterable[Any]] | None = None
    while True:
        chunk = list(islice(reading, CHUNK))
        following = (chunk, map_reports(func, chunk)) if chunk else None
        if handed is not None:
            yield from zip(*handed, strict=True)
        if following is None:
            return
        handed = following


def sentence_keys(report: _Report) -> frozenset[str]:
    """The keys of a report's sentences long enough to count (pure: a pool may compute them)."""
    return frozenset(key for sentence in sentences(report.text) if len(key := sentence_key(sentence, report.names)) >= 4)


def common_sentences(db: Database, sample: int = COMMON_SAMPLE, map_reports: ReportMapper = map) -> frozenset[str]:
    """Sentence keys printed by at least max(COMMON_BODIES, COMMON_SHARE × bodies) bodies;
    ``map_reports`` finds each report's keys (a reparse runs it on its pool)."""
    total = db.execute("select count(*) from reports").fetchone()[0]
    step = max(1, -(-total // sample))
    bodies_of: dict[str, set[str]] = defaultdict(set)
    bodies: set[str] = set()
    reading = _rows(db, "where id % ? = 0", [step]) if step > 1 else _rows(db)
    for report, keys in mapped_in_chunks(map_reports, sentence_keys, reading):
        bodies.add(report.body)
        for key in keys:
            bodies_of[key].add(report.body)
    floor = max(COMMON_BODIES, COMMON_SHARE * len(bodies))
    return frozenset(key for key, found in bodies_of.items() if len(found) >= floor)


def _sketch(parts: dict[str, str]) -> RMinHash | None:
    found = shingles("".join(parts.values()))
    if len(found) < MIN_SHINGLES:
        return None
    sketch = RMinHash(num_perm=NUM_PERM, seed=SEED)
    sketch.update(list(found))  # rensa's own hash of each: deterministic across processes
    return sketch


def nearest_pairs(sketches: dict[int, RMinHash]) -> tuple[dict[tuple[int, int], float], int]:
    """Unordered pairs (low id, high id) whose estimated Jaccard similarity is ≥ CANDIDATE, and how
    many candidate pairs the index proposed."""
    lsh = RMinHashLSH(threshold=CANDIDATE, num_perm=NUM_PERM, num_bands=BANDS)
    for report_id, sketch in sketches.items():
        lsh.insert(report_id, sketch)
    pairs = {}
    candidates = 0
    for report_id, sketch in sketches.items():
        for other in lsh.query(sketch):
            if other > report_id:
                candidates += 1
                similarity = sketch.jaccard(sketches[other])
                if similarity >= CANDIDATE:
                    pairs[(report_id, other)] = round(similarity, 4)
    return pairs, candidates


def choose_threshold(nearest: Iterable[float]) -> float:
    """The middle of the widest gap among the nearest similarities, with CANDIDATE and 1 as ends."""
    values = sorted({CANDIDATE, 1.0, *(v for v in nearest if v >= CANDIDATE)})
    low, high = max(pairwise(values), key=lambda gap: gap[1] - gap[0])
    return round((low + high) / 2, 3)


def histogram(nearest: dict[int, float], comparable: int) -> list[tuple[float, int]]:
    width = (1 - CANDIDATE) / BINS
    counts = Counter(min(BINS - 1, int((v - CANDIDATE) / width)) for v in nearest.values())
    below = comparable - len(nearest)
    return [(0.0, below)] + [(round(CANDIDATE + i * width, 3), counts.get(i, 0)) for i in range(BINS)]


def section_similarity(left: dict[str, str], right: dict[str, str]) -> dict[str, float]:
    """Exact Jaccard similarity of the shingles of each section both reports have."""
    found = {}
    for code in sorted(left.keys() & right.keys()):
        a, b = shingles(left[code]), shingles(right[code])
        if a and b:
            similarity = len(a & b) / len(a | b)
            if similarity >= SECTION_SIMILAR:
                found[code] = round(similarity, 3)
    return found


#: ``map``, or one that runs the function elsewhere (on a process pool), results in input order
ReportMapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]


def sections_and_sketch(report: _Report, common: frozenset[str]) -> tuple[list[dict[str, Any]], RMinHash | None]:
    """One report's section rows and sketch: pure, so a pool may compute them (the permutations
    are the same in every process, seeded as they are)."""
    headings, parts = split_sections(report.text, report.names, common)
    return section_rows(report.id, headings, parts), _sketch(parts)


def run_similarity(db: Database, threshold: float | None = None, map_reports: ReportMapper = map) -> SimilarityResult:
    """Recompute ``similar_reports``, ``report_sections`` and ``reports.templated``; one transaction.
    ``map_reports`` sections and sketches each report (a reparse runs it on its pool)."""
    started = time.perf_counter()
    common = common_sentences(db, map_reports=map_reports)
    sketches: dict[int, RMinHash] = {}
    bodies: dict[int, str] = {}
    present: list[dict[str, Any]] = []
    result = SimilarityResult()
    per_report = partial(sections_and_sketch, common=common)
    for report, (sections, sketch) in mapped_in_chunks(map_reports, per_report, _rows(db)):
        result.reports += 1
        bodies[report.id] = report.body
        present += sections
        if sketch is not None:
            sketches[report.id] = sketch
    result.comparable = len(sketches)
    pairs, result.candidates = nearest_pairs(sketches)
    nearest: dict[int, float] = {}
    for (a, b), similarity in pairs.items():
        nearest[a] = max(nearest.get(a, 0.0), similarity)
        nearest[b] = max(nearest.get(b, 0.0), similarity)
    result.pairs = len(pairs)
    result.histogram = histogram(nearest, result.comparable)
    if threshold is not None:
        result.threshold, result.method = threshold, "given"
    elif pairs:
        result.threshold = choose_threshold(nearest.values())
    else:
        result.method = "default"
    flagged = {rid for rid, similarity in nearest.items() if similarity >= result.threshold}
    result.flagged = len(flagged)
    rows = list(pair_rows(db, pairs, bodies, common, result.threshold))
    with db.atomic():
        _write(db, rows, present, sketches.keys(), flagged)
        result.seconds = round(time.perf_counter() - started, 3)
        db.table("similarity_runs").insert(_run_row(result))
    return result


def section_rows(report_id: int, headings: list[str], parts: dict[str, str]) -> list[dict[str, Any]]:
    """The report's sections by heading, and how many characters of their own each kept."""
    return [{"report_id": report_id, "section": code, "own_chars": len(parts.get(code, ""))} for code in headings]


def pair_rows(
    db: Database,
    pairs: dict[tuple[int, int], float],
    bodies: dict[int, str],
    common: frozenset[str],
    threshold: float,
) -> Iterator[dict[str, Any]]:
    """Both directions of every pair, with the sections they share (texts re-read: pairs are few)."""
    involved = sorted({rid for pair in pairs for rid in pair})
    parts: dict[int, dict[str, str]] = {}
    for start in range(0, len(involved), 500):
        chunk = involved[start : start + 500]
        where = f"where id in ({', '.join('?' * len(chunk))})"
        for report in _rows(db, where, chunk):
            parts[report.id] = narrative_sections(report.text, report.names, common)
    for (a, b), similarity in sorted(pairs.items()):
        sections = json.dumps(section_similarity(parts[a], parts[b]))
        for report_id, other in ((a, b), (b, a)):
            yield {
                "report_id": report_id,
                "other_id": other,
                "similarity": similarity,
                "sections": sections,
                "same_body": int(bodies[a] == bodies[b]),
                "templated": int(similarity >= threshold),
            }


def _write(
    db: Database,
    pairs: list[dict[str, Any]],
    present: list[dict[str, Any]],
    comparable: Iterable[int],
    flagged: set[int],
) -> None:
    db.execute("delete from similar_reports")
    db.execute("delete from report_sections")
    insert_rows(db, "similar_reports", pairs)
    insert_rows(db, "report_sections", present)
    db.execute("update reports set templated = null")
    db.conn.executemany(
        "update reports set templated = ? where id = ?", ((int(rid in flagged), rid) for rid in comparable)
    )


def _run_row(result: SimilarityResult) -> dict[str, Any]:
    return {
        "computed_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reports": result.reports,
        "comparable": result.comparable,
        "pairs": result.pairs,
        "flagged": result.flagged,
        "threshold": result.threshold,
        "method": result.method,
        "histogram": json.dumps(result.histogram),
        "seconds": result.seconds,
    }
