"""The templated-report pass at scale: ``python -m tests.bench_similarity [N …]`` (or
``bench_similarity()`` from tests/bench.py).

Synthetic databases of 1k, 10k and 100k reports: every report prints the template's stock sentences
and a paragraph of its own (random characters, so independent reports share nothing by chance);
one in twenty is a copy of another report's paragraph with the name and numbers changed. The pass
(crawler/similarity.py) is timed on each, beside its peer measured in the same run: reading and
cleaning the same texts without sketching or indexing them. Times are CPU seconds of this process
(the machine may be shared). Growth is the time per report from one size to the next: near 1× is
linear; an all-pairs comparison would grow tenfold per step, as would the candidate pairs the LSH
index proposes per report.

Also prints the flag's precision and recall on the synthetic copies, and on the replica's.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crawler.db import open_db
from crawler.extract.shingles import narrative_sections, shingles
from crawler.similarity import _rows, common_sentences, run_similarity

SIZES = (1_000, 10_000, 100_000)
COPY_EVERY = 20
STOCK = [
    "坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于政务公开工作的部署。",
    "严格落实信息发布保密审查制度，坚持“先审查、后公开”和“一事一审”原则，确保公开信息安全准确。",
    "充分发挥政府网站第一平台作用，及时更新政府信息公开专栏，加强政务新媒体管理。",
    "明确专人负责政府信息公开工作，加强业务培训，将政务公开工作纳入年度考核。",
]
_HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def line(label: str, value: str) -> None:
    print(f"  {label:<44} {value}", flush=True)


def own_paragraph(rng: random.Random) -> str:
    return "。".join("".join(rng.choices(_HAN, k=rng.randint(12, 24))) for _ in range(12)) + "。"


def report_text(name: str, year: int, received: int, own: str) -> str:
    return "\n".join([
        f"{name}{year}年政府信息公开工作年度报告",
        f"根据《中华人民共和国政府信息公开条例》要求，现公布{name}{year}年政府信息公开工作年度报告。",
        "一、总体情况", *STOCK[:2], f"全年共收到政府信息公开申请{received}件。", own,
        "二、主动公开政府信息情况", "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "三、收到和处理政府信息公开申请情况", f"一、本年新收政府信息公开申请数量\t{received}",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况", *STOCK[2:],
        "六、其他需要报告的事项", "无。",
    ])  # fmt: skip


def synthetic_reports(count: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """``count`` reports; every COPY_EVERY-th copies an earlier one's paragraph (marked ``copy``)."""
    rng = random.Random(f"similarity:{seed}")
    paragraphs: list[str] = []
    for index in range(count):
        name = f"某市某区第{index}局"
        copied = index % COPY_EVERY == COPY_EVERY - 1 and paragraphs
        own = rng.choice(paragraphs) if copied else own_paragraph(rng)
        if not copied and len(paragraphs) < 5000:
            paragraphs.append(own)
        yield {"id": index + 1, "site": "bench", "url": f"http://bench.test/{index}", "agency": name,
               "agency_key": name, "agency_as_printed": name, "year": 2023, "copy": int(bool(copied)),
               "text": report_text(name, 2023, rng.randint(0, 99), own)}  # fmt: skip


def build(path: Path, count: int) -> set[int]:
    """The database; the ids of the copies and of the reports they copied."""
    db = open_db(path)
    rows = list(synthetic_reports(count))
    db["reports"].insert_all(({k: v for k, v in r.items() if k != "copy"} for r in rows), batch_size=2000)
    by_text = {}
    for row in rows:
        by_text.setdefault(row["text"].split("\n")[6], []).append(row["id"])
    db.close()
    return {rid for ids in by_text.values() if len(ids) > 1 for rid in ids}


def peer(db: Any) -> float:
    """Reading and cleaning the same texts, shingled, but neither sketched nor indexed."""
    started = time.process_time()
    common = common_sentences(db)
    for report in _rows(db):
        shingles("".join(narrative_sections(report.text, report.names, common).values()))
    return time.process_time() - started


def timed_pass(path: Path) -> tuple[float, float, Any]:
    """(pass seconds, peer seconds, result) — the pass on the database at ``path``."""
    db = open_db(path)
    try:
        peer_seconds = peer(db)
        started = time.process_time()
        result = run_similarity(db)
        return time.process_time() - started, peer_seconds, result
    finally:
        db.close()


def bench_size(count: int, folder: Path) -> tuple[float, float]:
    path = folder / f"bench-{count}.db"
    templated = build(path, count)
    # best of two rounds below 100k: the first small run pays for imports and cold caches
    rounds = [timed_pass(path) for _ in range(2 if count < 100_000 else 1)]
    seconds, peer_seconds, result = min(rounds, key=lambda r: r[0])
    db = open_db(path)
    try:
        flagged = {row[0] for row in db.execute("select id from reports where templated = 1")}
    finally:
        db.close()
    hits = len(flagged & templated)
    precision = hits / len(flagged) if flagged else 1.0
    recall = hits / len(templated) if templated else 1.0
    line(f"{count:>7,} reports: similarity pass", f"{seconds:7.2f} s CPU  ({seconds / peer_seconds:.2f}× reading alone)")
    line("           candidate pairs compared", f"{result.candidates:,} ({result.candidates / count:.3f} per report)")
    line("           flag", f"precision {precision:.3f}, recall {recall:.3f} (threshold {result.threshold:.2f})")
    return seconds, peer_seconds


def replica_precision() -> None:
    from tests.support.similarity import precision_recall, replica_database

    with tempfile.TemporaryDirectory() as folder:
        db_file, world = replica_database(Path(folder) / "data")
        precision, recall, _, templated = precision_recall(db_file, world.manifest())
    line("replica (seed 0): flag", f"precision {precision:.2f}, recall {recall:.2f} ({len(templated)} templated)")


def bench_similarity(sizes: tuple[int, ...] = SIZES) -> None:
    print("similarity: templated-report pass (MinHash LSH) vs reading the same texts alone", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        previous = None
        for count in sizes:
            seconds, _ = bench_size(count, Path(folder))
            if previous is not None:
                growth = (seconds / count) / (previous[1] / previous[0])
                line("           growth per report", f"{growth:.2f}× from {previous[0]:,} (linear = 1×)")
            previous = (count, seconds)
    replica_precision()


if __name__ == "__main__":
    bench_similarity(tuple(int(n) for n in sys.argv[1:]) or SIZES)
