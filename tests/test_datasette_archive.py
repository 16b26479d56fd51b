"""Datasette and the archive: the archived-copy view decodes every Content-Encoding the archive reader
knows, the report card links each archived page to pywb, and the configuration is split as Datasette
1.0 wants it (metadata.yaml: what things are; datasette.yaml: how they behave)."""

from __future__ import annotations

import asyncio
import gzip
import json
import tomllib
import zlib
from datetime import UTC, datetime
from pathlib import Path

import brotli
import httpx
import pytest
import yaml

from crawler.archive.encoding import DECODERS
from crawler.archive.writer import CapturedRequest, CapturedResponse, WarcArchiveWriter
from crawler.datasette import CONFIG, DATABASE, METADATA, load_metadata, make_datasette, serve_command
from crawler.db import open_db

ROOT = Path(__file__).resolve().parent.parent
PAGE = "<html><body><h1>威海市文登区2024年政府信息公开工作年度报告</h1></body></html>".encode()
ENCODINGS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "raw-deflate": lambda body: zlib.compress(body)[2:-4],  # what many servers send as "deflate"
    "br": brotli.compress,
    "identity": lambda body: body,
}
CAPTURED = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def header_for(name: str) -> str:
    return "deflate" if name == "raw-deflate" else name


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One report whose page was archived once per encoding, each with its documents row."""
    data_dir = tmp_path_factory.mktemp("encodings")
    writer = WarcArchiveWriter(data_dir / "warc", "test", worker="w1", revisits=False)
    db = open_db(data_dir / "xxgk.db")
    db["reports"].insert({"id": 1, "site": "wendeng", "agency": "威海市文登区人民政府", "agency_key": "k", "year": 2024,
                          "title": "年度报告", "url": "http://www.wendeng.gov.cn/br.html", "urls": "[]", "warnings": "[]", "format": "G2", "version": 1})  # fmt: skip
    for name, encode in ENCODINGS.items():
        url = f"http://www.wendeng.gov.cn/{name}.html"
        headers = [(b"Content-Type", b"text/html; charset=utf-8"), (b"Content-Encoding", header_for(name).encode())]
        request = CapturedRequest(url, "GET", [(b"Host", b"www.wendeng.gov.cn")])
        pointer = writer.write_exchange(request, CapturedResponse(200, headers, encode(PAGE)), CAPTURED)
        db["documents"].insert({"site": "wendeng", "url": url, "report_id": 1, "role": "page", "status": 200,
                                "content_type": "text/html; charset=utf-8", "fetched_at": pointer["date"],
                                "warc_file": pointer["file"], "warc_offset": pointer["offset"],
                                # how the copy was read, as the store records it: never hides a link
                                "method": "ocr"})  # fmt: skip
    writer.close()
    db.close()
    return data_dir


def get(data_dir: Path, path: str) -> httpx.Response:
    return asyncio.run(make_datasette(data_dir / "xxgk.db").client.get(path))


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_the_archived_copy_is_served_decoded(archive: Path, name: str) -> None:
    db = open_db(archive / "xxgk.db")
    row = next(db.query("select warc_file, warc_offset from documents where url like ?", [f"%/{name}.html"]))
    db.close()
    response = get(archive, f"/-/xxgk/archive/{row['warc_file']}/{row['warc_offset']}")
    assert response.status_code == 200 and response.content == PAGE
    assert response.headers["content-security-policy"] == "sandbox"


def test_every_coding_the_reader_knows_is_covered_here() -> None:
    assert {header_for(name) for name in ENCODINGS} >= set(DECODERS) - {"x-gzip", "zstd"}


def test_the_report_card_links_each_archived_page_to_replay(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    card = get(archive, f"/{DATABASE}/reports/1").text
    configured = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["plugins"]["xxgk"]["replay_url"]
    assert f'href="{configured}/xxgk/20250304050607/http://www.wendeng.gov.cn/br.html"' in card
    monkeypatch.setenv("XXGK_REPLAY_URL", "http://127.0.0.1:9999")
    card = get(archive, f"/{DATABASE}/reports/1").text
    assert card.count('href="http://127.0.0.1:9999/xxgk/20250304050607/') == len(ENCODINGS)


BEHAVIOUR = {"facets", "sort", "sort_desc", "size", "fts_table", "fts_pk", "label_column", "sortable_columns", "hidden"}


def test_metadata_says_what_things_are_and_datasette_yaml_how_they_behave() -> None:
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert "plugins" not in metadata and "queries" not in metadata["databases"][DATABASE]
    for table in metadata["databases"][DATABASE]["tables"].values():
        assert not BEHAVIOUR & set(table)
    for table in config["databases"][DATABASE]["tables"].values():
        assert set(table) <= BEHAVIOUR
    merged = load_metadata()
    assert merged["databases"][DATABASE]["tables"]["reports"]["fts_table"] == "reports_search_fts"
    assert merged["databases"][DATABASE]["tables"]["reports"]["columns"]["agency"]
    assert "search" in merged["databases"][DATABASE]["queries"] and "datasette-dashboards" in merged["plugins"]


def test_the_served_command_passes_the_merged_metadata_under_0_65(tmp_path: Path) -> None:
    command = serve_command(tmp_path / "xxgk.db", 8001)
    metadata = Path(command[command.index("--metadata") + 1])
    assert json.loads(metadata.read_text(encoding="utf-8")) == load_metadata()


def test_datasette_is_pinned_below_1_0() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "datasette>=0.65,<1.0" in dependencies
