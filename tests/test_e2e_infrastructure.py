"""Issue 20 end to end: the crawl's own infrastructure fails — Redis restarts, the disk fills, the
machine is killed again and again, Datasette reads while the crawl writes, the archive is damaged.

One site of the replica (``hy``) keeps these crawls short. Every test compares the derived tables
(reports, cells, checks, report_versions without ids and times: ``tests.test_e2e_faults``) with
those of one clean, uninterrupted crawl of the same replica; nothing asserted comes from the
replica's manifest.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from crawler.archive.audit import DIGEST, FOREIGN, INDEX, TRUNCATED
from crawler.archive.cdxj import CdxEntry, iter_index, warc_files
from crawler.archive.reader import read_record
from crawler.distributed.state import Keys
from crawler.reparse import reparse
from tests.replica.fixture import Replica
from tests.support.distributed import fetches, proxy_env, seed, start_workers, xxgk
from tests.support.redis_server import RestartableRedis, free_port, redis_server_binary
from tests.support.tables import assert_no_half_written_report, assert_same_tables, derived_tables, query
from tests.support.tmpfs import mount_possible, small_filesystem
from tests.support.warc_surgery import foreign_warc, rewrite_member

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
SITE = "hy"
#: inline extraction (fewer processes on a small box); small WARC files, so that damage to one file
#: leaves others whole (hostile archives)
SETTINGS = ("-s", "XXGK_WORKERS=0", "-s", "XXGK_WARC_MAX_SIZE=300000")
MOUNT = mount_possible(Path(tempfile.mkdtemp(prefix="xxgk-mount-probe-")))
needs_redis = pytest.mark.skipif(redis_server_binary() is None, reason="redis-server is not installed")
needs_mount = pytest.mark.skipif(MOUNT is not None, reason=f"cannot mount a tmpfs here: {MOUNT}")


def crawl_args(data_dir: Path, *extra: str) -> list[str]:
    return ["crawl", SITE, "--fast", "--data-dir", str(data_dir), *SETTINGS, *extra]


def run(replica: Replica, args: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(xxgk(*args), cwd=ROOT, env=proxy_env(replica.proxy_url), capture_output=True,
                          text=True, timeout=timeout)


def start(replica: Replica, args: list[str], module: str = "crawler",
          env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT,
                            env=env or proxy_env(replica.proxy_url), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)  # its whole group: extraction pool processes too
    process.wait(timeout=30)


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes] | None = None,
             timeout: float = 180, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process is None or process.poll() is None, f"the process ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def count(db: Path, sql: str) -> int:
    try:
        return query(db, sql)[0][0]
    except sqlite3.OperationalError:  # not created yet
        return 0


@pytest.fixture(scope="module")
def clean(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One clean crawl of the site: the reference every test compares with."""
    data_dir = tmp_path_factory.mktemp("clean")
    done = run(replica, crawl_args(data_dir))
    assert done.returncode == 0, done.stderr[-3000:]
    return data_dir


def roles(db: Path, role: str) -> int:
    return count(db, f"SELECT count(*) FROM documents WHERE role = '{role}'")


# -- 4. reading while writing --------------------------------------------------------------------------


def datasette_rows(port: int, sql: str) -> list[dict[str, Any]]:
    url = f"http://127.0.0.1:{port}/xxgk.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "array"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
    with opener.open(url, timeout=30) as answer:
        body = answer.read().decode("utf-8")
    assert answer.status == 200 and "malformed" not in body, body[:500]
    return json.loads(body)


CONSISTENCY = """
SELECT (SELECT count(*) FROM reports) AS reports,
       (SELECT count(*) FROM crawl_runs) AS runs,
       (SELECT count(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM checks c WHERE c.report_id = r.id))
         AS without_checks,
       (SELECT count(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.report_id = r.id))
         AS without_documents
"""


def test_serve_answers_consistent_results_while_a_crawl_writes(replica: Replica, clean: Path, tmp_path: Path) -> None:
    """`xxgk serve` started during a crawl into the same data dir: every answer is one committed state
    (no report without its checks or documents, no "malformed"), counts follow the crawl, and after it
    the served counts are the file's, crawl_runs included (immutable mode served the pre-crawl state)."""
    crawl = start(replica, crawl_args(tmp_path))
    port = free_port()
    serve = None
    try:
        wait_for(lambda: count(tmp_path / "xxgk.db", "SELECT count(*) FROM reports") > 0, crawl, what="reports")
        serve = subprocess.Popen(xxgk("serve", "--data-dir", str(tmp_path), "--port", str(port)), cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _answers(port), serve, timeout=60, what="Datasette")
        seen = []
        while crawl.poll() is None:
            (state,) = datasette_rows(port, CONSISTENCY)
            assert state["without_checks"] == 0 and state["without_documents"] == 0, state
            seen.append(state["reports"])
        assert crawl.wait() == 0
        (final,) = datasette_rows(port, CONSISTENCY)
    finally:
        kill(crawl)
        if serve is not None:
            serve.terminate()
            serve.wait(timeout=30)
    assert seen == sorted(seen) and len(set(seen)) > 1, seen  # it saw the crawl progress, never back
    db = tmp_path / "xxgk.db"
    assert final["reports"] == count(db, "SELECT count(*) FROM reports") == count(
        clean / "xxgk.db", "SELECT count(*) FROM reports")
    assert final["runs"] == count(db, "SELECT count(*) FROM crawl_runs") == 1
    assert_same_tables(db, clean / "xxgk.db", SITE)


def _answers(port: int) -> bool:
    try:
        datasette_rows(port, "SELECT 1")
    except OSError:
        return False
    return True


# -- 2. full disks -------------------------------------------------------------------------------------


@needs_mount
@pytest.mark.parametrize(("mounted", "size"), [("warc", "700k"), (".", "4m")], ids=["archive", "everything"])
def test_a_full_disk_stops_the_crawl_cleanly_and_resume_after_freeing_space_ends_clean(
    replica: Replica, clean: Path, tmp_path: Path, mounted: str, size: str
) -> None:
    """A size-limited tmpfs under the archive (or the whole data dir): the crawl stops with a clear
    message, keeps only whole records, index lines and rows; once the tmpfs is grown, --resume ends
    with the tables of a clean crawl, and the archive reparses into them too."""
    data_dir = tmp_path / "data"
    with small_filesystem(data_dir / mounted, size) as fs:
        stopped = run(replica, crawl_args(data_dir))
        assert stopped.returncode != 0
        assert "no space left writing" in stopped.stderr and "--resume" in stopped.stderr, stopped.stderr[-3000:]
        db = data_dir / "xxgk.db"
        assert_no_half_written_report(db)
        for entry in iter_index(data_dir / "warc"):  # every indexed record is whole
            read_record(data_dir / "warc", entry.filename, entry.offset)
        assert (data_dir / "jobs" / SITE / "crawl.running").exists()  # resume walks the navigation again
        fs.grow("512m")
        resumed = run(replica, crawl_args(data_dir, "--resume"))
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        assert_same_tables(db, clean / "xxgk.db", SITE)
        summary = reparse(data_dir / "warc", tmp_path / "reparsed.db")
    assert_same_tables(tmp_path / "reparsed.db", clean / "xxgk.db", SITE)
    assert [p for p in summary.problems if not p.startswith(TRUNCATED)] == [], summary.problems


# -- 3. repeated kills ---------------------------------------------------------------------------------


def test_killed_after_the_seeds_mid_lists_mid_reports_and_during_the_index_refresh_then_resumed(
    replica: Replica, clean: Path, tmp_path: Path
) -> None:
    reference = clean / "xxgk.db"
    db, warc = tmp_path / "xxgk.db", tmp_path / "warc"
    points: list[tuple[str, Callable[[], bool]]] = [
        ("after the seeds", lambda: any(True for _ in iter_index(warc)) if warc.is_dir() else False),
        ("mid-lists", lambda: roles(db, "list") >= roles(reference, "list") // 2),
        ("mid-reports", lambda: roles(db, "page") >= roles(reference, "page") // 2),
    ]
    for n, (point, reached) in enumerate(points):
        crawl = start(replica, crawl_args(tmp_path, *(("--resume",) if n else ())))
        try:
            wait_for(reached, crawl, what=point)
        finally:
            kill(crawl)
        if db.exists():
            assert_no_half_written_report(db)
    marker = tmp_path / "refreshing"
    env = proxy_env(replica.proxy_url) | {"XXGK_TEST_REFRESH_MARKER": str(marker)}
    crawl = start(replica, crawl_args(tmp_path, "--resume"), module="tests.support.slow_refresh", env=env)
    try:
        wait_for(marker.exists, crawl, what="the final index refresh")
    finally:
        kill(crawl)
    assert_no_half_written_report(db)
    resumed = run(replica, crawl_args(tmp_path, "--resume"))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert_same_tables(db, reference, SITE)
    search = "SELECT count(*) FROM reports_search"  # the refresh killed mid-way was done again
    assert count(db, search) == count(reference, search) > 0


def test_reparse_killed_at_any_point_leaves_the_old_or_the_new_database(clean: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.db"
    started = time.monotonic()
    reparse(clean / "warc", new)
    seconds = time.monotonic() - started
    expected_new = derived_tables(new, SITE)
    data_dir = tmp_path / "data"
    shutil.copytree(clean / "warc", data_dir / "warc")
    outcomes = []
    for fraction in (0.2, 0.5, 0.8, 0.95, 1.05, 1.2):
        shutil.copy(clean / "xxgk.db", data_dir / "xxgk.db")
        old = sqlite3.connect(data_dir / "xxgk.db")  # the old database: told apart by its titles
        with old:
            old.execute("UPDATE reports SET title = 'OLD ' || title")
        old.close()
        expected_old = derived_tables(data_dir / "xxgk.db", SITE)
        process = subprocess.Popen(xxgk("reparse", "--data-dir", str(data_dir), "--workers", "0"), cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(seconds * fraction)
        killed = process.poll() is None
        kill(process)
        assert query(data_dir / "xxgk.db", "PRAGMA integrity_check") == [("ok",)]
        found = derived_tables(data_dir / "xxgk.db", SITE)
        assert found in (expected_old, expected_new), f"a mix after a kill at {fraction:.0%}"
        outcomes.append((killed, found == expected_new))
        for sidecar in data_dir.glob("xxgk.db-*"):
            sidecar.unlink()
    assert (True, False) in outcomes, outcomes  # some kills hit a reparse under way, and left the old one
    final = subprocess.run(xxgk("reparse", "--data-dir", str(data_dir), "--workers", "0"), cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-3000:]
    assert derived_tables(data_dir / "xxgk.db", SITE) == expected_new
    assert list(data_dir.glob(".xxgk-reparse-*")) == []  # what the killed ones left was removed


# -- 1. Redis outages and distributed kills ------------------------------------------------------------


def seen_requests(server: Redis) -> int:
    return int(server.scard(Keys().dupefilter(SITE)))


def start_drainer(url: str, data_dir: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(xxgk("drain", "--redis", url, "--data-dir", str(data_dir)), cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


@needs_redis
def test_workers_and_the_drainer_ride_out_a_redis_restart(replica: Replica, clean: Path, tmp_path: Path) -> None:
    redis = RestartableRedis(tmp_path / "redis", persist=True)
    redis.start()
    env = proxy_env(replica.proxy_url)
    workers = drainer = None
    try:
        seed(redis.url, env, sites=(SITE,))
        # extraction in a pool process, and a long heartbeat: a worker busy with OCR on a loaded box must
        # not pass for dead (its requests would be fetched twice, and this test is about the outage)
        workers = start_workers(redis.url, tmp_path, env, 2, tmp_path / "logs",
                                settings=["XXGK_WORKERS=1", "XXGK_WORKER_HEARTBEAT_TTL=120"])
        drainer = start_drainer(redis.url, tmp_path, env, tmp_path / "logs" / "drain.log")
        server = Redis.from_url(redis.url)
        wait_for(lambda: seen_requests(server) >= 80, drainer, what="the crawl under way")
        redis.restart(3.0)  # down for 3 s, then back with its data (append-only file)
        assert drainer.wait(timeout=300) == 0, (tmp_path / "logs" / "drain.log").read_text()[-3000:]
        codes = workers.wait()
        assert codes == [0, 0], [workers.log_tail(i) for i in (0, 1)]
    finally:
        if drainer is not None and drainer.poll() is None:
            drainer.kill()
        if workers is not None:
            workers.stop()
        redis.stop()
    logs = "".join(path.read_text(errors="replace") for path in (tmp_path / "logs").iterdir())
    assert "Redis unreachable" in logs and "Redis is back after" in logs
    assert_same_tables(tmp_path / "xxgk.db", clean / "xxgk.db", SITE)
    assert {key: n for key, n in fetches(tmp_path / "warc").items() if n > 1} == {}  # nothing done twice


@needs_redis
def test_the_drainer_and_a_worker_killed_at_once_lose_nothing(replica: Replica, clean: Path, tmp_path: Path) -> None:
    redis = RestartableRedis(tmp_path / "redis", persist=False)
    redis.start()
    env = proxy_env(replica.proxy_url)
    logs = tmp_path / "logs"
    workers = drainer = None
    try:
        seed(redis.url, env, sites=(SITE,))
        # a short heartbeat: the survivor takes over the dead worker's requests within seconds
        workers = start_workers(redis.url, tmp_path, env, 2, logs, settings=["XXGK_WORKER_HEARTBEAT_TTL=5",
                                                                            "XXGK_WORKERS=1"])
        drainer = start_drainer(redis.url, tmp_path, env, logs / "drain.log")
        server = Redis.from_url(redis.url)
        keys = Keys()
        wait_for(lambda: seen_requests(server) >= 100 and server.hlen(keys.leases(SITE, "w0")) > 0
                 and server.llen(keys.items) + count(tmp_path / "xxgk.db", "SELECT count(*) FROM drained_items") > 0,
                 drainer, what="w0 holding leases and items drained")
        workers.procs[0].kill()
        drainer.kill()
        drainer.wait(timeout=30)
        drainer = start_drainer(redis.url, tmp_path, env, logs / "drain.log")
        assert drainer.wait(timeout=300) == 0, (logs / "drain.log").read_text()[-3000:]
        codes = workers.wait()
        assert codes == [-signal.SIGKILL, 0], workers.log_tail(1)
    finally:
        if drainer is not None and drainer.poll() is None:
            drainer.kill()
        if workers is not None:
            workers.stop()
        redis.stop()
    assert_same_tables(tmp_path / "xxgk.db", clean / "xxgk.db", SITE)


# -- 5. hostile archives -------------------------------------------------------------------------------


def cut(path: Path, size: int) -> None:
    with path.open("r+b") as stream:
        stream.truncate(size)


def last_entry(warc_dir: Path, warc: Path) -> CdxEntry:
    """The index entry of ``warc``'s last record."""
    return max((e for e in iter_index(warc_dir) if e.filename == warc.name), key=lambda e: e.offset)


def test_reparse_over_a_hostile_archive_reports_each_problem_and_rebuilds_the_rest(clean: Path, tmp_path: Path) -> None:
    """A truncated file, a record with a wrong digest, a foreign WARC and a CDXJ that does not match its
    file; reparsed, the tables equal those rebuilt from exactly the undamaged records (the same archive
    with the damaged record and the torn tail removed at record boundaries)."""
    hostile, expected = tmp_path / "hostile", tmp_path / "expected"
    shutil.copytree(clean / "warc", hostile)
    files = warc_files(hostile)
    assert len(files) >= 4, "the crawl wrote too few WARC files for this test"
    torn, mismatched = files[-1], files[2]
    # the damaged record must carry a payload (a revisit has none to check): the first file, from the
    # second on, whose last record is a full response — which file that is depends on the crawl's timing
    last_entries = {path.name: last_entry(hostile, path) for path in files if path not in (torn, mismatched)}
    damaged = next((path for path in files[1:-1] if path.name in last_entries
                    and not last_entries[path.name].is_revisit), None)
    assert damaged is not None, "no WARC file here ends with a full response"
    damaged_entry = last_entries[damaged.name]
    torn_entry = last_entry(hostile, torn)
    shutil.copytree(hostile, expected)
    cut(expected / damaged.name, damaged_entry.offset)  # the undamaged records only
    cut(expected / torn.name, torn_entry.offset)

    member = damaged.read_bytes()[damaged_entry.offset:damaged_entry.offset + damaged_entry.length]
    old = gzip.decompress(member)[-8:-4]  # the payload's last bytes (the record ends with CRLF CRLF)
    rewrite_member(damaged, damaged_entry.offset, damaged_entry.length, old, bytes(b ^ 0x20 for b in old))
    cut(torn, torn_entry.offset + torn_entry.length // 2)
    index = mismatched.with_name(mismatched.name + ".cdxj")
    lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
    index.write_text("".join(lines[:1] + [line.replace('"offset": "', '"offset": "1') for line in lines[1:]]),
                     encoding="utf-8")
    foreign_warc(hostile / "WEB-20240101000000-00000-heritrix.warc.gz")

    summary = reparse(hostile, tmp_path / "hostile.db")
    reference = reparse(expected, tmp_path / "expected.db")
    assert derived_tables(tmp_path / "hostile.db", SITE) == derived_tables(tmp_path / "expected.db", SITE)
    assert summary.report_pages == reference.report_pages > 0
    kinds = {problem.split(":", 1)[0]: problem for problem in summary.problems}
    assert set(kinds) == {TRUNCATED, DIGEST, FOREIGN, INDEX}, summary.problems
    assert kinds[DIGEST].startswith(f"{DIGEST}: {damaged.name}@{damaged_entry.offset}: ")
    assert kinds[TRUNCATED].startswith(f"{TRUNCATED}: {torn.name}@")
    assert kinds[FOREIGN].startswith(f"{FOREIGN}: WEB-20240101000000-00000-heritrix.warc.gz: ")
    index_problems = [p for p in summary.problems if p.startswith(INDEX)]
    assert any(f"{index.name}: does not match its file: {len(lines) - 1} of {len(lines)}" in p
               for p in index_problems), index_problems
    assert len(summary.problems) == 5  # and the torn file's index has one line past its cut
