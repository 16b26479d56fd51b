"""``xxgk export --format wacz``: one file that ``wacz validate`` accepts and pywb replays, holding every
WARC file (revisits' originals included), a sorted index, and every report page in pages.jsonl."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from crawler.archive.cdxj import iter_index, load_digest_map
from crawler.archive.reader import read_response
from crawler.archive.replay import add_wacz, replay_url, serving, wayback_executable
from crawler.archive.wacz import WaczError, validate_wacz, write_wacz
from crawler.commands.archive import export as export_command
from crawler.db import open_db


@pytest.fixture(scope="module")
def wacz(small_archive: Path) -> Path:
    out = small_archive.parent / "corpus.wacz"
    result = CliRunner().invoke(export_command, ["--data-dir", str(small_archive), "--format", "wacz", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "valid WACZ" in result.output
    return out


def members(wacz: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wacz) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_wacz_validate_accepts_it(wacz: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(wacz)], capture_output=True, text=True)
    assert done.returncode == 0 and "Validation succeeded" in done.stdout, done.stdout + done.stderr


def test_it_holds_every_warc_file_including_the_one_a_revisit_points_into(small_archive: Path, wacz: Path) -> None:
    held = {name.removeprefix("archive/") for name in members(wacz) if name.startswith("archive/")}
    assert held == {path.name for path in (small_archive / "warc").glob("*.warc.gz")}
    [revisit] = [entry for entry in iter_index(small_archive / "warc") if entry.is_revisit]
    original = load_digest_map(small_archive / "warc")[revisit.digest]
    assert original.filename in held and original.filename != revisit.filename


def test_its_index_is_sorted_and_covers_every_capture(small_archive: Path, wacz: Path) -> None:
    lines = gzip.decompress(members(wacz)["indexes/index.cdx.gz"]).decode("utf-8").splitlines()
    assert lines == sorted(lines)
    assert len([line for line in lines if '"status": "200"' in line]) >= len(list(iter_index(small_archive / "warc")))


def test_every_report_page_of_the_database_is_in_pages_jsonl(small_archive: Path, wacz: Path) -> None:
    header, *pages = [json.loads(line) for line in members(wacz)["pages/pages.jsonl"].decode().splitlines()]
    assert header["format"] == "json-pages-1.0"
    db = open_db(small_archive / "xxgk.db")
    try:
        expected = {(row["url"], row["fetched_at"]) for row in db.query("select url, fetched_at from documents where role = 'page'")}
        titles = {row["title"] for row in db.query("select title from reports")}
    finally:
        db.close()
    assert {(page["url"], page["ts"]) for page in pages} == expected
    assert {page["title"] for page in pages} == titles


def test_datapackage_lists_every_file_with_its_sha256(wacz: Path) -> None:
    files = members(wacz)
    package = json.loads(files["datapackage.json"])
    listed = {resource["path"]: resource["hash"] for resource in package["resources"]}
    assert set(listed) == set(files) - {"datapackage.json", "datapackage-digest.json"}
    assert all(digest == "sha256:" + hashlib.sha256(files[path]).hexdigest() for path, digest in listed.items())


def test_a_damaged_package_does_not_validate(wacz: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.wacz"
    with zipfile.ZipFile(wacz) as source, zipfile.ZipFile(damaged, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            out.writestr(name, data + b"x" if name.startswith("archive/") else data)
    with pytest.raises(WaczError):
        validate_wacz(damaged)


def test_no_archive_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(WaczError, match="no WARC files"):
        write_wacz(tmp_path, tmp_path / "x.wacz")


@pytest.mark.skipif(wayback_executable() is None, reason="pywb is not installed (make replay-env)")
def test_pywb_replays_the_package(small_archive: Path, wacz: Path, tmp_path: Path) -> None:
    add_wacz(tmp_path, wacz)
    entries = [entry for entry in iter_index(small_archive / "warc") if entry.mime == "text/html"][:3]
    with serving(tmp_path) as base, httpx.Client(trust_env=False, timeout=60) as client:
        for entry in entries:
            replayed = client.get(replay_url(base, entry.timestamp, entry.url, raw=True))
            assert replayed.status_code == 200
            assert replayed.content == read_response(small_archive / "warc", entry.filename, entry.offset).body
