"""Metadata and narrative facts of the five seed reports against hand-written golden files."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from crawler.extract.metadata import extract_metadata
from crawler.extract.model import Metadata, Narrative
from crawler.extract.narrative import extract_narrative
from crawler.extract.normalise import normalise_text
from crawler.extract.page import parse_page

HERE = Path(__file__).parent
GOLDEN = sorted((HERE / "golden" / "seeds").glob("*.meta.json"))
META_FIELDS = ("agency", "agency_as_printed", "year", "published", "title", "level")
NARRATIVE_FIELDS = (
    "proactive_total",
    "approx",
    "proactive_raw",
    "proactive_subcounts",
    "proactive_subcounts_exhaustive",
    "zero_statements",
    "requests_stated",
    "fee_statement",
)


def _load(path: Path) -> tuple[dict, str]:
    golden = json.loads(path.read_text(encoding="utf-8"))
    text = (HERE / "fixtures" / "seeds" / golden["seed"]).read_text(encoding="utf-8")
    return golden, normalise_text(text)


def test_every_seed_has_a_golden_file() -> None:
    assert len(GOLDEN) == 5


@pytest.mark.parametrize("field", META_FIELDS)
@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name.split(".")[0])
def test_seed_metadata(path: Path, field: str) -> None:
    golden, text = _load(path)
    metadata = extract_metadata(None, text)
    assert getattr(metadata, field) == golden[field]


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name.split(".")[0])
def test_seed_metadata_has_no_warnings(path: Path) -> None:
    _, text = _load(path)
    assert extract_metadata(None, text).warnings == []


@pytest.mark.parametrize("field", NARRATIVE_FIELDS)
@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name.split(".")[0])
def test_seed_narrative(path: Path, field: str) -> None:
    golden, text = _load(path)
    narrative = extract_narrative(text).to_json()
    assert narrative[field] == golden["narrative"][field]


def _as_article_page(title: str, text: str) -> str:
    """The seed as a bare CMS article: an h1 and a div#zoom of paragraphs and table rows."""
    blocks = []
    for line in text.split("\n"):
        if "\t" in line:
            cells = "".join(f"<td>{html.escape(cell)}</td>" for cell in line.split("\t"))
            blocks.append(f"<table><tr>{cells}</tr></table>")
        elif line.strip():
            blocks.append(f"<p>{html.escape(line)}</p>")
    return f"<html><body><h1>{html.escape(title)}</h1><div id='zoom'>{''.join(blocks)}</div></body></html>"


@pytest.mark.parametrize("field", ("agency", "year", "published", "level"))
@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name.split(".")[0])
def test_seed_metadata_through_an_article_page(path: Path, field: str) -> None:
    golden, _ = _load(path)
    raw = (HERE / "fixtures" / "seeds" / golden["seed"]).read_text(encoding="utf-8")
    page = parse_page(
        _as_article_page(golden["title"], raw), url="http://www.wendeng.gov.cn/art/2024/3/26/art_1_2.html"
    )
    metadata = extract_metadata(page, normalise_text(page.body_text))
    assert getattr(metadata, field) == golden[field]


def test_empty_inputs() -> None:
    assert extract_metadata(None, "") == Metadata()
    assert extract_narrative("") == Narrative()
