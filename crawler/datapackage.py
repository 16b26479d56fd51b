"""``datapackage.json`` beside the exported files: a Frictionless Data Package researchers can load.

Each exported table becomes a tabular resource whose schema carries the column descriptions of the
Datasette metadata (one place for what a column means), its types from the SQLite declaration, and
the package the licence, the source and the span of crawl dates. ``frictionless validate`` accepts it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlite_utils import Database

PROFILE = "tabular-data-package"
# SQLite declared type → Table Schema type; JSON text columns of a JSON-lines export are nested values
_TYPES = {int: "integer", float: "number", str: "string", bytes: "string"}
_JOINED = {"agency": "reports", "year": "reports"}  # cells/checks carry these from reports


def column_descriptions() -> dict[str, dict[str, str]]:
    """Table → column → description, from crawler/datasette/metadata.yaml."""
    from crawler.datasette import DATABASE, load_metadata

    tables = load_metadata().get("databases", {}).get(DATABASE, {}).get("tables", {})
    return {name: dict(table.get("columns") or {}) for name, table in tables.items()}


def field(db: Database, table: str, column: str, *, fmt: str, json_columns: frozenset[str]) -> dict[str, Any]:
    source = _JOINED.get(column, table) if column not in db[table].columns_dict else table
    declared = db[source].columns_dict.get(column, str)
    kind = "any" if fmt == "jsonl" and column in json_columns else _TYPES.get(declared, "string")
    out: dict[str, Any] = {"name": column, "type": kind}
    description = column_descriptions().get(source, {}).get(column)
    if description:
        out["description"] = description
    return out


def resource(db: Database, table: str, path: Path, columns: list[str], *, fmt: str, bom: bool,
             json_columns: frozenset[str]) -> dict[str, Any]:  # fmt: skip
    schema: dict[str, Any] = {"fields": [field(db, table, c, fmt=fmt, json_columns=json_columns) for c in columns]}
    if table in ("cells", "checks"):
        schema["foreignKeys"] = [{"fields": "report_id", "reference": {"resource": "reports", "fields": "id"}}]
    if table == "reports":
        schema["primaryKey"] = "id"
    out: dict[str, Any] = {
        "name": table,
        "path": path.name,
        "profile": "tabular-data-resource",
        "format": fmt,
        "mediatype": "text/csv" if fmt == "csv" else "application/jsonl",
        "encoding": "utf-8-sig" if bom else "utf-8",
        "schema": schema,
    }
    description = _table_description(table)
    if description:
        out["description"] = description
    return out


def _table_description(table: str) -> str | None:
    from crawler.datasette import DATABASE, load_metadata

    tables = load_metadata().get("databases", {}).get(DATABASE, {}).get("tables", {})
    return (tables.get(table) or {}).get("description")


def crawl_dates(db: Database) -> dict[str, str]:
    """The first and last fetch of any document: the period the export describes."""
    if "documents" not in db.table_names():
        return {}
    first, last = db.execute("select min(fetched_at), max(fetched_at) from documents").fetchone()
    return {"first": first, "last": last} if first else {}


def descriptor(db: Database, resources: list[dict[str, Any]]) -> dict[str, Any]:
    from crawler.datasette import load_metadata

    meta = load_metadata()
    dates = crawl_dates(db)
    package: dict[str, Any] = {
        "profile": PROFILE,
        "name": "xxgk-annual-reports",
        "title": meta.get("title", "xxgk"),
        "description": "Chinese government information-disclosure annual reports (政府信息公开工作年度报告) as data.",
        "licenses": [{"name": "MIT", "path": meta.get("license_url", ""), "title": meta.get("license", "")}],
        "sources": [{"title": meta.get("source", ""), "path": meta.get("source_url", "")}],
        "resources": resources,
    }
    if dates:
        package["temporalCoverage"] = {"start": dates["first"], "end": dates["last"]}
        package["description"] += f" Crawled {dates['first']} – {dates['last']} (UTC)."
    return package


def write_descriptor(out_dir: Path, package: dict[str, Any]) -> Path:
    path = out_dir / "datapackage.json"
    path.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
