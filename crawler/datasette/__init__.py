"""How the archive is served in Datasette: metadata, plugin and templates in this folder.

``serve_command`` is the command line ``xxgk serve`` runs; ``make_datasette`` builds the same
instance in-process (tests, and the end-to-end check over a crawled database).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
METADATA = HERE / "metadata.yaml"
PLUGINS_DIR = HERE / "plugins"
TEMPLATES_DIR = HERE / "templates"
#: the name Datasette gives DIR/xxgk.db; metadata, canned queries and charts are keyed on it
DATABASE = "xxgk"


def serve_command(db_path: str | Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """``python -m datasette serve`` with everything this folder configures.

    The file is served *mutable* (not ``-i``): a crawl may be writing to it. The database is in WAL
    mode (crawler/db.py) and every item is one transaction (pipelines/store.py), so each of
    Datasette's read-only queries sees one committed state — whole reports only, never a torn page —
    and its counts follow the crawl. ``-i`` (immutable) tells SQLite the file never changes: it then
    skips locking, keeps serving what it read before the crawl, and a checkpoint under it can hand
    it pages that do not belong together.
    """
    return [
        sys.executable, "-m", "datasette", "serve", str(db_path),
        "--host", host, "--port", str(port),
        "--metadata", str(METADATA),
        "--plugins-dir", str(PLUGINS_DIR),
        "--template-dir", str(TEMPLATES_DIR),
    ]  # fmt: skip


def load_metadata() -> dict[str, Any]:
    from datasette.utils import parse_metadata

    return parse_metadata(METADATA.read_text(encoding="utf-8"))


def make_datasette(db_path: str | Path) -> Any:
    """An in-process Datasette over ``db_path`` (which must be named xxgk.db), as served."""
    from datasette.app import Datasette

    if Path(db_path).stem != DATABASE:
        raise ValueError(f"{db_path}: the metadata is keyed on a database file named {DATABASE}.db")
    return Datasette(
        [str(db_path)],
        metadata=load_metadata(),
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
    )
