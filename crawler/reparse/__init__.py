"""Rebuild the database from the WARC archive alone: ``xxgk reparse``.

The archive is the source of truth. Every response record carries what the spider knew about its
request (``XXGK-Context``: site, role, listing title and date, column, parent), so the items the
spider yielded can be rebuilt without the network (crawler/builders.py, as the spider builds them),
and go, in capture order, through the *same* chain as the crawl (pipelines/chain.py) into a fresh DB.

What is reparse's own, one file each:

* :mod:`.delivery` — which records reached the spider (redirects followed, retries retried);
* :mod:`.attachments` — report pages wait for their files, read further on in the archive;
* :mod:`.cores` — the CPU stages on every core, results in capture order for the one writer;
* :mod:`.searching` — the search index written behind the store, transaction by transaction;
* :mod:`.build` — ``reparse``: records → items → the chain → a fresh database;
* :mod:`.swap` — ``reparse_in_place``: the new database swapped in atomically;
* :mod:`.pooled` — what the pool's workers run, Scrapy-free.

The names below are imported on first use, not with the package: a pool worker unpickling
``crawler.reparse.pooled.for_the_writer`` imports this package first, and must not get the reader
and Scrapy with it (crawler/reparse/pooled.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.reparse.build import ReparseSummary, reparse
    from crawler.reparse.cores import reparse_workers
    from crawler.reparse.swap import reparse_in_place

#: public name → the module that defines it
_HOMES = {
    "ReparseSummary": "crawler.reparse.build",
    "reparse": "crawler.reparse.build",
    "reparse_in_place": "crawler.reparse.swap",
    "reparse_workers": "crawler.reparse.cores",
}

__all__ = ["ReparseSummary", "reparse", "reparse_in_place", "reparse_workers"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
