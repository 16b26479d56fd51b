"""``xxgk reparse`` and ``xxgk export``: rebuild the database from the archive, and hand it on.

Wired into the group in ``crawler.cli`` with ``cli.add_command(reparse)`` and
``cli.add_command(export)``. Failures exit non-zero with a one-line reason (the CLI contract).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from crawler.db import db_path

DEFAULT_DATA_DIR = "data"

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="Where the database (DIR/xxgk.db) and the archive (DIR/warc/) live.",
)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


@click.command()
@data_dir_option
@click.option(
    "--into",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the rebuilt database here (must not exist) instead of replacing DIR/xxgk.db.",
)
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Processes for normalise/extract (0: inline)  [default: CPUs - 1]")  # fmt: skip
def reparse(data_dir: Path, into: Path | None, workers: int | None) -> None:
    """Rebuild the database from the WARC archive alone (no network).

    Every archived response goes again through normalise → extract → dedupe → store, so a better
    extractor reaches every report ever fetched. Without --into, DIR/xxgk.db is replaced
    atomically once the new one is complete.

    \b
    Example:
        xxgk reparse --data-dir data
        xxgk reparse --data-dir data --into /tmp/rebuilt.db
    """
    from crawler.reparse import reparse as rebuild
    from crawler.reparse import reparse_in_place
    from pipelines.offload import default_workers

    workers = default_workers() if workers is None else workers

    warc_dir = data_dir / "warc"
    if not any(warc_dir.glob("*.warc.gz")):
        raise click.ClickException(f"no WARC files in {warc_dir}: crawl first (xxgk crawl …)")
    if into is not None and into.exists():
        raise click.ClickException(f"{into} exists: --into takes a new file")
    try:
        if into is None:
            summary = reparse_in_place(data_dir, workers=workers)
        else:
            summary = rebuild(warc_dir, into, workers=workers)
    except (OSError, RuntimeError, sqlite3.Error) as error:
        raise click.ClickException(_one_line(error)) from error
    for problem in summary.problems:  # skipped, everything else rebuilt (crawler/archive/audit.py)
        click.echo(f"archive problem: {problem}", err=True)
    click.echo(
        f"{summary.responses} archived responses → {summary.report_pages} report pages, "
        f"{summary.documents} other documents ({summary.skipped} skipped) → {summary.reports} reports, "
        f"{summary.versions} earlier versions in {into or db_path(data_dir)} "
        f"({summary.seconds:.1f} s, {summary.reports_per_second:.0f} report pages/s)"
    )


@click.command()
@data_dir_option
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True,
              help="CSV with a header row, or one JSON object per line; UTF-8 either way.")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for reports/cells/checks files  [default: DIR/export]")  # fmt: skip
@click.option("--with-text", is_flag=True, help="Keep the long reports.text column in CSV.")
def export(data_dir: Path, fmt: str, out: Path | None, with_text: bool) -> None:
    """Export reports, cells and checks for analysis (spreadsheets, pandas, R).

    Cells and checks carry the report's agency and year next to report_id.

    \b
    Example:
        xxgk export --data-dir data --format csv --out export/
        xxgk export --format jsonl --out export/
    """
    from crawler.export import export as write_files

    path = db_path(data_dir)
    if not path.exists():
        raise click.ClickException(f"{path} does not exist: run `xxgk crawl` or `xxgk reparse` first")
    try:
        written = write_files(path, out or data_dir / "export", fmt, with_text=with_text)
    except (OSError, ValueError, sqlite3.Error) as error:
        raise click.ClickException(_one_line(error)) from error
    for file, count in written.items():
        click.echo(f"{file}: {count} rows")
