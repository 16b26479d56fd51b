"""The ``xxgk`` command line: crawl, extract, demo, serve, …

Every command has help and an example (``xxgk COMMAND --help``). Failures exit non-zero with a
one-line reason on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from crawler.db import db_path
from crawler.platforms.catalog import is_url, site_name, tested_sites
from crawler.summary import crawl_summary, failed_runs, summary_line  # noqa: F401  (crawl_summary: imported from here)

DEFAULT_DATA_DIR = "data"
#: settings for crawling the loopback replica: no politeness delays (never for real sites)
FAST_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_DELAY_JITTER": 0,
    "XXGK_RETRY_BACKOFF_BASE": 0.05,
}


def data_dir_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_DATA_DIR,
        show_default=True,
        help="Where the database (DIR/xxgk.db) and the archive (DIR/warc/) live.",
    )(func)


def year_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--year", type=int, default=None, help="Only reports on this year.")(func)


def fail(message: str) -> None:
    """Exit non-zero with a one-line reason (the CLI contract)."""
    raise click.ClickException(message)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xxgk")
def cli() -> None:
    """xxgk: an archive of 政府信息公开工作年度报告 as data.

    \b
    xxgk demo                      crawl the offline replica into data/xxgk.db
    xxgk crawl wendeng hy          crawl the real portals (politely)
    xxgk extract report.html --json
    xxgk serve                     browse data/xxgk.db in Datasette
    """


# --- crawl ------------------------------------------------------------------------------------


def spider_names() -> list[str]:
    from scrapy.spiderloader import get_spider_loader

    return sorted(get_spider_loader(project_settings()).list())


def project_settings(overrides: dict[str, Any] | None = None) -> Any:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def parse_overrides(pairs: Sequence[str]) -> dict[str, Any]:
    """``-s KEY=VALUE`` pairs; values are read as JSON when they parse, else kept as strings."""
    overrides: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            fail(f"-s takes KEY=VALUE, got {pair!r}")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


def run_crawl(
    sites: Sequence[str], data_dir: Path, year: int | None, overrides: dict[str, Any], resume: bool = False,
    platform: str | None = None,
) -> list[dict[str, Any]]:
    """Crawl the sites in one Scrapy process (crawler/fleet.py); return one summary per spider.

    Each spider keeps its Scrapy job state in DIR/jobs/<spider> (crawler/resume.py): emptied for a
    fresh crawl, continued with ``resume``. Sites: profile names or start URLs (``platform``: forced on URLs).
    """
    from crawler.fleet import run_sites
    from crawler.resume import job_dir, prepare_job_dir

    settings = project_settings(
        {"XXGK_DATA_DIR": str(data_dir), "XXGK_YEAR": year, "XXGK_RESUME": resume, **overrides}
    )

    def prepare(crawler: Any, site: str) -> None:
        if "JOBDIR" not in overrides:
            jobs = job_dir(data_dir, site_name(site))
            prepare_job_dir(jobs, resume)
            crawler.settings.set("JOBDIR", str(jobs), priority="cmdline")

    def arguments(site: str) -> dict[str, Any]:
        return ({"year": str(year)} if year else {}) | ({"platform": platform} if platform and is_url(site) else {})

    # crawler/fleet.py: a bounded number of sites at once (XXGK_SITES_AT_ONCE), one extraction pool,
    # one database writer and per-host limits shared by all of them
    return run_sites(settings, sites, arguments, prepare)


def distributed_unready(sites: Sequence[str]) -> list[str]:
    """The sites distributed mode cannot seed yet: start URLs (workers load spiders by profile name) and
    profiles whose platform is detected at crawl time (only the worker that fetched the start page
    would know it; the others could not decode the queued requests)."""
    from crawler.platforms.catalog import AUTO, find_profile

    return [site for site in sites if is_url(site) or find_profile(site).platform == AUTO]


@cli.command()
@click.argument("sites", nargs=-1)
@data_dir_option
@year_option
@click.option("--all", "all_sites", is_flag=True, help="Crawl every site with a tried profile (see `xxgk sites`).")
@click.option("--fast", is_flag=True, envvar="XXGK_FAST",
              help="No politeness delays: only for the loopback replica (env XXGK_FAST=1: scheduled recipes' tests).")
@click.option("--full", is_flag=True, help="Fetch everything in full again (default: incremental re-crawl).")
@click.option("-s", "--set", "settings", multiple=True, metavar="KEY=VALUE", help="A Scrapy setting.")
@click.option("--distributed", is_flag=True, help="Seed the sites into Redis for `xxgk worker`s, then drain.")
@click.option("--redis", "redis_url", default=None, envvar="XXGK_REDIS_URL", metavar="URL",
              help="The shared Redis of --distributed.")
@click.option("--seed-only", is_flag=True, help="With --distributed: seed, and leave draining to `xxgk drain`.")
@click.option("--resume", is_flag=True, help="Continue an interrupted crawl (DIR/jobs/<site>); nothing stored is fetched again.")
@click.option("--platform", type=click.Choice(["auto", "hanweb", "trs", "generic"]), default="auto", show_default=True,
              help="The platform of sites given by URL (auto: detected from the start page).")
def crawl(
    sites: tuple[str, ...],
    data_dir: Path,
    year: int | None,
    all_sites: bool,
    fast: bool,
    full: bool,
    settings: tuple[str, ...],
    distributed: bool,
    redis_url: str | None,
    seed_only: bool,
    resume: bool,
    platform: str,
) -> None:
    """Crawl SITES (profile names or start URLs) into DIR/xxgk.db, archiving every response.

    \b
    Example:
        xxgk crawl wendeng hy --data-dir data --year 2023
        xxgk crawl http://www.example.gov.cn/ wendeng   (a URL: named after its host, platform detected)
        xxgk crawl --all --full        (re-verify everything, not only what changed)
    Against the offline replica:
        http_proxy=http://127.0.0.1:8899 xxgk crawl wendeng --fast
    On many machines (workers: xxgk worker --redis URL):
        xxgk crawl wendeng hy --distributed --redis redis://10.0.0.5:6379/0
    After a crash or kill, continue where it stopped:
        xxgk crawl wendeng hy --resume
    """
    known = spider_names()
    chosen = tested_sites() if all_sites else list(sites)
    if not chosen:
        fail(f"name at least one site (or --all); known: {', '.join(known)}")
    unknown = sorted(set(chosen) - set(known) - {site for site in chosen if is_url(site)})
    if unknown:
        fail(f"unknown site(s): {', '.join(unknown)}; known: {', '.join(known)}")
    if distributed:
        if not redis_url:
            fail("--distributed needs --redis URL")
        if undetected := distributed_unready(chosen):
            fail(f"--distributed needs each site's platform known before seeding (every worker must decode "
                 f"its requests the same way): {', '.join(undetected)}; give each a profile in crawler/sites/ "
                 "with `platform = \"hanweb\"`, `\"trs\"` or `\"generic\"` (see `xxgk sites`)")
        from crawler.commands.distributed import DEFAULT_PREFIX, seed_and_drain

        return seed_and_drain(redis_url, DEFAULT_PREFIX, chosen, data_dir, year, seed_only)
    overrides = (FAST_SETTINGS if fast else {}) | ({"XXGK_INCREMENTAL": False} if full else {})
    overrides |= parse_overrides(settings)
    summaries = run_crawl(chosen, data_dir, year, overrides, resume=resume, platform=platform)
    for summary in summaries:
        click.echo(summary_line(summary))
    reasons = failed_runs(summaries)
    if reasons:
        fail("; ".join(reasons))


# --- extract ----------------------------------------------------------------------------------


def source_kind(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".shtml", ".xhtml"):
        return "html"
    if suffix in (".txt", ".text", ".md"):
        return "text"
    return None  # anything else (pdf, docx, doc, wps, xlsx, xls, et, png, jpg…) is sniffed from its bytes


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The URL the file was fetched from (resolves links).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per file (JSON Lines).")
@click.option("--pretty", is_flag=True, help="With --json: indented JSON, objects one after another.")
def extract(files: tuple[Path, ...], url: str | None, as_json: bool, pretty: bool) -> None:
    """Extract metadata, the three statistics tables and the checks from report FILES: .html, .txt,
    .pdf, .docx, .doc, .wps, .xlsx, .xls, .et, or a table image (.png, .jpg: OCR).

    \b
    Example:
        xxgk extract report.html --json
        xxgk extract 附件1.pdf tables.png --json > reports.jsonl
        xxgk extract report.html --json --pretty
    """
    from crawler.extract.report import extract_report
    from crawler.summary import format_report

    failures = 0
    for path in files:
        try:
            report = extract_report(path.read_bytes(), url=url, kind=source_kind(path))
        except Exception as exc:  # a clear error for this file; carry on with the others
            click.echo(f"{path}: cannot extract: {type(exc).__name__}: {exc}", err=True)
            failures += 1
            continue
        if as_json:  # the same shape for one file as for many, so that scripts can rely on it
            record = {"file": str(path), **report.to_json()}
            click.echo(json.dumps(record, ensure_ascii=False, indent=2 if pretty else None))
        else:
            click.echo(format_report(report, name=str(path)))
    if failures:
        sys.exit(1)


# --- demo -------------------------------------------------------------------------------------


@contextmanager
def replica_proxy(seed: int) -> Iterator[str]:
    """Start the offline replica (tests/replica) and yield its proxy URL."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "tests" / "replica" / "__main__.py").exists():
        fail("the offline replica (tests/replica) is not here: run `xxgk demo` from a checkout")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.replica", "serve", "--seed", str(seed)],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("http://"):
            fail(f"the replica did not start (said {line!r})")
        yield line
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@cli.command()
@data_dir_option
@click.option("--seed", default=0, show_default=True, help="Seed of the generated replica.")
@click.option("--skip-checks", is_flag=True, help="Crawl even if Debian packages the demo needs are missing.")
def demo(data_dir: Path, seed: int, skip_checks: bool) -> None:
    """Offline demo: start the replica of wendeng.gov.cn and hy.gov.cn, crawl both, summarise.

    Stops at once, naming them, if Debian packages the replica needs (LibreOffice, CJK fonts) are
    missing: without them the crawl would only degrade (see `xxgk doctor`).

    \b
    Example:
        xxgk demo && xxgk serve
    """
    from crawler.doctor import demo_problem

    if not skip_checks and (problem := demo_problem()):
        fail(problem)
    with replica_proxy(seed) as proxy:
        click.echo(f"replica running as an HTTP proxy at {proxy}")
        os.environ["http_proxy"] = proxy
        os.environ.pop("no_proxy", None)
        summaries = run_crawl(["wendeng", "hy"], data_dir, None, dict(FAST_SETTINGS) | {"LOG_LEVEL": "WARNING"})
    from crawler.summary import format_database_summary

    click.echo(format_database_summary(db_path(data_dir), summaries))
    reasons = failed_runs(summaries)
    if reasons:
        fail("; ".join(reasons))
    click.echo(f"\nBrowse it:  xxgk serve --data-dir {data_dir}   (then open http://127.0.0.1:8001/)")


# --- serve ------------------------------------------------------------------------------------


@cli.command()
@data_dir_option
@click.option("--port", default=8001, show_default=True, help="Port to listen on (127.0.0.1).")
def serve(data_dir: Path, port: int) -> None:
    """Browse DIR/xxgk.db in Datasette, read-only.

    \b
    Example:
        xxgk serve --data-dir data --port 8001
    """
    from crawler.datasette import serve_command

    path = db_path(data_dir)
    if not path.exists():
        fail(f"{path} does not exist: run `xxgk demo` or `xxgk crawl` first")
    command = serve_command(path, port)
    os.execv(command[0], command)


from crawler.commands.archive import export, reparse, replay  # noqa: E402  (commands of their own module)

cli.add_command(reparse)
cli.add_command(export)
cli.add_command(replay)
from crawler.commands.distributed import drain, worker  # noqa: E402

cli.add_command(worker)
cli.add_command(drain)

from crawler.commands.sites import sites  # noqa: E402
from crawler.commands.status import status  # noqa: E402

cli.add_command(status)
from crawler.commands.doctor import doctor  # noqa: E402

cli.add_command(doctor)

from crawler.commands.analysis import similar  # noqa: E402

cli.add_command(similar)
cli.add_command(sites)


def main() -> None:
    cli(prog_name="xxgk")


if __name__ == "__main__":
    main()
