"""The type check is part of the suite, so CI (``make test``) runs it: mypy as configured in
pyproject.toml ``[tool.mypy]`` — strict on ``crawler/extract/``, ``check_untyped_defs`` on the rest of
``crawler/`` and ``pipelines/``. ``make lint`` runs the same check from the command line.

mypy's own API, not a subprocess: one process, and its report shown as the assertion message."""

from __future__ import annotations

import os
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_passes_on_crawler_and_pipelines() -> None:
    cwd = Path.cwd()
    os.chdir(ROOT)  # the config (and the files it names) are found from the project root
    try:
        report, errors, status = api.run(["--config-file", str(ROOT / "pyproject.toml")])
    finally:
        os.chdir(cwd)
    assert status == 0, report + errors
