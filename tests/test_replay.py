"""pywb over the archive on 127.0.0.1 (``xxgk replay``): archived report URLs replay at their capture
times with the payloads of their WARC records, and a browser shows one replayed report.

pywb runs from its own virtualenv (``make replay-env``); skipped when it is not there. The screenshot
goes where the Datasette browser tests put theirs (``artifacts/screenshots/``, or
``$XXGK_ARTIFACTS/screenshots``: ``XXGK_ARTIFACTS=docs`` refreshes docs/screenshots/replayed-report.png).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crawler.archive.cdxj import iter_index
from crawler.archive.reader import read_response
from crawler.archive.replay import build_collection, replay_url, running_replay, wayback_executable
from tests.support.artifacts import artifacts

pytestmark = pytest.mark.skipif(wayback_executable() is None, reason="pywb is not installed (make replay-env)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LOOPBACK = httpx.Client(trust_env=False, timeout=60)  # never a proxy: pywb is on 127.0.0.1


@pytest.fixture(scope="module")
def pywb(small_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_replay(small_archive / "warc", tmp_path_factory.mktemp("pywb")) as base:
        yield base


def test_the_collection_index_is_sorted_and_links_every_warc_file(small_archive: Path, tmp_path: Path) -> None:
    collection = build_collection(small_archive / "warc", tmp_path)
    lines = (collection / "indexes" / "index.cdxj").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(list(iter_index(small_archive / "warc")))
    linked = sorted(path.name for path in (collection / "archive").iterdir())
    assert linked == sorted(path.name for path in (small_archive / "warc").glob("*.warc.gz"))
    build_collection(small_archive / "warc", tmp_path)  # rebuilding over an existing collection is fine


def test_three_report_urls_replay_with_the_payloads_of_their_records(small_archive: Path, pywb: str) -> None:
    warc_dir = small_archive / "warc"
    captures = [entry for entry in iter_index(warc_dir) if entry.mime == "text/html"][:3]
    assert len(captures) == 3
    for entry in captures:
        archived = read_response(warc_dir, entry.filename, entry.offset)
        replayed = LOOPBACK.get(replay_url(pywb, entry.timestamp, entry.url, raw=True))
        assert replayed.status_code == 200, entry.url
        assert replayed.content == archived.body, entry.url


def test_a_revisit_replays_the_payload_it_refers_to(small_archive: Path, pywb: str) -> None:
    warc_dir = small_archive / "warc"
    [revisit] = [entry for entry in iter_index(warc_dir) if entry.is_revisit]
    original = read_response(warc_dir, revisit.filename, revisit.offset)  # resolved to its original
    replayed = LOOPBACK.get(replay_url(pywb, revisit.timestamp, revisit.url, raw=True))
    assert replayed.status_code == 200 and replayed.content == original.body


def test_a_replayed_page_has_its_links_rewritten_into_the_archive(small_archive: Path, pywb: str) -> None:
    entry = next(entry for entry in iter_index(small_archive / "warc") if entry.mime == "text/html")
    framed = LOOPBACK.get(replay_url(pywb, entry.timestamp, entry.url).replace(f"/{entry.timestamp}/", f"/{entry.timestamp}mp_/"))
    assert framed.status_code == 200
    assert f"/xxgk/{entry.timestamp}mp_/http://" in framed.text  # absolute links now point into pywb


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium fonts-noto-cjk)")
def test_a_replayed_report_in_a_browser(small_archive: Path, pywb: str, tmp_path: Path) -> None:
    entry = next(entry for entry in iter_index(small_archive / "warc") if entry.mime == "text/html")
    target = artifacts() / "replayed-report.png"
    target.unlink(missing_ok=True)
    assert CHROMIUM is not None
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--no-proxy-server", "--virtual-time-budget=10000", "--hide-scrollbars",
         f"--screenshot={target}", "--window-size=1280,1400", replay_url(pywb, entry.timestamp, entry.url)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert target.stat().st_size > 10_000  # a blank page is a few KB
