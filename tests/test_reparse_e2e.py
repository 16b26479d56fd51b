"""End to end: crawl the replica, stop it, rebuild the database from the archive alone.

The rebuilt derived tables must equal the crawl's, row for row; the archive must hold every report
page byte-exact; a re-crawl must archive unchanged pages as revisits; and a report whose numbers
changed between two crawls must come out as two versions — in the crawl and in the reparse.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.archive.cdxj import iter_index, lookup
from crawler.archive.reader import iter_responses, read_record
from crawler.db import open_db
from crawler.reparse import reparse
from tests.replica.fixture import Replica, running_replica
from tests.replica.world import World
from tests.support.dumps import DUMPS, dump
from tests.support.proxy import proxy_env

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
SEED = 0


def crawl(replica: Replica, data_dir: Path, *extra: str) -> None:
    command = [sys.executable, "-m", "crawler", "crawl", "wendeng", "hy", "--fast", "--data-dir", str(data_dir),
               *extra]
    done = subprocess.run(
        command, cwd=ROOT, env=proxy_env(replica.proxy_url), capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]


def report_urls(db_file: Path) -> list[str]:
    db = open_db(db_file)
    try:
        return sorted({row["url"] for row in db.query("SELECT url FROM documents WHERE role = 'page'")})
    finally:
        db.close()


@dataclass
class Crawled:
    data_dir: Path
    world: World  # the replica's world as it was served (kept after the server stopped)
    warc_files: frozenset[str]  # the files of the first crawl


@dataclass
class Recrawled:
    data_dir: Path
    edited_url: str
    first_files: frozenset[str]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    data_dir = tmp_path_factory.mktemp("first")
    with running_replica(seed=SEED) as replica:
        crawl(replica, data_dir)
        world = replica.world
    files = frozenset(path.name for path in (data_dir / "warc").glob("*.warc.gz"))
    return Crawled(data_dir, world, files)


@pytest.fixture(scope="module")
def recrawled(crawled: Crawled, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recrawled]:
    """A copy of the first crawl, crawled again in full after one report's numbers changed (incremental
    re-crawls: tests/test_recrawl_e2e.py)."""
    data_dir = tmp_path_factory.mktemp("second") / "data"
    shutil.copytree(crawled.data_dir, data_dir)
    with running_replica(seed=SEED) as replica:
        report = next(r for r in replica.world.current_reports() if r.tables is not None and not r.duplicates)
        replica.world.edit_numbers(report.url, seed=1)
        crawl(replica, data_dir, "--full")  # a full re-crawl: unchanged pages come back as revisits
    yield Recrawled(data_dir, report.url, crawled.warc_files)


def archive_has_context(warc_dir: Path) -> bool:
    return any(archived.context for archived in iter_responses(warc_dir))


def test_reparse_with_the_replica_stopped_rebuilds_the_same_tables(crawled: Crawled, tmp_path: Path) -> None:
    warc_dir = crawled.data_dir / "warc"
    assert archive_has_context(warc_dir), "no XXGK-Context in the archive: the spider must set meta['xxgk_context']"
    summary = reparse(warc_dir, tmp_path / "rebuilt.db")
    assert summary.reports > 0
    expected, rebuilt = dump(crawled.data_dir / "xxgk.db"), dump(tmp_path / "rebuilt.db")
    for table in DUMPS:
        assert rebuilt[table] == expected[table], table


def test_reparse_on_every_core_rebuilds_what_one_core_does(crawled: Crawled, tmp_path: Path) -> None:
    """Extraction and the attachment links on worker processes, the one writer here: the same rows."""
    warc_dir = crawled.data_dir / "warc"
    inline = reparse(warc_dir, tmp_path / "inline.db", workers=0)
    pooled = reparse(warc_dir, tmp_path / "pooled.db", workers=2)
    assert (pooled.report_pages, pooled.documents, pooled.attachments) == (
        inline.report_pages, inline.documents, inline.attachments)
    expected, rebuilt = dump(tmp_path / "inline.db"), dump(tmp_path / "pooled.db")
    for table in DUMPS:
        assert rebuilt[table] == expected[table], table


def test_every_report_page_reads_back_byte_exact_from_the_archive(crawled: Crawled) -> None:
    warc_dir = crawled.data_dir / "warc"
    urls = report_urls(crawled.data_dir / "xxgk.db")
    assert urls
    differing = []
    for url in urls:
        [entry] = lookup(warc_dir, url)
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        served = crawled.world.handle("GET", parts.hostname or "", target).body
        if read_record(warc_dir, entry.filename, entry.offset) != served:
            differing.append(url)
    assert differing == []


def test_a_recrawl_archives_unchanged_report_pages_as_revisits(recrawled: Recrawled) -> None:
    urls = set(report_urls(recrawled.data_dir / "xxgk.db")) - {recrawled.edited_url}
    second = [e for e in iter_index(recrawled.data_dir / "warc") if e.filename not in recrawled.first_files]
    report_entries = [entry for entry in second if entry.url in urls]
    assert {entry.url for entry in report_entries} == urls
    assert [entry.url for entry in report_entries if not entry.is_revisit] == []
    edited = [entry for entry in second if entry.url == recrawled.edited_url]
    assert [entry.is_revisit for entry in edited] == [False]


def test_changed_numbers_give_two_versions_in_the_crawl_and_in_the_reparse(
    recrawled: Recrawled, tmp_path: Path
) -> None:
    db = open_db(recrawled.data_dir / "xxgk.db")
    [report] = db.query("SELECT * FROM reports WHERE url = ?", [recrawled.edited_url])
    versions = list(db.query("SELECT * FROM report_versions WHERE report_id = ?", [report["id"]]))
    db.close()
    assert report["version"] == 2 and len(versions) == 1
    [earlier] = versions
    assert earlier["content_hash"] != report["content_hash"]
    assert earlier["first_seen"] < report["last_seen"] and earlier["first_seen"].endswith("Z")
    captures = lookup(recrawled.data_dir / "warc", recrawled.edited_url)
    assert earlier["first_seen"] == captures[0].warc_date and report["last_seen"] == captures[-1].warc_date

    reparse(recrawled.data_dir / "warc", tmp_path / "rebuilt.db")
    expected, rebuilt = dump(recrawled.data_dir / "xxgk.db"), dump(tmp_path / "rebuilt.db")
    for table in DUMPS:
        assert rebuilt[table] == expected[table], table


@dataclass
class Corrected:
    data_dir: Path
    original_url: str
    correction_url: str
    reports_before: int


@pytest.fixture(scope="module")
def corrected(crawled: Crawled, tmp_path_factory: pytest.TempPathFactory) -> Corrected:
    """A copy of the first crawl, crawled again after one report was corrected by a new article."""
    data_dir = tmp_path_factory.mktemp("corrected") / "data"
    shutil.copytree(crawled.data_dir, data_dir)
    db = open_db(data_dir / "xxgk.db")
    before = db["reports"].count
    db.close()
    with running_replica(seed=SEED) as replica:
        original = next(r for r in replica.world.current_reports() if r.tables is not None and not r.duplicates)
        correction = replica.world.post_correction(original.url, seed=2)
        crawl(replica, data_dir, "--lists")  # the same day: the lists read again to see the correction
    return Corrected(data_dir, original.url, correction.url, before)


def test_a_correction_supersedes_the_original_and_both_are_kept(corrected: Corrected) -> None:
    db = open_db(corrected.data_dir / "xxgk.db")
    [report] = db.query("SELECT * FROM reports WHERE url = ?", [corrected.correction_url])
    versions = list(db.query("SELECT url, reason FROM report_versions WHERE report_id = ?", [report["id"]]))
    count = db["reports"].count
    db.close()
    assert (report["title"].endswith("（更正）"), report["version"], versions, count) == (
        True, 2, [{"url": corrected.original_url, "reason": "correction"}], corrected.reports_before,
    )
