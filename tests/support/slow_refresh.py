"""``python -m tests.support.slow_refresh crawl …``: ``xxgk`` whose final search-index refresh holds
its transaction open, so that a test can SIGKILL the crawl *during* that refresh.

The refresh runs in full inside an outer transaction; then the file named by
``XXGK_TEST_REFRESH_MARKER`` is created and the process sleeps before committing. Test-only: the
crawler itself has no such hook.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pipelines.store
from crawler.cli import main

_refresh = pipelines.store.refresh_search_index


def held_refresh(db: Any, **options: Any) -> None:
    with db.atomic():
        _refresh(db, **options)  # its own transaction becomes a savepoint of this one
        Path(os.environ["XXGK_TEST_REFRESH_MARKER"]).write_text(str(os.getpid()))
        time.sleep(120)


if __name__ == "__main__":
    pipelines.store.refresh_search_index = held_refresh
    main()
