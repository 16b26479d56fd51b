"""Rebuild the database from the WARC archive alone: ``xxgk reparse``.

The archive is the source of truth. Every response record carries what the spider knew about its
request (``XXGK-Context``: site, role, listing title and date, column, parent), so the items the
spider yielded can be rebuilt without the network (crawler/builders.py, as the spider builds them),
and go, in capture order, through the *same* chain as the crawl (pipelines/chain.py) into a fresh DB.

What is reparse's own, one file each:

* :mod:`.delivery` — which records reached the spider (redirects followed, retries retried);
* :mod:`.attachments` — report pages wait for their files, read further on in the archive;
* :mod:`.cores` — the CPU stages on every core, results in capture order for the one writer;
* :mod:`.build` — ``reparse``: records → items → the chain → a fresh database;
* :mod:`.swap` — ``reparse_in_place``: the new database swapped in atomically.
"""

from crawler.archive.responses import CHALLENGE_STATUSES, EMPTY_SHA256, scrapy_response
from crawler.builders import BODY_ROLES, REPORT_ROLES, Item, item_for
from crawler.reparse.attachments import AttachmentsFromArchive, items_from, spider_run
from crawler.reparse.build import ReparseSummary, reparse
from crawler.reparse.cores import cpu_in_order, reparse_workers
from crawler.reparse.delivery import REDIRECT_STATUSES, DeliveryRules, delivered, request_key
from crawler.reparse.swap import SWAP_TIMEOUT, TEMP_PREFIX, remove_leftovers, reparse_in_place, single_file
from pipelines.chain import ChainStats as ReparseStats
from pipelines.chain import SyncChain as Stages
from pipelines.chain import run_cpu_stages, run_sync

__all__ = [
    "BODY_ROLES", "CHALLENGE_STATUSES", "EMPTY_SHA256", "REDIRECT_STATUSES", "REPORT_ROLES", "SWAP_TIMEOUT",
    "TEMP_PREFIX", "AttachmentsFromArchive", "DeliveryRules", "Item", "ReparseStats", "ReparseSummary", "Stages",
    "cpu_in_order", "delivered", "item_for", "items_from", "remove_leftovers", "reparse", "reparse_in_place",
    "reparse_workers", "request_key", "run_cpu_stages", "run_sync", "scrapy_response", "single_file", "spider_run",
]
