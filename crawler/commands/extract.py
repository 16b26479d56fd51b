"""``xxgk extract``: metadata, the three statistics tables and the checks of report files, offline."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command()
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
    from crawler.extract.documents.sniff import source_kind
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
