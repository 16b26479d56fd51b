"""End to end through a hostile replica: network faults, anti-bot challenges, encoding traps, and
SIGKILL at random points followed by ``xxgk crawl --resume``.

Every crawl's derived tables (reports, cells, checks, report_versions — without ids and times) are
compared with those of one clean, uninterrupted crawl of the same replica; the manifest is only the
expected answer.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.replica.antibot import AntiBot
from tests.replica.faults import FaultPlan
from tests.replica.fixture import Replica, running_replica
from tests.support.proxy import proxy_env
from tests.support.tables import assert_no_half_written_report, assert_same_tables, query

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
SEED = 0
SITES = ("wendeng", "hy")
KILLED_SITES = ("hy",)  # one site keeps the four crawls of the kill test short
# short client timeouts: a "timeout" fault hangs longer than DOWNLOAD_TIMEOUT, then the retry works. Not
# shorter: on a loaded 2-core CI box a multi-megabyte attachment (or the replica building one) can take
# seconds, and a clean crawl that loses a file to a too-eager timeout is no reference to compare with
FAST_FAULTS = ("-s", "DOWNLOAD_TIMEOUT=6", "-s", "XXGK_RETRY_BACKOFF_BASE=0.1")


@dataclass
class Run:
    result: subprocess.CompletedProcess[str]
    data_dir: Path

    @property
    def db(self) -> Path:
        return self.data_dir / "xxgk.db"


def crawl_command(data_dir: Path, *extra: str, sites: tuple[str, ...] = SITES,
                  timeouts: tuple[str, ...] = FAST_FAULTS) -> list[str]:
    return [sys.executable, "-m", "crawler", "crawl", *sites, "--fast", "--data-dir", str(data_dir),
            *timeouts, *extra]


def crawl(replica: Replica, data_dir: Path, *extra: str, timeouts: tuple[str, ...] = FAST_FAULTS) -> Run:
    result = subprocess.run(crawl_command(data_dir, *extra, timeouts=timeouts), cwd=ROOT,
                            env=proxy_env(replica.proxy_url), capture_output=True, text=True, timeout=300)
    return Run(result, data_dir)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One clean crawl of the replica (with its encoding traps), and what it must find."""
    with running_replica(seed=SEED, encoding_traps=True) as replica:
        # Scrapy's own timeouts: this crawl is the first to ask for the replica's files, which the
        # replica builds on first request (LibreOffice, seconds on a loaded box; the cache on disk is
        # cold on a fresh machine), and a reference that lost a file to a timeout compares wrongly
        run = crawl(replica, tmp_path_factory.mktemp("clean"), timeouts=())
        manifest = replica.manifest
    assert run.result.returncode == 0, run.result.stderr[-3000:]
    yield {"db": run.db, "manifest": manifest, "run": run}


def reports_found(db: Path, manifest: dict[str, Any]) -> tuple[list[str], int]:
    stored = [set(json.loads(urls)) for (urls,) in query(db, "SELECT urls FROM reports")]
    missing = [r["url"] for r in manifest["reports"] if not any(set(r["urls"]) & urls for urls in stored)]
    return missing, len(stored)


# -- the clean crawl ----------------------------------------------------------------------------------


def test_the_clean_crawl_finds_every_report_including_the_encoding_traps(clean: dict[str, Any]) -> None:
    missing, stored = reports_found(clean["run"].db, clean["manifest"])
    assert missing == [] and stored == len(clean["manifest"]["reports"])
    traps = [r for r in clean["manifest"]["reports"] if r.get("encoding")]
    titles = {title for (title,) in query(clean["run"].db, "SELECT title FROM reports")}
    assert traps and [r["title"] for r in traps if r["title"] not in titles] == []


# -- faults -------------------------------------------------------------------------------------------


def test_a_crawl_through_5xx_timeouts_resets_and_truncation_loses_nothing(
    clean: dict[str, Any], tmp_path: Path
) -> None:
    plan = FaultPlan.parse("5xx=0.1,timeout=0.05,reset=0.02,truncate=0.02", seed=5, hang_seconds=9)
    with running_replica(seed=SEED, encoding_traps=True, faults=plan) as replica:
        run = crawl(replica, tmp_path)
    assert run.result.returncode == 0, run.result.stderr[-3000:]
    missing, stored = reports_found(run.db, clean["manifest"])
    assert missing == [] and stored == len(clean["manifest"]["reports"])  # all found, no duplicates
    assert_same_tables(run.db, clean["db"])
    faults = " ".join(line for line in run.result.stdout.splitlines() if "faults met" in line)
    for kind in ("5xx", "timeout", "reset", "truncated"):
        assert f"{kind} " in faults, faults  # met and counted (xxgk/error/<kind>), then retried past


def test_a_challenge_is_recorded_never_stored_as_a_report_and_a_blocked_site_says_so(tmp_path: Path) -> None:
    gate = AntiBot.parse("wendeng=412,hy=521:first", seed=SEED)
    with running_replica(seed=SEED, antibot=gate) as replica:
        run = crawl(replica, tmp_path)
        manifest = replica.manifest
    assert run.result.returncode != 0
    assert "wendeng: blocked by anti-bot challenges (ruishu" in run.result.stderr
    assert "BLOCKED by anti-bot challenges: ruishu" in run.result.stdout
    hy_reports = [r for r in manifest["reports"] if r["site"] == "hy"]
    assert query(run.db, "SELECT count(*) FROM reports WHERE site = 'hy'")[0][0] == len(hy_reports)  # got past 521
    assert query(run.db, "SELECT count(*) FROM reports WHERE site = 'wendeng'")[0][0] == 0
    challenges = query(run.db, "SELECT status, fault FROM documents WHERE role = 'challenge'")
    assert challenges and set(challenges) == {(412, "challenge/ruishu")}
    assert query(run.db, "SELECT count(*) FROM reports WHERE text LIKE '%$_ts%' OR text LIKE '%jsl_clear%'") == [(0,)]


# -- SIGKILL and --resume -----------------------------------------------------------------------------


def documents_count(db: Path) -> int:
    try:
        return query(db, "SELECT count(*) FROM documents")[0][0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def crawl_until_killed(replica: Replica, data_dir: Path, documents: int, *extra: str) -> None:
    """Start a crawl of one site and SIGKILL it (its whole process group: workers too) once the
    database holds ``documents`` rows."""
    process = subprocess.Popen(crawl_command(data_dir, *extra, sites=KILLED_SITES), cwd=ROOT, env=proxy_env(replica.proxy_url),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while documents_count(data_dir / "xxgk.db") < documents and process.poll() is None:
            assert time.monotonic() < deadline, "the crawl made no progress"
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def test_killed_at_random_points_and_resumed_the_database_equals_a_clean_crawl(
    clean: dict[str, Any], tmp_path: Path
) -> None:
    (site,) = KILLED_SITES
    total = query(clean["db"], f"SELECT count(*) FROM documents WHERE site = '{site}'")[0][0]
    points = sorted(random.Random(SEED).sample(range(total // 10, total * 9 // 10), 3))
    with running_replica(seed=SEED, encoding_traps=True) as replica:
        for n, point in enumerate(points):
            crawl_until_killed(replica, tmp_path, point, *(("--resume",) if n else ()))
            assert_no_half_written_report(tmp_path / "xxgk.db")
            assert (tmp_path / "jobs" / site / "crawl.running").exists()  # it died: no clean close
        result = subprocess.run(crawl_command(tmp_path, "--resume", sites=KILLED_SITES), cwd=ROOT,
                                env=proxy_env(replica.proxy_url), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_same_tables(tmp_path / "xxgk.db", clean["db"], site)
    # the archive of the killed runs (files cut mid-record) still reparses into the same tables
    from crawler.reparse import reparse

    reparse(tmp_path / "warc", tmp_path / "reparsed.db")
    assert_same_tables(tmp_path / "reparsed.db", clean["db"], site)
