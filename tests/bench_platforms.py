"""The generic platform against the Hanweb and TRS bases: ``python -m tests.bench_platforms [default|large]``
(or ``bench_platforms()`` from tests/bench.py, ``make bench``).

Each seed portal of the replica is crawled from the same start URL twice in one run, against the same
replica: once by its base (``--platform hanweb`` / ``trs``) and once by the generic platform
(``--platform generic``). Spider only (no pipelines, no archive, no job state), so the figures are the
platforms' navigation and paging, not extraction. Prints pages/s of each and the ratio; the report
links each found say whether the two walks were the same. Never a timed assertion.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: (replica host's start URL, its base platform); one start URL for both walks
HOSTS = (("http://www.wendeng.gov.cn/index.html", "hanweb"), ("http://www.hy.gov.cn/xxgk/index.html", "trs"))
SPIDER_ONLY = {"ITEM_PIPELINES": {}, "XXGK_WARC_ENABLED": False, "JOBDIR": "", "XXGK_ATTACHMENTS": False,
               "LOG_LEVEL": "WARNING"}


def line(label: str, value: str) -> None:
    print(f"  {label:<44} {value}", flush=True)


def run_one(url: str, platform: str, data_dir: str) -> dict[str, Any]:
    """In a subprocess: one spider-only crawl of ``url`` walked by ``platform``."""
    from crawler.running import FAST_SETTINGS, run_crawl

    [summary] = run_crawl([url], Path(data_dir), None, dict(FAST_SETTINGS) | SPIDER_ONLY, platform=platform)
    return summary


def measured(url: str, platform: str, env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "tests.bench_platforms", "_one", url, platform, str(data_dir)],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"bench crawl {platform} {url} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_platforms(scale: str = "default") -> None:
    from tests.replica.fixture import running_replica

    print(f"platforms: the generic platform vs the Hanweb and TRS bases, same replica host (scale={scale})",
          flush=True)
    with running_replica(seed=0, scale=scale) as replica, tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()} | {"http_proxy": replica.proxy_url}
        for url, base in HOSTS:
            results = {platform: measured(url, platform, env, Path(tmp) / f"{base}-{platform}")
                       for platform in (base, "generic")}
            for platform, result in results.items():
                rate = result["pages"] / result["seconds"] if result["seconds"] else 0.0
                result["rate"] = rate
                line(f"{url.split('/')[2]} by {platform}",
                     f"{result['pages']} pages in {result['seconds']:.1f} s = {rate:.0f} pages/s, "
                     f"{result['finish_reason']}")
            ratio = results["generic"]["rate"] / results[base]["rate"] if results[base]["rate"] else 0.0
            line(f"  generic / {base}", f"{ratio:.2f}× the pages/s")


def main(argv: list[str]) -> None:
    if argv and argv[0] == "_one":
        print(json.dumps(run_one(argv[1], argv[2], argv[3]), default=str))
        return
    bench_platforms(argv[0] if argv else "default")


if __name__ == "__main__":
    main(sys.argv[1:])
