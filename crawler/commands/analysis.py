"""``xxgk similar``: the templated-report pass over the database, with its distribution (issue 19).

Wired into the group in ``crawler.cli`` with ``cli.add_command(similar)``. The same pass runs at
the end of every crawl and reparse; this command re-runs it (e.g. with a threshold of your own) and
prints how the reports' nearest similarities are distributed and where the threshold fell.
"""

from __future__ import annotations

from pathlib import Path

import click

from crawler.db import db_path, open_db
from crawler.options import data_dir_option, fail


@click.command()
@data_dir_option
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Flag reports at or above this similarity  [default: chosen from the data]")  # fmt: skip
def similar(data_dir: Path, threshold: float | None) -> None:
    """Find templated reports (雷同): narratives copied from another report.

    Writes similar_reports, report_sections and reports.templated, and prints the distribution of
    each report's nearest similarity with the threshold chosen from it.

    \b
    Example:
        xxgk similar --data-dir data
        xxgk similar --threshold 0.8
    """
    from crawler.similarity import run_similarity

    path = db_path(data_dir)
    if not path.exists():
        fail(f"{path} does not exist: run `xxgk crawl` or `xxgk reparse` first")
    db = open_db(path)
    try:
        result = run_similarity(db, threshold=threshold)
    finally:
        db.close()
    for line in result.lines():
        click.echo(line)
