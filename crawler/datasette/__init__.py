"""How the archive is served in Datasette: metadata, configuration, plugin and templates in this folder.

``metadata.yaml`` says what things are, ``datasette.yaml`` how they behave (facets, search, canned
queries, plugins): Datasette 1.0's split, so moving to 1.0 is a version bump. Datasette 0.65 reads
one metadata file, so for it the two are merged (:func:`load_metadata`).

``serve_command`` is the command line ``xxgk serve`` runs; ``make_datasette`` builds the same
instance in-process (tests, and the end-to-end check over a crawled database).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
METADATA = HERE / "metadata.yaml"
CONFIG = HERE / "datasette.yaml"
PLUGINS_DIR = HERE / "plugins"
TEMPLATES_DIR = HERE / "templates"
#: the name Datasette gives DIR/xxgk.db; metadata, canned queries and charts are keyed on it
DATABASE = "xxgk"


def datasette_major() -> int:
    return int(version("datasette").split(".")[0])


def serve_command(db_path: str | Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """``python -m datasette serve`` with everything this folder configures; the file is immutable."""
    if datasette_major() >= 1:
        settings = ["--metadata", str(METADATA), "--config", str(CONFIG)]
    else:
        settings = ["--metadata", str(merged_metadata_file())]
    return [
        sys.executable, "-m", "datasette", "serve", "-i", str(db_path),
        "--host", host, "--port", str(port), *settings,
        "--plugins-dir", str(PLUGINS_DIR),
        "--template-dir", str(TEMPLATES_DIR),
    ]  # fmt: skip


def _yaml(path: Path) -> dict[str, Any]:
    from datasette.utils import parse_metadata

    return parse_metadata(path.read_text(encoding="utf-8"))


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``extra`` laid over ``base``, nested mappings merged key by key (the 0.65 single-file form)."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def load_config() -> dict[str, Any]:
    return _yaml(CONFIG)


def load_metadata() -> dict[str, Any]:
    """The metadata as Datasette 0.65 wants it: metadata.yaml with datasette.yaml merged in."""
    return merge(_yaml(METADATA), load_config())


def merged_metadata_file() -> Path:
    """The merged metadata written where ``datasette serve --metadata`` can read it (0.65 only).

    Named by its content's hash: checkouts with different metadata never share a file, and a file
    once written is never rewritten under a running server.
    """
    text = json.dumps(load_metadata(), ensure_ascii=False, indent=1)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"xxgk-datasette-metadata-{digest}.json"
    if not path.exists():
        staging = path.with_name(f"{path.name}.{os.getpid()}")
        staging.write_text(text, encoding="utf-8")
        staging.replace(path)
    return path


def make_datasette(db_path: str | Path) -> Any:
    """An in-process Datasette over ``db_path`` (which must be named xxgk.db), as served."""
    from datasette.app import Datasette

    if Path(db_path).stem != DATABASE:
        raise ValueError(f"{db_path}: the metadata is keyed on a database file named {DATABASE}.db")
    if datasette_major() >= 1:
        settings: dict[str, Any] = {"metadata": _yaml(METADATA), "config": load_config()}
    else:
        settings = {"metadata": load_metadata()}
    return Datasette(
        immutables=[str(db_path)],
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
        **settings,
    )
