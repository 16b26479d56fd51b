"""``xxgk demo`` and ``xxgk serve``: crawl the offline replica of two portals, then browse the
database in Datasette."""

from __future__ import annotations

import os
from pathlib import Path

import click

from crawler import running
from crawler.db import db_path
from crawler.options import data_dir_option, fail
from crawler.running import FAST_SETTINGS, ReplicaError, run_crawl
from crawler.summary import failed_runs


@click.command()
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
    from crawler.summary import format_database_summary

    if not skip_checks and (problem := demo_problem()):
        fail(problem)
    try:
        with running.replica_proxy(seed) as proxy:  # looked up on the module: tests stand in for it
            click.echo(f"replica running as an HTTP proxy at {proxy}")
            os.environ["http_proxy"] = proxy
            os.environ.pop("no_proxy", None)
            summaries = run_crawl(["wendeng", "hy"], data_dir, None, dict(FAST_SETTINGS) | {"LOG_LEVEL": "WARNING"})
    except ReplicaError as error:
        fail(str(error))
    click.echo(format_database_summary(db_path(data_dir), summaries))
    if reasons := failed_runs(summaries):
        fail("; ".join(reasons))
    click.echo(f"\nBrowse it:  xxgk serve --data-dir {data_dir}   (then open http://127.0.0.1:8001/)")


@click.command()
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
