"""Headless Chromium against ``datasette serve`` on 127.0.0.1: the pages people look at render.

Screenshots go to ``artifacts/screenshots/`` (or $XXGK_ARTIFACTS/screenshots). Skipped when Debian's
chromium is not installed (apt-get install chromium fonts-noto-cjk).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.datasette import DATABASE, serve_command
from tests.support.artifacts import artifacts
from tests.support.datasette import build_archive

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium fonts-noto-cjk)")
ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "/",
    "search-fuyi": f"/{DATABASE}/reports?_search=%E5%A4%8D%E8%AE%AE",
    "report-card": f"/{DATABASE}/reports/1",
    "charts": "/-/dashboards/xxgk",
    "report-quality": f"/{DATABASE}/report_quality?_sort=agency",
    "body-series": "/-/dashboards/xxgk/body-series?agency=%E5%A8%81%E6%B5%B7%E5%B8%82%E6%96%87%E7%99%BB%E5%8C%BA%E8%B4%A2%E6%94%BF%E5%B1%80",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, attempts: int = 300) -> None:
    """Poll until Datasette answers (or exits): readiness, not a timed assertion."""
    for _ in range(attempts):
        if proc.poll() is not None:
            raise RuntimeError(f"datasette exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.1)  # a pause that also notices an early exit
    raise RuntimeError(f"datasette did not answer at {url}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db_path = build_archive(tmp_path_factory.mktemp("served") / "xxgk.db")
    port = free_port()
    env = os.environ | {"no_proxy": "127.0.0.1,localhost"}
    proc = subprocess.Popen(serve_command(db_path, port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/-/versions.json", proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def screenshot(url: str, target: Path, profile: Path) -> None:
    assert CHROMIUM is not None
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         # virtual time lets the charts' scripts fetch their data and draw before the capture
         "--virtual-time-budget=10000", "--hide-scrollbars",
         f"--screenshot={target}", "--window-size=1280,1600", url],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def dump_dom(url: str, profile: Path) -> str:
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--virtual-time-budget=10000", "--dump-dom", url],
        check=True, capture_output=True, timeout=120, text=True,
    )  # fmt: skip
    return result.stdout


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_render_in_a_browser(served: str, name: str, tmp_path: Path) -> None:
    target = artifacts() / f"{name}.png"
    target.unlink(missing_ok=True)
    screenshot(served + PAGES[name], target, tmp_path / "profile")
    assert target.exists() and target.stat().st_size > 10_000  # a blank page is a few KB


def test_the_search_for_fuyi_lists_its_reports(served: str, tmp_path: Path) -> None:
    dom = dump_dom(served + PAGES["search-fuyi"], tmp_path / "profile")
    assert "2 rows where search matches" in dom


def test_the_charts_are_drawn_by_vega(served: str, tmp_path: Path) -> None:
    dom = dump_dom(served + PAGES["charts"], tmp_path / "profile")
    # vega-embed replaces each chart's placeholder with a drawn <svg> or <canvas>
    assert dom.count('class="marks"') >= 3, "fewer than three charts were drawn"


def test_the_series_chart_of_one_body_is_drawn(served: str, tmp_path: Path) -> None:
    dom = dump_dom(served + PAGES["body-series"], tmp_path / "profile")
    assert 'class="marks"' in dom, "the body's series chart was not drawn"
