"""``xxgk reparse``, ``xxgk export`` and ``xxgk replay``: rebuild the database from the archive, hand
it on (tables with a data package, or the whole archive as one WACZ), and open it as archived.

Failures exit non-zero with a one-line reason (the CLI contract).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from crawler.db import db_path
from crawler.options import data_dir_option, fail, one_line


@click.command()
@data_dir_option
@click.option(
    "--into",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the rebuilt database here (must not exist) instead of replacing DIR/xxgk.db.",
)
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Processes for normalise/extract (0: inline)  [default: CPUs]")  # fmt: skip
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
    from crawler.reparse import reparse_in_place, reparse_workers

    workers = reparse_workers() if workers is None else workers

    warc_dir = data_dir / "warc"
    if not any(warc_dir.glob("*.warc.gz")):
        fail(f"no WARC files in {warc_dir}: crawl first (xxgk crawl …)")
    if into is not None and into.exists():
        fail(f"{into} exists: --into takes a new file")
    from crawler.archive.cdxj import iter_index
    from crawler.progress import on_terminal, progress

    total = sum(1 for _ in iter_index(warc_dir)) if on_terminal() else None
    try:
        with progress(total, "reparsing") as bar:
            if into is None:
                summary = reparse_in_place(data_dir, workers=workers, tick=bar.update)
            else:
                summary = rebuild(warc_dir, into, workers=workers, tick=bar.update)
    except (OSError, RuntimeError, sqlite3.Error) as error:
        fail(one_line(error))
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
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "wacz"]), default="csv", show_default=True,
              help="CSV with a header row, or one JSON object per line (UTF-8 either way, with a "
                   "datapackage.json); or wacz: the whole WARC archive as one WACZ file.")  # fmt: skip
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Directory for reports/cells/checks files  [default: DIR/export]; "
                   "for wacz the file to write  [default: DIR/export/xxgk.wacz]")  # fmt: skip
@click.option("--with-text", is_flag=True, help="Keep the long reports.text column in CSV.")
@click.option("--bom", is_flag=True, help="Start CSV files with a UTF-8 byte-order mark (Excel in a Chinese locale).")
def export(data_dir: Path, fmt: str, out: Path | None, with_text: bool, bom: bool) -> None:
    """Export reports, cells and checks for analysis (spreadsheets, pandas, R), or the archive as WACZ.

    Cells and checks carry the report's agency and year next to report_id; datapackage.json
    describes every column (Frictionless Data). CSV also writes wide_<format>.csv: one row per
    report, one column per cell code (sec3.new_received.total). A WACZ holds every WARC file, a
    sorted index, pages.jsonl (one entry per report page) and hashes; ReplayWeb.page and pywb open it.

    \b
    Example:
        xxgk export --data-dir data --format csv --bom --out export/
        xxgk export --format jsonl --out export/
        xxgk export --format wacz --out corpus.wacz
    """
    path = db_path(data_dir)
    if not path.exists():
        fail(f"{path} does not exist: run `xxgk crawl` or `xxgk reparse` first")
    if fmt == "wacz":
        _export_wacz(data_dir, out or data_dir / "export" / "xxgk.wacz")
        return
    from crawler.export import export as write_files
    from crawler.export import total_rows
    from crawler.export_wide import export_wide
    from crawler.progress import on_terminal, progress

    try:
        with progress(total_rows(path) if on_terminal() else None, "exporting") as bar:
            written = write_files(path, out or data_dir / "export", fmt, with_text=with_text, bom=bom, tick=bar.update)
        if fmt == "csv":  # and the wide tables, one per generation, for statistical packages
            written |= export_wide(path, out or data_dir / "export", bom=bom)
    except (OSError, ValueError, sqlite3.Error) as error:
        fail(one_line(error))
    for file, count in written.items():
        click.echo(f"{file}: {count} rows")
    click.echo(f"{next(iter(written)).parent / 'datapackage.json'}: the data package describing them")


def _export_wacz(data_dir: Path, out: Path) -> None:
    from crawler.archive.wacz import WaczError, write_wacz

    if out.is_dir():
        fail(f"{out} is a directory: --out takes the .wacz file to write")
    try:
        summary = write_wacz(data_dir, out)
    except (OSError, WaczError, sqlite3.Error) as error:
        fail(one_line(error))
    click.echo(f"{summary.path}: {summary.warc_files} WARC files, {summary.pages} report pages (valid WACZ)")


@click.command()
@data_dir_option
@click.option("--port", default=8080, show_default=True, help="Port to listen on (127.0.0.1).")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the pywb collection is built  [default: DIR/replay]")  # fmt: skip
def replay(data_dir: Path, port: int, root: Path | None) -> None:
    """Open archived pages as they were captured, links rewritten (pywb, on 127.0.0.1).

    Builds a pywb collection from DIR/warc (links to the WARC files and one sorted index), then
    serves it; the report card in `xxgk serve` links each archived copy here. pywb runs from its own
    virtualenv: `make replay-env` creates it.

    \b
    Example:
        xxgk replay --data-dir data --port 8080
        open http://127.0.0.1:8080/xxgk/20250101000000/http://www.wendeng.gov.cn/…
    """
    import os

    from crawler.archive.replay import ReplayError, build_collection, wayback_command

    warc_dir = data_dir / "warc"
    if not any(warc_dir.glob("*.warc.gz")):
        fail(f"no WARC files in {warc_dir}: crawl first (xxgk crawl …)")
    root = root or data_dir / "replay"
    try:
        command = wayback_command(root, port)
        build_collection(warc_dir, root)
    except (OSError, ReplayError) as error:
        fail(one_line(error))
    click.echo(f"replaying {warc_dir} at http://127.0.0.1:{port}/xxgk/", err=True)
    os.chdir(root)
    os.execv(command[0], command)
