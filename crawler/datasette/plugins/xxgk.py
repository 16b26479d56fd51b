"""Datasette plugin for the xxgk archive (load with ``--plugins-dir crawler/datasette/plugins``).

- Chinese search: Datasette's table search box calls the SQL function ``escape_fts(:search)``; for a
  database with our index it is replaced by :func:`crawler.search.fts_query`, so 复议 or a body's name
  match (see crawler/search.py).
- SQL functions for canned queries: ``xxgk_fts_query(q)``, ``xxgk_snippet(text, q)``,
  ``xxgk_order(key)`` (template row order), ``xxgk_label(key)`` (``sec3.granted`` → ``（一）予以公开``, ``sec3.col.total`` → ``总计``).
- The report card: ``/DB/reports/ID`` shows the report's tables laid out as in the template, its
  checks and its documents (template ``row.html`` in crawler/datasette/templates).
- Archived copies: ``/-/xxgk/archive/FILE/OFFSET`` returns the payload of a WARC record under the
  database's ``warc/`` folder, its Content-Encoding undone by the archive reader (every coding it
  knows: gzip, deflate, br, …), sandboxed so archived scripts cannot run in Datasette's origin.
- Replay: the card links each archived page to pywb (``xxgk replay``) at the ``replay_url`` of this
  plugin's configuration (datasette.yaml), or $XXGK_REPLAY_URL.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response

from crawler.extract.schema import generation
from crawler.search import FTS_TABLE, fts_query, snippet

ARCHIVE_ROUTE = "/-/xxgk/archive/"
SEC4_GROUPS = ["review", "litigation_direct", "litigation_after_review"]


# --- labels -------------------------------------------------------------------------------------


@cache
def labels() -> dict[str, str]:
    """Code → template label for every sec2/sec3/sec4 row and column (G2 wins over G1)."""
    out: dict[str, str] = {}
    for gen in ("G1", "G2"):
        spec = generation(gen)
        for block in spec["sec2"]["blocks"]:
            out[f"sec2.{block['code']}"] = block["label"]
            out |= {f"sec2.{block['code']}.{r['code']}": r["label"] for r in block["rows"]}
            out |= {f"sec2.{block['code']}.col.{c['code']}": c["label"] for c in block["columns"]}
        out |= {f"sec3.{r['code']}": r["label"] for r in spec["sec3"]["rows"]}
        out |= {f"sec3.{g['code']}": g["label"] for g in spec["sec3"]["groups"]}
        out |= {f"sec3.col.{c['code']}": c["label"] for c in spec["sec3"]["columns"]}
        out |= {f"sec4.{g['code']}": g["label"] for g in spec["sec4"]["groups"]}
        out |= {f"sec4.col.{c['code']}": c["label"] for c in spec["sec4"]["columns"]}
    return out


def label(key: str | None) -> str | None:
    return labels().get(key or "", key)


@cache
def template_order() -> dict[str, int]:
    """Row key → position in the template (G2 order; G1-only rows after their G2 neighbours)."""
    order: dict[str, int] = {}
    for gen in ("G2", "G1"):
        for i, row in enumerate(generation(gen)["sec3"]["rows"]):
            order.setdefault(f"sec3.{row['code']}", i * 10 + (5 if gen == "G1" else 0))
    return order


def position(key: str | None) -> int:
    return template_order().get(key or "", 10_000)


# --- SQL functions --------------------------------------------------------------------------------


def has_search_index(conn: Any) -> bool:
    try:
        return conn.execute("select 1 from sqlite_master where name = ?", [FTS_TABLE]).fetchone() is not None
    except Exception:  # e.g. a database that is not SQLite-readable yet; leave Datasette's default
        return False


@hookimpl(trylast=True)
def prepare_connection(conn: Any) -> None:
    # trylast: runs after Datasette's own prepare_connection, so this escape_fts replaces its one —
    # but only for databases that carry our bigram index, other FTS tables keep Datasette's.
    conn.create_function("xxgk_fts_query", 1, fts_query, deterministic=True)
    conn.create_function("xxgk_snippet", 2, snippet, deterministic=True)
    conn.create_function("xxgk_label", 1, label, deterministic=True)
    conn.create_function("xxgk_order", 1, position, deterministic=True)
    if has_search_index(conn):
        conn.create_function("escape_fts", 1, fts_query, deterministic=True)


# --- the report card ------------------------------------------------------------------------------


def layout(fmt: str | None) -> dict[str, Any]:
    """The template generation whose table layout a report is shown in (G2 when not known)."""
    return generation(fmt if fmt in ("G1", "G2") else "G2")


def show(cell: dict[str, Any] | None) -> dict[str, Any]:
    """A cell for display: the value, else what was printed, with the flag as a hint."""
    if cell is None:
        return {"text": "", "flag": "absent"}
    value = cell["value"]
    text = cell["raw"] if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
    return {"text": text or "", "flag": cell["flag"]}


def sec2_card(spec: dict[str, Any], cells: dict[tuple[str, str, str], dict]) -> list[dict[str, Any]]:
    return [
        {
            "label": block["label"],
            "columns": [c["label"] for c in block["columns"]],
            "rows": [
                {
                    "label": row["label"],
                    "cells": [show(cells.get(("sec2", f"{block['code']}.{row['code']}", c["code"]))) for c in block["columns"]],
                }
                for row in block["rows"]
            ],
        }
        for block in spec["sec2"]["blocks"]
    ]


def sec3_card(spec: dict[str, Any], cells: dict[tuple[str, str, str], dict]) -> dict[str, Any]:
    columns = spec["sec3"]["columns"]
    groups = {g["code"]: g["label"] for g in spec["sec3"]["groups"]}
    rows: list[dict[str, Any]] = []
    shown: set[str] = set()
    for row in spec["sec3"]["rows"]:
        group = row.get("group")
        # the template prints 三、本年度办理结果 and each sub-group's heading line before its rows
        for heading in [] if group is None else ["outcome"] if group == "outcome" else ["outcome", group]:
            if heading not in shown:
                rows.append({"label": groups[heading], "heading": True, "cells": [], "indent": heading != "outcome"})
                shown.add(heading)
        cells_ = [show(cells.get(("sec3", row["code"], c["code"]))) for c in columns]
        rows.append({"label": row["label"], "heading": False, "cells": cells_, "indent": group not in (None, "outcome")})
    return {"columns": [c["label"] for c in columns], "rows": rows}


def sec4_card(spec: dict[str, Any], cells: dict[tuple[str, str, str], dict]) -> dict[str, Any]:
    columns = spec["sec4"]["columns"]
    return {
        "groups": [g["label"] for g in spec["sec4"]["groups"]],
        "columns": [c["label"] for c in columns],
        "cells": [show(cells.get(("sec4", g["code"], c["code"]))) for g in spec["sec4"]["groups"] for c in columns],
    }


async def report_card(db: Any, report_id: int, replay_base: str | None = None) -> dict[str, Any] | None:
    result = await db.execute("select * from reports where id = ?", [report_id])
    report = result.first()
    if report is None:
        return None
    report = dict(report)
    rows = await db.execute("select * from cells where report_id = ?", [report_id])
    cells = {(c["table"], c["row"], c["column"]): dict(c) for c in rows.rows}
    spec = layout(report["format"])
    checks = await db.execute(
        "select rule, status, hard, delta, detail from checks where report_id = ? order by hard desc, status = 'pass', rule",
        [report_id],
    )
    documents = await db.execute(
        "select id, url, final_url, role, status, content_type, size, fetched_at, warc_file, warc_offset"
        " from documents where report_id = ? order by fetched_at, id",
        [report_id],
    )
    return {
        "report": report,
        "urls": json.loads(report["urls"] or "[]"),
        "warnings": json.loads(report["warnings"] or "[]"),
        "has_tables": bool(cells),
        "sec2": sec2_card(spec, cells),
        "sec3": sec3_card(spec, cells),
        "sec4": sec4_card(spec, cells),
        "checks": [dict(c) for c in checks.rows],
        "documents": [
            dict(d) | {"archive_url": archive_url(d), "replay_url": replay_link(replay_base, d)} for d in documents.rows
        ],
    }


def archive_url(document: Any) -> str | None:
    if not document["warc_file"] or document["warc_offset"] is None:
        return None
    return f"{ARCHIVE_ROUTE}{document['warc_file']}/{document['warc_offset']}"


def replay_link(base: str | None, document: Any) -> str | None:
    """pywb's address of an archived GET at its capture time (14 digits of fetched_at). The Hanweb
    data-proxy answers are POSTs (role ``dataproxy``): pywb replays GETs by URL only. (``documents.method``
    is how a file was read — pdf-text, ocr — not the HTTP method.)"""
    if not base or not document["warc_file"] or not document["fetched_at"] or document["role"] == "dataproxy":
        return None
    timestamp = "".join(ch for ch in document["fetched_at"] if ch.isdigit())[:14]
    return f"{base.rstrip('/')}/xxgk/{timestamp}/{document['url']}"


def replay_base(datasette: Any) -> str | None:
    configured = (datasette.plugin_config("xxgk") or {}).get("replay_url")
    return os.environ.get("XXGK_REPLAY_URL", configured)


@hookimpl
def extra_template_vars(view_name: str, table: str | None, request: Any, datasette: Any) -> Any:
    if view_name != "row" or table != "reports" or request is None:
        return {}

    async def inner() -> dict[str, Any]:
        pks = tilde_decode(request.url_vars.get("pks", ""))
        if not pks.isdigit():
            return {}
        db = datasette.get_database(request.url_vars["database"])
        return {"xxgk_card": await report_card(db, int(pks), replay_base(datasette))}

    return inner


# --- archived copies ------------------------------------------------------------------------------

def archive_database(datasette: Any) -> Any:
    """The first file-backed database: its folder holds ``warc/`` (DIR/xxgk.db → DIR/warc)."""
    return next((db for db in datasette.databases.values() if db.path), None)


async def archived_copy(request: Any, datasette: Any) -> Response:
    from crawler.archive.reader import ArchiveReadError, read_response

    db = archive_database(datasette)
    name, offset = request.url_vars["file"], int(request.url_vars["offset"])
    try:
        if db is None:
            raise ArchiveReadError("no database file, so no archive")
        # the reader's decoding (crawler/archive/encoding.py), not a second one: gzip, deflate, br, …
        archived = read_response(Path(db.path).parent / "warc", name, offset)
    except (ArchiveReadError, OSError, ValueError) as error:
        raise NotFound(f"no archived record {name}:{offset} ({error})") from error
    row = (
        await db.execute("select content_type from documents where warc_file = ? and warc_offset = ?", [name, offset])
    ).first()
    return Response(
        archived.body,
        content_type=(row and row["content_type"]) or archived.content_type or "application/octet-stream",
        # sandbox: archived pages' scripts and forms must not act in the Datasette origin
        headers={"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"},
    )


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/xxgk/archive/(?P<file>[^/]+)/(?P<offset>\d+)$", archived_copy)]
