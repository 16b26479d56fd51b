"""Where tests leave what a person looks at (screenshots): ``$XXGK_ARTIFACTS`` or artifacts/ (tests/test_datasette_browser.py, tests/test_replay.py)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository


def artifacts() -> Path:
    folder = Path(os.environ.get("XXGK_ARTIFACTS", ROOT / "artifacts")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
