"""CITATION.cff is valid Citation File Format 1.2.0, and the README tells how to cite one report."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "tests" / "fixtures" / "citation" / "schema-1.2.0.json"


def test_citation_cff_validates_against_the_cff_schema() -> None:
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(citation)
    assert citation["license"] == "MIT"


def test_the_readme_says_how_to_cite_a_report() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Citing a report", 1)[1].split("\n## ", 1)[0]
    for needed in ("capture time", "WARC-Record-ID", "payload digest", "Datasette", "warc_record_id"):
        assert needed in section, needed
