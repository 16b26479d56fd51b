"""One clock (crawler/clock.py) with the two precisions the stored formats use: a document's
``fetched_at`` to the microsecond, the times of runs and drained items to the second."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

from crawler.builders import captured_at
from crawler.clock import utc_now
from crawler.extensions.crawl_runs import run_row

ROOT = Path(__file__).resolve().parent.parent
SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MICROSECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_both_precisions_read_back_as_utc() -> None:
    for stamp, shape in ((utc_now(), SECONDS), (utc_now("microseconds"), MICROSECONDS)):
        assert shape.match(stamp), stamp
        assert datetime.fromisoformat(stamp).utcoffset() is not None


def test_each_stored_time_keeps_its_precision() -> None:
    assert MICROSECONDS.match(captured_at({}))  # documents.fetched_at when nothing was archived
    row = run_row("hy", None, "incremental", utc_now(), {}, "finished", 0, 0)
    assert SECONDS.match(row["finished"]) and row["seconds"] >= 0  # crawl_runs


def test_the_clock_is_defined_once_and_never_in_the_extraction() -> None:
    defined = [
        path.relative_to(ROOT).as_posix()
        for package in ("crawler", "pipelines")
        for path in (ROOT / package).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name == "utc_now"
    ]
    assert defined == ["crawler/clock.py"]
